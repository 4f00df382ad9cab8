// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/viewer/trajectory: the evaluation recorder (`sinew eval --trajectory`) keeps one frame per
// control step from the reset to the end of world 0's episode (the ending state included), with
// the model's activations and, on a tracking task, the reference pose of each frame; the written
// file reads back with read_trajectory unchanged.
#include "rl/viewer/trajectory.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rl/env/env.h"
#include "rl/ppo/evaluate.h"
#include "rl/track/track_env.h"

using namespace sinew;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("trajectory recorder: arm26 under a constant excitation, written and read back") {
  auto env = rl::make_env("arm26_reach", json{{"episode_steps", 12}}, 3, 7);
  auto* pe = dynamic_cast<rl::PhysicsEnv*>(env.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  viewer::TrajectoryRecorder rec(*pe, 1);
  const rl::EvalSummary s =
      rl::evaluate(*env, rl::constant_policy(env->spec().act_dim, 0.5f), std::ref(rec));
  REQUIRE(rec.nframe() == s.episodes[1].length + 1);
  const viewer::Trajectory t = rec.trajectory();
  REQUIRE(t.clip.nframe() == rec.nframe());
  REQUIRE(t.clip.nq() == m.size.nq);
  REQUIRE(t.na == m.size.na);
  CHECK(t.ref_qpos.empty());  // not a tracking task
  CHECK(t.clip.model == m.source);
  const double dt = env->spec().control_dt;
  for (int f = 0; f < t.clip.nframe(); ++f) CHECK(t.clip.time[f] == doctest::Approx(f * dt));
  // the last frame is the world's final state
  const WorldData<double> d = pe->world_state(1);
  const int T = t.clip.nframe();
  for (int i = 0; i < m.size.nq; ++i)
    CHECK(t.clip.qpos[static_cast<std::size_t>(T - 1) * m.size.nq + i] == d.qpos[i]);
  // activations start at the reset value and rise toward the constant excitation
  double a0 = 0, a1 = 0;
  for (int u = 0; u < t.na; ++u) {
    a0 += t.act[u];
    a1 += t.act[static_cast<std::size_t>(T - 1) * t.na + u];
  }
  CHECK(a1 > a0);
  CHECK(a1 / t.na <= 0.5 + 1e-9);

  const std::string path = temp_path("sinew_trajectory_test_arm26.json");
  viewer::write_trajectory(t, path);
  const viewer::Trajectory back = viewer::read_trajectory(path);
  CHECK(back.clip.nframe() == T);
  CHECK(back.na == t.na);
  CHECK(back.act == t.act);
  CHECK(back.clip.qpos == t.clip.qpos);
  CHECK(back.ref_qpos.empty());
  std::remove(path.c_str());
}

TEST_CASE("trajectory recorder: a tracking task records the reference pose of every frame") {
  const json params = {{"model", "models/ms_human_700_locomotion.json"},
                       {"clip", "models/motions/msgym/walking_gait.npz"},
                       {"clip_model", "models/ms_human_700.json"},
                       {"episode_steps", 6}};
  auto env = rl::make_env("track", params, 1, 3);
  auto* te = dynamic_cast<track::TrackEnv*>(env.get());
  REQUIRE(te != nullptr);
  te->set_eval_mode(true);
  viewer::TrajectoryRecorder rec(*te, 0);
  const rl::EvalSummary s =
      rl::evaluate(*env, rl::constant_policy(env->spec().act_dim, 0.f), std::ref(rec));
  const viewer::Trajectory t = rec.trajectory();
  const int nq = te->model().size.nq, T = t.clip.nframe();
  REQUIRE(T == s.episodes[0].length + 1);
  REQUIRE(t.ref_qpos.size() == static_cast<std::size_t>(T) * nq);
  // frame f's ghost is reference frame start + f
  const int start = te->start_frame(0);
  for (int f = 0; f < T; ++f)
    for (int i = 0; i < nq; ++i)
      CHECK(t.ref_qpos[static_cast<std::size_t>(f) * nq + i] ==
            te->reference().qpos_at(start + f)[i]);
  // reference-state initialisation: frame 0 of the motion is the reference
  for (int i = 0; i < nq; ++i) CHECK(t.clip.qpos[i] == doctest::Approx(t.ref_qpos[i]));

  const std::string path = temp_path("sinew_trajectory_test_track.json");
  viewer::write_trajectory(t, path);
  const viewer::Trajectory back = viewer::read_trajectory(path);
  CHECK(back.ref_qpos == t.ref_qpos);
  CHECK(back.act == t.act);
  std::remove(path.c_str());
}

TEST_CASE("trajectory recorder: a free-root tracking model is named as its file plus model_root") {
  const json params = {{"model", "models/ms_human_700.json"},
                       {"free_root", true},
                       {"clip", "models/motions/deepmimic/retargeted/backflip_full.json"},
                       {"episode_steps", 2}};
  auto env = rl::make_env("track", params, 1, 3);
  auto* te = dynamic_cast<track::TrackEnv*>(env.get());
  REQUIRE(te != nullptr);
  viewer::TrajectoryRecorder rec(*te, 0);
  rl::evaluate(*env, rl::constant_policy(env->spec().act_dim, 0.f), std::ref(rec));
  const viewer::Trajectory t = rec.trajectory();
  CHECK(t.clip.model == "models/ms_human_700.json");  // a file sinew export can load
  CHECK(t.clip.model_root == "free");                 // ... and then free its root
  CHECK(t.clip.nq() == te->model().size.nq);
}
