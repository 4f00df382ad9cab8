// SPDX-License-Identifier: Apache-2.0
// `sinew sim MODEL --worlds N --steps K [--threads T]`: simulate a batch of worlds on the CPU and
// report throughput, energy drift and flagged (diverged) worlds.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <random>
#include <string>

#include "engine/cpu/driver.h"
#include "engine/data.h"
#include "engine/model.h"
#include "engine/model_io.h"
#include "engine/passive.h"
#include "tools/cli.h"

namespace sinew::cli {

namespace {

struct SimArgs {
  int worlds = 1, steps = 1000, threads = 0, keyframe = -1;
  double noise = 0;
  unsigned seed = 1;
  bool quiet = false;
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
  for (int w = 0; w < a.worlds; ++w) {
    if (a.keyframe >= 0) data.reset_keyframe(m, a.keyframe, w);
    WorldData<T> d = data.world(w);
    if (a.noise > 0) perturb(m, d, a.noise, a.seed, w);
  }
  cpu::ThreadPool pool(a.threads);
  const DataView<T>& v = data.view();
  WorldData<T> w0 = data.world(0);
  double e0 = 0, max_dev = 0, max_ke = 0, sum_ncon = 0, sum_nefc = 0, sum_iter = 0;
  long flagged_events = 0;
  std::vector<char> ever_flagged(a.worlds, 0);
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto last_report = t0;
  double sim_seconds = 0;
  for (int s = 0; s < a.steps; ++s) {
    cpu::step(mv, v, pool, 1);
    // energy of world 0 is evaluated inside the step, before integration
    const double e = double(w0.energy[0]) + double(w0.energy[1]);
    if (s == 0) e0 = e;
    max_dev = std::max(max_dev, std::fabs(e - e0));
    max_ke = std::max(max_ke, double(w0.energy[1]));
    sum_ncon += *w0.ncon;
    sum_nefc += *w0.nefc;
    sum_iter += *w0.solver_iter;
    for (int w = 0; w < a.worlds; ++w) {
      int* f = v.flag + w;
      if (*f) {
        ++flagged_events;
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
  const double wall = std::chrono::duration<double>(clock::now() - t0).count();
  sim_seconds = a.steps * m.opt.timestep;
  const long total = static_cast<long>(a.steps) * a.worlds;
  const int nflag = static_cast<int>(std::count(ever_flagged.begin(), ever_flagged.end(), 1));
  std::printf("model          %s (nq %d, nv %d, %s, %s)\n", m.source.c_str(), m.size.nq, m.size.nv,
              sizeof(T) == 8 ? "double" : "float",
              m.opt.integrator == kIntegratorRK4 ? "rk4" : "euler");
  std::printf("batch          %d worlds x %d steps (%.3g s simulated), %d threads\n", a.worlds,
              a.steps, sim_seconds, pool.size());
  std::printf(
      "throughput     %.4g steps/s (world-steps per wall second), %.3g x real time "
      "per world, wall %.3f s\n",
      total / wall, sim_seconds * a.worlds / wall, wall);
  std::printf(
      "energy         world 0: E(0) %.6g J, E(end) %.6g J, max |E(t)-E(0)| %.3g J "
      "(%.3g of max KE)%s\n",
      e0, double(w0.energy[0]) + double(w0.energy[1]), max_dev, max_ke > 0 ? max_dev / max_ke : 0.0,
      (sum_nefc > 0 || has_damping(mv)) ? " (not conserved: damping or constraints act)" : "");
  std::printf("constraints    world 0 mean: %.2f contacts, %.2f rows, %.1f solver iterations\n",
              sum_ncon / a.steps, sum_nefc / a.steps, sum_iter / a.steps);
  std::printf("flagged        %d of %d worlds diverged and were reset (%ld events)\n", nflag,
              a.worlds, flagged_events);
  return 0;
}

}  // namespace

int cmd_sim(int argc, char** argv) {
  cxxopts::Options opts("sinew sim",
                        "Simulate a batch of worlds on the CPU; print throughput, energy drift and "
                        "flagged worlds.");
  opts.add_options()("model", "model file (.json)", cxxopts::value<std::string>())(
      "w,worlds", "number of worlds", cxxopts::value<int>()->default_value("1"))(
      "s,steps", "steps per world", cxxopts::value<int>()->default_value("1000"))(
      "t,threads", "CPU threads (0 = all cores)", cxxopts::value<int>()->default_value("0"))(
      "precision", "double or float", cxxopts::value<std::string>()->default_value("double"))(
      "integrator", "euler or rk4 (default: the model's)", cxxopts::value<std::string>())(
      "timestep", "override the model's timestep (s)", cxxopts::value<double>())(
      "keyframe", "start from this keyframe (name or index)", cxxopts::value<std::string>())(
      "noise", "std. dev. of a random perturbation of hinge/slide qpos and of qvel",
      cxxopts::value<double>()->default_value("0"))("seed", "random seed for --noise",
                                                    cxxopts::value<unsigned>()->default_value("1"))(
      "q,quiet", "no progress lines")("h,help", "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL");
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("model")) {
    std::cerr << "sinew sim: missing MODEL\n" << opts.help() << std::endl;
    return 2;
  }
  SimArgs a;
  a.worlds = r["worlds"].as<int>();
  a.steps = r["steps"].as<int>();
  a.threads = r["threads"].as<int>();
  a.noise = r["noise"].as<double>();
  a.seed = r["seed"].as<unsigned>();
  a.quiet = r.count("quiet") > 0;
  if (a.worlds < 1 || a.steps < 1 || a.threads < 0 || !(a.noise >= 0)) {
    std::cerr << "sinew sim: --worlds and --steps must be >= 1, --threads and --noise >= 0\n";
    return 2;
  }
  Model m = load_model(r["model"].as<std::string>());
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
