// SPDX-License-Identifier: Apache-2.0
// rl/nn CPU path: forward and forward+backward of MLPs with 3 hidden layers of width 256 or 1024,
// 3600 inputs and 700 outputs (MS-Human-700-sized policy), at batch 1, 64 and 4096, on 1 thread
// and on all cores. Arguments: {width, batch, threads (0 = all cores)}.
#include <benchmark/benchmark.h>

#include <random>

#include "rl/nn/mlp.h"

namespace {

using sinew::nn::Matrix;
using sinew::nn::Mlp;
using sinew::nn::MlpConfig;
using sinew::nn::MlpTape;

constexpr int kIn = 3600, kOut = 700;

Mlp make_net(int width) {
  MlpConfig c;
  c.in = kIn;
  c.hidden = {width, width, width};
  c.out = kOut;
  return Mlp(c, 1);
}

Matrix random_input(int batch) {
  std::mt19937_64 gen(2);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Matrix x(batch, kIn);
  for (int i = 0; i < x.size(); ++i) x.data()[i] = u(gen);
  return x;
}

double flops_forward(int width, int batch) {
  return 2.0 * batch * (double(kIn) * width + 2.0 * width * width + double(width) * kOut);
}

void set_counters(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void BM_forward(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  sinew::nn::set_num_threads(static_cast<int>(state.range(2)));
  const Mlp net = make_net(width);
  const Matrix x = random_input(batch);
  Matrix y;
  for (auto _ : state) {
    net.forward(x, y);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, flops_forward(width, batch));
}

void BM_forward_backward(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  sinew::nn::set_num_threads(static_cast<int>(state.range(2)));
  Mlp net = make_net(width);
  const Matrix x = random_input(batch);
  const Matrix dy = Matrix::Constant(batch, kOut, 1e-3f);
  Matrix y;
  MlpTape tape;
  for (auto _ : state) {
    net.forward(x, y, &tape);
    net.backward(tape, dy);  // no dL/dx: PPO does not differentiate wrt observations
    benchmark::DoNotOptimize(net.grads());
  }
  // backward: dW of every layer (= forward flops) and dx of all but the first layer
  set_counters(state, 2.0 * flops_forward(width, batch) +
                          2.0 * batch * (2.0 * width * width + double(width) * kOut));
}

void nn_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"width", "batch", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
  for (int width : {256, 1024})
    for (int batch : {1, 64, 4096})
      for (int threads : {1, 0}) b->Args({width, batch, threads});
  b->MinTime(0.5);
}

}  // namespace

BENCHMARK(BM_forward)->Apply(nn_args);
BENCHMARK(BM_forward_backward)->Apply(nn_args);

BENCHMARK_MAIN();
