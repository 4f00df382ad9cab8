// SPDX-License-Identifier: Apache-2.0
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/cuda/driver.h"
#include "engine/kernels.h"

namespace sinew::cuda {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

template <typename T>
__global__ void step_kernel(ModelView<T> m, DataView<T> d, int nstep) {
  step_kernel_body(m, d, nstep, blockIdx.x, threadIdx.x, blockDim.x);
}

template <typename T>
__global__ void forward_kernel(ModelView<T> m, DataView<T> d) {
  forward_kernel_body(m, d, blockIdx.x, threadIdx.x, blockDim.x);
}

}  // namespace

template <typename T>
DeviceSim<T>::DeviceSim(const Model& m, int nworld) {
  // model: pack int and real fields into two device buffers
  std::vector<int> ints;
  std::vector<T> reals;
  std::vector<std::size_t> int_off, real_off;
#define SINEW_X(name, count)      \
  int_off.push_back(ints.size()); \
  ints.insert(ints.end(), m.name.begin(), m.name.end());
  SINEW_MODEL_INT_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count)        \
  real_off.push_back(reals.size()); \
  for (double x : m.name) reals.push_back(static_cast<T>(x));
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  check(cudaMalloc(&model_ints_, sizeof(int) * (ints.size() + 1)), "cudaMalloc(model ints)");
  check(cudaMalloc(&model_reals_, sizeof(T) * (reals.size() + 1)), "cudaMalloc(model reals)");
  check(cudaMemcpy(model_ints_, ints.data(), sizeof(int) * ints.size(), cudaMemcpyHostToDevice),
        "cudaMemcpy(model ints)");
  check(cudaMemcpy(model_reals_, reals.data(), sizeof(T) * reals.size(), cudaMemcpyHostToDevice),
        "cudaMemcpy(model reals)");
  model_.size = m.size;
  model_.opt = m.opt;
  model_.timestep = static_cast<T>(m.opt.timestep);
  for (int i = 0; i < 3; ++i) model_.gravity[i] = static_cast<T>(m.opt.gravity[i]);
  int fi = 0, fr = 0;
#define SINEW_X(name, count) model_.name = static_cast<const int*>(model_ints_) + int_off[fi++];
  SINEW_MODEL_INT_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) model_.name = static_cast<const T*>(model_reals_) + real_off[fr++];
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  // data: one allocation carved exactly as on the host
  data_bytes_ = data_bytes<T>(m.size, nworld);
  check(cudaMalloc(&data_buf_, data_bytes_), "cudaMalloc(data)");
  check(cudaMemset(data_buf_, 0, data_bytes_), "cudaMemset(data)");
  data_carve<T>(m.size, nworld, static_cast<unsigned char*>(data_buf_), data_);
}

template <typename T>
DeviceSim<T>::~DeviceSim() {
  cudaFree(model_ints_);
  cudaFree(model_reals_);
  cudaFree(data_buf_);
}

template <typename T>
void DeviceSim<T>::upload(const Data<T>& host) {
  if (host.bytes() < data_bytes_ || host.nworld() != data_.nworld)
    throw std::runtime_error("DeviceSim::upload: batch size mismatch");
  check(
      cudaMemcpy(data_buf_, const_cast<Data<T>&>(host).raw(), data_bytes_, cudaMemcpyHostToDevice),
      "cudaMemcpy(upload)");
}

template <typename T>
void DeviceSim<T>::download(Data<T>& host) const {
  if (host.nworld() != data_.nworld)
    throw std::runtime_error("DeviceSim::download: batch size mismatch");
  check(cudaMemcpy(host.raw(), data_buf_, data_bytes_, cudaMemcpyDeviceToHost),
        "cudaMemcpy(download)");
}

template <typename T>
void DeviceSim<T>::step(int nstep, int block_dim) {
  const int nblock = (data_.nworld + block_dim - 1) / block_dim;
  step_kernel<T><<<nblock, block_dim>>>(model_, data_, nstep);
  check(cudaGetLastError(), "step_kernel launch");
  check(cudaDeviceSynchronize(), "step_kernel");
}

template <typename T>
void DeviceSim<T>::forward(int block_dim) {
  const int nblock = (data_.nworld + block_dim - 1) / block_dim;
  forward_kernel<T><<<nblock, block_dim>>>(model_, data_);
  check(cudaGetLastError(), "forward_kernel launch");
  check(cudaDeviceSynchronize(), "forward_kernel");
}

template class DeviceSim<float>;
template class DeviceSim<double>;

}  // namespace sinew::cuda
