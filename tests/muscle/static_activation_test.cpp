// SPDX-License-Identifier: Apache-2.0
// ctest-labels: physics
// muscle/static_activation: static optimisation of activations at a pose. On
// MS-Human-700-Locomotion's standing keyframe (100 muscles, foot contacts), settled onto the
// ground, it must reduce the accelerations of the independent dofs many fold, with activations in
// [0, 1]; a keyframe left floating cannot be held; bad sizes throw naming the model.
#include "muscle/static_activation.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "engine/coupling.h"
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
