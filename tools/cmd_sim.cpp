// SPDX-License-Identifier: Apache-2.0
// `sinew sim MODEL --worlds N --steps K [--threads T]`: simulate a batch of worlds on the CPU and
// report throughput, energy drift, the joint-coupling residual and centre-of-mass speed of world 0
// and flagged (diverged) worlds; optionally under random muscle excitations and from a start state
// projected onto the couplings (issue 3 item 7).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu/driver.h"
#include "engine/data.h"
#include "engine/model.h"
#include "engine/model_io.h"
#include "engine/passive.h"
#include "tools/cli.h"
#include "tools/cli_args.h"
#include "tools/sim_report.h"

namespace sinew::cli {

namespace {

struct SimArgs {
  int worlds = 1, steps = 1000, threads = 0, keyframe = -1, hold = 10;
  double noise = 0;
  unsigned seed = 1;
  bool quiet = false, json = false, project = false, random = false;
};

// Perturbs hinge/slide positions and all velocities of world w by N(0, noise).
template <typename T>
void perturb(const Model& m, WorldData<T>& d, double noise, unsigned seed, int w) {
  std::mt19937_64 rng(seed * 1000003ull + static_cast<unsigned>(w));
  std::normal_distribution<double> n(0, noise);
  for (int j = 0; j < m.size.njnt; ++j)
    if (m.jnt_type[j] == kJointHinge || m.jnt_type[j] == kJointSlide)
      d.qpos[m.jnt_qposadr[j]] += static_cast<T>(n(rng));
  for (int k = 0; k < m.size.nv; ++k) d.qvel[k] += static_cast<T>(n(rng));
}

template <typename T>
int run(const Model& m, const ModelView<T>& mv, const SimArgs& a) {
  Data<T> data(m, a.worlds);
  SimReport rep;
  for (int w = 0; w < a.worlds; ++w) {
    if (a.keyframe >= 0) data.reset_keyframe(m, a.keyframe, w);
    WorldData<T> d = data.world(w);
    if (a.project) rep.projection_sweeps = project_couplings(mv, d.qpos);
    if (a.noise > 0) perturb(m, d, a.noise, a.seed, w);
    for (int u = 0; u < m.size.nu; ++u) d.ctrl[u] = 0;
  }
  // excitation streams: one generator per world (seeded by --seed and the world index)
  std::vector<std::mt19937_64> rngs;
  for (int w = 0; w < a.worlds; ++w) rngs.emplace_back(a.seed * 7919ull + 1000003ull * w + 17);
  std::uniform_real_distribution<double> unif(0, 1);
  cpu::ThreadPool pool(a.threads);
  const DataView<T>& v = data.view();
  WorldData<T> w0 = data.world(0);
  for (int e = 0; e < m.size.neq; ++e) rep.neq_joint += is_coupling(mv.eq_active, mv.eq_type, e);
  rep.residual_start = coupling_residual(mv, w0.qpos);
  rep.residual_max = rep.residual_start;
  // the centre-of-mass speed is taken over the last second (or the whole run if shorter)
  const int window = std::min(a.steps, std::max(1, int(std::lround(1.0 / m.opt.timestep))));
  double sum_ncon = 0, sum_nefc = 0, sum_iter = 0;
  std::vector<char> ever_flagged(a.worlds, 0);
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto last_report = t0;
  for (int s = 0; s < a.steps; ++s) {
    if (a.random && s % a.hold == 0)
      for (int w = 0; w < a.worlds; ++w) {
        T* ctrl = v.ctrl + static_cast<std::ptrdiff_t>(w) * m.size.nu;
        for (int u = 0; u < m.size.nu; ++u) ctrl[u] = static_cast<T>(unif(rngs[w]));
      }
    cpu::step(mv, v, pool, 1);
    // energy, cvel and cinert of world 0 are those of the step's initial state (before
    // integration); the coupling residual is that of the integrated qpos
    const double e = double(w0.energy[0]) + double(w0.energy[1]);
    if (s == 0) rep.e0 = e;
    rep.max_dev = std::max(rep.max_dev, std::fabs(e - rep.e0));
    rep.max_ke = std::max(rep.max_ke, double(w0.energy[1]));
    rep.residual_max = std::max(rep.residual_max, coupling_residual(mv, w0.qpos));
    if (s >= a.steps - window) {
      double vc[3];
      com_velocity(mv, w0, vc);
      rep.com_speed_end = std::sqrt(vc[0] * vc[0] + vc[1] * vc[1] + vc[2] * vc[2]);
      rep.com_speed_last_max = std::max(rep.com_speed_last_max, rep.com_speed_end);
    }
    sum_ncon += *w0.ncon;
    sum_nefc += *w0.nefc;
    sum_iter += *w0.solver_iter;
    for (int w = 0; w < a.worlds; ++w) {
      int* f = v.flag + w;
      if (*f) {
        ++rep.flagged_events;
        ever_flagged[w] = 1;
        *f = 0;
      }
    }
    const auto now = clock::now();
    if (!a.quiet && std::chrono::duration<double>(now - last_report).count() > 2.0) {
      last_report = now;
      const double el = std::chrono::duration<double>(now - t0).count();
      const double eta = el / (s + 1) * (a.steps - s - 1);
      std::fprintf(stderr, "  step %d/%d  %.0f steps/s  elapsed %.1fs  ETA %.1fs\n", s + 1, a.steps,
                   (s + 1.0) * a.worlds / el, el, eta);
    }
  }
  rep.wall = std::chrono::duration<double>(clock::now() - t0).count();
  rep.model = m.source;
  rep.precision = sizeof(T) == 8 ? "double" : "float";
  rep.integrator = m.opt.integrator == kIntegratorRK4 ? "rk4" : "euler";
  rep.excitation = a.random ? "random" : "zero";
  rep.nq = m.size.nq;
  rep.nv = m.size.nv;
  rep.nu = m.size.nu;
  rep.worlds = a.worlds;
  rep.steps = a.steps;
  rep.threads = pool.size();
  rep.hold = a.hold;
  rep.keyframe = a.keyframe;
  rep.projected = a.project;
  rep.timestep = m.opt.timestep;
  rep.residual_end = coupling_residual(mv, w0.qpos);
  rep.com_window_s = window * m.opt.timestep;
  rep.e_end = double(w0.energy[0]) + double(w0.energy[1]);
  rep.energy_not_conserved = sum_nefc > 0 || has_damping(mv);
  rep.mean_ncon = sum_ncon / a.steps;
  rep.mean_nefc = sum_nefc / a.steps;
  rep.mean_iter = sum_iter / a.steps;
  rep.flagged_worlds = static_cast<int>(std::count(ever_flagged.begin(), ever_flagged.end(), 1));
  if (a.json)
    rep.print_json();
  else
    rep.print_text();
  return 0;
}

}  // namespace

int cmd_sim(int argc, char** argv) {
  cxxopts::Options opts("sinew sim",
                        "Simulate a batch of worlds on the CPU; print throughput, energy drift, "
                        "coupling residual, centre-of-mass speed and flagged worlds.");
  opts.add_options()("model", "model file (.json or .xml)", cxxopts::value<std::string>())(
      "w,worlds", "number of worlds", cxxopts::value<int>()->default_value("1"))(
      "s,steps", "steps per world", cxxopts::value<int>()->default_value("1000"))(
      "t,threads", "CPU threads (0 = all cores)", cxxopts::value<int>()->default_value("0"))(
      "precision", "double or float", cxxopts::value<std::string>()->default_value("double"))(
      "integrator", "euler or rk4 (default: the model's)", cxxopts::value<std::string>())(
      "timestep", "override the model's timestep (s)", cxxopts::value<double>())(
      "keyframe", "start from this keyframe (name or index)", cxxopts::value<std::string>())(
      "noise", "std. dev. of a random perturbation of hinge/slide qpos and of qvel",
      cxxopts::value<double>()->default_value("0"))(
      "seed", "random seed for --noise and --excitation random",
      cxxopts::value<unsigned>()->default_value("1"))(
      "excitation",
      "muscle controls: zero, or random (uniform in [0, 1], redrawn every --hold "
      "steps, one random stream per world)",
      cxxopts::value<std::string>()->default_value("zero"))(
      "hold", "steps each random excitation is held", cxxopts::value<int>()->default_value("10"))(
      "project-couplings",
      "project the start state onto the joint couplings (dependent joint = q_ref + poly(...))")(
      "json", "print the summary as one JSON object")("q,quiet", "no progress lines")(
      "h,help", "show this help");
  int exit_code = 0;
  const auto parsed = parse_model_args(opts, argc, argv, "sim", exit_code);
  if (!parsed) return exit_code;
  const cxxopts::ParseResult& r = *parsed;
  SimArgs a;
  a.worlds = r["worlds"].as<int>();
  a.steps = r["steps"].as<int>();
  a.threads = r["threads"].as<int>();
  a.noise = r["noise"].as<double>();
  a.seed = r["seed"].as<unsigned>();
  a.hold = r["hold"].as<int>();
  a.quiet = r.count("quiet") > 0;
  a.json = r.count("json") > 0;
  a.project = r.count("project-couplings") > 0;
  const std::string exc = r["excitation"].as<std::string>();
  if (exc != "zero" && exc != "random") {
    std::cerr << "sinew sim: --excitation must be zero or random, got '" << exc << "'\n";
    return 2;
  }
  a.random = exc == "random";
  if (a.worlds < 1 || a.steps < 1 || a.hold < 1 || a.threads < 0 || !(a.noise >= 0)) {
    std::cerr << "sinew sim: --worlds, --steps and --hold must be >= 1, --threads and --noise "
                 ">= 0\n";
    return 2;
  }
  Model m = load_model(r["model"].as<std::string>());
  m.opt.energy = true;  // the report needs the energy whatever the model file says
  if (r.count("integrator")) {
    const std::string s = r["integrator"].as<std::string>();
    if (s != "euler" && s != "rk4") {
      std::cerr << "sinew sim: --integrator must be euler or rk4, got '" << s << "'\n";
      return 2;
    }
    m.opt.integrator = s == "rk4" ? kIntegratorRK4 : kIntegratorEuler;
  }
  if (r.count("timestep")) {
    m.opt.timestep = r["timestep"].as<double>();
    if (!(m.opt.timestep > 0)) {
      std::cerr << "sinew sim: --timestep must be > 0\n";
      return 2;
    }
  }
  if (r.count("keyframe")) {
    const std::string k = r["keyframe"].as<std::string>();
    for (int i = 0; i < m.size.nkey; ++i)
      if (m.key_name[i] == k || std::to_string(i) == k) a.keyframe = i;
    if (a.keyframe < 0) {
      std::cerr << "sinew sim: " << m.source << " has no keyframe '" << k << "'\n";
      return 2;
    }
  }
  const std::string prec = r["precision"].as<std::string>();
  if (prec == "double") return run(m, m.view(), a);
  if (prec == "float") {
    std::vector<float> storage;
    return run(m, m.view_float(storage), a);
  }
  std::cerr << "sinew sim: --precision must be double or float, got '" << prec << "'\n";
  return 2;
}

}  // namespace sinew::cli
