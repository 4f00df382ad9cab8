// SPDX-License-Identifier: Apache-2.0
// DeepMimic clips (Peng et al. 2018, github.com/xbpeng/DeepMimic data/): a character file (JSON
// "Skeleton": joints with parents, attach offsets and types; "BodyDefs": body shapes) and motion
// files (JSON "Loop", "Frames"; a frame = duration, root position (Y up, m), root quaternion
// (w x y z), then per joint in ID order a quaternion (spherical), one angle (revolute, about the
// joint frame's z axis) or nothing (fixed)). Everything is converted to Z-up (clip.h).
#pragma once

#include <string>

#include "rl/motion/clip.h"

namespace sinew::motion {

// Reads the character: joint tree (root "none" -> kFree), offsets, types, body shapes; adds the
// key points the skeleton lacks as sites: "head_top" (top of the neck joint's sphere) and, for
// every box (foot) shape, "<joint>_toe" / "<joint>_heel" (front / back of its sole).
Skeleton read_deepmimic_character(const std::string& path);

// Number of values in one motion frame for this character (1 + 7 + per-joint values).
int deepmimic_frame_size(const Skeleton& character);

// Reads a motion on `character`: qpos per frame (root position, normalised root quaternion, one
// unit quaternion per spherical or revolute joint), times from the frame durations, loop =
// ("Loop" == "wrap", closed cycle), points = forward kinematics (joints, then sites).
Clip read_deepmimic_motion(const std::string& path, const Skeleton& character);

}  // namespace sinew::motion
