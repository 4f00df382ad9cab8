// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The Sinew clip format (rl/motion/clip_io.h, docs/clip-format.md): round trips of skeletal and
// MS-Human-700 clips, non-uniform times, and malformed files rejected naming file and field.
#include "rl/motion/clip_io.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/motion/motion_test_util.h"

using namespace sinew::motion;
using namespace sinew::motion::test;
using nlohmann::json;

namespace {

void check_same(const Clip& a, const Clip& b) {
  CHECK(a.time.size() == b.time.size());
  for (size_t i = 0; i < a.time.size(); ++i) REQUIRE(a.time[i] == doctest::Approx(b.time[i]));
  CHECK(a.model == b.model);
  CHECK(a.loop == b.loop);
  CHECK(a.closed == b.closed);
  CHECK(a.qpos_names == b.qpos_names);
  CHECK(a.qvel_names == b.qvel_names);
  CHECK(a.point_names == b.point_names);
  CHECK(a.quat_adr == b.quat_adr);
  CHECK(a.qpos == b.qpos);  // written with 17 significant digits: exact
  CHECK(a.qvel == b.qvel);
  CHECK(a.points == b.points);
  CHECK(a.root.pos == b.root.pos);
  CHECK(a.root.vel == b.root.vel);
  CHECK(a.root.quat == b.root.quat);
  CHECK(a.root.hinge == b.root.hinge);
  for (int k = 0; k < 3; ++k) {
    CHECK(a.root.pos_axis[k].y == b.root.pos_axis[k].y);
    CHECK(a.root.hinge_axis[k].x == b.root.hinge_axis[k].x);
  }
  CHECK(a.root.hinge_frame.w == b.root.hinge_frame.w);
  CHECK(a.root.hinge_frame.x == b.root.hinge_frame.x);
  CHECK(a.root.forward.x == b.root.forward.x);
  CHECK(a.root.origin.z == b.root.origin.z);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("sinew clip: DeepMimic walk round trip (uniform times, free root, points)") {
  Clip c = load_clip(deepmimic_motion("walk"));
  const std::string path = temp_path("sinew_walk_clip.json");
  write_sinew_clip(c, path);
  json j = json::parse(std::ifstream(path));
  CHECK(j["format"] == "sinew-clip");
  CHECK(j["version"] == 1);
  CHECK_FALSE(j.contains("time"));  // uniform: fps only
  CHECK(j["fps"].get<double>() == doctest::Approx(c.fps()));
  Clip r = load_clip(path);
  check_same(c, r);
  CHECK(r.source == path);
  CHECK(r.skeleton.joints.empty());  // the source skeleton is not part of the format
  std::filesystem::remove(path);
}

TEST_CASE("sinew clip: MS-Human-700 hinge root, qvel and non-uniform times") {
  Clip c = load_clip("models/motions/msgym/walking_gait.npz");
  c.time[5] += 0.003;  // non-uniform: "time" is written
  c.model = "models/ms_human_700.json";
  c.qvel_names = {"v0", "v1", "v2"};
  for (int f = 0; f < c.nframe(); ++f) {
    c.qvel.push_back(0.5 * f);
    c.qvel.push_back(-1.0 / (f + 1));
    c.qvel.push_back(1e-3 * f * f);
  }
  std::string text = sinew_clip_to_json(c);
  CHECK(json::parse(text).contains("time"));
  Clip r = parse_sinew_clip(text, "inline");
  check_same(c, r);
  CHECK(r.root.hinge == std::array<int, 3>{3, 4, 5});
}

TEST_CASE("sinew clip: malformed files name the file and the field") {
  json good = {{"format", "sinew-clip"},
               {"version", 1},
               {"fps", 10},
               {"loop", false},
               {"qpos_names", {"a", "b"}},
               {"qpos", {{0, 1}, {2, 3}}},
               {"point_names", {"p"}},
               {"points", {{0, 0, 0}, {1, 1, 1}}}};
  CHECK(parse_sinew_clip(good.dump(), "good.json").nframe() == 2);
  struct Case {
    json doc;
    const char* what;
  };
  auto with = [&](const char* key, json v) {
    json d = good;
    d[key] = v;
    return d;
  };
  json no_names = good;
  no_names.erase("qpos_names");
  const Case cases[] = {
      {with("format", "sinew-model"), "not a sinew-clip file (\"format\")"},
      {with("version", 2), "unsupported sinew-clip version 2"},
      {no_names, "malformed sinew-clip"},
      {with("qpos", json{{0, 1}, {2}}), "qpos frame 1 has 1 values, expected 2"},
      {with("qpos", json(3)), "missing 'qpos' array"},
      {with("points", json{{0, 0, 0}}), "'points' has 1 frames, expected 2"},
      {with("time", json{0, 0}), "frame times are not increasing at frame 1"},
      {with("time", json{0.1, 0.2}), "first frame time is not 0"},
      {with("quat_adr", json{0}), "quaternion address 0 outside qpos"},
      {with("fps", 0), "'fps' must be > 0"},
      {with("root", json{{"pos", {0, 1, 7}}}), "root layout index outside qpos"},
      {with("qpos", json{{0, 1}, {"x", 3}}), "malformed sinew-clip"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.doc.dump());
    std::string msg = error_of([&] { parse_sinew_clip(k.doc.dump(), "bad.json"); });
    CHECK(contains(msg, "bad.json: "));
    CHECK(contains(msg, k.what));
  }
  CHECK(contains(error_of([] { parse_sinew_clip("{\"format\": ", "cut.json"); }),
                 "cut.json: invalid JSON"));
  const std::string c3d = temp_path("sinew_clip.c3d");
  std::ofstream(c3d) << "not a clip";
  CHECK(contains(error_of([&] { load_clip(c3d); }), c3d + ": unknown clip format"));
  std::filesystem::remove(c3d);
  CHECK(contains(error_of([] { load_clip("no/such/walk.txt"); }), "no/such/walk.txt: cannot open"));
  CHECK(contains(error_of([] { load_clip("no/such/clip.json"); }), "clip.json: cannot open"));
}
