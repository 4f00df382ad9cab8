// SPDX-License-Identifier: Apache-2.0
// Internal: how the CPU kernels of rl/nn split work over the threads of set_num_threads().
// Work is cut into `parts` contiguous ranges whose boundaries depend only on the problem size
// and num_threads(), never on timing; each part is computed by one thread with no shared
// accumulators, so results are identical from run to run for a given thread count.
#pragma once

#include <functional>

namespace sinew::nn::detail {

// Below this many flops a kernel runs on the calling thread (waking the pool costs ~10 us).
constexpr double kParallelFlops = 2e6;

// Range [begin, end) of part `i` of `parts` over [0, n).
inline void split_range(int n, int parts, int i, int& begin, int& end) {
  const int base = n / parts, extra = n % parts;
  begin = i * base + (i < extra ? i : extra);
  end = begin + base + (i < extra ? 1 : 0);
}

// Number of parts for a loop over n independent items costing `flops` in all: 1 when the work is
// small, else min(n, num_threads()).
int num_parts(int n, double flops);

// Calls fn(i) for i in [0, parts), one part per pool thread. When the pool is busy (a call from
// another thread), the parts run one after another on the caller: the same parts, same results.
void run_parts(int parts, const std::function<void(int)>& fn);

// Convenience: fn(begin, end) over the num_parts(n, flops) ranges of [0, n).
void parallel_ranges(int n, double flops, const std::function<void(int, int)>& fn);

}  // namespace sinew::nn::detail
