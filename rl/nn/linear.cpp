// SPDX-License-Identifier: Apache-2.0
// Each product is cut into disjoint blocks of its result (rows for large batches, else columns),
// one block per thread, so no two threads accumulate into the same number (rl/nn/parallel.h).
#include "rl/nn/linear.h"

#include <Eigen/Core>
#include <stdexcept>

#include "rl/nn/parallel.h"

namespace sinew::nn {

namespace {

using MapC = Eigen::Map<const Matrix>;
using Map = Eigen::Map<Matrix>;
using RowMapC = Eigen::Map<const RowVector>;
using RowMap = Eigen::Map<RowVector>;

// Batches of at least this many rows per thread are split by rows, smaller ones by columns.
constexpr int kRowsPerPart = 64;

// Calls fn(r0, nr, c0, nc) on disjoint blocks covering a rows x cols result.
template <typename Fn>
void split_result(int rows, int cols, double flops, const Fn& fn) {
  const bool by_rows = rows >= kRowsPerPart * num_threads() || rows >= cols;
  const int n = by_rows ? rows : cols;
  detail::parallel_ranges(n, flops, [&](int begin, int end) {
    if (by_rows)
      fn(begin, end - begin, 0, cols);
    else
      fn(0, rows, begin, end - begin);
  });
}

}  // namespace

void linear_forward(const Matrix& x, const float* w, const float* b, int out, Matrix& y) {
  const int batch = static_cast<int>(x.rows()), in = static_cast<int>(x.cols());
  MapC W(w, out, in);
  RowMapC bias(b, out);
  y.resize(batch, out);
  split_result(batch, out, 2.0 * batch * in * out, [&](int r0, int nr, int c0, int nc) {
    auto yb = y.block(r0, c0, nr, nc);
    yb.noalias() = x.middleRows(r0, nr) * W.middleRows(c0, nc).transpose();
    yb.rowwise() += bias.segment(c0, nc);
  });
}

void linear_backward(const Matrix& x, const Matrix& dy, const float* w, float* dw, float* db,
                     Matrix* dx) {
  const int batch = static_cast<int>(x.rows()), in = static_cast<int>(x.cols());
  const int out = static_cast<int>(dy.cols());
  if (dy.rows() != batch) throw std::invalid_argument("linear_backward: dy and x batch differ");
  MapC W(w, out, in);
  Map dW(dw, out, in);
  RowMap dbias(db, out);
  const double flops = 2.0 * batch * in * out;
  // dW += dy^T x and db += sum of rows, split over the rows of dW (outputs) or its columns.
  split_result(out, in, flops, [&](int r0, int nr, int c0, int nc) {
    dW.block(r0, c0, nr, nc).noalias() += dy.middleCols(r0, nr).transpose() * x.middleCols(c0, nc);
    if (c0 == 0)
      for (int i = 0; i < batch; ++i) dbias.segment(r0, nr) += dy.row(i).segment(r0, nr);
  });
  if (dx == nullptr) return;
  dx->resize(batch, in);
  split_result(batch, in, flops, [&](int r0, int nr, int c0, int nc) {
    dx->block(r0, c0, nr, nc).noalias() = dy.middleRows(r0, nr) * W.middleCols(c0, nc);
  });
}

void activation_forward(Activation a, const Matrix& z, Matrix& y) {
  const int rows = static_cast<int>(z.rows()), cols = static_cast<int>(z.cols());
  y.resize(rows, cols);
  detail::parallel_ranges(rows, 20.0 * rows * cols, [&](int begin, int end) {
    const float* zp = z.data() + static_cast<std::ptrdiff_t>(begin) * cols;
    float* yp = y.data() + static_cast<std::ptrdiff_t>(begin) * cols;
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(end - begin) * cols;
    for (std::ptrdiff_t k = 0; k < n; ++k) yp[k] = activate(a, zp[k]);
  });
}

void activation_backward(Activation a, const Matrix& z, const Matrix& y, const Matrix& dy,
                         Matrix& dz) {
  const int rows = static_cast<int>(z.rows()), cols = static_cast<int>(z.cols());
  dz.resize(rows, cols);
  detail::parallel_ranges(rows, 10.0 * rows * cols, [&](int begin, int end) {
    const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(begin) * cols;
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(end - begin) * cols;
    const float *zp = z.data() + o, *yp = y.data() + o, *gp = dy.data() + o;
    float* dp = dz.data() + o;
    for (std::ptrdiff_t k = 0; k < n; ++k) dp[k] = gp[k] * activate_grad(a, zp[k], yp[k]);
  });
}

}  // namespace sinew::nn
