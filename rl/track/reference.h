// SPDX-License-Identifier: Apache-2.0
// The reference trajectory a tracking environment follows, on the tracking model itself, at the
// control rate (docs/tracking.md): qpos, qvel and every body's world position and orientation by
// the tracking model's own forward kinematics.
//
// A clip is brought onto the tracking model in three steps:
//   1. a clip without coordinate names (a model clip such as walking_gait.npz) is first
//      retargeted onto its own model (`clip_model`, default models/ms_human_700.json): projected
//      onto the couplings, clamped to the limits, lifted out of the floor (rl/motion/retarget.h);
//   2. it is sampled at t_k = k * dt, cycles chained by the clip's own root displacement
//      (sample_looped), and each tracking-model coordinate is taken from the clip's coordinate of
//      the same joint name (MS-Human-700-Locomotion: the first 36 columns of the full model);
//   3. the frames are projected onto the tracking model's couplings, qvel comes from central
//      differences and body poses from forward kinematics.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "rl/motion/clip.h"

namespace sinew::track {

struct Reference {
  double dt = 0;      // seconds between frames (the control step)
  double period = 0;  // cycle period of a looping clip (s); the duration otherwise
  int nframe = 0, nq = 0, nv = 0, nbody = 0;
  std::vector<double> qpos, qvel, xpos, xquat;  // [nframe][nq], [nv], [nbody][3], [nbody][4]
  const double* qpos_at(int f) const { return qpos.data() + static_cast<size_t>(f) * nq; }
  const double* qvel_at(int f) const { return qvel.data() + static_cast<size_t>(f) * nv; }
  const double* xpos_at(int f) const { return xpos.data() + static_cast<size_t>(f) * nbody * 3; }
  const double* xquat_at(int f) const { return xquat.data() + static_cast<size_t>(f) * nbody * 4; }
};

// From a clip whose qpos_names are joint names (a clip on some model): `nframe` frames at
// k * dt on model m (steps 2 and 3 above). Throws naming a model joint the clip lacks.
Reference reference_from_model_clip(const Model& m, const motion::Clip& clip, double dt,
                                    int nframe);

// From qpos frames [nframe][m.nq] already on m (projected onto the couplings here).
Reference reference_from_qpos(const Model& m, std::vector<double> qpos, double dt, double period);

// Loads `clip_path` (any load_clip format; a clip without coordinate names is retargeted onto
// `clip_model_path`, step 1): a clip whose qpos_names are joint names.
motion::Clip load_named_clip(const std::string& clip_path, const std::string& clip_model_path);
// load_named_clip + reference_from_model_clip.
Reference load_reference(const Model& m, const std::string& clip_path,
                         const std::string& clip_model_path, double dt, int nframe);

}  // namespace sinew::track
