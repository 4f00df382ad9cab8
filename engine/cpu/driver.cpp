// SPDX-License-Identifier: Apache-2.0
#include "engine/cpu/driver.h"

#include "engine/forward.h"

namespace sinew::cpu {

template <typename T>
void step(const ModelView<T>& m, const DataView<T>& d, ThreadPool& pool, int nstep) {
  pool.parallel_for(d.nworld, [&](int begin, int end) {
    for (int w = begin; w < end; ++w) {
      WorldData<T> wd = d.world(w);
      for (int s = 0; s < nstep; ++s) sinew::step(m, wd);
    }
  });
}

template <typename T>
void forward(const ModelView<T>& m, const DataView<T>& d, ThreadPool& pool) {
  pool.parallel_for(d.nworld, [&](int begin, int end) {
    for (int w = begin; w < end; ++w) {
      WorldData<T> wd = d.world(w);
      sinew::forward(m, wd);
    }
  });
}

template void step<double>(const ModelView<double>&, const DataView<double>&, ThreadPool&, int);
template void step<float>(const ModelView<float>&, const DataView<float>&, ThreadPool&, int);
template void forward<double>(const ModelView<double>&, const DataView<double>&, ThreadPool&);
template void forward<float>(const ModelView<float>&, const DataView<float>&, ThreadPool&);

}  // namespace sinew::cpu
