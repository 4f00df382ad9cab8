// SPDX-License-Identifier: Apache-2.0
// Kernels behind rl/nn/cuda/nn_cuda.h. Products use one shared-memory tiled GEMM (64x64 output
// tile per block, 16-deep k slices, 4x4 outputs per thread) with compile-time transposes; the
// element-wise passes call the same SINEW_HD functions as the CPU path (activation.h,
// adam_update.h); LayerNorm uses one warp per row.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "rl/nn/cuda/nn_cuda.h"
#include "rl/nn/layer_norm_math.h"

namespace sinew::nn::cuda {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("nn::cuda: ") + what + ": " + cudaGetErrorString(e));
}

constexpr int kBM = 64, kBN = 64, kBK = 16;  // block tile
constexpr int kThreads = 256;                // 16 x 16 threads, 4 x 4 outputs each
constexpr int kPerThread = 4;

// C[M][N] (row stride ldc) = [C +] op(A) op(B) [+ bias[j]] with op(A)(i,k) = TA ? A[k][i] :
// A[i][k] and op(B)(k,j) = TB ? B[j][k] : B[k][j]. Each output is summed by one thread in
// increasing k.
template <bool TA, bool TB>
__global__ void gemm_kernel(int M, int N, int K, const float* __restrict__ A, int lda,
                            const float* __restrict__ B, int ldb, float* __restrict__ C, int ldc,
                            const float* __restrict__ bias, bool accumulate) {
  __shared__ float As[kBK][kBM + 1];
  __shared__ float Bs[kBK][kBN + 1];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int row0 = blockIdx.y * kBM, col0 = blockIdx.x * kBN;
  float acc[kPerThread][kPerThread] = {};
  for (int k0 = 0; k0 < K; k0 += kBK) {
    for (int e = threadIdx.x; e < kBM * kBK; e += kThreads) {
      // consecutive threads read consecutive addresses in either storage order
      const int i = TA ? e % kBM : e / kBK, k = TA ? e / kBM : e % kBK;
      const int gi = row0 + i, gk = k0 + k;
      float a = 0.0f;
      if (gi < M && gk < K)
        a = TA ? A[static_cast<size_t>(gk) * lda + gi] : A[static_cast<size_t>(gi) * lda + gk];
      As[k][i] = a;
    }
    for (int e = threadIdx.x; e < kBN * kBK; e += kThreads) {
      const int j = TB ? e / kBK : e % kBN, k = TB ? e % kBK : e / kBN;
      const int gj = col0 + j, gk = k0 + k;
      float b = 0.0f;
      if (gj < N && gk < K)
        b = TB ? B[static_cast<size_t>(gj) * ldb + gk] : B[static_cast<size_t>(gk) * ldb + gj];
      Bs[k][j] = b;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kBK; ++k) {
      float a[kPerThread], b[kPerThread];
#pragma unroll
      for (int r = 0; r < kPerThread; ++r) a[r] = As[k][ty + 16 * r];
#pragma unroll
      for (int c = 0; c < kPerThread; ++c) b[c] = Bs[k][tx + 16 * c];
#pragma unroll
      for (int r = 0; r < kPerThread; ++r)
#pragma unroll
        for (int c = 0; c < kPerThread; ++c) acc[r][c] += a[r] * b[c];
    }
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < kPerThread; ++r) {
    const int i = row0 + ty + 16 * r;
    if (i >= M) continue;
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
      const int j = col0 + tx + 16 * c;
      if (j >= N) continue;
      float v = acc[r][c] + (bias != nullptr ? bias[j] : 0.0f);
      float& out = C[static_cast<size_t>(i) * ldc + j];
      out = accumulate ? out + v : v;
    }
  }
}

template <bool TA, bool TB>
void gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          const float* bias, bool accumulate, Stream stream) {
  if (M <= 0 || N <= 0) return;
  const dim3 grid((N + kBN - 1) / kBN, (M + kBM - 1) / kBM);
  gemm_kernel<TA, TB>
      <<<grid, kThreads, 0, stream>>>(M, N, K, A, lda, B, ldb, C, ldc, bias, accumulate);
  check(cudaGetLastError(), "gemm launch");
}

// db[j] += sum_i dy[i][j], one thread per column, rows in order.
__global__ void column_sum_kernel(const float* __restrict__ dy, float* __restrict__ db, int rows,
                                  int cols) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= cols) return;
  float s = 0.0f;
  for (int i = 0; i < rows; ++i) s += dy[static_cast<size_t>(i) * cols + j];
  db[j] += s;
}

int blocks_for(std::size_t n, int block) {
  const std::size_t b = (n + block - 1) / block;
  return static_cast<int>(b < 65535 * 16 ? b : 65535 * 16);
}

__global__ void activation_forward_kernel(Activation a, const float* z, float* y, size_t n) {
  for (size_t k = blockIdx.x * size_t(blockDim.x) + threadIdx.x; k < n;
       k += size_t(gridDim.x) * blockDim.x)
    y[k] = activate(a, z[k]);
}

__global__ void activation_backward_kernel(Activation a, const float* z, const float* y,
                                           const float* dy, float* dz, size_t n) {
  for (size_t k = blockIdx.x * size_t(blockDim.x) + threadIdx.x; k < n;
       k += size_t(gridDim.x) * blockDim.x)
    dz[k] = dy[k] * activate_grad(a, z[k], y[k]);
}

// Butterfly sum over the 32 lanes: every lane ends with the same value in the same order.
__device__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

constexpr int kRowsPerBlock = 4;  // warps per block in the LayerNorm kernels

__global__ void layer_norm_forward_kernel(const float* x, const float* g, const float* beta,
                                          float* x_hat, float* inv_std, float* z, int rows, int n) {
  const int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows) return;
  const float* xr = x + static_cast<size_t>(row) * n;
  float s = 0.0f;
  for (int j = lane; j < n; j += 32) s += xr[j];
  const float mean = warp_sum(s) / static_cast<float>(n);
  float q = 0.0f;
  for (int j = lane; j < n; j += 32) q += (xr[j] - mean) * (xr[j] - mean);
  const float is = rsqrtf(warp_sum(q) / static_cast<float>(n) + kLayerNormEps);
  if (lane == 0) inv_std[row] = is;
  float* hr = x_hat + static_cast<size_t>(row) * n;
  float* zr = z + static_cast<size_t>(row) * n;
  for (int j = lane; j < n; j += 32) {
    const float h = (xr[j] - mean) * is;
    hr[j] = h;
    zr[j] = g[j] * h + beta[j];
  }
}

__global__ void layer_norm_param_grad_kernel(const float* dz, const float* x_hat, float* dg,
                                             float* dbeta, int rows, int n) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) return;
  float sg = 0.0f, sb = 0.0f;
  for (int i = 0; i < rows; ++i) {
    const size_t k = static_cast<size_t>(i) * n + j;
    sg += dz[k] * x_hat[k];
    sb += dz[k];
  }
  dg[j] += sg;
  dbeta[j] += sb;
}

__global__ void layer_norm_input_grad_kernel(const float* dz, const float* x_hat,
                                             const float* inv_std, const float* g, float* dx,
                                             int rows, int n) {
  const int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows) return;
  const float* dr = dz + static_cast<size_t>(row) * n;
  const float* hr = x_hat + static_cast<size_t>(row) * n;
  float s = 0.0f, sh = 0.0f;
  for (int j = lane; j < n; j += 32) {
    const float d = g[j] * dr[j];
    s += d;
    sh += d * hr[j];
  }
  const float mean = warp_sum(s) / static_cast<float>(n);
  const float mean_h = warp_sum(sh) / static_cast<float>(n), is = inv_std[row];
  float* xr = dx + static_cast<size_t>(row) * n;
  for (int j = lane; j < n; j += 32)
    xr[j] = layer_norm_input_grad(is, g[j] * dr[j], hr[j], mean, mean_h);
}

__global__ void adam_kernel(float* p, const float* g, float* m, float* v, size_t n, AdamScalars s) {
  for (size_t k = blockIdx.x * size_t(blockDim.x) + threadIdx.x; k < n;
       k += size_t(gridDim.x) * blockDim.x)
    adam_update(p[k], g[k], m[k], v[k], s);
}

}  // namespace

DeviceArray::DeviceArray(std::size_t n) : n_(n) {
  if (n > 0) check(cudaMalloc(&p_, n * sizeof(float)), "cudaMalloc");
}

DeviceArray::~DeviceArray() {
  if (p_ != nullptr) cudaFree(p_);
}

DeviceArray::DeviceArray(DeviceArray&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}

DeviceArray& DeviceArray::operator=(DeviceArray&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) cudaFree(p_);
    p_ = std::exchange(o.p_, nullptr);
    n_ = std::exchange(o.n_, 0);
  }
  return *this;
}

void DeviceArray::upload(const float* host, std::size_t n) {
  if (n > n_) throw std::runtime_error("nn::cuda: upload larger than the device array");
  if (n > 0) check(cudaMemcpy(p_, host, n * sizeof(float), cudaMemcpyHostToDevice), "upload");
}

std::vector<float> DeviceArray::download() const {
  std::vector<float> h(n_);
  if (n_ > 0)
    check(cudaMemcpy(h.data(), p_, n_ * sizeof(float), cudaMemcpyDeviceToHost), "download");
  return h;
}

void DeviceArray::zero() {
  if (n_ > 0) check(cudaMemset(p_, 0, n_ * sizeof(float)), "cudaMemset");
}

void linear_forward(const float* x, const float* w, const float* b, float* y, int batch, int in,
                    int out, Stream stream) {
  // y[batch][out] = x[batch][in] (W[out][in])^T + b
  gemm<false, true>(batch, out, in, x, in, w, in, y, out, b, false, stream);
}

void linear_backward(const float* x, const float* dy, const float* w, float* dw, float* db,
                     float* dx, int batch, int in, int out, Stream stream) {
  // dW[out][in] += (dy[batch][out])^T x[batch][in]
  gemm<true, false>(out, in, batch, dy, out, x, in, dw, in, nullptr, true, stream);
  column_sum_kernel<<<(out + 127) / 128, 128, 0, stream>>>(dy, db, batch, out);
  check(cudaGetLastError(), "column_sum launch");
  // dx[batch][in] = dy[batch][out] W[out][in]
  if (dx != nullptr)
    gemm<false, false>(batch, in, out, dy, out, w, in, dx, in, nullptr, false, stream);
}

void activation_forward(Activation a, const float* z, float* y, std::size_t n, Stream stream) {
  if (n == 0) return;
  activation_forward_kernel<<<blocks_for(n, 256), 256, 0, stream>>>(a, z, y, n);
  check(cudaGetLastError(), "activation_forward launch");
}

void activation_backward(Activation a, const float* z, const float* y, const float* dy, float* dz,
                         std::size_t n, Stream stream) {
  if (n == 0) return;
  activation_backward_kernel<<<blocks_for(n, 256), 256, 0, stream>>>(a, z, y, dy, dz, n);
  check(cudaGetLastError(), "activation_backward launch");
}

void layer_norm_forward(const float* x, const float* g, const float* beta, float* x_hat,
                        float* inv_std, float* z, int rows, int n, Stream stream) {
  if (rows <= 0) return;
  const int blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  layer_norm_forward_kernel<<<blocks, 32 * kRowsPerBlock, 0, stream>>>(x, g, beta, x_hat, inv_std,
                                                                       z, rows, n);
  check(cudaGetLastError(), "layer_norm_forward launch");
}

void layer_norm_backward(const float* dz, const float* x_hat, const float* inv_std, const float* g,
                         float* dg, float* dbeta, float* dx, int rows, int n, Stream stream) {
  if (rows <= 0) return;
  // parameter gradients first: dx may overwrite dz
  layer_norm_param_grad_kernel<<<(n + 127) / 128, 128, 0, stream>>>(dz, x_hat, dg, dbeta, rows, n);
  check(cudaGetLastError(), "layer_norm_param_grad launch");
  const int blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  layer_norm_input_grad_kernel<<<blocks, 32 * kRowsPerBlock, 0, stream>>>(dz, x_hat, inv_std, g, dx,
                                                                          rows, n);
  check(cudaGetLastError(), "layer_norm_input_grad launch");
}

void adam_step(float* params, const float* grads, float* m, float* v, std::size_t n,
               const AdamScalars& s, Stream stream) {
  if (n == 0) return;
  adam_kernel<<<blocks_for(n, 256), 256, 0, stream>>>(params, grads, m, v, n, s);
  check(cudaGetLastError(), "adam launch");
}

void synchronize(Stream stream) {
  check(cudaStreamSynchronize(stream), "synchronize");
  check(cudaGetLastError(), "pending error");
}

}  // namespace sinew::nn::cuda
