// SPDX-License-Identifier: Apache-2.0
// Row-major float matrices for the networks (one sample per row) and the thread setting of the
// CPU path.
#pragma once

#include <Eigen/Core>

namespace sinew::nn {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

// Number of CPU threads the network kernels may use (<= 0: all cores). Results are identical
// for a given thread count.
void set_num_threads(int n);
int num_threads();

}  // namespace sinew::nn
