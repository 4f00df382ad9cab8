// SPDX-License-Identifier: Apache-2.0
// GPU throughput of the CUDA driver (engine/cuda/driver.h, one thread per world) and of the
// rl/nn CUDA kernels, with a CPU cross-check of every configuration. Prints Markdown tables.
//   ./build/release/gpu_step_bench --models models/humanoid30.json --worlds 1024,4096
//   ./build/release/gpu_step_bench --help
// Builds without CUDA, or a machine without a device, print why and exit with status 2.
// Results are recorded in docs/benchmarks.md (machine, date, command).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cpu/driver.h"
#include "engine/data.h"
#include "engine/model_io.h"
#if defined(SINEW_HAVE_CUDA)
#include "engine/cuda/device.h"
#include "engine/cuda/driver.h"
#include "rl/nn/cuda/nn_cuda.h"
#include "rl/nn/linear.h"
#endif

using namespace sinew;

namespace {

using Clock = std::chrono::steady_clock;

[[maybe_unused]] double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[maybe_unused]] std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Keyframe 0 (if any), qvel ~ N(0, 0.1), constant random excitations: every world differs.
template <typename T>
void init_batch(const Model& m, Data<T>& d, int first_world) {
  for (int w = 0; w < d.nworld(); ++w) {
    if (m.size.nkey > 0) d.reset_keyframe(m, 0, w);
    std::mt19937_64 rng(1000003ull * (first_world + w) + 7);
    std::normal_distribution<double> n(0, 0.1);
    std::uniform_real_distribution<double> u(0, 1);
    WorldData<T> wd = d.world(w);
    for (int k = 0; k < m.size.nv; ++k) wd.qvel[k] = static_cast<T>(n(rng));
    for (int k = 0; k < m.size.nu; ++k) wd.ctrl[k] = static_cast<T>(0.3 * u(rng));
  }
}

#if defined(SINEW_HAVE_CUDA)

template <typename T>
int bench_physics(const Model& m, const std::vector<int>& worlds, int block, double budget_s,
                  int check_steps) {
  std::vector<float> fstore;
  const ModelView<T> mv = m.view_as<T>(fstore);
  const char* prec = sizeof(T) == 8 ? "double" : "float";
  // CPU cross-check: the same 8 worlds stepped by both drivers
  double check_err = 0;
  {
    const int nc = 8;
    Data<T> host(m, nc), dev(m, nc);
    init_batch(m, host, 0);
    cuda::DeviceSim<T> sim(m, nc);
    sim.upload(host);
    sim.step(check_steps, block);
    sim.download(dev);
    cpu::ThreadPool pool(1);
    cpu::step(mv, host.view(), pool, check_steps);
    for (int w = 0; w < nc; ++w)
      for (int i = 0; i < m.size.nq; ++i)
        check_err = std::max(
            check_err, std::fabs(double(host.world(w).qpos[i]) - double(dev.world(w).qpos[i])));
  }
  for (int nworld : worlds) {
    Data<T> host(m, nworld);
    init_batch(m, host, 0);
    const double mib = double(host.bytes()) / (1024.0 * 1024.0);
    cuda::DeviceSim<T> sim(m, nworld);
    sim.upload(host);
    auto t0 = Clock::now();
    sim.step(1, block);  // first launch: includes module load; not counted
    const double first = seconds_since(t0);
    t0 = Clock::now();
    sim.step(1, block);
    const double one = seconds_since(t0);
    const int nstep = std::max(1, std::min(2000, static_cast<int>(budget_s / std::max(one, 1e-6))));
    t0 = Clock::now();
    sim.step(nstep, block);
    const double wall = seconds_since(t0);
    sim.download(host);
    int flagged = 0, nonfinite = 0;
    for (int w = 0; w < nworld; ++w) {
      WorldData<T> wd = host.world(w);
      flagged += *wd.flag != 0;
      bool bad = false;
      for (int i = 0; i < m.size.nq; ++i) bad = bad || !std::isfinite(double(wd.qpos[i]));
      nonfinite += bad;
    }
    const double rate = double(nworld) * nstep / wall;
    std::printf(
        "| %s | %d | %d | %s | %d | %d | %d | %.3g | %.0f | %.3g | %.0f | %d/%d | %d | %.2e |\n",
        m.source.c_str(), m.size.nv, m.size.nu, prec, nworld, block, nstep, wall / nstep * 1e3,
        rate, rate / nworld, mib, flagged, nworld, nonfinite, check_err);
    (void)first;
    std::fflush(stdout);
  }
  return 0;
}

// Forward + backward of one Linear layer batch x in -> out on the GPU; returns GFLOP/s.
double bench_linear(int batch, int in, int out, double budget_s) {
  namespace nc = nn::cuda;
  std::vector<float> hx(std::size_t(batch) * in, 0.01f), hw(std::size_t(out) * in, 0.02f);
  nc::DeviceArray x(hx), w(hw), b(out), y(std::size_t(batch) * out), dy(std::size_t(batch) * out),
      dw(std::size_t(out) * in), db(out), dx(std::size_t(batch) * in);
  b.zero();
  dy.zero();
  auto once = [&] {
    nc::linear_forward(x.data(), w.data(), b.data(), y.data(), batch, in, out);
    nc::linear_backward(x.data(), dy.data(), w.data(), dw.data(), db.data(), dx.data(), batch, in,
                        out);
  };
  once();
  nc::synchronize();
  auto t0 = Clock::now();
  once();
  nc::synchronize();
  const double one = seconds_since(t0);
  const int reps = std::max(1, std::min(200, static_cast<int>(budget_s / std::max(one, 1e-6))));
  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) once();
  nc::synchronize();
  const double wall = seconds_since(t0);
  const double flop = 3.0 * 2.0 * batch * double(in) * out;  // forward, dW, dX
  return flop * reps / wall * 1e-9;
}

#endif  // SINEW_HAVE_CUDA

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options opts("gpu_step_bench",
                        "World-steps/s of the CUDA driver (one thread per world) and GFLOP/s of "
                        "the rl/nn CUDA Linear kernels; each physics configuration is checked "
                        "against the CPU driver.");
  opts.add_options()("models", "comma-separated model files",
                     cxxopts::value<std::string>()->default_value("models/humanoid30.json"))(
      "worlds", "comma-separated batch sizes",
      cxxopts::value<std::string>()->default_value("256,1024,4096"))(
      "precision", "float, double or float,double",
      cxxopts::value<std::string>()->default_value("float,double"))(
      "block", "threads per block", cxxopts::value<int>()->default_value("64"))(
      "seconds", "timed wall-clock budget per configuration",
      cxxopts::value<double>()->default_value("2"))("check-steps",
                                                    "steps of the 8-world CPU cross-check",
                                                    cxxopts::value<int>()->default_value("10"))(
      "nn", "also time the Linear kernels")("h,help", "show this help");
  cxxopts::ParseResult r;
  try {
    r = opts.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "gpu_step_bench: " << e.what() << "\n";
    return 2;
  }
  if (r.count("help")) {
    std::cout << opts.help() << "\n";
    return 0;
  }
#if !defined(SINEW_HAVE_CUDA)
  std::cerr << "gpu_step_bench: built without CUDA (configure with -DSINEW_CUDA=ON)\n";
  return 2;
#else
  if (cuda_device_count() == 0) {
    std::cerr << "gpu_step_bench: no CUDA device available\n";
    return 2;
  }
  std::printf("device: %s\n\n", cuda_device_name(0).c_str());
  std::vector<int> worlds;
  for (const std::string& s : split(r["worlds"].as<std::string>())) worlds.push_back(std::stoi(s));
  const int block = r["block"].as<int>();
  const double budget = r["seconds"].as<double>();
  const int check_steps = r["check-steps"].as<int>();
  std::printf(
      "| model | nv | nu | precision | worlds | block | steps timed | ms/step (batch) | "
      "world-steps/s | steps/s per world | data MiB | flagged | non-finite | max |qpos gpu-cpu| |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  try {
    for (const std::string& path : split(r["models"].as<std::string>())) {
      const Model m = load_model(path);
      for (const std::string& p : split(r["precision"].as<std::string>())) {
        if (p == "double")
          bench_physics<double>(m, worlds, block, budget, check_steps);
        else if (p == "float")
          bench_physics<float>(m, worlds, block, budget, check_steps);
        else
          throw std::runtime_error("--precision: unknown '" + p + "'");
      }
    }
    if (r.count("nn")) {
      std::printf("\n| Linear batch x in -> out | GFLOP/s (forward + backward) |\n|---|---|\n");
      const int shapes[][3] = {{4096, 3600, 1024},
                               {4096, 1024, 1024},
                               {4096, 1024, 700},
                               {4096, 256, 256},
                               {65536, 256, 256}};
      for (const auto& s : shapes)
        std::printf("| %d x %d -> %d | %.0f |\n", s[0], s[1], s[2],
                    bench_linear(s[0], s[1], s[2], budget));
    }
  } catch (const std::exception& e) {
    std::cerr << "gpu_step_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
#endif
}
