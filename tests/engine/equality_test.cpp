// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// Joint couplings (MuJoCo <equality><joint polycoef>) as soft equality rows.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/forward.h"
#include "engine/model_io.h"

using namespace sinew;
using nlohmann::json;

namespace {

// Two hinged links in a chain; joint 1 (dependent) coupled to joint 0 by a quartic polynomial.
Model coupled_model(double d0, double dmax) {
  json link1 = {
      {"name", "b1"},
      {"pos", {0, 0, -0.3}},
      {"inertial", {{"mass", 1.0}, {"pos", {0, 0, -0.15}}, {"diaginertia", {0.01, 0.01, 0.001}}}},
      {"joints", {{{"name", "j1"}, {"type", "hinge"}, {"axis", {0, 1, 0}}, {"ref", 0.1}}}}};
  json link0 = {
      {"name", "b0"},
      {"inertial", {{"mass", 2.0}, {"pos", {0, 0, -0.15}}, {"diaginertia", {0.02, 0.02, 0.002}}}},
      {"joints", {{{"name", "j0"}, {"type", "hinge"}, {"axis", {0, 1, 0}}, {"ref", -0.2}}}},
      {"bodies", {link1}}};
  json doc = {{"format", "sinew-model"},
              {"version", 1},
              {"name", "coupled"},
              {"worldbody", {{"bodies", {link0}}}}};
  Model m = load_model_json(doc, "coupled");
  m.size.neq = 1;
  m.eq_type = {kEqJoint};
  m.eq_obj1id = {1};
  m.eq_obj2id = {0};
  m.eq_active = {1};
  m.eq_data = {0.05, 0.8, -0.3, 0.1, 0.02};
  m.eq_solref = {0.02, 1};
  m.eq_solimp = {d0, dmax, 0.001, 0.5, 2};
  m.finalize();
  return m;
}

double residual(const Model& m, const WorldData<double>& d) {
  const double x = d.qpos[0] - m.qpos0[0];
  const double* c = m.eq_data.data();
  return d.qpos[1] - m.qpos0[1] -
         (c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x + c[4] * x * x * x * x);
}

}  // namespace

TEST_CASE("coupling row: residual and Jacobian match the polynomial and its finite difference") {
  Model m = coupled_model(0.9, 0.95);
  Data<double> data(m, 1);
  ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  d.qpos[0] = 0.4;
  d.qpos[1] = -0.7;
  forward(mv, d);
  REQUIRE(*d.nefc == 1);
  CHECK(d.efc_type[0] == kCnstrEquality);
  CHECK(d.efc_pos[0] == doctest::Approx(residual(m, d)).epsilon(1e-14));
  const double h = 1e-6;
  double J[2];
  efc_row_dense(mv, d, 0, J);
  for (int k = 0; k < 2; ++k) {
    const double q = d.qpos[k];
    d.qpos[k] = q + h;
    const double rp = residual(m, d);
    d.qpos[k] = q - h;
    const double rm = residual(m, d);
    d.qpos[k] = q;
    CHECK(J[k] == doctest::Approx((rp - rm) / (2 * h)).epsilon(1e-8));
  }
  // two-sided: the force pushes back whatever the sign of the violation
  CHECK(d.efc_force[0] != 0);
}

TEST_CASE("a hard coupling (solimp 0.9999) holds under gravity and swinging") {
  Model m = coupled_model(0.9999, 0.9999);
  Data<double> data(m, 1);
  ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  d.qpos[0] = 0.8;
  d.qpos[1] = m.qpos0[1] + 0.05 + 0.8 * (0.8 - m.qpos0[0]);  // roughly on the manifold
  double max_res = 0;
  for (int s = 0; s < 2000; ++s) {
    step(mv, d);
    REQUIRE(*d.flag == 0);
    if (s > 100) max_res = std::max(max_res, std::fabs(residual(m, d)));
  }
  // MuJoCo on the same scene (tools/oracle/physics_golden.py)
  std::ifstream f("tests/data/physics_golden.json");
  REQUIRE(f.good());
  const json g = json::parse(f)["coupling"];
  MESSAGE("max |coupling residual| after settling: " << max_res << " rad (MuJoCo "
                                                     << g["max_residual_after_100"] << ")");
  CHECK(max_res < 1e-2);
  CHECK(max_res == doctest::Approx(g["max_residual_after_100"].get<double>()).epsilon(1e-4));
  CHECK(d.qpos[0] == doctest::Approx(g["qpos_end"][0].get<double>()).epsilon(1e-6));
  CHECK(d.qpos[1] == doctest::Approx(g["qpos_end"][1].get<double>()).epsilon(1e-6));
}
