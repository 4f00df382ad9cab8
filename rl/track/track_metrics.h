// SPDX-License-Identifier: Apache-2.0
// Tracking errors of a simulated state against a reference frame (docs/metrics.md): mean
// absolute joint-angle error over the model's independent hinges (not root joints, not joints a
// coupling drives), mean per-body position error (global and relative to the root body), root
// position error and root orientation error (the angle of conj(q_ref) * q, from quaternions).
#pragma once

#include <vector>

#include "engine/model.h"

namespace sinew::track {

// What the errors are measured over.
struct TrackSelection {
  int root_body = 1;            // body whose position / orientation is "the root"
  std::vector<int> hinge_qpos;  // qpos addresses of the independent hinges
  std::vector<int> hinge_dof;   // their qvel addresses
  std::vector<int> bodies;      // tracked bodies (the root body included)
};

// Hinge joints of non-root bodies that no active coupling drives (joint ids).
std::vector<int> independent_hinges(const Model& m, int root_body);
// Bodies that carry at least one joint (the root body first when it does).
std::vector<int> jointed_bodies(const Model& m);
// The default selection: root = the first body with joints, independent hinges, jointed bodies.
TrackSelection default_selection(const Model& m);

// Rotation angle (rad, in [0, pi]) between two unit quaternions [w x y z]: 2 atan2(|v|, |w|) of
// conj(a) * b, so q and -q give 0.
double quat_angle(const double* a, const double* b);

// Errors of one frame; angles in degrees, lengths in millimetres except body_mean_m.
struct FrameErrors {
  double joint_deg = 0;    // mean |q - q_ref| over the independent hinges
  double body_mm = 0;      // mean |x_b - x_ref_b| over the tracked bodies
  double body_rel_mm = 0;  // mean |(x_b - x_root) - (x_ref_b - x_ref_root)|, root excluded
  double root_mm = 0;      // |x_root - x_ref_root|
  double root_deg = 0;     // quat_angle(xquat_ref_root, xquat_root)
  double body_mean_m() const { return body_mm * 1e-3; }
};

// qpos [nq], xpos [nbody][3], xquat [nbody][4] of the simulation and of the reference.
FrameErrors frame_errors(const TrackSelection& s, const double* qpos, const double* xpos,
                         const double* xquat, const double* ref_qpos, const double* ref_xpos,
                         const double* ref_xquat);

// Means of the frame errors over an episode, and the fraction of the clip tracked.
struct EpisodeMetrics {
  int steps = 0;          // actions taken
  int episode_steps = 0;  // the episode's length when tracked to the end
  bool terminated = false;
  FrameErrors sum;  // sums over the steps
  void add(const FrameErrors& e);
  FrameErrors mean() const;
  double fraction_tracked() const {
    return episode_steps > 0 ? double(steps) / episode_steps : 0.0;
  }
};

}  // namespace sinew::track
