// SPDX-License-Identifier: Apache-2.0
// ctest-labels: physics
// Sinew's own actuator lengthrange (engine/lengthrange.h, MuJoCo's compiler/lengthrange
// procedure) against MuJoCo 3.17.0's compiled actuator_lengthrange (tests/data/state_golden/
// <model>.json/.bin, tools/oracle/state_golden.py) for the reference models that give none
// (issue 3, "Done when": 1e-2 of the range width). Models are read from models/src (copied from
// ../shared/data/models); a model whose file is absent is skipped.
//
// myomuscle's only bound is a tendon limit: the procedure stops softly a little beyond the
// tendon's range (0.57 mm), in Sinew as in MuJoCo.
#include "engine/lengthrange.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/mjcf/mjcf_import.h"
#include "engine/model.h"
#include "engine/model_io.h"
#include "tests/util/golden_bin.h"

using namespace sinew;
using sinew::testutil::GoldenBin;

namespace {

const char* kModels = "models/src/";
const char* kGolden = "tests/data/state_golden/";

// Largest |Sinew - MuJoCo| over both ends, divided by MuJoCo's range width, per actuator; the
// largest over the model's actuators.
double worst_error(const Model& m, const std::vector<double>& lr, int* worst_u) {
  double worst = 0;
  for (int u = 0; u < m.size.nu; ++u) {
    const double width = lr[2 * u + 1] - lr[2 * u];
    const double e = std::max(std::fabs(m.actuator_lengthrange[2 * u] - lr[2 * u]),
                              std::fabs(m.actuator_lengthrange[2 * u + 1] - lr[2 * u + 1])) /
                     width;
    if (!(e <= worst)) {
      worst = e;
      *worst_u = u;
    }
  }
  return worst;
}

// Imports the model (which computes the missing lengthranges); false when absent.
bool import(const std::string& xml, MjcfImportResult& res) {
  const std::string path = kModels + xml;
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path << " not found");
    return false;
  }
  res = import_mjcf(path);
  return true;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string p =
      (std::filesystem::temp_directory_path() / ("sinew_lengthrange_" + name)).string();
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("lengthrange: Sinew's procedure matches MuJoCo's compiled ranges (arm26, myofinger)") {
  const struct {
    const char* name;
    const char* xml;
  } models[] = {{"arm26", "mujoco_arm26/arm26.xml"},
                {"myofinger", "myo_sim/finger/myofinger_v0.xml"}};
  for (const auto& mdl : models) {
    MjcfImportResult res;
    if (!import(mdl.xml, res)) continue;
    const Model& m = res.model;
    // every muscle of these models lacks a lengthrange and gets one
    REQUIRE(static_cast<int>(res.missing_lengthrange.size()) == m.size.nu);
    const GoldenBin g(std::string(kGolden) + mdl.name);
    const std::vector<double> lr = g.f8("actuator_lengthrange");
    REQUIRE(static_cast<int>(lr.size()) == 2 * m.size.nu);
    int u = 0;
    const double e = worst_error(m, lr, &u);
    MESSAGE(std::string(mdl.name) << ": worst lengthrange error " << e
                                  << " of the range width (actuator " << m.actuator_name[u]
                                  << ": Sinew [" << m.actuator_lengthrange[2 * u] << ", "
                                  << m.actuator_lengthrange[2 * u + 1] << "], MuJoCo [" << lr[2 * u]
                                  << ", " << lr[2 * u + 1] << "])");
    CHECK(e <= 1e-2);
    // myofinger's tendons are limited to [0, 0.33] but never reach it: no notes
    for (const std::string& w : res.warnings) CHECK(w.find("lengthrange") == std::string::npos);
    // the muscle parameters were rebuilt from the new range (L0 = width / (range1 - range0))
    for (int k = 0; k < m.size.nu; ++k) CHECK(m.actuator_lengthrange[2 * k] > 0);
  }
}

TEST_CASE("lengthrange: load_model gives every muscle a range (no `sinew probe` warning)") {
  const std::string path = std::string(kModels) + "mujoco_arm26/arm26.xml";
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path << " not found");
    return;
  }
  const Model m = load_model(path);
  // the condition under which `sinew probe` warns (tools/cmd_probe.cpp)
  for (int u = 0; u < m.size.nu; ++u)
    CHECK_FALSE((m.actuator_gaintype[u] == kGainMuscle && m.actuator_lengthrange[2 * u] == 0 &&
                 m.actuator_lengthrange[2 * u + 1] == 0));
}

TEST_CASE("lengthrange: myomuscle, bounded by a soft tendon limit") {
  MjcfImportResult res;
  if (!import("myo_sim/basic/myomuscle.xml", res)) return;
  const Model& m = res.model;
  REQUIRE(m.size.nu == 1);
  const GoldenBin g(std::string(kGolden) + "myomuscle");
  const std::vector<double> lr = g.f8("actuator_lengthrange");
  int u = 0;
  const double e = worst_error(m, lr, &u);
  MESSAGE("myomuscle: lengthrange error "
          << e << " of the range width (Sinew [" << m.actuator_lengthrange[0] << ", "
          << m.actuator_lengthrange[1] << "], MuJoCo [" << lr[0] << ", " << lr[1]
          << "]; tendon range [0.075, 0.105])");
  // the soft limit lets the tendon past each end of [0.075, 0.105], as MuJoCo's does
  CHECK(m.actuator_lengthrange[0] < 0.075);
  CHECK(m.actuator_lengthrange[1] > 0.105);
  CHECK(e <= 1e-2);
}

TEST_CASE("lengthrange: a given range is kept (useexisting), joint transmissions, options") {
  const std::string p = write("given.xml", R"(<mujoco>
  <worldbody>
    <site name="s0" pos="0 0 0.5"/>
    <body name="arm">
      <joint name="h" type="hinge" axis="0 1 0" limited="true" range="-60 60"/>
      <geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.02"/>
      <site name="s1" pos="0.2 0 0.02"/>
    </body>
  </worldbody>
  <tendon><spatial name="t"><site site="s0"/><site site="s1"/></spatial></tendon>
  <actuator>
    <muscle name="given" tendon="t" lengthrange="0.4 0.6"/>
    <muscle name="computed" tendon="t"/>
    <muscle name="onjoint" joint="h" gear="2"/>
    <motor name="motor" joint="h"/>
  </actuator>
</mujoco>)");
  MjcfImportResult res = import_mjcf(p);
  Model& m = res.model;
  REQUIRE(m.size.nu == 4);
  CHECK(m.actuator_lengthrange[0] == 0.4);
  CHECK(m.actuator_lengthrange[1] == 0.6);
  // the tendon spans the hinge's range: its extreme lengths are at the (soft) limits
  const double lo = m.actuator_lengthrange[2], hi = m.actuator_lengthrange[3];
  CHECK(lo > 0.3);
  CHECK(hi > lo + 0.1);
  // a joint transmission: gear * qpos at the limits, -/+ 60 degrees (a little beyond: soft)
  const double r = 2 * 60 * M_PI / 180;
  CHECK(m.actuator_lengthrange[4] == doctest::Approx(-r).epsilon(0.02));
  CHECK(m.actuator_lengthrange[5] == doctest::Approx(r).epsilon(0.02));
  // not a muscle: left alone in mode "muscle"
  CHECK(m.actuator_lengthrange[6] == 0);
  CHECK(m.actuator_lengthrange[7] == 0);
  // recomputing selects nothing (all muscles now have a range)
  for (int u = 0; u < 3; ++u) CHECK_FALSE(lengthrange_needed(m, u));
  // uselimit copies the joint range; mode "all" includes the motor
  LengthRangeOptions opt;
  opt.useexisting = false;
  opt.uselimit = true;
  opt.mode = LengthRangeOptions::kAll;
  compute_lengthrange(m, opt);
  CHECK(m.actuator_lengthrange[6] == doctest::Approx(-M_PI / 3));
  CHECK(m.actuator_lengthrange[7] == doctest::Approx(M_PI / 3));
  CHECK(m.actuator_lengthrange[2] == lo);  // tendon not limited: simulated again, same result
  CHECK(m.actuator_lengthrange[3] == hi);
  std::remove(p.c_str());
}

TEST_CASE("lengthrange: a muscle whose length has no bound is an error naming it") {
  const std::string p = write("unbounded.xml", R"(<mujoco>
  <worldbody>
    <site name="s0"/>
    <body name="b"><joint name="x" type="slide"/><geom size="0.1"/><site name="s1" pos="0 0 -1"/></body>
  </worldbody>
  <tendon><spatial name="t"><site site="s0"/><site site="s1"/></spatial></tendon>
  <actuator><muscle name="loose" tendon="t"/></actuator>
</mujoco>)");
  std::string msg;
  try {
    import_mjcf(p);
  } catch (const ModelError& e) {
    msg = e.what();
  }
  MESSAGE(msg);
  CHECK(msg.find("did not converge") != std::string::npos);
  CHECK(msg.find("'loose'") != std::string::npos);
  std::remove(p.c_str());
}
