// SPDX-License-Identifier: Apache-2.0
// Key-point correspondences (source skeleton -> target model), their resolution on a model at
// qpos0, the scaled per-frame targets, and the model root helpers (free root, root layout).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/data.h"
#include "engine/kinematics.h"
#include "engine/model_io.h"
#include "rl/motion/clip_ops.h"
#include "rl/motion/retarget.h"

namespace sinew::motion {

namespace {

KeyPointSpec key(std::string name, std::string parent, std::string src_point, std::string src_frame,
                 std::string body, KeyPointRule rule = KeyPointRule::kOrigin) {
  KeyPointSpec k;
  k.name = std::move(name);
  k.parent = std::move(parent);
  k.src_point = std::move(src_point);
  k.src_frame = std::move(src_frame);
  k.body = std::move(body);
  k.rule = rule;
  return k;
}

}  // namespace

std::vector<KeyPointSpec> humanoid3d_to_ms_human_700() {
  using R = KeyPointRule;
  std::vector<KeyPointSpec> s = {
      key("pelvis", "", "root", "root", "pelvis", R::kChildCentre),
      // the pelvis origin (between the anterior superior iliac spines): with the hips alone the
      // pelvis could pitch freely about the line through them
      key("pelvis_front", "pelvis", "root", "root", "pelvis"),
      key("spine", "pelvis", "chest", "root", "thoracic12"),
      key("neck", "spine", "neck", "chest", "head_neck"),
      key("head", "neck", "head_top", "neck", "head_neck", R::kTop),
  };
  // humanoid3d bends its trunk at one joint (chest), MS-Human-700 at two (L5/S1 below T12,
  // T12/L1): the pelvis -> T12 segment takes half of the chest's rotation
  s[2].src_frame_to = "chest";
  s[2].blend = 0.5;
  for (const char* side : {"r", "l"}) {
    const std::string src = side[0] == 'r' ? "right_" : "left_";
    const std::string x = std::string("_") + side;
    const std::vector<KeyPointSpec> limb = {
        key("hip" + x, "pelvis", src + "hip", "root", "femur" + x),
        key("knee" + x, "hip" + x, src + "knee", src + "hip", "tibia" + x),
        key("ankle" + x, "knee" + x, src + "ankle", src + "knee", "talus" + x),
        key("heel" + x, "ankle" + x, src + "ankle_heel", src + "ankle", "calcn" + x, R::kBackSole),
        key("toe" + x, "ankle" + x, src + "ankle_toe", src + "ankle", "toes" + x, R::kFrontSole),
        key("shoulder" + x, "spine", src + "shoulder", "chest", "humerus" + x),
        key("elbow" + x, "shoulder" + x, src + "elbow", src + "shoulder", "ulna" + x),
        key("wrist" + x, "elbow" + x, src + "wrist", src + "elbow", "proximal_row" + x),
    };
    s.insert(s.end(), limb.begin(), limb.end());
  }
  return s;
}

std::vector<KeyPointSpec> cmu_bvh_to_ms_human_700() {
  using R = KeyPointRule;
  std::vector<KeyPointSpec> s = {
      key("pelvis", "", "Hips", "Hips", "pelvis", R::kChildCentre),
      key("pelvis_front", "pelvis", "Hips", "Hips", "pelvis"),
      key("spine", "pelvis", "Spine1", "Hips", "thoracic12"),
      key("neck", "spine", "Neck", "Spine1", "head_neck"),
      key("head", "neck", "Head_end", "Head", "head_neck", R::kTop),
  };
  s[2].src_frame_to = "Spine";  // L5/S1 and T12/L1 share the lower back's bend
  s[2].blend = 0.5;
  for (const char* side : {"r", "l"}) {
    const std::string src = side[0] == 'r' ? "Right" : "Left";
    const std::string x = std::string("_") + side;
    const std::vector<KeyPointSpec> limb = {
        key("hip" + x, "pelvis", src + "UpLeg", "Hips", "femur" + x),
        key("knee" + x, "hip" + x, src + "Leg", src + "UpLeg", "tibia" + x),
        key("ankle" + x, "knee" + x, src + "Foot", src + "Leg", "talus" + x),
        key("toe" + x, "ankle" + x, src + "ToeBase_end", src + "Foot", "toes" + x, R::kFrontSole),
        key("shoulder" + x, "spine", src + "Arm", "Spine1", "humerus" + x),
        key("elbow" + x, "shoulder" + x, src + "ForeArm", src + "Arm", "ulna" + x),
        key("wrist" + x, "elbow" + x, src + "Hand", src + "ForeArm", "proximal_row" + x),
    };
    s.insert(s.end(), limb.begin(), limb.end());
  }
  return s;
}

bool is_cmu_skeleton(const Skeleton& src) {
  return src.find_joint("Hips") >= 0 && src.find_joint("LeftUpLeg") >= 0 &&
         src.find_joint("RightUpLeg") >= 0;
}

namespace {

int find_name(const std::vector<std::string>& names, const std::string& n) {
  auto it = std::find(names.begin(), names.end(), n);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// World positions of the model at qpos0 (kinematics only).
struct RestPose {
  Data<double> data;
  WorldData<double> d;
  explicit RestPose(const Model& m) : data(m, 1), d(data.world(0)) {
    std::copy(m.qpos0.begin(), m.qpos0.end(), d.qpos);
    kinematics(m.view(), d);
  }
  Vec3d pos(int b) const { return Vec3d::load(d.xpos + 3 * b); }
  Mat3<double> rot(int b) const { return Mat3<double>::load(d.xmat + 9 * b); }
  Vec3d world(const CollisionPoint& c) const { return pos(c.body) + rot(c.body) * c.local; }
  Vec3d local(int b, const Vec3d& w) const { return rot(b).tmul(w - pos(b)); }
};

// The key point's position on its body (body frame) by its rule.
Vec3d locate(const KeyPointSpec& k, int body, const std::vector<KeyPointSpec>& all, const Model& m,
             const RestPose& rest, const std::vector<CollisionPoint>& geo) {
  if (k.rule == KeyPointRule::kOrigin) return Vec3d();
  if (k.rule == KeyPointRule::kChildCentre) {
    Vec3d sum;
    int n = 0;
    for (const KeyPointSpec& c : all) {
      const int cb = find_name(m.body_name, c.body);
      if (c.parent == k.name && cb > 0 && m.body_parent[cb] == body) sum += rest.pos(cb), ++n;
    }
    if (n == 0) throw std::runtime_error("key point '" + k.name + "': no child body to centre on");
    return rest.local(body, sum / double(n));
  }
  const CollisionPoint* best = nullptr;
  double best_v = 0;
  for (const CollisionPoint& c : geo) {
    if (c.body != body) continue;
    const Vec3d w = rest.world(c);
    const double v = k.rule == KeyPointRule::kTop         ? w.z + c.radius
                     : k.rule == KeyPointRule::kFrontSole ? w.x
                                                          : -w.x;
    if (!best || v > best_v) best = &c, best_v = v;
  }
  if (!best)
    throw std::runtime_error("key point '" + k.name + "': body '" + k.body +
                             "' has no collision geometry");
  const Vec3d w = rest.world(*best);
  const double dz = k.rule == KeyPointRule::kTop ? best->radius : -best->radius;
  return rest.local(body, w + Vec3d(0, 0, dz));
}

}  // namespace

KeyPointMap resolve_key_points(const std::vector<KeyPointSpec>& spec, const Skeleton& src,
                               const Model& m, bool align_rest) {
  KeyPointMap map;
  map.spec = spec;
  const std::vector<std::string> src_names = src.point_names();
  const RestPose rest(m);
  const std::vector<CollisionPoint> geo = collision_points(m);
  std::vector<Vec3d> rest_world;
  for (size_t i = 0; i < spec.size(); ++i) {
    const KeyPointSpec& k = spec[i];
    const int par = k.parent.empty() ? -1
                                     : find_name(
                                           [&] {
                                             std::vector<std::string> n;
                                             for (size_t j = 0; j < i; ++j)
                                               n.push_back(spec[j].name);
                                             return n;
                                           }(),
                                           k.parent);
    if ((i == 0) != k.parent.empty() || (i > 0 && par < 0))
      throw std::runtime_error("key point '" + k.name + "': parent '" + k.parent +
                               "' must be an earlier key point (only the first has none)");
    const int sp = find_name(src_names, k.src_point), sf = src.find_joint(k.src_frame);
    const int body = find_name(m.body_name, k.body);
    if (sp < 0)
      throw std::runtime_error("key point '" + k.name + "': source has no point '" + k.src_point +
                               "'");
    if (sf < 0)
      throw std::runtime_error("key point '" + k.name + "': source has no joint '" + k.src_frame +
                               "'");
    if (body <= 0)
      throw std::runtime_error("key point '" + k.name + "': model has no body '" + k.body + "'");
    const Vec3d local = locate(k, body, spec, m, rest, geo);
    map.parent.push_back(par);
    map.src_point.push_back(sp);
    map.src_frame.push_back(sf);
    const int st = k.src_frame_to.empty() ? -1 : src.find_joint(k.src_frame_to);
    if (!k.src_frame_to.empty() && st < 0)
      throw std::runtime_error("key point '" + k.name + "': source has no joint '" +
                               k.src_frame_to + "'");
    map.src_frame_to.push_back(st);
    map.target.push_back({k.name, body, local});
    rest_world.push_back(rest.pos(body) + rest.rot(body) * local);
    map.rest_offset.push_back(par < 0 ? rest_world.back() : rest_world.back() - rest_world[par]);
  }
  // heights of the root key point above the soles, at rest: target at qpos0, source at identity
  double target_floor = 1e9;
  for (const CollisionPoint& c : geo)
    target_floor = std::min(target_floor, rest.world(c).z - c.radius);
  std::vector<double> q(src.nq, 0.0), pts(3 * src_names.size());
  for (const SkeletonJoint& j : src.joints)
    if (j.qpos_adr >= 0) q[j.qpos_adr + (j.type == JointType::kFree ? 3 : 0)] = 1.0;
  skeleton_points(src, q.data(), pts.data());
  double src_floor = 1e9;
  for (size_t p = 0; p < src_names.size(); ++p) src_floor = std::min(src_floor, pts[3 * p + 2]);
  const double src_h = pts[3 * map.src_point[0] + 2] - src_floor;
  const double dst_h = rest_world[0].z - target_floor;
  if (!(src_h > 0) || !(dst_h > 0))
    throw std::runtime_error("root key point is not above the soles at rest");
  map.scale = dst_h / src_h;
  if (align_rest) {
    // facing: the hip lines (first two key points named hip_*) at rest, projected on the floor
    int hr = -1, hl = -1;
    for (size_t k = 0; k < spec.size(); ++k) {
      if (spec[k].name == "hip_r") hr = static_cast<int>(k);
      if (spec[k].name == "hip_l") hl = static_cast<int>(k);
    }
    if (hr < 0 || hl < 0) throw std::runtime_error("align_rest needs key points hip_r and hip_l");
    auto src_pt = [&](int k) { return Vec3d::load(&pts[3 * map.src_point[k]]); };
    const Vec3d ls = src_pt(hl) - src_pt(hr), lt = rest_world[hl] - rest_world[hr];
    const double yaw = std::atan2(ls.y, ls.x) - std::atan2(lt.y, lt.x);
    map.rest_yaw = quat_axis_angle(Vec3d(0, 0, 1), yaw);
    for (size_t k = 1; k < spec.size(); ++k) {
      Vec3d t = map.rest_offset[k];
      const Vec3d seg = src_pt(static_cast<int>(k)) - src_pt(map.parent[k]);
      const double ns = norm(seg), nt = norm(t);
      if (ns < 1e-9 || nt < 1e-12) {
        map.rest_offset[k] = rotate(map.rest_yaw, t);
        continue;
      }
      // the shortest rotation taking t onto seg: axis t x seg, angle between them
      const Vec3d a = t / nt, b = seg / ns;
      Vec3d axis = cross(a, b);
      const double sn = norm(axis), cs = dot(a, b);
      if (sn < 1e-12) {
        if (cs < 0) {  // opposite: turn by pi about any axis normal to a
          axis = std::abs(a.x) < 0.9 ? cross(a, Vec3d(1, 0, 0)) : cross(a, Vec3d(0, 1, 0));
          map.rest_offset[k] = rotate(quat_axis_angle(axis / norm(axis), M_PI), t);
        }
        continue;
      }
      map.rest_offset[k] = rotate(quat_axis_angle(axis / sn, std::atan2(sn, cs)), t);
    }
  }
  return map;
}

void key_point_targets(const KeyPointMap& map, const Skeleton& src, const double* src_qpos,
                       double* targets) {
  std::vector<Vec3d> pos(src.joints.size());
  std::vector<Quatd> rot(src.joints.size());
  skeleton_fk(src, src_qpos, pos.data(), rot.data());
  std::vector<double> pts(3 * (src.joints.size() + src.sites.size()));
  skeleton_points(src, src_qpos, pts.data());
  for (size_t k = 0; k < map.spec.size(); ++k) {
    Vec3d x;
    if (map.parent[k] < 0) {
      x = Vec3d::load(&pts[3 * map.src_point[k]]) * map.scale;
    } else {
      Quatd frame = rot[map.src_frame[k]];
      if (map.src_frame_to[k] >= 0)
        frame = slerp(frame, rot[map.src_frame_to[k]], map.spec[k].blend);
      x = Vec3d::load(targets + 3 * map.parent[k]) + rotate(frame, map.rest_offset[k]);
    }
    x.store(targets + 3 * k);
  }
}

Model with_free_root(const Model& m) {
  if (m.size.nbody < 2) throw std::runtime_error(m.source + ": no body to free");
  nlohmann::json doc = model_to_json(m);
  const std::string root = m.body_name[1];
  bool found = false;
  for (nlohmann::json& b : doc["worldbody"]["bodies"]) {
    if (b.value("name", "") != root) continue;
    b["joints"] = nlohmann::json::array({{{"name", root + "_free"}, {"type", "free"}}});
    found = true;
  }
  if (!found) throw std::runtime_error(m.source + ": root body '" + root + "' not at top level");
  if (doc.contains("keyframes"))
    for (nlohmann::json& k : doc["keyframes"]) k.erase("qpos");
  return load_model_json(doc, m.source + kFreeRootSourceSuffix);
}

bool strip_free_root_suffix(std::string& source) {
  const std::string suffix = kFreeRootSourceSuffix;
  if (source.size() < suffix.size() ||
      source.compare(source.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  source.resize(source.size() - suffix.size());
  return true;
}

std::vector<int> horizontal_position_axes(const RootLayout& r) {
  std::vector<int> k;
  for (int a = 0; a < 3; ++a)
    if (r.pos[a] >= 0 && std::fabs(r.pos_axis[a].z) < 0.5) k.push_back(a);
  return k;
}

bool has_floating_root(const Model& m) {
  if (m.size.nbody < 2 || m.body_parent[1] != 0) return false;
  const int j0 = m.body_jntadr[1], n = m.body_jntnum[1];
  if (n == 1) return m.jnt_type[j0] == kJointFree;
  if (n != 6) return false;
  for (int k = 0; k < 6; ++k)
    if (m.jnt_type[j0 + k] != (k < 3 ? kJointSlide : kJointHinge)) return false;
  return true;
}

RootLayout model_root_layout(const Model& m) {
  const std::string where =
      m.source + ": root body '" + (m.size.nbody > 1 ? m.body_name[1] : "") + "'";
  if (m.size.nbody < 2 || m.body_parent[1] != 0) throw std::runtime_error(where + " missing");
  const int j0 = m.body_jntadr[1], n = m.body_jntnum[1];
  if (!has_floating_root(m))
    throw std::runtime_error(where + ": expected a free joint or 3 slides + 3 hinges");
  if (n == 1) return free_root_layout(m.jnt_qposadr[j0], m.jnt_dofadr[j0]);
  RootLayout r;
  const Quatd bq = Quatd::load(&m.body_quat[4]);
  r.origin = Vec3d::load(&m.body_pos[3]);
  r.hinge_frame = bq;
  for (int k = 0; k < 3; ++k) {
    const int s = j0 + k, h = j0 + 3 + k;
    r.pos[k] = m.jnt_qposadr[s];
    r.vel[k] = m.jnt_dofadr[s];
    r.pos_axis[k] = rotate(bq, Vec3d::load(&m.jnt_axis[3 * s]));
    r.origin -= r.pos_axis[k] * m.qpos0[r.pos[k]];
    r.hinge[k] = m.jnt_qposadr[h];
    r.hinge_axis[k] = Vec3d::load(&m.jnt_axis[3 * h]);
    if (m.qpos0[r.hinge[k]] != 0) throw std::runtime_error(where + ": hinge ref must be 0");
  }
  for (int a = 0; a < 3; ++a)
    for (int b = a + 1; b < 3; ++b)
      if (std::abs(dot(r.pos_axis[a], r.pos_axis[b])) > 1e-9 ||
          std::abs(dot(r.hinge_axis[a], r.hinge_axis[b])) > 1e-9)
        throw std::runtime_error(where + ": root axes are not orthogonal");
  return r;
}

}  // namespace sinew::motion
