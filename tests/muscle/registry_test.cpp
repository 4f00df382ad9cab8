// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The muscle model interface and registry (muscle/muscle_model.h): ids, names and parameter
// metadata of every registered model, the dispatch against the models' own functions, unknown
// ids, defaults (MuJoCo's are those of mjs_setToMuscle), the MuJoCo mapping hook and the JSON
// listing used by the `sinew` tools.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "muscle/muscle_model.h"

using namespace sinew;

namespace {

const double kMjPrm[mjmuscle::kNumPrm] = {0.75, 1.05, 1000, 200, 0.5, 1.6,
                                          1.5,  1.3,  1.2,  0.1, 0.2, 1.0};
const double kMjDyn[mjmuscle::kNumDynPrm] = {0.01, 0.04, 0.0};

}  // namespace

TEST_CASE("every registered model is consistent") {
  CHECK(muscle_model_count() == kNumMuscleModels);
  CHECK(kNumMuscleModels >= 2);
  std::set<std::string> names;
  for (int id = 0; id < muscle_model_count(); ++id) {
    const MuscleModelInfo* m = muscle_model_info(id);
    REQUIRE(m != nullptr);
    CAPTURE(m->name);
    CHECK(m->id == id);
    CHECK(names.insert(m->name).second);  // unique names
    CHECK(muscle_model_id(m->name) == id);
    CHECK(std::strlen(m->title) > 0);
    CHECK(std::strlen(m->doc) > 0);
    CHECK(m->nprm > 0);
    CHECK(m->nprm <= kMusclePrmMax);
    CHECK(m->ndynprm > 0);
    CHECK(m->ndynprm <= kMuscleDynPrmMax);
    std::set<std::string> pn, dn;
    for (int i = 0; i < m->nprm; ++i) {
      CHECK(pn.insert(m->prm_names[i]).second);
      CHECK(muscle_prm_index(id, m->prm_names[i]) == i);
      CHECK(std::strlen(m->prm_docs[i]) > 0);
    }
    for (int i = 0; i < m->ndynprm; ++i) {
      CHECK(dn.insert(m->dynprm_names[i]).second);
      CHECK(muscle_dynprm_index(id, m->dynprm_names[i]) == i);
      CHECK(std::strlen(m->dynprm_docs[i]) > 0);
      CHECK(std::isfinite(m->dynprm_defaults[i]));
    }
    CHECK(muscle_prm_index(id, "no-such-parameter") == -1);
    CHECK(muscle_dynprm_index(id, nullptr) == -1);
    // every model maps from a MuJoCo muscle, and the hook equals the templated dispatch
    double a[kMusclePrmMax] = {}, ad[kMuscleDynPrmMax] = {};
    double b[kMusclePrmMax] = {}, bd[kMuscleDynPrmMax] = {};
    m->from_mujoco(kMjPrm, kMjDyn, a, ad);
    CHECK(muscle_from_mujoco(id, kMjPrm, kMjDyn, b, bd));
    for (int i = 0; i < m->nprm; ++i) CHECK(a[i] == b[i]);
    for (int i = 0; i < m->ndynprm; ++i) CHECK(ad[i] == bd[i]);
    // a mapped MuJoCo muscle pulls (force < 0) at its optimum and activates toward the control
    const double len1 = 0.1 + 0.25 * (0.1 / 0.3);
    CHECK(muscle_force(id, a, len1, 0.0, 1.0) < -900.0);
    CHECK(muscle_act_dot(id, ad, 1.0, 0.0) > 0.0);
    CHECK(muscle_act_dot(id, ad, 0.0, 1.0) < 0.0);
  }
  CHECK(muscle_model_info(-1) == nullptr);
  CHECK(muscle_model_info(kNumMuscleModels) == nullptr);
  CHECK(muscle_model_id("no-such-model") == -1);
  CHECK(muscle_model_id(nullptr) == -1);
}

TEST_CASE("ids, names and layouts") {
  CHECK(kMuscleMuJoCo == 0);
  CHECK(kMuscleDeGroote == 1);
  CHECK(muscle_model_id("mujoco") == kMuscleMuJoCo);
  CHECK(muscle_model_id("degroote2016") == kMuscleDeGroote);
  CHECK(muscle_prm_index(kMuscleMuJoCo, "fpmax") == mjmuscle::kFpmax);
  CHECK(muscle_prm_index(kMuscleMuJoCo, "acc0") == mjmuscle::kAcc0);
  CHECK(muscle_dynprm_index(kMuscleMuJoCo, "tausmooth") == mjmuscle::kTauSmooth);
  CHECK(muscle_prm_index(kMuscleDeGroote, "lslack") == dgmuscle::kLslack);
  CHECK(muscle_prm_index(kMuscleDeGroote, "passive_clamp") == dgmuscle::kPassiveClamp);
  CHECK(muscle_dynprm_index(kMuscleDeGroote, "smoothing") == dgmuscle::kSmoothing);
}

TEST_CASE("defaults: MuJoCo's are mjs_setToMuscle's; NaN marks required parameters") {
  double p[kMusclePrmMax], d[kMuscleDynPrmMax];
  REQUIRE(muscle_default_prm(kMuscleMuJoCo, p, d));
  const double mj[9] = {0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2};
  for (int i = 0; i < 9; ++i) CHECK(p[i] == mj[i]);
  CHECK(std::isnan(p[mjmuscle::kLr0]));
  CHECK(std::isnan(p[mjmuscle::kLr1]));
  CHECK(std::isnan(p[mjmuscle::kAcc0]));
  for (int i = mjmuscle::kNumPrm; i < kMusclePrmMax; ++i) CHECK(p[i] == 0.0);
  CHECK(d[0] == 0.01);
  CHECK(d[1] == 0.04);
  CHECK(d[2] == 0.0);
  REQUIRE(muscle_default_prm(kMuscleDeGroote, p, d));
  CHECK(std::isnan(p[dgmuscle::kF0]));
  CHECK(std::isnan(p[dgmuscle::kLopt]));
  CHECK(p[dgmuscle::kAlpha0] == 0.0);
  CHECK(p[dgmuscle::kE0] == 0.6);
  CHECK(d[dgmuscle::kTauAct] == 0.015);
  CHECK(d[dgmuscle::kTauDeact] == 0.060);
  CHECK(d[dgmuscle::kSmoothing] == 0.1);
  CHECK_FALSE(muscle_default_prm(17, p, d));
}

TEST_CASE("dispatch equals the models' own functions; unknown ids give NaN") {
  double dg[kMusclePrmMax], dgd[kMuscleDynPrmMax];
  degroote_from_mujoco(kMjPrm, kMjDyn, dg, dgd);
  for (double len : {0.08, 0.12, 0.17, 0.21}) {
    for (double vel : {-0.3, 0.0, 0.2}) {
      for (double act : {0.0, 0.4, 1.0}) {
        CHECK(muscle_force(kMuscleMuJoCo, kMjPrm, len, vel, act) ==
              mujoco_muscle_gain(kMjPrm, len, vel) * act + mujoco_muscle_bias(kMjPrm, len));
        double g, b;
        degroote_gain_bias(dg, len, vel, &g, &b);
        CHECK(muscle_force(kMuscleDeGroote, dg, len, vel, act) == g * act + b);
      }
    }
  }
  CHECK(muscle_act_dot(kMuscleMuJoCo, kMjDyn, 0.7, 0.2) == mujoco_muscle_act_dot(kMjDyn, 0.7, 0.2));
  CHECK(muscle_act_dot(kMuscleDeGroote, dgd, 0.7, 0.2) == degroote_act_dot(dgd, 0.7, 0.2));
  CHECK(std::isnan(muscle_force(5, kMjPrm, 0.1, 0.0, 1.0)));
  CHECK(std::isnan(muscle_act_dot(-1, kMjDyn, 0.5, 0.1)));
  double x[kMusclePrmMax], xd[kMuscleDynPrmMax];
  CHECK_FALSE(muscle_from_mujoco(9, kMjPrm, kMjDyn, x, xd));
  // the MuJoCo model's mapping is the identity
  REQUIRE(muscle_from_mujoco(kMuscleMuJoCo, kMjPrm, kMjDyn, x, xd));
  for (int i = 0; i < mjmuscle::kNumPrm; ++i) CHECK(x[i] == kMjPrm[i]);
  for (int i = 0; i < mjmuscle::kNumDynPrm; ++i) CHECK(xd[i] == kMjDyn[i]);
}

TEST_CASE("JSON listing") {
  const nlohmann::json j = nlohmann::json::parse(muscle_models_json());
  REQUIRE(j.is_array());
  REQUIRE(j.size() == size_t(kNumMuscleModels));
  CHECK(j[0]["name"] == "mujoco");
  CHECK(j[1]["name"] == "degroote2016");
  CHECK(j[0]["prm"].size() == size_t(mjmuscle::kNumPrm));
  CHECK(j[0]["prm"][mjmuscle::kFpmax]["name"] == "fpmax");
  CHECK(j[0]["prm"][mjmuscle::kFpmax]["default"] == 1.3);
  CHECK(j[0]["prm"][mjmuscle::kLr0]["default"].is_null());
  CHECK(j[1]["dynprm"][dgmuscle::kSmoothing]["default"] == 0.1);
}
