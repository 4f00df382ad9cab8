// SPDX-License-Identifier: Apache-2.0
// ctest-labels: physics
// muscle/static_activation: static optimisation of activations at a pose. On
// MS-Human-700-Locomotion's standing keyframe (100 muscles, foot contacts), settled onto the
// ground, it must reduce the accelerations of the independent dofs many fold, with activations in
// [0, 1]; a keyframe left floating cannot be held; bad sizes throw naming the model. The
// activation Jacobian predicts an affine change exactly; the box QP meets its KKT conditions.
#include "muscle/static_activation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/coupling.h"
#include "engine/forward.h"
#include "engine/model_io.h"
#include "rl/env/physics_env.h"

using namespace sinew;

TEST_CASE("static activation holds the standing keyframe of MS-Human-700-Locomotion") {
  const Model m = load_model(rl::find_model_file("models/ms_human_700_locomotion.json"));
  const std::vector<double> key(m.key_qpos.begin(), m.key_qpos.begin() + m.size.nq);
  // settle along pelvis_ty (qpos 1, vertical), count every dof a coupling does not drive
  StaticActivationOptions opt;
  opt.settle_qpos = opt.settle_dof = 1;
  opt.dof_weight.assign(m.size.nv, 1.0);
  for (int e = 0; e < m.size.neq; ++e)
    if (is_coupling(m.eq_active.data(), m.eq_type.data(), e))
      opt.dof_weight[m.jnt_dofadr[m.eq_obj1id[e]]] = 0;
  const StaticActivationResult r = static_activation(m, key, opt);
  std::printf("settled by %.4f m\n", key[1] - r.qpos[1]);
  std::printf("locomotion keyframe: rms qacc %.4g at a = 0, %.4g at a*; %d forward passes\n",
              r.rms_qacc_zero, r.rms_qacc, r.forward_passes);
  double sum = 0;
  for (double a : r.act) {
    CHECK(a >= 0);
    CHECK(a <= 1);
    sum += a;
  }
  std::printf("mean activation %.4f\n", sum / r.act.size());
  CHECK(r.rms_qacc < 0.02 * r.rms_qacc_zero);  // measured 95.8 -> 0.35 (2026-12-04)
  CHECK(sum / r.act.size() > 0.01);
  // settled: lowered by a few mm to cm, and only along the settle slide
  CHECK(r.qpos[1] < key[1]);
  CHECK(r.qpos[1] > key[1] - 0.05);
  for (int i = 0; i < m.size.nq; ++i)
    if (i != 1) CHECK(r.qpos[i] == key[i]);

  // floating (no settle): no contact, the pelvis falls whatever the muscles do
  opt.settle_qpos = opt.settle_dof = -1;
  const StaticActivationResult f = static_activation(m, key, opt);
  CHECK(f.rms_qacc > 0.5 * f.rms_qacc_zero);

  // errors
  CHECK_THROWS_WITH_AS(static_activation(m, std::vector<double>(3, 0.0)),
                       doctest::Contains("ms_human_700_locomotion"), std::invalid_argument);
  opt.dof_weight.assign(2, 1.0);
  CHECK_THROWS_AS(static_activation(m, key, opt), std::invalid_argument);
}

TEST_CASE("activation_jacobian: the affine map from activations to accelerations and torques") {
  // arm26 at a bent pose, no contacts: at a fixed state every muscle force is affine in its
  // activation (F = -F0 (FL FV a + FP), MUJOCO_SEMANTICS.md), so qacc and qfrc_actuator are
  // affine in a and the Jacobian predicts a change of all activations at once exactly
  const Model m = load_model(rl::find_model_file("models/arm26.json"));
  const int nv = m.size.nv, nu = m.size.nu;
  std::vector<double> qpos(m.size.nq, 0.0);
  qpos[0] = 0.4, qpos[1] = 1.1;
  const std::vector<double> a{0.1, 0.3, 0.5, 0.2, 0.7, 0.4};
  REQUIRE(nu == static_cast<int>(a.size()));
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  data.reset(m);
  WorldData<double> d = data.world(0);
  auto run = [&](const std::vector<double>& act, bool torque) {
    std::copy(qpos.begin(), qpos.end(), d.qpos);
    std::fill(d.qvel, d.qvel + nv, 0.0);
    set_activation(m, d, act.data());
    forward(mv, d);
    return torque ? std::vector<double>(d.qfrc_actuator, d.qfrc_actuator + nv)
                  : std::vector<double>(d.qacc, d.qacc + nv);
  };
  const std::vector<double> delta{0.05, -0.08, 0.1, -0.15, 0.2, 0.06};
  std::vector<double> b(a);
  for (int u = 0; u < nu; ++u) b[u] += delta[u];
  for (bool torque : {false, true}) {
    INFO(std::string(torque ? "qfrc_actuator" : "qacc"));
    const std::vector<double> J = activation_jacobian(m, qpos, a, 0.02, torque);
    REQUIRE(J.size() == static_cast<std::size_t>(nv) * nu);
    const std::vector<double> f0 = run(a, torque), f1 = run(b, torque);
    for (int k = 0; k < nv; ++k) {
      double pred = 0, scale = 0;
      for (int u = 0; u < nu; ++u)
        pred += J[k * nu + u] * delta[u], scale += std::fabs(J[k * nu + u]);
      CHECK(f1[k] - f0[k] == doctest::Approx(pred).epsilon(1e-6).scale(scale));
    }
    if (torque) {
      // antagonists pull the opposite ways: SF/SE at the shoulder, EF/EE at the elbow, and the
      // biarticular BF/BE at both; the monoarticular ones do nothing at the other joint
      CHECK(J[0 * nu + 0] * J[0 * nu + 1] < 0);
      CHECK(J[1 * nu + 2] * J[1 * nu + 3] < 0);
      CHECK(J[0 * nu + 4] * J[0 * nu + 5] < 0);
      CHECK(J[1 * nu + 4] * J[1 * nu + 5] < 0);
      CHECK(std::fabs(J[1 * nu + 0]) < 1e-9 * std::fabs(J[0 * nu + 0]));
      CHECK(std::fabs(J[0 * nu + 2]) < 1e-9 * std::fabs(J[1 * nu + 2]));
    }
  }
  CHECK_THROWS_WITH_AS(activation_jacobian(m, qpos, std::vector<double>(2, 0.0)),
                       doctest::Contains("arm26"), std::invalid_argument);
}

TEST_CASE("unit_box_qp: the KKT conditions of a box-constrained quadratic programme") {
  // H = B^T B + 0.1 I (positive definite), b chosen so that the unconstrained minimum lies
  // outside the box in some coordinates: at the solution every free coordinate has zero
  // gradient, one at 0 a non-negative gradient and one at 1 a non-positive gradient
  const int n = 8;
  std::vector<double> B(n * n), H(n * n, 0.0), b(n), a(n, 0.5);
  unsigned s = 12345;
  auto uni = [&] { return (s = s * 1103515245u + 12345u) / 4294967296.0 * 2 - 1; };
  for (double& x : B) x = uni();
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < n; ++k) H[i * n + j] += B[k * n + i] * B[k * n + j];
      if (i == j) H[i * n + j] += 0.1;
    }
  for (double& x : b) x = 3 * uni();
  unit_box_qp(H, b, a);
  int at_bound = 0, free = 0;
  for (int i = 0; i < n; ++i) {
    double g = b[i];
    for (int j = 0; j < n; ++j) g += H[i * n + j] * a[j];
    INFO("coordinate " << i << " a " << a[i] << " gradient " << g);
    CHECK(a[i] >= 0);
    CHECK(a[i] <= 1);
    if (a[i] <= 0) {
      CHECK(g >= -1e-6);
      ++at_bound;
    } else if (a[i] >= 1) {
      CHECK(g <= 1e-6);
      ++at_bound;
    } else {
      CHECK(std::fabs(g) < 1e-6);
      ++free;
    }
  }
  CHECK(at_bound > 0);  // the test exercises the bounds
  CHECK(free > 0);
}
