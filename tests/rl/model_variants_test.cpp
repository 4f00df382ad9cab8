// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// rl/env/model_variants.h: arm26 with every muscle split into k parallel fibres of 1/k the force
// is the same body: with each fibre of a muscle at that muscle's activation and control, the
// generalized actuator forces and accelerations equal the original model's (k = 1, 8, 33, 117:
// |A| = 6, 48, 198, 702); the arm26_reach task then has 6k actions; non-muscle actuators are
// refused by name.
#include "rl/env/model_variants.h"

#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/data.h"
#include "engine/forward.h"
#include "engine/model_io.h"
#include "rl/env/env.h"

using namespace sinew;
using namespace sinew::rl;

TEST_CASE("split fibres: same generalized forces and accelerations as the original muscles") {
  const Model base = load_model("models/arm26.json");
  const int nu = base.size.nu;
  REQUIRE(nu == 6);
  for (int k : {1, 8, 33, 117}) {
    const Model split = with_split_fibres(base, k);
    REQUIRE(split.size.nu == nu * k);
    REQUIRE(split.size.na == nu * k);
    CHECK(split.actuator_name[k] ==
          (k > 1 ? base.actuator_name[1] + "_f0" : base.actuator_name[1]));
    Data<double> d0(base, 1), d1(split, 1);
    WorldData<double> a = d0.world(0), b = d1.world(0);
    std::mt19937 rng(k);
    std::uniform_real_distribution<double> u(0, 1);
    for (int trial = 0; trial < 5; ++trial) {
      for (int i = 0; i < base.size.nq; ++i) a.qpos[i] = b.qpos[i] = 2 * u(rng) - 0.5;
      for (int i = 0; i < base.size.nv; ++i) a.qvel[i] = b.qvel[i] = 2 * u(rng) - 1;
      for (int m = 0; m < nu; ++m) {
        a.act[m] = u(rng);
        a.ctrl[m] = u(rng);
        for (int f = 0; f < k; ++f) {
          b.act[m * k + f] = a.act[m];
          b.ctrl[m * k + f] = a.ctrl[m];
        }
      }
      forward(base.view(), a);
      forward(split.view(), b);
      INFO("k = " << k << ", trial " << trial);
      for (int i = 0; i < base.size.nv; ++i) {
        CHECK(b.qfrc_actuator[i] == doctest::Approx(a.qfrc_actuator[i]).epsilon(1e-10).scale(1));
        CHECK(b.qacc[i] == doctest::Approx(a.qacc[i]).epsilon(1e-9).scale(1));
      }
      // each fibre pulls 1/k of its muscle
      for (int m = 0; m < nu; ++m)
        CHECK(b.actuator_force[m * k] * k ==
              doctest::Approx(a.actuator_force[m]).epsilon(1e-10).scale(1e-9));
    }
  }
  CHECK_THROWS_AS(with_split_fibres(base, 0), std::invalid_argument);
  const Model motor = load_model("models/pendulum_swingup.json");  // a torque actuator
  try {
    with_split_fibres(motor, 2);
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("not a MuJoCo-compatible muscle") != std::string::npos);
  }
  CHECK_THROWS_AS(with_split_fibres(load_model("models/pendulum.json"), 2),
                  std::invalid_argument);  // no actuators at all
}

TEST_CASE("arm26_reach with fibres: 6k actions, same observation layout") {
  auto env = make_env("arm26_reach", nlohmann::json{{"fibres", 33}}, 2, 1);
  CHECK(env->spec().act_dim == 198);
  CHECK(env->spec().obs_dim == 2 + 2 + 198 + 6 + 198 + 1);
  env->reset();
  for (float o : env->obs()) CHECK(std::isfinite(o));
}
