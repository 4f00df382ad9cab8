// SPDX-License-Identifier: Apache-2.0
// The thread setting of the network kernels and the pool that runs their parts
// (engine/cpu/thread_pool.h; one process-wide pool, created on first use).
#include "rl/nn/matrix.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/cpu/thread_pool.h"
#include "rl/nn/parallel.h"

namespace sinew::nn {

namespace {

std::mutex g_config_mutex;  // guards g_pool and g_threads
std::mutex g_use_mutex;     // held while the pool runs a job
std::unique_ptr<cpu::ThreadPool> g_pool;
int g_threads = 0;

int all_cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

cpu::ThreadPool& pool() {
  std::lock_guard<std::mutex> lock(g_config_mutex);
  if (g_threads <= 0) g_threads = all_cores();
  if (!g_pool || g_pool->size() != g_threads) g_pool = std::make_unique<cpu::ThreadPool>(g_threads);
  return *g_pool;
}

}  // namespace

void set_num_threads(int n) {
  std::lock_guard<std::mutex> use(g_use_mutex);  // never replace a pool while it runs a job
  std::lock_guard<std::mutex> lock(g_config_mutex);
  g_threads = n <= 0 ? all_cores() : n;
  if (g_pool && g_pool->size() != g_threads) g_pool.reset();
}

int num_threads() {
  std::lock_guard<std::mutex> lock(g_config_mutex);
  if (g_threads <= 0) g_threads = all_cores();
  return g_threads;
}

namespace detail {

int num_parts(int n, double flops) {
  if (n <= 1 || flops < kParallelFlops) return 1;
  return std::min(n, num_threads());
}

void run_parts(int parts, const std::function<void(int)>& fn) {
  if (parts <= 1) {
    if (parts == 1) fn(0);
    return;
  }
  std::unique_lock<std::mutex> use(g_use_mutex, std::try_to_lock);
  if (!use.owns_lock()) {
    for (int i = 0; i < parts; ++i) fn(i);
    return;
  }
  pool().parallel_for(parts, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) fn(i);
  });
}

void parallel_ranges(int n, double flops, const std::function<void(int, int)>& fn) {
  const int parts = num_parts(n, flops);
  run_parts(parts, [&](int i) {
    int begin, end;
    split_range(n, parts, i, begin, end);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace detail

}  // namespace sinew::nn
