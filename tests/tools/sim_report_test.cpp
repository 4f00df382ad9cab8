// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Helpers of `sinew sim` (tools/sim_report.h): projection onto chained joint couplings, the
// coupling residual, and the centre-of-mass velocity from cvel/cinert.
#include "tools/sim_report.h"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/forward.h"
#include "engine/model_io.h"

using namespace sinew;
using nlohmann::json;

namespace {

json link(const char* name, const char* joint, double ref, double z, json children) {
  json b = {{"name", name},
            {"pos", {0, 0, z}},
            {"inertial",
             {{"mass", 1.0}, {"pos", {0.05, 0, -0.15}}, {"diaginertia", {0.01, 0.01, 0.002}}}},
            {"joints", {{{"name", joint}, {"type", "hinge"}, {"axis", {0, 1, 0}}, {"ref", ref}}}}};
  if (!children.is_null()) b["bodies"] = children;
  return b;
}

// Three hinges in a chain; j2 depends on j1 (equality 0) and j1 on j0 (equality 1), so one sweep
// in equality order leaves j2 stale and the projection needs a second sweep.
Model chained_model() {
  json b2 = link("b2", "j2", 0.3, -0.3, nullptr);
  json b1 = link("b1", "j1", 0.1, -0.3, json::array({b2}));
  json b0 = link("b0", "j0", -0.2, 0, json::array({b1}));
  json doc = {{"format", "sinew-model"},
              {"version", 1},
              {"name", "chained"},
              {"worldbody", {{"bodies", {b0}}}}};
  Model m = load_model_json(doc, "chained");
  m.size.neq = 2;
  m.eq_type = {kEqJoint, kEqJoint};
  m.eq_obj1id = {2, 1};
  m.eq_obj2id = {1, 0};
  m.eq_active = {1, 1};
  m.eq_data = {0.05, 0.8, -0.3, 0.1, 0.02, -0.02, 1.2, 0.4, 0, 0};
  m.eq_solref = {0.02, 1, 0.02, 1};
  m.eq_solimp = {0.9, 0.95, 0.001, 0.5, 2, 0.9, 0.95, 0.001, 0.5, 2};
  m.finalize();
  return m;
}

double poly(const double* c, double x) {
  return c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x + c[4] * x * x * x * x;
}

}  // namespace

TEST_CASE("project_couplings satisfies chained couplings; coupling_residual measures them") {
  const Model m = chained_model();
  const ModelView<double> mv = m.view();
  double q[3] = {0.4, -0.7, 1.1};
  // residual before: the larger of the two polynomial mismatches
  const double r0 = std::fabs(q[1] - m.qpos0[1] - poly(&m.eq_data[5], q[0] - m.qpos0[0]));
  const double r1 = std::fabs(q[2] - m.qpos0[2] - poly(&m.eq_data[0], q[1] - m.qpos0[1]));
  CHECK(coupling_residual(mv, q) == doctest::Approx(std::max(r0, r1)).epsilon(1e-14));
  const int sweeps = project_couplings(mv, q);
  CHECK(sweeps >= 2);
  CHECK(q[0] == 0.4);  // the independent joint is untouched
  CHECK(coupling_residual(mv, q) <= 1e-15);
  CHECK(q[1] - m.qpos0[1] == doctest::Approx(poly(&m.eq_data[5], 0.4 - m.qpos0[0])));
}

TEST_CASE("com_velocity equals the mass-weighted body centre-of-mass velocities") {
  const Model m = chained_model();
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  const double qv[3] = {0.7, -1.3, 2.1}, qp[3] = {0.2, 0.5, -0.4};
  for (int k = 0; k < 3; ++k) {
    d.qpos[k] = qp[k];
    d.qvel[k] = qv[k];
  }
  forward(mv, d);
  double v[3];
  cli::com_velocity(mv, d, v);
  // finite difference of the total centre of mass along qvel
  auto com = [&](double t) {
    for (int k = 0; k < 3; ++k) d.qpos[k] = qp[k] + t * qv[k];
    kinematics(mv, d);
    double c[3] = {0, 0, 0}, mass = 0;
    for (int b = 1; b < m.size.nbody; ++b) {
      for (int i = 0; i < 3; ++i) c[i] += m.body_mass[b] * d.xipos[3 * b + i];
      mass += m.body_mass[b];
    }
    for (int i = 0; i < 3; ++i) c[i] /= mass;
    return std::array<double, 3>{c[0], c[1], c[2]};
  };
  const double h = 1e-6;
  const auto cp = com(h), cm = com(-h);
  for (int i = 0; i < 3; ++i)
    CHECK(v[i] == doctest::Approx((cp[i] - cm[i]) / (2 * h)).epsilon(1e-7));
  CHECK(std::fabs(v[0]) + std::fabs(v[2]) > 0.1);
}
