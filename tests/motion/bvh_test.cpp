// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// BVH reader (rl/motion/bvh.h): forward kinematics against the hand-worked chain_hand.bvh, the
// same motion written with ZXY and XYZ channel orders, units, and malformed files.
#include "rl/motion/bvh.h"

#include <doctest/doctest.h>

#include <cmath>

#include "rl/motion/npy.h"
#include "tests/motion/motion_test_util.h"

using namespace sinew::motion;
using namespace sinew::motion::test;

namespace {

void check_point(const Clip& c, int f, int p, Vec3d want, double tol = 1e-9) {
  CAPTURE(f);
  CAPTURE(p);
  const double* x = c.point_at(f, p);
  CHECK(std::abs(x[0] - want.x) < tol);
  CHECK(std::abs(x[1] - want.y) < tol);
  CHECK(std::abs(x[2] - want.z) < tol);
}

const char* kTwoJoints = R"(HIERARCHY
ROOT r
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT a
  {
    OFFSET 0 1 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 1 0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.5
)";

}  // namespace

TEST_CASE("bvh: chain_hand.bvh forward kinematics, worked by hand") {
  // Frame 0 in the file's Y-up frame: root at (1, 2, 3) turned 90 deg about Z; joint a at
  // root + Rz(90) (0, 10, 0) = (-9, 2, 3); its rotation Rz(90) Rx(90) takes the end site's
  // (0, 5, 0) to Rz(90) (0, 0, 5) = (0, 0, 5), so the end is at (-9, 2, 8). Z-up maps
  // (x, y, z) -> (x, -z, y). Frame 1 is the rest pose: a at (0, 10, 0), end at (0, 15, 0).
  Clip c = read_bvh(fixture("chain_hand.bvh"));
  REQUIRE(c.nframe() == 2);
  CHECK(c.time[1] == doctest::Approx(0.01));
  REQUIRE(c.point_names == std::vector<std::string>{"root", "a", "a_end"});
  CHECK(c.skeleton.joints[0].type == JointType::kFree);
  CHECK(c.skeleton.joints[1].type == JointType::kSpherical);
  CHECK(c.nq() == 7 + 4);
  CHECK(c.quat_adr == std::vector<int>{3, 7});
  check_point(c, 0, 0, Vec3d(1, -3, 2));
  check_point(c, 0, 1, Vec3d(-9, -3, 2));
  check_point(c, 0, 2, Vec3d(-9, -8, 2));
  check_point(c, 1, 0, Vec3d(0, 0, 0));
  check_point(c, 1, 1, Vec3d(0, 0, 10));
  check_point(c, 1, 2, Vec3d(0, 0, 15));

  // CMU units scale every length; already-Z-up files keep their axes
  BvhOptions cmu;
  cmu.scale = kCmuBvhUnit;
  Clip m = read_bvh(fixture("chain_hand.bvh"), cmu);
  check_point(m, 0, 2, Vec3d(-9, -8, 2) * kCmuBvhUnit);
  BvhOptions zup;
  zup.y_up = false;
  Clip z = read_bvh(fixture("chain_hand.bvh"), zup);
  check_point(z, 0, 2, Vec3d(-9, 2, 8));
}

TEST_CASE("bvh: ZXY and XYZ channel orders of the same motion give the same poses") {
  Clip a = read_bvh(fixture("chain_zxy.bvh"));
  Clip b = read_bvh(fixture("chain_xyz.bvh"));
  REQUIRE(a.nframe() == 3);
  REQUIRE(b.nframe() == 3);
  REQUIRE(a.npoint() == 4);
  REQUIRE(b.npoint() == 4);
  double worst = 0;
  for (size_t i = 0; i < a.points.size(); ++i)
    worst = std::max(worst, std::abs(a.points[i] - b.points[i]));
  CHECK(worst < 1e-8);  // the script writes the converted angles with 10 decimals
  // the poses are not trivial: the end site moves between frames 0 and 1
  CHECK(std::abs(a.point_at(0, 3)[0] - a.point_at(1, 3)[0]) > 1.0);
  // frame 2 is the rest pose: lower at (2, 20, -1), end at (2, 25, -1) in Y-up
  check_point(a, 2, 3, Vec3d(2, 1, 25));
  // interpreting the ZXY file as if it were XYZ would differ: the check can fail
  std::string swapped = read_file_bytes(fixture("chain_zxy.bvh"));
  for (size_t at = 0;
       (at = swapped.find("Zrotation Xrotation Yrotation", at)) != std::string::npos;)
    swapped.replace(at, 29, "Xrotation Yrotation Zrotation");
  Clip s = parse_bvh(swapped, "swapped");
  double diff = 0;
  for (size_t i = 0; i < a.points.size(); ++i)
    diff = std::max(diff, std::abs(a.points[i] - s.points[i]));
  CHECK(diff > 1.0);
}

TEST_CASE("bvh: a root with only rotation channels and a joint without channels") {
  std::string text = R"(HIERARCHY
ROOT r
{
  OFFSET 0 1 0
  CHANNELS 3 Yrotation Xrotation Zrotation
  JOINT fixed
  {
    OFFSET 1 0 0
    JOINT b
    {
      OFFSET 1 0 0
      CHANNELS 3 Xrotation Yrotation Zrotation
    }
  }
}
MOTION
Frames: 1
Frame Time: 0.1
90 0 0 0 0 0
)";
  Clip c = parse_bvh(text, "inline");
  CHECK(c.skeleton.joints[1].type == JointType::kFixed);
  CHECK(c.nq() == 7 + 4);
  // Ry(90) turns x to -z (Y-up): fixed at (0, 1, -1), b at (0, 1, -2); Z-up: (0, 1, 1), (0, 2, 1)
  check_point(c, 0, 1, Vec3d(0, 1, 1));
  check_point(c, 0, 2, Vec3d(0, 2, 1));
}

TEST_CASE("bvh: malformed files name the source and the line") {
  struct Case {
    std::string text;
    const char* what;
  };
  const std::string motion2 = std::string(kTwoJoints);
  const Case cases[] = {
      {"ROOT r {", "no HIERARCHY section"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n}\n", "no MOTION section"},
      {motion2 + "0 0 0 0 0 0 0 0 0\n", "line 19: MOTION declares 2 frames, found 1"},
      {motion2 + "0 0 0 0 0 0 0 0\n0 0 0 0 0 0 0 0 0\n",
       "line 19: frame 0 has 8 values, CHANNELS declare 9"},
      {motion2 + "0 0 0 0 0 x 0 0 0\n0 0 0 0 0 0 0 0 0\n", "frame 0: 'x' is not a number"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0\n CHANNELS 0\n}\nMOTION\n",
       "line 5: expected a number, found 'CHANNELS'"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n CHANNELS 2 Xposition Wrotation\n}\nMOTION\n",
       "line 5: joint r: CHANNELS 2 but 'Wrotation' is not a channel name"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n JOINT a\n {\n  OFFSET 0 1 0\n  CHANNELS 1 "
       "Xposition\n }\n}\nMOTION\n",
       "position channels are supported on the root only"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n}\nMOTION\nFrames: 0\nFrame Time: 0.1\n",
       "expected 'Frames: N' (N >= 1)"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n}\nMOTION\nFrames: 1\nFrame Time: -1\n\n",
       "expected 'Frame Time: seconds' (> 0)"},
      {"HIERARCHY\nROOT r\n{\n OFFSET 0 0 0\n BOGUS\n}\nMOTION\n",
       "line 5: expected JOINT, End Site or '}', found 'BOGUS'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::string msg = error_of([&] { parse_bvh(c.text, "bad.bvh"); });
    CHECK(contains(msg, "bad.bvh: "));
    CHECK(contains(msg, c.what));
  }
  CHECK(contains(error_of([] { read_bvh(fixture("missing.bvh")); }), "missing.bvh: cannot open"));
}
