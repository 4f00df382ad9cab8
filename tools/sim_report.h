// SPDX-License-Identifier: Apache-2.0
// Helpers of `sinew sim` (tools/cmd_sim.cpp): projecting a state onto the joint couplings, the
// coupling residual, the centre-of-mass velocity and the run summary. Host-only tool code.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "engine/core/spatial.h"
#include "engine/coupling.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew::cli {

// Centre-of-mass velocity of all bodies: total linear momentum / total mass. The linear part of
// cinert * cvel is m v_com of each body whatever the reference point (Featherstone 2008, §2.13).
// Uses cvel and cinert, i.e. the state of the last forward pass.
template <typename T>
void com_velocity(const ModelView<T>& m, const WorldData<T>& d, double out[3]) {
  double p[3] = {0, 0, 0}, mass = 0;
  for (int b = 1; b < m.size.nbody; ++b) {
    const Spatial<T> v = Spatial<T>::load(d.cvel + 6 * b);
    const Spatial<T> h = SpatialInertia<T>::load(d.cinert + 10 * b) * v;
    for (int i = 0; i < 3; ++i) p[i] += double(h.lin[i]);
    mass += double(m.body_mass[b]);
  }
  for (int i = 0; i < 3; ++i) out[i] = mass > 0 ? p[i] / mass : 0;
}

// World-0 statistics of a run and its summary.
struct SimReport {
  std::string model, precision, integrator, excitation;
  int nq = 0, nv = 0, nu = 0, neq_joint = 0, worlds = 0, steps = 0, threads = 0, hold = 0;
  int keyframe = -1, projection_sweeps = 0;
  bool projected = false;
  double timestep = 0, wall = 0;
  double residual_start = 0, residual_max = 0, residual_end = 0;
  double com_speed_last_max = 0, com_speed_end = 0, com_window_s = 0;
  double e0 = 0, e_end = 0, max_dev = 0, max_ke = 0;
  bool energy_not_conserved = false;
  double mean_ncon = 0, mean_nefc = 0, mean_iter = 0;
  int flagged_worlds = 0;
  long flagged_events = 0;

  void print_text() const {
    const double sim_s = steps * timestep;
    const long total = static_cast<long>(steps) * worlds;
    std::printf("model          %s (nq %d, nv %d, nu %d, %s, %s)\n", model.c_str(), nq, nv, nu,
                precision.c_str(), integrator.c_str());
    std::printf("batch          %d worlds x %d steps (%.3g s simulated), %d threads\n", worlds,
                steps, sim_s, threads);
    std::printf("start          %s%s\n",
                keyframe >= 0 ? ("keyframe " + std::to_string(keyframe)).c_str() : "qpos0",
                projected ? (", projected onto the couplings (" +
                             std::to_string(projection_sweeps) + " sweeps)")
                                .c_str()
                          : "");
    if (excitation == "random")
      std::printf("excitation     random: ctrl uniform in [0, 1], redrawn every %d steps\n", hold);
    else
      std::printf("excitation     zero\n");
    std::printf(
        "throughput     %.4g steps/s (world-steps per wall second), %.3g x real time per "
        "world, wall %.3f s\n",
        total / wall, sim_s * worlds / wall, wall);
    std::printf(
        "energy         world 0: E(0) %.6g J, E(end) %.6g J, max |E(t)-E(0)| %.3g J "
        "(%.3g of max KE)%s\n",
        e0, e_end, max_dev, max_ke > 0 ? max_dev / max_ke : 0.0,
        energy_not_conserved ? " (not conserved: damping or constraints act)" : "");
    std::printf("constraints    world 0 mean: %.2f contacts, %.2f rows, %.1f solver iterations\n",
                mean_ncon, mean_nefc, mean_iter);
    if (neq_joint > 0)
      std::printf(
          "couplings      world 0, %d joint equalities: residual at start %.3g, max over "
          "the run %.3g, at end %.3g (rad or m)\n",
          neq_joint, residual_start, residual_max, residual_end);
    std::printf("com speed      world 0: max over the last %.3g s %.4g m/s, at end %.4g m/s\n",
                com_window_s, com_speed_last_max, com_speed_end);
    std::printf("flagged        %d of %d worlds diverged and were reset (%ld events)\n",
                flagged_worlds, worlds, flagged_events);
  }

  void print_json() const {
    std::printf(
        "{\"model\": \"%s\", \"nq\": %d, \"nv\": %d, \"nu\": %d, \"precision\": \"%s\", "
        "\"integrator\": \"%s\", \"timestep\": %.9g, \"worlds\": %d, \"steps\": %d, "
        "\"threads\": %d, \"keyframe\": %d, \"projected\": %s, \"projection_sweeps\": %d, "
        "\"excitation\": \"%s\", \"hold\": %d, \"wall_s\": %.6g, \"steps_per_s\": %.6g, "
        "\"neq_joint\": %d, \"coupling_residual_start\": %.6g, "
        "\"coupling_residual_max\": %.6g, \"coupling_residual_end\": %.6g, "
        "\"com_window_s\": %.6g, \"com_speed_last_max\": %.6g, \"com_speed_end\": %.6g, "
        "\"energy_start\": %.9g, \"energy_end\": %.9g, \"energy_max_dev\": %.6g, "
        "\"mean_ncon\": %.6g, \"mean_nefc\": %.6g, \"mean_solver_iter\": %.6g, "
        "\"flagged_worlds\": %d, \"flagged_events\": %ld}\n",
        model.c_str(), nq, nv, nu, precision.c_str(), integrator.c_str(), timestep, worlds, steps,
        threads, keyframe, projected ? "true" : "false", projection_sweeps, excitation.c_str(),
        hold, wall, static_cast<double>(steps) * worlds / wall, neq_joint, residual_start,
        residual_max, residual_end, com_window_s, com_speed_last_max, com_speed_end, e0, e_end,
        max_dev, mean_ncon, mean_nefc, mean_iter, flagged_worlds, flagged_events);
  }
};

}  // namespace sinew::cli
