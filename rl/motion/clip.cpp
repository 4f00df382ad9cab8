// SPDX-License-Identifier: Apache-2.0
#include "rl/motion/clip.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sinew::motion {

namespace {
const Quatd kC(std::sqrt(0.5), std::sqrt(0.5), 0, 0);  // +90 deg about x
}  // namespace

Vec3d yup_to_zup(const Vec3d& p) { return Vec3d(p.x, -p.z, p.y); }
Quatd yup_to_zup(const Quatd& q) { return kC * q * conj(kC); }

const char* joint_type_name(JointType t) {
  switch (t) {
    case JointType::kFree:
      return "free";
    case JointType::kSpherical:
      return "spherical";
    case JointType::kRevolute:
      return "revolute";
    case JointType::kFixed:
      return "fixed";
  }
  return "?";
}

int Skeleton::find_joint(const std::string& name) const {
  for (size_t i = 0; i < joints.size(); ++i)
    if (joints[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> Skeleton::point_names() const {
  std::vector<std::string> n;
  for (const SkeletonJoint& j : joints) n.push_back(j.name);
  for (const SkeletonSite& s : sites) n.push_back(s.name);
  return n;
}

void skeleton_fk(const Skeleton& s, const double* qpos, Vec3d* pos, Quatd* rot) {
  for (size_t i = 0; i < s.joints.size(); ++i) {
    const SkeletonJoint& j = s.joints[i];
    Vec3d p = j.offset;
    Quatd r = j.rest;
    if (j.parent >= 0) {
      p = pos[j.parent] + rotate(rot[j.parent], j.offset);
      r = rot[j.parent] * j.rest;
    }
    if (j.type == JointType::kFree) {
      p = p + rotate(r, Vec3d::load(qpos + j.qpos_adr));
      r = r * quat_normalized(Quatd::load(qpos + j.qpos_adr + 3));
    } else if (j.type != JointType::kFixed) {
      r = r * quat_normalized(Quatd::load(qpos + j.qpos_adr));
    }
    pos[i] = p;
    rot[i] = r;
  }
}

void skeleton_points(const Skeleton& s, const double* qpos, double* points) {
  std::vector<Vec3d> pos(s.joints.size());
  std::vector<Quatd> rot(s.joints.size());
  skeleton_fk(s, qpos, pos.data(), rot.data());
  size_t k = 0;
  for (const Vec3d& p : pos) p.store(points + 3 * k++);
  for (const SkeletonSite& site : s.sites) {
    Vec3d p = pos[site.joint] + rotate(rot[site.joint], site.offset);
    p.store(points + 3 * k++);
  }
}

void compute_skeleton_points(Clip& c) {
  c.point_names = c.skeleton.point_names();
  c.points.assign(static_cast<size_t>(c.nframe()) * c.npoint() * 3, 0.0);
  for (int f = 0; f < c.nframe(); ++f)
    skeleton_points(c.skeleton, c.qpos_at(f),
                    c.points.data() + static_cast<size_t>(f) * c.npoint() * 3);
}

void name_skeleton_qpos(Clip& c) {
  static const char* kQ[] = {"_qw", "_qx", "_qy", "_qz"};
  static const char* kP[] = {"_x", "_y", "_z"};
  c.qpos_names.assign(c.skeleton.nq, "");
  c.quat_adr.clear();
  for (const SkeletonJoint& j : c.skeleton.joints) {
    if (j.qpos_adr < 0) continue;
    int a = j.qpos_adr;
    if (j.type == JointType::kFree) {
      for (int k = 0; k < 3; ++k) c.qpos_names[a + k] = j.name + kP[k];
      c.root = free_root_layout(a);
      a += 3;
    }
    for (int k = 0; k < 4; ++k) c.qpos_names[a + k] = j.name + kQ[k];
    c.quat_adr.push_back(a);
  }
}

RootLayout free_root_layout(int qpos_adr, int qvel_adr) {
  RootLayout r;
  for (int k = 0; k < 3; ++k) {
    r.pos[k] = qpos_adr + k;
    r.vel[k] = qvel_adr >= 0 ? qvel_adr + k : -1;
  }
  r.quat = qpos_adr + 3;
  return r;
}

RootLayout ms_human_700_root_layout() {
  // Slides tz, ty, tx along the pelvis frame's z, y, x = world -y, z, x; hinges tilt (z),
  // list (x), rotation (y) in the pelvis frame (quat [0.7071 0.7071 0 0] in the model).
  RootLayout r;
  r.pos = {0, 1, 2};
  r.vel = {0, 1, 2};
  r.pos_axis = {Vec3d(0, -1, 0), Vec3d(0, 0, 1), Vec3d(1, 0, 0)};
  r.hinge = {3, 4, 5};
  r.hinge_axis = {Vec3d(0, 0, 1), Vec3d(1, 0, 0), Vec3d(0, 1, 0)};
  r.hinge_frame = kC;
  r.origin = Vec3d(0, 0, 0.95);
  r.forward = Vec3d(1, 0, 0);
  return r;
}

Vec3d root_position(const RootLayout& r, const double* qpos) {
  Vec3d p = r.origin;
  for (int k = 0; k < 3; ++k)
    if (r.pos[k] >= 0) p += r.pos_axis[k] * qpos[r.pos[k]];
  return p;
}

void set_root_position(const RootLayout& r, double* qpos, const Vec3d& p) {
  for (int k = 0; k < 3; ++k)
    if (r.pos[k] >= 0) qpos[r.pos[k]] = dot(p - r.origin, r.pos_axis[k]);
}

Quatd root_orientation(const RootLayout& r, const double* qpos) {
  if (r.quat >= 0) return quat_normalized(Quatd::load(qpos + r.quat));
  Quatd q = r.hinge_frame;
  for (int k = 0; k < 3; ++k)
    if (r.hinge[k] >= 0) q = q * quat_axis_angle(r.hinge_axis[k], qpos[r.hinge[k]]);
  return q;
}

namespace {

// Angles (a, b, c) with M = R(a_axis, a) R(b_axis, b) R(c_axis, c) for orthonormal axes: the
// X-Y-Z Tait-Bryan decomposition in the frame (a, b, a x b); a left-handed triple flips c.
std::array<double, 3> decompose3(const Quatd& m, const std::array<Vec3d, 3>& ax) {
  Vec3d a = ax[0], b = ax[1];
  double s = dot(cross(a, b), ax[2]) < 0 ? -1.0 : 1.0;
  Vec3d c = cross(a, b);
  auto e = [&](const Vec3d& u, const Vec3d& v) { return dot(u, rotate(m, v)); };
  double sb = std::clamp(e(a, c), -1.0, 1.0);
  double alpha = std::atan2(-e(b, c), e(c, c));
  double gamma = std::atan2(-e(a, b), e(a, a));
  return {alpha, std::asin(sb), s * gamma};
}

}  // namespace

void set_root_orientation(const RootLayout& r, double* qpos, const Quatd& q) {
  if (r.quat >= 0) {
    quat_normalized(q).store(qpos + r.quat);
    return;
  }
  if (r.hinge[0] < 0 || r.hinge[1] < 0 || r.hinge[2] < 0) return;
  std::array<double, 3> ang = decompose3(conj(r.hinge_frame) * q, r.hinge_axis);
  for (int k = 0; k < 3; ++k) {
    double prev = qpos[r.hinge[k]];
    double v = ang[k];
    v += 2 * M_PI * std::round((prev - v) / (2 * M_PI));
    qpos[r.hinge[k]] = v;
  }
}

double Clip::fps() const {
  if (time.size() < 2 || duration() <= 0) return 0.0;
  return static_cast<double>(time.size() - 1) / duration();
}

void Clip::validate() const {
  auto fail = [&](const std::string& what) { throw std::runtime_error(source + ": " + what); };
  size_t T = time.size();
  if (T == 0) fail("clip has no frames");
  if (time[0] != 0.0) fail("first frame time is not 0");
  for (size_t i = 1; i < T; ++i)
    if (!(time[i] > time[i - 1]))
      fail("frame times are not increasing at frame " + std::to_string(i));
  if (qpos.size() != T * qpos_names.size()) fail("qpos size does not match frames x names");
  if (qvel.size() != T * qvel_names.size()) fail("qvel size does not match frames x names");
  if (points.size() != T * point_names.size() * 3)
    fail("points size does not match frames x names x 3");
  for (int a : quat_adr)
    if (a < 0 || a + 4 > nq()) fail("quaternion address " + std::to_string(a) + " outside qpos");
  for (int k = 0; k < 3; ++k) {
    if (root.pos[k] >= nq() || root.hinge[k] >= nq()) fail("root layout index outside qpos");
    if (root.vel[k] >= nv() && root.vel[k] >= 0 && nv() > 0)
      fail("root velocity index outside qvel");
  }
  if (root.quat + 4 > nq() && root.quat >= 0) fail("root quaternion index outside qpos");
  if (!skeleton.joints.empty() && skeleton.nq != nq()) fail("skeleton qpos size differs from clip");
}

}  // namespace sinew::motion
