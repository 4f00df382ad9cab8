// SPDX-License-Identifier: Apache-2.0
// CUDA driver: the model and a batch of worlds in device memory, and thin launchers that run the
// same SINEW_HD stage functions as the CPU driver, one thread per world (engine/kernels.h).
// Compiled only when CUDA is enabled; functions throw std::runtime_error on CUDA errors.
#pragma once

#include <vector>

#include "engine/data.h"
#include "engine/model.h"

namespace sinew::cuda {

// A model copied to the device in precision T, plus a batch of `nworld` worlds.
template <typename T>
class DeviceSim {
 public:
  DeviceSim(const Model& m, int nworld);
  ~DeviceSim();
  DeviceSim(const DeviceSim&) = delete;
  DeviceSim& operator=(const DeviceSim&) = delete;
  // Copies the host batch (same model and nworld) to the device, or back.
  void upload(const Data<T>& host);
  void download(Data<T>& host) const;
  // Advances every world by nstep steps; synchronizes.
  void step(int nstep, int block_dim = 64);
  // Runs forward on every world; synchronizes.
  void forward(int block_dim = 64);
  const ModelView<T>& model() const { return model_; }
  const DataView<T>& data() const { return data_; }

 private:
  ModelView<T> model_{};
  DataView<T> data_{};
  void* model_ints_ = nullptr;
  void* model_reals_ = nullptr;
  void* data_buf_ = nullptr;
  std::size_t data_bytes_ = 0;
};

}  // namespace sinew::cuda
