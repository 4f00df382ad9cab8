// SPDX-License-Identifier: Apache-2.0
// Throughput of the CPU driver: world-steps per second vs number of worlds (1, 64, 1024) and
// threads (1, 2) for a ~30-DoF humanoid-like tree and an 85-DoF tree with ground contact.
// Run: ./build/release/step_bench  (results recorded in docs/benchmarks.md)
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "engine/cpu/driver.h"
#include "engine/model_io.h"

using namespace sinew;

namespace {

template <typename T>
void run(benchmark::State& state, const std::string& path) {
  const int nworld = static_cast<int>(state.range(0));
  const int nthread = static_cast<int>(state.range(1));
  Model m = load_model(path);
  std::vector<float> fstore;
  const ModelView<T> mv = m.view_as<T>(fstore);
  Data<T> data(m, nworld);
  for (int w = 0; w < nworld; ++w) {
    if (m.size.nkey > 0) data.reset_keyframe(m, 0, w);
    std::mt19937_64 rng(w);
    std::normal_distribution<double> n(0, 0.2);
    for (int k = 0; k < m.size.nv; ++k) data.world(w).qvel[k] = static_cast<T>(n(rng));
  }
  cpu::ThreadPool pool(nthread);
  // warm up into contact
  cpu::step(mv, data.view(), pool, 50);
  const int chunk = nworld >= 64 ? 1 : 20;
  for (auto _ : state) cpu::step(mv, data.view(), pool, chunk);
  state.SetItemsProcessed(state.iterations() * static_cast<long>(nworld) * chunk);
  double ncon = 0, nefc = 0;
  for (int w = 0; w < nworld; ++w) {
    ncon += *data.world(w).ncon;
    nefc += *data.world(w).nefc;
  }
  state.counters["contacts"] = ncon / nworld;
  state.counters["rows"] = nefc / nworld;
  state.counters["nv"] = m.size.nv;
}

void args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int worlds : {1, 64, 1024}) b->Args({worlds, threads});
  b->ArgNames({"worlds", "threads"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

void BM_humanoid30_double(benchmark::State& s) { run<double>(s, "models/humanoid30.json"); }
void BM_humanoid30_float(benchmark::State& s) { run<float>(s, "models/humanoid30.json"); }
void BM_tree85_double(benchmark::State& s) { run<double>(s, "models/tree85.json"); }
void BM_tree85_float(benchmark::State& s) { run<float>(s, "models/tree85.json"); }

}  // namespace

BENCHMARK(BM_humanoid30_double)->Apply(args);
BENCHMARK(BM_humanoid30_float)->Apply(args);
BENCHMARK(BM_tree85_double)->Apply(args);
BENCHMARK(BM_tree85_float)->Apply(args);

BENCHMARK_MAIN();
