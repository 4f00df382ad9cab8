// SPDX-License-Identifier: Apache-2.0
// Clip files: the Sinew clip format (JSON, docs/clip-format.md) reader and writer, .npz qpos
// trajectories (MyoSuite / MS-Human-700 style), and load_clip() choosing a reader by extension.
#pragma once

#include <string>

#include "rl/motion/bvh.h"
#include "rl/motion/clip.h"

namespace sinew::motion {

// Sinew clip JSON ("format": "sinew-clip", "version": 1).
void write_sinew_clip(const Clip& c, const std::string& path);
std::string sinew_clip_to_json(const Clip& c);
Clip read_sinew_clip(const std::string& path);
Clip parse_sinew_clip(const std::string& text, const std::string& where);

// Which entries of an .npz hold the trajectory.
struct NpzClipOptions {
  std::string qpos_key = "qpos_traj";    // [T][nq]
  std::string fps_key = "framerate";     // scalar (Hz)
  std::string points_key = "xpos_traj";  // [T][nbody][3] body positions; skipped when absent
  bool loop = true;                      // an open cycle (frame T would equal frame 0)
  RootLayout root = ms_human_700_root_layout();
  std::vector<std::string> qpos_names;  // optional [nq]; default "q0", "q1", ...
};

// Reads a qpos trajectory from an .npz (pickled entries are skipped, never read).
Clip read_npz_clip(const std::string& path, const NpzClipOptions& opt = {});

struct LoadClipOptions {
  std::string deepmimic_character;  // default: <motion dir>/../characters/humanoid3d.txt
  BvhOptions bvh;
  NpzClipOptions npz;
};

// .json -> Sinew clip, .bvh -> BVH, .npz -> qpos trajectory, .txt -> DeepMimic motion.
Clip load_clip(const std::string& path, const LoadClipOptions& opt = {});

}  // namespace sinew::motion
