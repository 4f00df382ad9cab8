// SPDX-License-Identifier: Apache-2.0
// ctest-labels: gpu
// rl/nn/cuda against the CPU reference path (rl/nn/linear.h, layer_norm.h, Adam): Linear forward
// and backward (shapes that are not multiples of the 64x64 tile), every activation, LayerNorm
// forward and backward, and three Adam steps. Pass when |gpu - cpu| <= 1e-4 (1 + |cpu|)
// (sums of up to 300 float products in a different order). Skips without a CUDA device.
#include "rl/nn/cuda/nn_cuda.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "rl/nn/layer_norm.h"
#include "rl/nn/linear.h"
#include "rl/nn/mlp.h"
#include "rl/nn/optim.h"
#include "tests/gpu_util.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::nn;
namespace nc = sinew::nn::cuda;

namespace {

std::vector<float> to_vec(const Matrix& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

// max |a - b| / (1 + |b|)
double rel_err(const std::vector<float>& a, const float* b, std::size_t n) {
  REQUIRE(a.size() == n);
  double e = 0;
  for (std::size_t i = 0; i < n; ++i)
    e = std::max(e, std::fabs(double(a[i]) - b[i]) / (1.0 + std::fabs(double(b[i]))));
  return e;
}

constexpr double kTol = 1e-4;

}  // namespace

TEST_CASE("CUDA Linear matches the CPU path" * doctest::skip(!sinew_gpu_available())) {
  const int batch = 70, in = 131, out = 67;
  const Matrix x = test::random_matrix(batch, in, 1), w = test::random_matrix(out, in, 2, 0.3f);
  const Matrix b = test::random_matrix(1, out, 3), dy = test::random_matrix(batch, out, 4);
  Matrix y, dx, dw = test::random_matrix(out, in, 5), db = test::random_matrix(1, out, 6);
  nc::DeviceArray gx(to_vec(x)), gw(to_vec(w)), gb(to_vec(b)), gdy(to_vec(dy)), gy(batch * out),
      gdx(batch * in), gdw(to_vec(dw)), gdb(to_vec(db));
  linear_forward(x, w.data(), b.data(), out, y);
  linear_backward(x, dy, w.data(), dw.data(), db.data(), &dx);  // accumulates onto random dw, db
  nc::linear_forward(gx.data(), gw.data(), gb.data(), gy.data(), batch, in, out);
  nc::linear_backward(gx.data(), gdy.data(), gw.data(), gdw.data(), gdb.data(), gdx.data(), batch,
                      in, out);
  nc::synchronize();
  CHECK(rel_err(gy.download(), y.data(), y.size()) < kTol);
  CHECK(rel_err(gdx.download(), dx.data(), dx.size()) < kTol);
  CHECK(rel_err(gdw.download(), dw.data(), dw.size()) < kTol);
  CHECK(rel_err(gdb.download(), db.data(), db.size()) < kTol);
}

TEST_CASE("CUDA activations match the CPU path" * doctest::skip(!sinew_gpu_available())) {
  const Matrix z = test::random_matrix(33, 45, 7, 4.0f), dy = test::random_matrix(33, 45, 8);
  for (Activation a : {Activation::kTanh, Activation::kRelu, Activation::kElu, Activation::kSilu}) {
    const std::string name = activation_name(a);
    CAPTURE(name);
    Matrix y, dz;
    activation_forward(a, z, y);
    activation_backward(a, z, y, dy, dz);
    nc::DeviceArray gz(to_vec(z)), gy(z.size()), gdy(to_vec(dy)), gdz(z.size());
    nc::activation_forward(a, gz.data(), gy.data(), z.size());
    nc::activation_backward(a, gz.data(), gy.data(), gdy.data(), gdz.data(), z.size());
    nc::synchronize();
    CHECK(rel_err(gy.download(), y.data(), y.size()) < 1e-6);
    CHECK(rel_err(gdz.download(), dz.data(), dz.size()) < 1e-6);
  }
}

TEST_CASE("CUDA LayerNorm matches the CPU path" * doctest::skip(!sinew_gpu_available())) {
  for (int n : {7, 64, 300}) {
    CAPTURE(n);
    const int rows = 37;
    Matrix x = test::random_matrix(rows, n, 9, 2.0f), dz = test::random_matrix(rows, n, 10);
    Matrix g = test::random_matrix(1, n, 11, 0.5f), beta = test::random_matrix(1, n, 12);
    g.array() += 1.0f;
    Matrix xh, is, z, dx, dg = Matrix::Zero(1, n), dbeta = Matrix::Zero(1, n);
    layer_norm_forward(x, g.data(), beta.data(), xh, is, z);
    layer_norm_backward(dz, xh, is, g.data(), dg.data(), dbeta.data(), dx);
    nc::DeviceArray gx(to_vec(x)), gg(to_vec(g)), gbeta(to_vec(beta)), gxh(x.size()), gis(rows),
        gz(x.size()), gdz(to_vec(dz)), gdg(n), gdbeta(n), gdx(x.size());
    gdg.zero();
    gdbeta.zero();
    nc::layer_norm_forward(gx.data(), gg.data(), gbeta.data(), gxh.data(), gis.data(), gz.data(),
                           rows, n);
    nc::layer_norm_backward(gdz.data(), gxh.data(), gis.data(), gg.data(), gdg.data(),
                            gdbeta.data(), gdx.data(), rows, n);
    nc::synchronize();
    CHECK(rel_err(gz.download(), z.data(), z.size()) < kTol);
    CHECK(rel_err(gis.download(), is.data(), is.size()) < kTol);
    CHECK(rel_err(gdx.download(), dx.data(), dx.size()) < kTol);
    CHECK(rel_err(gdg.download(), dg.data(), dg.size()) < kTol);
    CHECK(rel_err(gdbeta.download(), dbeta.data(), dbeta.size()) < kTol);
  }
}

TEST_CASE("CUDA Adam matches the CPU optimizer" * doctest::skip(!sinew_gpu_available())) {
  const std::size_t n = 1000;
  AdamConfig cfg;
  cfg.weight_decay = 0.1f;
  Adam adam(n, cfg);
  const Matrix p0 = test::random_matrix(1, static_cast<int>(n), 13);
  std::vector<float> p = to_vec(p0);
  nc::DeviceArray gp(p), gm(n), gv(n), gg(n);
  gm.zero();
  gv.zero();
  for (int t = 1; t <= 3; ++t) {
    const std::vector<float> g = to_vec(test::random_matrix(1, static_cast<int>(n), 20 + t));
    adam.step(p.data(), g.data(), 1e-2f);
    gg.upload(g);
    nc::adam_step(gp.data(), gg.data(), gm.data(), gv.data(), n, adam_scalars(cfg, t, 1e-2f));
  }
  nc::synchronize();
  CHECK(rel_err(gp.download(), p.data(), n) < 1e-6);
  CHECK(rel_err(gm.download(), adam.m(), n) < 1e-6);
  CHECK(rel_err(gv.download(), adam.v(), n) < 1e-6);
}
