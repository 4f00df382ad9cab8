// SPDX-License-Identifier: Apache-2.0
// Kernel bodies shared by the CUDA launchers (engine/cuda) and the CPU grid emulation used in
// tests: one thread per world, global index = block * block_dim + thread.
#pragma once

#include "engine/data.h"
#include "engine/forward.h"
#include "engine/model.h"

namespace sinew {

template <typename T>
SINEW_HD void step_kernel_body(const ModelView<T>& m, const DataView<T>& d, int nstep, int block,
                               int thread, int block_dim) {
  const int w = block * block_dim + thread;
  if (w >= d.nworld) return;
  WorldData<T> wd = d.world(w);
  for (int s = 0; s < nstep; ++s) step(m, wd);
}

template <typename T>
SINEW_HD void forward_kernel_body(const ModelView<T>& m, const DataView<T>& d, int block,
                                  int thread, int block_dim) {
  const int w = block * block_dim + thread;
  if (w >= d.nworld) return;
  WorldData<T> wd = d.world(w);
  forward(m, wd);
}

}  // namespace sinew
