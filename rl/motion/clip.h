// SPDX-License-Identifier: Apache-2.0
// Motion clips: a time series of generalized positions (qpos, optionally qvel) and key-point
// world positions, in Sinew's frame (Z up, metres, x forward, y left). Every reader (DeepMimic,
// BVH, .npz, Sinew JSON) fills a Clip; resampling, looping and heading alignment (clip_ops.h)
// work on any Clip. Source skeletons (DeepMimic, BVH) keep their joint tree for forward
// kinematics; their qpos is [root x y z, root quaternion w x y z, one quaternion per rotating
// joint] (a free root with ball joints).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "engine/core/quat.h"
#include "engine/core/vec.h"

namespace sinew::motion {

using Vec3d = Vec3<double>;
using Quatd = Quat<double>;

// Y-up source frames (DeepMimic, BVH) to Sinew's Z-up frame: the rotation of +90 degrees about x,
// so x -> x, y -> z, z -> -y (a proper rotation: right-handed frames stay right-handed). A point
// (x, y, z) becomes (x, -z, y); a rotation q becomes C q C^-1. It is the same rotation that
// MS-Human-700's pelvis body applies to its OpenSim (Y-up) frame.
Vec3d yup_to_zup(const Vec3d& p);
Quatd yup_to_zup(const Quatd& q);

// ---- source skeletons -----------------------------------------------------------------------

enum class JointType { kFree, kSpherical, kRevolute, kFixed };
const char* joint_type_name(JointType t);

// A joint of a source skeleton; frames are Z-up. The joint's frame in its parent's frame is
// translate(offset) * rest * R(q), R(q) the joint's own rotation (free root: also its position).
struct SkeletonJoint {
  std::string name;
  int parent = -1;  // index of the parent joint, -1 for the root (joint 0)
  JointType type = JointType::kSpherical;
  Vec3d offset;         // position in the parent joint's frame (m)
  Quatd rest;           // fixed rotation of the joint frame in the parent frame
  Vec3d axis{0, 0, 1};  // revolute joints: rotation axis in the joint frame (unit)
  int qpos_adr = -1;    // free: x y z at adr, quaternion at adr+3; others: quaternion; fixed: -1
};

// A body shape of a DeepMimic character (for key points and drawing); params as in the file:
// sphere: diameter; capsule: diameter, length (along the joint's local vertical), diameter;
// box: size x, y, z (source frame, metres).
struct BodyShape {
  std::string name;
  int joint = -1;
  std::string shape;  // "sphere", "capsule", "box"
  Vec3d offset;       // shape centre in the joint frame (Z-up, m)
  Quatd rest;
  std::array<double, 3> params{};
  double mass = 0;
};

// A named point fixed in a joint's frame (toes, head top, BVH end sites).
struct SkeletonSite {
  std::string name;
  int joint = -1;
  Vec3d offset;  // in the joint frame (Z-up, m)
};

struct Skeleton {
  std::vector<SkeletonJoint> joints;  // parents before children
  std::vector<BodyShape> shapes;
  std::vector<SkeletonSite> sites;
  int nq = 0;  // qpos size of a clip on this skeleton

  int find_joint(const std::string& name) const;  // -1 when absent
  // Names of the points skeleton_points() writes: joints, then sites.
  std::vector<std::string> point_names() const;
};

// Forward kinematics: world position and orientation of every joint frame for one qpos
// [nq]; pos/rot have joints.size() entries.
void skeleton_fk(const Skeleton& s, const double* qpos, Vec3d* pos, Quatd* rot);
// Joint origins then sites, world frame, as [npoint][3] doubles.
void skeleton_points(const Skeleton& s, const double* qpos, double* points);

// ---- where the root lives inside qpos ---------------------------------------------------------

// Root translation = origin + sum_k qpos[pos[k]] * pos_axis[k] (orthonormal world axes; origin is
// the root body's offset for slide roots, 0 for free roots); root orientation
// = qpos quaternion at `quat`, or hinge_frame * R(hinge_axis[0], qpos[hinge[0]]) * R(axis 1) *
// R(axis 2) for three mutually orthogonal hinges (axes in the hinge frame). -1 = absent.
struct RootLayout {
  std::array<int, 3> pos{-1, -1, -1};
  std::array<Vec3d, 3> pos_axis{Vec3d(1, 0, 0), Vec3d(0, 1, 0), Vec3d(0, 0, 1)};
  Vec3d origin;                        // world position at zero slides
  std::array<int, 3> vel{-1, -1, -1};  // qvel indices of the linear velocity along pos_axis
  int quat = -1;
  std::array<int, 3> hinge{-1, -1, -1};
  std::array<Vec3d, 3> hinge_axis{Vec3d(1, 0, 0), Vec3d(0, 1, 0), Vec3d(0, 0, 1)};
  Quatd hinge_frame;
  Vec3d forward{1, 0, 0};  // the root body's forward direction in its own frame (heading)

  bool has_pos() const { return pos[0] >= 0 || pos[1] >= 0 || pos[2] >= 0; }
  bool has_rot() const { return quat >= 0 || hinge[0] >= 0; }
};

// A free joint: x y z at qpos_adr, quaternion at qpos_adr+3, linear velocity at qvel_adr.
RootLayout free_root_layout(int qpos_adr = 0, int qvel_adr = -1);
// MS-Human-700's pelvis (qpos 0..5 = pelvis_tz, pelvis_ty, pelvis_tx, pelvis_tilt, pelvis_list,
// pelvis_rotation; the pelvis body frame is +90 deg about x at (0, 0, 0.95), forward = body x),
// as models/ms_human_700.json defines it; qvel uses the same indices.
RootLayout ms_human_700_root_layout();

Vec3d root_position(const RootLayout& r, const double* qpos);
void set_root_position(const RootLayout& r, double* qpos, const Vec3d& p);
Quatd root_orientation(const RootLayout& r, const double* qpos);
// Hinge roots: angles are kept within pi of their previous values (no 2 pi jumps).
void set_root_orientation(const RootLayout& r, double* qpos, const Quatd& q);

// ---- the clip ---------------------------------------------------------------------------------

struct Clip {
  std::string source;        // file it came from (messages)
  std::string model;         // model file whose qpos this is ("" for source skeletons)
  std::string model_root;    // "free": on that model with its root replaced (with_free_root)
  std::vector<double> time;  // [T] seconds, time[0] = 0, strictly increasing
  bool loop = false;         // the clip is a cycle
  bool closed = false;       // last frame ends the cycle (pose ~ first; DeepMimic); else the
                             // cycle is T frames long and the last frame precedes the first
  std::vector<std::string> qpos_names;  // [nq]
  std::vector<double> qpos;             // [T][nq]
  std::vector<int> quat_adr;            // qpos indices where a unit quaternion (w x y z) starts
  RootLayout root;
  std::vector<std::string> qvel_names;   // [nv], may be empty
  std::vector<double> qvel;              // [T][nv]
  std::vector<std::string> point_names;  // [np]
  std::vector<double> points;            // [T][np][3] world positions (Z up, m)
  Skeleton skeleton;                     // source skeleton (DeepMimic, BVH); else empty

  int nframe() const { return static_cast<int>(time.size()); }
  int nq() const { return static_cast<int>(qpos_names.size()); }
  int nv() const { return static_cast<int>(qvel_names.size()); }
  int npoint() const { return static_cast<int>(point_names.size()); }
  double duration() const { return time.empty() ? 0.0 : time.back(); }
  double fps() const;  // (T-1) / duration; 0 for a single frame
  const double* qpos_at(int f) const { return qpos.data() + static_cast<size_t>(f) * nq(); }
  double* qpos_at(int f) { return qpos.data() + static_cast<size_t>(f) * nq(); }
  const double* point_at(int f, int p) const {
    return points.data() + (static_cast<size_t>(f) * npoint() + p) * 3;
  }
  // Throws std::runtime_error "<source>: ..." when sizes or times are inconsistent.
  void validate() const;
};

// Recomputes `points` from `skeleton` and `qpos` (skeletal clips).
void compute_skeleton_points(Clip& c);
// Names the qpos of a skeletal clip ("<joint>_x/_y/_z" for the free root, "<joint>_qw/_qx/_qy/_qz"
// for every quaternion), lists the quaternions in quat_adr and sets a free root layout.
void name_skeleton_qpos(Clip& c);

}  // namespace sinew::motion
