// SPDX-License-Identifier: Apache-2.0
// Operations on any Clip: interpolation (linear per coordinate and per point, slerp for the
// quaternions at quat_adr), resampling to a control rate, looping with root-offset accumulation,
// and heading alignment about the vertical (z) axis.
#pragma once

#include "rl/motion/clip.h"

namespace sinew::motion {

// Spherical linear interpolation along the shorter arc; t in [0, 1].
Quatd slerp(const Quatd& a, const Quatd& b, double t);

// The clip at time t (clamped to [0, duration]); any output pointer may be null:
// qpos [nq], qvel [nv], points [np][3].
void sample(const Clip& c, double t, double* qpos, double* qvel, double* points);

// Resamples to frames at k / fps, k = 0 .. floor(duration * fps). A looping clip is resampled
// over one cycle_period() instead and comes back closed: frames at k / fps < period, then one
// frame at exactly the period (a closed clip's last frame; an open clip's next-cycle first
// frame, shifted by cycle_offset()), so period and offset are kept.
Clip resample(const Clip& c, double fps);

// Length of one cycle (s): duration for a closed clip, duration + one mean frame interval
// for an open one (its frame T would be frame 0 of the next cycle).
double cycle_period(const Clip& c);
// Root displacement per cycle, horizontal (z = 0): last - first root position, plus one mean
// frame advance (last - first) / (T - 1) for an open clip. Points shift by the same amount.
// Zero when the clip has no root position.
Vec3d cycle_offset(const Clip& c);

// Like sample(), but a looping clip repeats forever (t >= 0): cycle k is shifted by k times
// cycle_offset(); an open clip interpolates from its last frame to the next cycle's first.
// Non-looping clips clamp.
void sample_looped(const Clip& c, double t, double* qpos, double* qvel, double* points);

// `cycles` copies of a looping clip back to back with accumulated root offsets (a closed clip
// shares each seam frame once). The result keeps the loop flags.
Clip repeat(const Clip& c, int cycles);

// Yaw (rad) of the root's forward axis projected on the ground plane at frame f; 0 without a
// root orientation.
double heading(const Clip& c, int frame);

// Rotates the whole clip about the vertical line through the first frame's root position so that
// heading(c, 0) == yaw: root positions, root orientations, points and the root's linear
// velocity turn; heights are unchanged. Other qvel entries are left as they are.
void align_heading(Clip& c, double yaw = 0.0);

}  // namespace sinew::motion
