// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// Tendon springs and dampers in the passive forces: qfrc_passive gains J^T (-k (L - L0) - b dL/dt).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/forward.h"
#include "engine/model_io.h"

using namespace sinew;

TEST_CASE("tendon stiffness and damping enter qfrc_passive as J^T tension") {
  Model m = load_model("models/arm26.json");
  REQUIRE(m.size.ntendon > 1);
  const int nv = m.size.nv;
  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  d.qpos[0] = 0.3;
  d.qpos[1] = 0.9;
  d.qvel[0] = -0.7;
  d.qvel[1] = 1.1;
  forward(mv, d);
  const std::vector<double> base(d.qfrc_passive, d.qfrc_passive + nv);
  // springs on two tendons: one toward its qpos0 length (springlength -1), one toward 0.2 m
  m.tendon_stiffness[0] = 120;
  m.tendon_damping[0] = 3;
  m.tendon_lengthspring[0] = -1;
  m.tendon_stiffness[1] = 40;
  m.tendon_lengthspring[1] = 0.2;
  const ModelView<double> mv2 = m.view();
  forward(mv2, d);
  std::vector<double> expected(base), row(nv);
  for (int t = 0; t < 2; ++t) {
    const double rest = t == 0 ? m.tendon_length0[0] : 0.2;
    const double tension =
        -m.tendon_stiffness[t] * (d.ten_length[t] - rest) - m.tendon_damping[t] * d.ten_velocity[t];
    tendon_jacobian(mv2, d, t, row.data());
    for (int k = 0; k < nv; ++k) expected[k] += row[k] * tension;
  }
  for (int k = 0; k < nv; ++k)
    CHECK(d.qfrc_passive[k] == doctest::Approx(expected[k]).epsilon(1e-12));
  CHECK(std::fabs(d.qfrc_passive[0] - base[0]) > 1e-3);  // the springs did act
}
