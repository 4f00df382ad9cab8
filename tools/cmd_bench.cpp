// SPDX-License-Identifier: Apache-2.0
// `sinew bench MODEL`: single-world, single-thread physics throughput with a per-stage breakdown
// and the constraint solver's residual, under random muscle excitations (uniform in [0, 1], held
// for --hold steps), the protocol of tools/oracle/bench_vs_mujoco.py.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "engine/forward.h"
#include "engine/model_io.h"
#include "tools/cli.h"
#include "tools/cli_args.h"

namespace sinew::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct StageTimer {
  const char* names[16];
  double seconds[16] = {};
  int n = 0;
};

// Runs one step stage by stage (the same sequence as forward + euler_update), timing each.
void timed_step(const ModelView<double>& m, WorldData<double>& d, StageTimer& t) {
  int i = 0;
  auto run = [&](const char* name, auto&& f) {
    const auto t0 = Clock::now();
    f();
    t.names[i] = name;
    t.seconds[i] += std::chrono::duration<double>(Clock::now() - t0).count();
    ++i;
  };
  const int nv = m.size.nv;
  run("kinematics", [&] { kinematics(m, d); });
  run("com_pos", [&] { com_pos(m, d); });
  run("collision", [&] { collision(m, d); });
  run("tendon", [&] { tendon(m, d); });
  run("com_vel", [&] { com_vel(m, d); });
  run("tendon_velocity", [&] { tendon_velocity(m, d); });
  run("actuation", [&] { actuation(m, d); });
  run("passive", [&] {
    passive(m, d);
    for (int k = 0; k < nv; ++k)
      d.qfrc_smooth[k] = d.qfrc_applied[k] + d.qfrc_passive[k] + d.qfrc_actuator[k];
  });
  bool factored = false;
  run("crba + factor", [&] { factored = mass_and_factor(m, d); });
  run("bias (rnea)", [&] { rnea(m, d, static_cast<const double*>(nullptr), d.qfrc_bias); });
  run("qacc_smooth (solve)", [&] { smooth_acceleration(m, d, factored); });
  run("make_constraints", [&] { make_constraints(m, d); });
  run("solve_constraints", [&] { solve_constraints(m, d); });
  run("integrate", [&] {
    for (int k = 0; k < nv; ++k) d.qacc_warmstart[k] = d.qacc[k];  // as step() does
    euler_update(m, d);
  });
  t.n = i;
}

// Relative residual of the constraint solve's optimality condition M (qacc - qacc_smooth) =
// J^T f (the gradient of the primal cost): |r|_inf / (|J^T f|_inf + 1e-12).
double solver_residual(const ModelView<double>& m, WorldData<double>& d) {
  const int nv = m.size.nv;
  if (*d.nefc == 0) return 0;
  std::vector<double> diff(nv), r(nv);
  for (int k = 0; k < nv; ++k) diff[k] = d.qacc[k] - d.qacc_smooth[k];
  mul_mass(m, d, diff.data(), r.data());
  double num = 0, den = 1e-12;
  for (int k = 0; k < nv; ++k) {
    num = std::max(num, std::fabs(r[k] - d.qfrc_constraint[k]));
    den = std::max(den, std::fabs(d.qfrc_constraint[k]));
  }
  return num / den;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  cxxopts::Options opts("sinew bench",
                        "Single-world physics throughput with a per-stage breakdown, under random "
                        "excitations held for --hold steps.");
  opts.add_options()("model", "model file (.json or .xml)", cxxopts::value<std::string>())(
      "s,steps", "steps to time", cxxopts::value<int>()->default_value("2000"))(
      "hold", "steps each random excitation is held", cxxopts::value<int>()->default_value("10"))(
      "seed", "random seed", cxxopts::value<unsigned>()->default_value("1"))(
      "json", "print the results as JSON")("h,help", "show this help");
  int exit_code = 0;
  const auto parsed = parse_model_args(opts, argc, argv, "bench", exit_code);
  if (!parsed) return exit_code;
  const cxxopts::ParseResult& r = *parsed;
  const int steps = r["steps"].as<int>(), hold = r["hold"].as<int>();
  if (steps < 1 || hold < 1) {
    std::cerr << "sinew bench: --steps and --hold must be >= 1\n";
    return 2;
  }
  const Model m = load_model(r["model"].as<std::string>());
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  if (m.size.nkey > 0) data.reset_keyframe(m, 0, 0);
  WorldData<double> d = data.world(0);
  std::mt19937_64 rng(r["seed"].as<unsigned>());
  std::uniform_real_distribution<double> u(0, 1);
  auto excite = [&](int s) {
    if (s % hold == 0)
      for (int k = 0; k < m.size.nu; ++k) d.ctrl[k] = u(rng);
  };
  // whole steps
  long flagged = 0;
  const auto t0 = Clock::now();
  for (int s = 0; s < steps; ++s) {
    excite(s);
    step(mv, d);
    if (*d.flag) {
      ++flagged;
      *d.flag = 0;
    }
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  // stage breakdown on a second run from the same start
  data.reset(m);
  if (m.size.nkey > 0) data.reset_keyframe(m, 0, 0);
  rng.seed(r["seed"].as<unsigned>());
  StageTimer timer;
  double nefc = 0, ncon = 0, iters = 0, max_res = 0;
  for (int s = 0; s < steps; ++s) {
    excite(s);
    timed_step(mv, d, timer);
    nefc += *d.nefc;
    ncon += *d.ncon;
    iters += *d.solver_iter;
    max_res = std::max(max_res, solver_residual(mv, d));
  }
  double staged = 0;
  for (int i = 0; i < timer.n; ++i) staged += timer.seconds[i];
  if (r.count("json")) {
    std::printf(
        "{\"model\": \"%s\", \"nv\": %d, \"nu\": %d, \"steps\": %d, \"steps_per_s\": %.6g, "
        "\"us_per_step\": %.6g, \"mean_nefc\": %.4g, \"mean_ncon\": %.4g, "
        "\"mean_solver_iter\": %.4g, \"max_solver_residual\": %.3g, \"flagged\": %ld, "
        "\"stages_us\": {",
        m.source.c_str(), m.size.nv, m.size.nu, steps, steps / wall, 1e6 * wall / steps,
        nefc / steps, ncon / steps, iters / steps, max_res, flagged);
    for (int i = 0; i < timer.n; ++i)
      std::printf("%s\"%s\": %.4g", i ? ", " : "", timer.names[i], 1e6 * timer.seconds[i] / steps);
    std::printf("}}\n");
    return 0;
  }
  std::printf("model        %s (nv %d, nu %d, ntendon %d)\n", m.source.c_str(), m.size.nv,
              m.size.nu, m.size.ntendon);
  std::printf("throughput   %.1f steps/s (%.1f us/step) over %d steps, 1 thread, %ld flagged\n",
              steps / wall, 1e6 * wall / steps, steps, flagged);
  std::printf(
      "constraints  mean %.1f rows, %.1f contacts, %.2f Newton iterations; max relative "
      "residual of M (qacc - qacc_smooth) = J^T f: %.2e\n",
      nefc / steps, ncon / steps, iters / steps, max_res);
  std::printf("stages       (us/step, %% of the staged total)\n");
  for (int i = 0; i < timer.n; ++i)
    std::printf("  %-20s %9.2f  %5.1f%%\n", timer.names[i], 1e6 * timer.seconds[i] / steps,
                100 * timer.seconds[i] / staged);
  return 0;
}

}  // namespace sinew::cli
