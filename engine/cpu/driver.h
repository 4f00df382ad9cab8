// SPDX-License-Identifier: Apache-2.0
// CPU driver: runs the per-world stages over a batch of worlds on a thread pool. Worlds are
// independent, so results are bit-identical for any thread count.
#pragma once

#include "engine/cpu/thread_pool.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew::cpu {

// Advances every world by `nstep` steps (each thread runs its chunk of worlds for all steps).
template <typename T>
void step(const ModelView<T>& m, const DataView<T>& d, ThreadPool& pool, int nstep = 1);

// Runs forward (no integration) on every world.
template <typename T>
void forward(const ModelView<T>& m, const DataView<T>& d, ThreadPool& pool);

}  // namespace sinew::cpu
