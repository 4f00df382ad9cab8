// SPDX-License-Identifier: Apache-2.0
// BVH motion capture files (Biovision Hierarchy): HIERARCHY with ROOT / JOINT / End Site,
// OFFSET, CHANNELS in any order; MOTION with Frames and Frame Time. A joint's rotation is the
// product of its rotation channels in the order listed (intrinsic rotations, degrees), its
// frame in the parent is translate(OFFSET [+ position channels]) * rotation. Only the root may
// have position channels. Units are scaled to metres and Y-up is converted to Z-up (clip.h).
#pragma once

#include <string>

#include "rl/motion/clip.h"

namespace sinew::motion {

// CMU mocap BVH conversions: metres per BVH unit (1 unit = 1/0.45 inch * 0.0254 m).
constexpr double kCmuBvhUnit = 0.056444;

struct BvhOptions {
  double scale = 1.0;  // metres per file unit (kCmuBvhUnit for CMU files)
  bool y_up = true;    // the file is Y-up (almost all BVH); false: already Z-up
};

// Reads a BVH file into a skeletal clip: joints (rotation-less joints become fixed), End Sites
// as sites "<joint>_end", qpos = [root position, root quaternion, one quaternion per rotating
// joint], points = world joint positions then end sites. Throws naming the file and the line.
Clip read_bvh(const std::string& path, const BvhOptions& opt = {});
// Same from text; `where` names it in messages.
Clip parse_bvh(const std::string& text, const std::string& where, const BvhOptions& opt = {});

}  // namespace sinew::motion
