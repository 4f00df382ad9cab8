// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Tracking metrics (rl/track/track_metrics.h, docs/metrics.md) on hand-built frames: a reference
// tracked exactly gives zero errors, a known rotation / shift / joint offset gives the known
// error; the model's independent hinges exclude the root and coupled joints.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "engine/model_io.h"
#include "rl/track/track_metrics.h"

using namespace sinew;
using namespace sinew::track;

namespace {

// world (0), root (1), one child body (2); qpos: 1 slide, 2 hinges.
struct Frame {
  double qpos[3] = {0.1, 0.2, -0.3};
  double xpos[9] = {0, 0, 0, 1, 2, 0.9, 1.1, 2.0, 0.5};
  double xquat[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
};

TrackSelection selection() {
  TrackSelection s;
  s.root_body = 1;
  s.hinge_qpos = {1, 2};
  s.bodies = {1, 2};
  return s;
}

FrameErrors errors(const Frame& sim, const Frame& ref) {
  return frame_errors(selection(), sim.qpos, sim.xpos, sim.xquat, ref.qpos, ref.xpos, ref.xquat);
}

}  // namespace

TEST_CASE("a reference tracked exactly gives zero errors") {
  const Frame f;
  const FrameErrors e = errors(f, f);
  CHECK(e.joint_deg == 0);
  CHECK(e.body_mm == 0);
  CHECK(e.body_rel_mm == 0);
  CHECK(e.root_mm == 0);
  CHECK(e.root_deg == doctest::Approx(0).epsilon(1e-12));
}

TEST_CASE("known rotation of the root gives its angle, whatever the quaternion's sign") {
  Frame sim, ref;
  const double a = 30 * M_PI / 180;
  // root turned by 30 deg about an oblique axis; the reference root at a 10 deg yaw
  const double ax[3] = {1 / std::sqrt(3.0), 1 / std::sqrt(3.0), 1 / std::sqrt(3.0)};
  sim.xquat[4] = std::cos(a / 2);
  for (int k = 0; k < 3; ++k) sim.xquat[5 + k] = std::sin(a / 2) * ax[k];
  CHECK(errors(sim, ref).root_deg == doctest::Approx(30).epsilon(1e-9));
  for (int k = 0; k < 4; ++k) sim.xquat[4 + k] = -sim.xquat[4 + k];  // same rotation
  CHECK(errors(sim, ref).root_deg == doctest::Approx(30).epsilon(1e-9));
  // both turned about z: 50 deg against 10 deg is 40 deg
  const double b = 50 * M_PI / 180, c = 10 * M_PI / 180;
  sim.xquat[4] = std::cos(b / 2), sim.xquat[5] = 0, sim.xquat[6] = 0,
  sim.xquat[7] = std::sin(b / 2);
  ref.xquat[4] = std::cos(c / 2), ref.xquat[7] = std::sin(c / 2);
  CHECK(errors(sim, ref).root_deg == doctest::Approx(40).epsilon(1e-9));
  CHECK(quat_angle(sim.xquat + 4, sim.xquat + 4) == doctest::Approx(0).epsilon(1e-12));
}

TEST_CASE("joint, body and root position errors") {
  Frame sim, ref;
  sim.qpos[0] += 5;    // the slide is not a hinge: ignored
  sim.qpos[2] += 0.1;  // one of two hinges off by 0.1 rad
  FrameErrors e = errors(sim, ref);
  CHECK(e.joint_deg == doctest::Approx(0.05 * 180 / M_PI));
  // child body off by (3, 4, 0) mm: 5 mm for it, 2.5 mm mean over root + child, 5 mm relative
  sim = ref;
  sim.xpos[6] += 0.003;
  sim.xpos[7] += 0.004;
  e = errors(sim, ref);
  CHECK(e.body_mm == doctest::Approx(2.5));
  CHECK(e.body_rel_mm == doctest::Approx(5));
  CHECK(e.root_mm == 0);
  // whole body shifted by 10 mm: global 10, relative 0, root 10
  sim = ref;
  for (int b = 1; b < 3; ++b) sim.xpos[3 * b + 2] += 0.01;
  e = errors(sim, ref);
  CHECK(e.body_mm == doctest::Approx(10));
  CHECK(e.body_rel_mm == doctest::Approx(0).epsilon(1e-9));
  CHECK(e.root_mm == doctest::Approx(10));
}

TEST_CASE("episode means and fraction tracked") {
  EpisodeMetrics m;
  m.episode_steps = 4;
  FrameErrors a, b;
  a.joint_deg = 1, b.joint_deg = 3;
  a.root_mm = 10, b.root_mm = 20;
  m.add(a);
  m.add(b);
  CHECK(m.mean().joint_deg == doctest::Approx(2));
  CHECK(m.mean().root_mm == doctest::Approx(15));
  CHECK(m.fraction_tracked() == doctest::Approx(0.5));
}

TEST_CASE("independent hinges of MS-Human-700-Locomotion: no root, no coupled joint") {
  const Model m = load_model("models/ms_human_700_locomotion.json");
  const TrackSelection s = default_selection(m);
  CHECK(m.body_name[s.root_body] == "pelvis");
  CHECK(s.hinge_qpos.size() == 14);  // per leg: hip x3, knee, ankle, subtalar, mtp
  for (int j : independent_hinges(m, s.root_body)) {
    const std::string& n = m.jnt_name[j];
    CHECK(n.find("pelvis") == std::string::npos);
    CHECK(n.find("beta") == std::string::npos);
    CHECK(n.find("rotation2") == std::string::npos);
  }
  CHECK(s.bodies.size() == 13);  // pelvis + 6 leg bodies per side
}
