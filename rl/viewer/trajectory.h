// SPDX-License-Identifier: Apache-2.0
// What `sinew export` plays: a motion clip on the model (any format load_clip reads), or a
// recorded trajectory: a Sinew clip (.json, docs/clip-format.md) with two optional extra keys
// that the clip reader ignores and this reader takes (docs/viewer.md):
//   "act":      [T][na] muscle activations per frame, the model's act layout (actuator order);
//   "ref_qpos": [T][nq] the reference pose per frame (drawn as the ghost), same qpos layout.
#pragma once

#include <string>
#include <vector>

#include "rl/env/physics_env.h"
#include "rl/motion/clip.h"
#include "rl/viewer/export.h"

namespace sinew::viewer {

struct Trajectory {
  motion::Clip clip;             // time, qpos (and whatever else the file has)
  std::vector<double> act;       // [T][na] or empty
  std::vector<double> ref_qpos;  // [T][nq] or empty
  int na = 0;                    // activations per frame (0 without "act")
};

// Reads `path` with motion::load_clip, and for .json files the keys "act" and "ref_qpos".
// Errors name the file and the key ("walk.json: 'act' frame 3 has 5 values, expected 6").
Trajectory read_trajectory(const std::string& path);

// Writes `t` as a Sinew clip (.json) with its "act" and "ref_qpos" keys (when present), so that
// read_trajectory gives it back. The file is written to path + ".tmp" and renamed.
void write_trajectory(const Trajectory& t, const std::string& path);

// Records one world of a PhysicsEnv during rl::evaluate (pass it as the step hook): qpos,
// activations and, for tracking tasks, the reference pose at every control step from the reset
// until the world's episode ends (the ending state included). trajectory() builds the clip on the
// env's model (qvel by differences, body positions by forward kinematics; motion::model_clip),
// naming the model file in its "model" key.
class TrajectoryRecorder {
 public:
  explicit TrajectoryRecorder(const rl::PhysicsEnv& env, int world = 0);
  void operator()(int step);
  int nframe() const { return static_cast<int>(time_.size()); }
  Trajectory trajectory() const;

 private:
  const rl::PhysicsEnv& env_;
  int w_;
  bool done_ = false, have_ref_ = true;
  std::vector<double> time_, qpos_, act_, ref_;
};

// The frames to export: every frame of `t` (fps <= 0) or the clip resampled at `fps` (qpos by
// motion::sample: slerp on quaternions; act and ref_qpos linearly), at most `max_frames`
// (<= 0: all). `reference` (may be null) replaces ref_qpos: sampled at the same times
// (clamped to its duration).
Frames export_frames(const Trajectory& t, double fps, int max_frames,
                     const motion::Clip* reference);

}  // namespace sinew::viewer
