// SPDX-License-Identifier: Apache-2.0
// Retargeting motion clips onto a Sinew model (docs/retargeting.md).
//   skeletal clips (DeepMimic, BVH): source forward kinematics -> key points -> the target's
//     segment lengths (each target segment is the target's own rest vector turned by the
//     rotation of the source frame that carries it) -> per-frame IK (rl/motion/retarget_ik.h)
//   model clips (the model's own qpos, e.g. walking_gait.npz): projected onto the couplings,
//     clamped to the limits, lifted out of the floor, body positions recomputed by the model's
//     forward kinematics
// Both write a clip on the target model: qpos, qvel (finite differences) and every body's
// position, resampled to the control rate and, for cycles, chained by their own displacement.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "rl/motion/clip.h"
#include "rl/motion/retarget_ik.h"

namespace sinew::motion {

// Where a key point sits on its target body, found from the model at qpos0.
enum class KeyPointRule {
  kOrigin,       // the body origin (joint centres)
  kChildCentre,  // mean origin of the child bodies that carry this key point's children (pelvis:
                 // midway between the hip centres)
  kTop,          // the highest point of the body's collision geometry (head top)
  kFrontSole,    // bottom of the front-most collision sphere (toe tip)
  kBackSole,     // bottom of the back-most collision sphere (heel)
};

// One key point of a source-to-target correspondence.
struct KeyPointSpec {
  std::string name;       // "pelvis", "knee_r", ...
  std::string parent;     // parent key point ("" for the root key point, which comes first)
  std::string src_point;  // point of the source skeleton (joint or site name)
  std::string src_frame;  // source joint whose frame carries the segment parent -> this point
  std::string body;       // target body
  KeyPointRule rule = KeyPointRule::kOrigin;
  double weight = 1;
  // optional: the segment turns with slerp(R(src_frame), R(src_frame_to), blend) instead, for a
  // target that bends over several joints where the source has one (the spine)
  std::string src_frame_to;
  double blend = 0;
};

// DeepMimic humanoid3d -> MS-Human-700 (full model): pelvis, pelvis_front, spine, neck, head, and
// per side hip, knee, ankle, heel, toe, shoulder, elbow, wrist (21 key points). The toes, heels and
// head top come from humanoid3d's body shapes (sites of read_deepmimic_character).
std::vector<KeyPointSpec> humanoid3d_to_ms_human_700();

// CMU-style BVH skeleton (Hips, Spine, Spine1, Neck, Head, Left/Right UpLeg, Leg, Foot, ToeBase,
// Arm, ForeArm, Hand, End Sites) -> MS-Human-700: pelvis, pelvis_front, spine, neck, head top, and
// per side hip, knee, ankle, toe tip, shoulder, elbow, wrist (19 key points; BVH has no heel).
// Most BVH rest poses are T-poses facing another way than the target, so this map is resolved
// with align_rest (below).
std::vector<KeyPointSpec> cmu_bvh_to_ms_human_700();
// Whether `src` looks like a CMU-style BVH skeleton (joints Hips, LeftUpLeg, RightUpLeg).
bool is_cmu_skeleton(const Skeleton& src);

// A correspondence resolved on a source skeleton and a target model.
struct KeyPointMap {
  std::vector<KeyPointSpec> spec;
  std::vector<int> parent;         // key point index, -1 for the root key point
  std::vector<int> src_point;      // index into the skeleton's points (joints, then sites)
  std::vector<int> src_frame;      // source joint index
  std::vector<int> src_frame_to;   // source joint index blended towards (-1: none)
  std::vector<BodyPoint> target;   // carriers on the target model
  std::vector<Vec3d> rest_offset;  // target vector parent -> key point at qpos0 (world, m)
  double scale = 1;  // target / source height of the root key point above the soles, at rest
  // align_rest: the turn about z from the target's rest facing to the source's (hip line)
  Quatd rest_yaw;
};

// Resolves names and rules; throws naming the missing joint, site, body or key point.
// align_rest: the source's rest pose (every joint rotation at identity) may differ from the
// target's (a T-pose; another facing): each target rest segment is turned onto the direction of
// the source's rest segment (the shortest rotation), and a segment of zero source length by the
// facing difference rest_yaw, so that the source's rotations away from its own rest pose carry
// the target's segments.
KeyPointMap resolve_key_points(const std::vector<KeyPointSpec>& spec, const Skeleton& src,
                               const Model& target, bool align_rest = false);

// Target positions [nkey][3] for one source pose qpos [src.nq]: the root key point is the source
// root point times `scale` (floor at z = 0); every other key point is its parent's target plus
// its rest_offset turned by the world rotation of its source frame (or the blend of two frames;
// the source's rest pose has every joint rotation at identity, standing, facing +x, like the
// target at qpos0).
void key_point_targets(const KeyPointMap& map, const Skeleton& src, const double* src_qpos,
                       double* targets);

// The model with its root body's joints (MS-Human-700: 3 slides + 3 hinges) replaced by one free
// joint named "<body>_free" at the same rest pose; keyframe qpos are dropped. Needed for
// acrobatics: the tilt-list-rotation hinge sequence is singular at list = +-90 deg.
Model with_free_root(const Model& m);
// with_free_root appends this to the model's source; strips it (returning true) when present.
constexpr const char* kFreeRootSourceSuffix = " (free root)";
bool strip_free_root_suffix(std::string& source);

// The root layout of a model whose first body carries a free joint or three orthogonal slides
// followed by three orthogonal hinges; throws otherwise.
RootLayout model_root_layout(const Model& m);
// The root position axes k (0..2) that are horizontal in the world (|z component| < 0.5; a
// root slide is either horizontal or vertical in practice).
std::vector<int> horizontal_position_axes(const RootLayout& r);
// Whether m's first body hangs from the world by a free joint or 3 slides + 3 hinges (the layouts
// model_root_layout describes); false for fixed-base models such as arm26.
bool has_floating_root(const Model& m);

struct RetargetOptions {
  double fps = 30;         // output frame rate (Hz); <= 0 keeps the source's
  bool free_root = false;  // output on with_free_root(model)
  int cycles = 1;          // looping clips: cycles chained back to back
  IkOptions ik;
  bool clamp_model_clips = true;  // model clips: clamp to limits (then re-project couplings)
  bool lift_model_clips = true;   // model clips: raise the root out of the floor, per frame
};

struct KeyPointResidual {
  std::string name;
  double mean_mm = 0, max_mm = 0;
};

struct RetargetReport {
  std::vector<KeyPointResidual> key_points;  // skeletal clips only
  // key points left out because their body cannot move relative to the root key point's body on
  // this model (MS-Human-700-Locomotion's welded trunk, head and arms)
  std::vector<std::string> skipped_key_points;
  double mean_residual_mm = 0;         // over key points and frames
  double max_floor_penetration_m = 0;  // collision geometry below z = 0
  double max_limit_violation = 0;      // rad or m, limited joints
  std::string worst_limit_joint;
  double max_coupling_residual = 0;      // after projection
  double input_coupling_residual = 0;    // model clips: before projection
  double input_limit_violation = 0;      // model clips: before clamping
  double input_floor_penetration_m = 0;  // model clips: before lifting
  int ik_iterations = 0;                 // total
  double seconds = 0;
};

// Retargets `src` onto `model` (loaded from `model_path`, recorded in the clip). The result is on
// `model`, or on with_free_root(model) when opt.free_root (clip.model_root = "free"). A model clip
// with named coordinates of another model (a clip retargeted onto MS-Human-700, used on its
// Locomotion variant) contributes the target's coordinates by joint name (select_coordinates).
Clip retarget(const Clip& src, const Model& model, const std::string& model_path,
              const RetargetOptions& opt, RetargetReport* report = nullptr);

// The coordinates of m taken by name from a clip with named coordinates (qpos only: qvel and
// points are recomputed by retarget); throws naming the coordinates of m the clip lacks.
Clip select_coordinates(const Clip& c, const Model& m);

// A clip on `m` from its qpos frames [T][nq] and times: qpos names, root layout, qvel by central
// differences (one-sided at the ends; unlimited hinges wrap) and every body's position by
// forward kinematics. A model without a floating root (arm26) gets an empty root layout.
Clip model_clip(const Model& m, std::vector<double> qpos, std::vector<double> time, bool loop,
                bool closed);

}  // namespace sinew::motion
