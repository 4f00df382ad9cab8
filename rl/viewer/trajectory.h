// SPDX-License-Identifier: Apache-2.0
// What `sinew export` plays: a motion clip on the model (any format load_clip reads), or a
// recorded trajectory: a Sinew clip (.json, docs/clip-format.md) with two optional extra keys
// that the clip reader ignores and this reader takes (docs/viewer.md):
//   "act":      [T][na] muscle activations per frame, the model's act layout (actuator order);
//   "ref_qpos": [T][nq] the reference pose per frame (drawn as the ghost), same qpos layout.
#pragma once

#include <string>
#include <vector>

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

// The frames to export: every frame of `t` (fps <= 0) or the clip resampled at `fps` (qpos by
// motion::sample: slerp on quaternions; act and ref_qpos linearly), at most `max_frames`
// (<= 0: all). `reference` (may be null) replaces ref_qpos: sampled at the same times
// (clamped to its duration).
Frames export_frames(const Trajectory& t, double fps, int max_frames,
                     const motion::Clip* reference);

}  // namespace sinew::viewer
