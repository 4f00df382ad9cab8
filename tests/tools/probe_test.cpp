// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// `sinew probe` (tools/probe.h): the report at a golden state of arm26 equals MuJoCo's values
// (tests/data/state_golden/arm26), and malformed state files are refused with the file and field
// named. Skips when models/src (copied from ../shared/data/models) is absent.
#include "tools/probe.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "engine/model_io.h"
#include "tests/util/golden_bin.h"

using namespace sinew;
using nlohmann::json;

namespace {
const char* kArm26 = "models/src/mujoco_arm26/arm26.xml";
}

TEST_CASE("probe reports MuJoCo's values at a golden arm26 state") {
  if (!std::filesystem::exists(kArm26)) {
    MESSAGE("skipped: " << kArm26 << " not found");
    return;
  }
  const testutil::GoldenBin g("tests/data/state_golden/arm26");
  Model m = load_model(kArm26);
  const std::vector<double> lr = g.f8("actuator_lengthrange");
  std::copy(lr.begin(), lr.end(), m.actuator_lengthrange.begin());
  set_actuator_const(m);
  const int s = 3, nq = m.size.nq, nv = m.size.nv, nu = m.size.nu, nt = m.size.ntendon;
  const std::vector<double> q = g.f8("qpos"), v = g.f8("qvel"), a = g.f8("act"), c = g.f8("ctrl");
  const json doc = {{"qpos", std::vector<double>(q.begin() + s * nq, q.begin() + (s + 1) * nq)},
                    {"qvel", std::vector<double>(v.begin() + s * nv, v.begin() + (s + 1) * nv)},
                    {"act", std::vector<double>(a.begin() + s * nu, a.begin() + (s + 1) * nu)},
                    {"ctrl", std::vector<double>(c.begin() + s * nu, c.begin() + (s + 1) * nu)}};
  const json out = probe::probe(m, probe::read_state(m, doc, "state.json"));
  const std::vector<double> xpos = g.f8("xpos"), tlen = g.f8("ten_length"),
                            afrc = g.f8("actuator_force"), qacc = g.f8("qacc");
  // unnamed bodies are reported as body<index>
  const std::string b2 = m.body_name[2].empty() ? "body2" : m.body_name[2];
  const std::vector<double> p = out["body_pos"][b2];
  for (int k = 0; k < 3; ++k) CHECK(p[k] == doctest::Approx(xpos[s * 3 * m.size.nbody + 6 + k]));
  for (int t = 0; t < nt; ++t)
    CHECK(out["tendons"][m.tendon_name[t]]["length"].get<double>() ==
          doctest::Approx(tlen[s * nt + t]).epsilon(1e-12));
  for (int u = 0; u < nu; ++u)
    CHECK(out["actuators"][m.actuator_name[u]]["force"].get<double>() ==
          doctest::Approx(afrc[s * nu + u]).epsilon(1e-9));
  for (int k = 0; k < nv; ++k)
    CHECK(out["qacc"][k].get<double>() == doctest::Approx(qacc[s * nv + k]).epsilon(1e-9));
  CHECK(out["tendons"][m.tendon_name[0]]["jacobian"].size() > 0);
  CHECK(out["qfrc_bias"].size() == static_cast<size_t>(nv));
  CHECK(out["ncon"] == 0);
}

TEST_CASE("probe state files: defaults and validation") {
  if (!std::filesystem::exists(kArm26)) {
    MESSAGE("skipped: " << kArm26 << " not found");
    return;
  }
  const Model m = load_model(kArm26);
  const probe::State st = probe::read_state(m, json::object(), "empty.json");
  CHECK(st.qpos == m.qpos0);
  CHECK(st.qvel == std::vector<double>(m.size.nv, 0.0));
  auto error = [&](const json& doc) {
    try {
      probe::read_state(m, doc, "bad.json");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error({{"qpos", {1, 2, 3}}}).find("bad.json: field 'qpos': expected an array of 2") == 0);
  CHECK(error({{"ctrl", "x"}}).find("bad.json: field 'ctrl'") == 0);
  CHECK(error({{"qvel", {0, NAN}}}).find("entry 1 is not a finite number") != std::string::npos);
  CHECK(error({{"qacc", {0, 0}}}).find("unknown field 'qacc'") != std::string::npos);
}
