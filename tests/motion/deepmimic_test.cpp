// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// DeepMimic reader (rl/motion/deepmimic.h) on the bundled humanoid3d character and clips: frame
// counts, durations, quaternion normalisation, forward-kinematics sanity, malformed files.
#include "rl/motion/deepmimic.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rl/motion/clip_io.h"
#include "rl/motion/clip_ops.h"
#include "tests/motion/motion_test_util.h"

using namespace sinew::motion;
using namespace sinew::motion::test;

namespace {

int point(const Clip& c, const std::string& name) {
  for (int p = 0; p < c.npoint(); ++p)
    if (c.point_names[p] == name) return p;
  FAIL("no point " << name);
  return -1;
}

Vec3d at(const Clip& c, int f, const std::string& name) {
  return Vec3d::load(c.point_at(f, point(c, name)));
}

// Writes `text` to a temporary file named `name` and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("deepmimic: the humanoid3d character") {
  Skeleton s = read_deepmimic_character(kDeepMimicCharacter);
  REQUIRE(s.joints.size() == 15);
  CHECK(s.joints[0].type == JointType::kFree);
  CHECK(s.joints[s.find_joint("right_knee")].type == JointType::kRevolute);
  CHECK(s.joints[s.find_joint("left_wrist")].type == JointType::kFixed);
  CHECK(s.nq == 7 + 12 * 4);  // 8 spherical + 4 revolute joints, each a quaternion
  CHECK(deepmimic_frame_size(s) == 44);
  CHECK(s.shapes.size() == 15);
  // thigh and shank lengths; Y-up offsets become Z-up (x, -z, y)
  CHECK(norm(s.joints[s.find_joint("right_knee")].offset) == doctest::Approx(0.421546));
  CHECK(s.joints[s.find_joint("right_ankle")].offset.z == doctest::Approx(-0.40987));
  CHECK(s.joints[s.find_joint("right_hip")].offset.y == doctest::Approx(-0.084887));
  // key points the skeleton lacks, from the body shapes
  std::vector<std::string> sites;
  for (const SkeletonSite& x : s.sites) sites.push_back(x.name);
  CHECK(sites == std::vector<std::string>{"head_top", "right_ankle_toe", "right_ankle_heel",
                                          "left_ankle_toe", "left_ankle_heel"});
  // head sphere: centre 0.175 above the neck, diameter 0.205; foot box sole 0.05 below the ankle
  CHECK(s.sites[0].offset.z == doctest::Approx(0.175 + 0.1025));
  CHECK(s.sites[1].offset.x == doctest::Approx(0.045 + 0.0885));
  CHECK(s.sites[1].offset.z == doctest::Approx(-0.05));
  CHECK(s.sites[2].offset.x == doctest::Approx(0.045 - 0.0885));
}

TEST_CASE("deepmimic: frame counts, durations and loop flags of the bundled clips") {
  struct Case {
    const char* name;
    int frames;
    double duration;
  };
  const Case cases[] = {{"walk", 39, 1.266616},
                        {"run", 25, 0.799968},
                        {"dance_a", 98, 1.6166021},
                        {"cartwheel", 164, 2.716558},
                        {"backflip", 29, 1.75}};
  for (const Case& k : cases) {
    CAPTURE(k.name);
    Clip c = load_clip(deepmimic_motion(k.name));
    CHECK(c.nframe() == k.frames);
    CHECK(c.duration() == doctest::Approx(k.duration).epsilon(1e-6));
    CHECK(c.loop);
    CHECK(c.closed);
    CHECK(c.nq() == 55);
    CHECK(c.npoint() == 15 + 5);
    CHECK(c.quat_adr.size() == 13);
    for (int f = 0; f < c.nframe(); ++f)
      for (int a : c.quat_adr) {
        Quatd q = Quatd::load(c.qpos_at(f) + a);
        REQUIRE(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z == doctest::Approx(1).epsilon(1e-12));
      }
  }
}

TEST_CASE("deepmimic: non-unit quaternions are normalised (backflip frame 18, left shoulder)") {
  // In the file the left shoulder's quaternion of frame 18 has norm 1.118.
  std::ifstream f(deepmimic_motion("backflip"));
  nlohmann::json j = nlohmann::json::parse(f);
  const nlohmann::json& raw = j["Frames"][18];
  Quatd q(raw[39], raw[40], raw[41], raw[42]);
  double n = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  REQUIRE(n == doctest::Approx(1.1184).epsilon(1e-4));
  Clip c = load_clip(deepmimic_motion("backflip"));
  const int adr = c.skeleton.joints[c.skeleton.find_joint("left_shoulder")].qpos_adr;
  Quatd want = yup_to_zup(Quatd(q.w / n, q.x / n, q.y / n, q.z / n));
  Quatd got = Quatd::load(c.qpos_at(18) + adr);
  CHECK(got.w == doctest::Approx(want.w));
  CHECK(got.x == doctest::Approx(want.x));
  CHECK(got.y == doctest::Approx(want.y));
  CHECK(got.z == doctest::Approx(want.z));
}

TEST_CASE("deepmimic: walk forward kinematics is a plausible gait in Z-up") {
  Clip c = load_clip(deepmimic_motion("walk"));
  double foot_min = 1e9, foot_max_low = -1e9, head_min = 1e9;
  for (int f = 0; f < c.nframe(); ++f) {
    double lowest = 1e9;
    for (const char* s :
         {"right_ankle_toe", "right_ankle_heel", "left_ankle_toe", "left_ankle_heel"}) {
      foot_min = std::min(foot_min, at(c, f, s).z);
      lowest = std::min(lowest, at(c, f, s).z);
    }
    foot_max_low = std::max(foot_max_low, lowest);  // the support foot is always on the floor
    head_min = std::min(head_min, at(c, f, "head_top").z);
    // pelvis height, and the head above the pelvis
    CHECK(at(c, f, "root").z == doctest::Approx(0.85).epsilon(0.06));
  }
  CHECK(foot_min > -0.03);
  CHECK(foot_min < 0.03);
  CHECK(foot_max_low < 0.04);
  CHECK(head_min > 1.5);
  // walks along +x, facing +x
  CHECK(cycle_offset(c).x == doctest::Approx(1.23859));
  CHECK(std::abs(heading(c, 0)) < 0.3);
  // knees bend forwards: the knee lies ahead of the hip-ankle line when flexed
  for (int f = 0; f < c.nframe(); ++f) {
    Vec3d hip = at(c, f, "right_hip"), knee = at(c, f, "right_knee"),
          ankle = at(c, f, "right_ankle");
    Vec3d mid = (hip + ankle) * 0.5;
    CHECK(knee.x - mid.x > -0.01);
  }
}

TEST_CASE("deepmimic: malformed motions and characters name the file and field") {
  std::string good_frame = "[0.0333, 0, 0.9, 0, 1, 0, 0, 0";
  for (int k = 0; k < 36; ++k) good_frame += k % 4 == 0 ? ", 1" : ", 0";
  good_frame += "]";
  Skeleton s = read_deepmimic_character(kDeepMimicCharacter);
  struct Case {
    const char* file;
    std::string text;
    const char* what;
  };
  const Case cases[] = {
      {"no_frames.txt", R"({"Loop": "wrap"})", "no Frames array"},
      {"bad_loop.txt", R"({"Loop": "spin", "Frames": [)" + good_frame + "]}",
       "unknown Loop value 'spin'"},
      {"short_frame.txt", R"({"Loop": "none", "Frames": [[0.1, 0, 1]]})",
       "frame 0 has 3 values, expected 44"},
      {"text_value.txt",
       R"({"Loop": "none", "Frames": [)" + good_frame + ", " +
           good_frame.substr(0, good_frame.size() - 3) + "\"x\"]]}",
       "frame 1: non-numeric value"},
      {"zero_duration.txt",
       R"({"Loop": "none", "Frames": [[0)" + good_frame.substr(7) + ", " + good_frame + "]}",
       "frame 0: duration must be > 0"},
      {"not_json.txt", "{\"Loop\": ", "invalid JSON"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.file);
    std::string path = temp_file(k.file, k.text);
    std::string msg = error_of([&] { read_deepmimic_motion(path, s); });
    CHECK(contains(msg, path + ": "));
    CHECK(contains(msg, k.what));
    std::filesystem::remove(path);
  }
  std::string path = temp_file("good.txt", R"({"Loop": "none", "Frames": [)" + good_frame + "]}");
  CHECK(read_deepmimic_motion(path, s).nframe() == 1);
  std::filesystem::remove(path);

  path = temp_file("char.txt", R"({"Skeleton": {"Joints": [{"ID": 0, "Name": "root", "Type":
      "none", "Parent": -1, "AttachX": 0, "AttachY": 0, "AttachZ": 0}, {"ID": 1, "Name": "j",
      "Type": "prismatic", "Parent": 0, "AttachX": 0, "AttachY": 1, "AttachZ": 0}]}})");
  CHECK(contains(error_of([&] { read_deepmimic_character(path); }),
                 path + ": joint 1 (j): unsupported joint type 'prismatic'"));
  std::ofstream(path) << R"({"Skeleton": {"Joints": [{"ID": 0, "Name": "root", "Type": "none",
      "Parent": -1, "AttachX": 0, "AttachZ": 0}]}})";
  CHECK(contains(error_of([&] { read_deepmimic_character(path); }),
                 path + ": joint 0: missing number 'AttachY'"));
  std::ofstream(path) << R"({"Joints": []})";
  CHECK(contains(error_of([&] { read_deepmimic_character(path); }), "no Skeleton.Joints array"));
  std::filesystem::remove(path);
}
