// SPDX-License-Identifier: Apache-2.0
#include "rl/motion/deepmimic.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sinew::motion {

namespace {

using nlohmann::json;

json parse_json_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  try {
    return json::parse(f);
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
}

double num(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number())
    throw std::runtime_error(where + ": missing number '" + key + "'");
  return it->get<double>();
}

// Attach offset (Y-up source) of a joint or body entry, converted to Z-up; rejects rotations.
Vec3d attach(const json& o, const std::string& where) {
  for (const char* k : {"AttachThetaX", "AttachThetaY", "AttachThetaZ"}) {
    auto it = o.find(k);
    if (it != o.end() && it->is_number() && it->get<double>() != 0.0)
      throw std::runtime_error(where + ": non-zero " + k + " is not supported");
  }
  return yup_to_zup(
      Vec3d(num(o, "AttachX", where), num(o, "AttachY", where), num(o, "AttachZ", where)));
}

JointType joint_type(const std::string& t, const std::string& where) {
  if (t == "none") return JointType::kFree;
  if (t == "spherical") return JointType::kSpherical;
  if (t == "revolute") return JointType::kRevolute;
  if (t == "fixed") return JointType::kFixed;
  throw std::runtime_error(where + ": unsupported joint type '" + t + "'");
}

void read_joints(const json& list, const std::string& path, Skeleton& s) {
  for (size_t i = 0; i < list.size(); ++i) {
    const json& o = list[i];
    std::string where = path + ": joint " + std::to_string(i);
    if (static_cast<size_t>(num(o, "ID", where)) != i)
      throw std::runtime_error(where + ": IDs are not 0, 1, 2, ...");
    SkeletonJoint j;
    j.name = o.value("Name", "joint" + std::to_string(i));
    j.parent = static_cast<int>(num(o, "Parent", where));
    j.type = joint_type(o.value("Type", ""), where + " (" + j.name + ")");
    j.offset = attach(o, where);
    // DeepMimic revolute joints turn about z of the joint frame (their limits flex the knee
    // backwards and the elbow forwards about it); in Z-up that axis is C z = -y.
    j.axis = yup_to_zup(Vec3d(0, 0, 1));
    if ((i == 0) != (j.type == JointType::kFree) || (i == 0) != (j.parent < 0))
      throw std::runtime_error(where + ": only joint 0 may (and must) be the 'none' root");
    if (j.parent >= static_cast<int>(i))
      throw std::runtime_error(where + ": parent listed after child");
    if (j.type == JointType::kFree) {
      j.qpos_adr = s.nq;
      s.nq += 7;
    } else if (j.type != JointType::kFixed) {
      j.qpos_adr = s.nq;
      s.nq += 4;
    }
    s.joints.push_back(j);
  }
}

void read_shapes(const json& list, const std::string& path, Skeleton& s) {
  for (size_t i = 0; i < list.size(); ++i) {
    const json& o = list[i];
    std::string where = path + ": body " + std::to_string(i);
    BodyShape b;
    b.name = o.value("Name", "body" + std::to_string(i));
    b.joint = o.contains("ParentJoint") ? static_cast<int>(num(o, "ParentJoint", where))
                                        : static_cast<int>(i);
    if (b.joint < 0 || b.joint >= static_cast<int>(s.joints.size()))
      throw std::runtime_error(where + ": joint index out of range");
    b.shape = o.value("Shape", "");
    b.offset = attach(o, where);
    b.params = {num(o, "Param0", where), num(o, "Param1", where), num(o, "Param2", where)};
    b.mass = o.value("Mass", 0.0);
    s.shapes.push_back(b);
  }
}

void add_sites(Skeleton& s) {
  for (const BodyShape& b : s.shapes) {
    const std::string& jn = s.joints[b.joint].name;
    if (b.shape == "box") {
      // sole front / back in the source frame: (+-x/2, -y/2, 0)
      double hx = 0.5 * b.params[0], hy = 0.5 * b.params[1];
      s.sites.push_back({jn + "_toe", b.joint, b.offset + yup_to_zup(Vec3d(hx, -hy, 0))});
      s.sites.push_back({jn + "_heel", b.joint, b.offset + yup_to_zup(Vec3d(-hx, -hy, 0))});
    } else if (b.shape == "sphere" && jn == "neck") {
      s.sites.push_back(
          {"head_top", b.joint, b.offset + yup_to_zup(Vec3d(0, 0.5 * b.params[0], 0))});
    }
  }
}

}  // namespace

Skeleton read_deepmimic_character(const std::string& path) {
  json j = parse_json_file(path);
  if (!j.contains("Skeleton") || !j["Skeleton"].contains("Joints") ||
      !j["Skeleton"]["Joints"].is_array())
    throw std::runtime_error(path + ": no Skeleton.Joints array (not a DeepMimic character)");
  Skeleton s;
  read_joints(j["Skeleton"]["Joints"], path, s);
  if (s.joints.empty()) throw std::runtime_error(path + ": skeleton has no joints");
  if (j.contains("BodyDefs") && j["BodyDefs"].is_array()) read_shapes(j["BodyDefs"], path, s);
  add_sites(s);
  return s;
}

int deepmimic_frame_size(const Skeleton& c) {
  int n = 1;
  for (const SkeletonJoint& j : c.joints)
    n += j.type == JointType::kFree        ? 7
         : j.type == JointType::kSpherical ? 4
         : j.type == JointType::kRevolute  ? 1
                                           : 0;
  return n;
}

namespace {

// One frame's values (after the duration) into qpos, converted to Z-up.
void frame_to_qpos(const Skeleton& c, const std::vector<double>& v, double* q) {
  size_t k = 1;
  for (const SkeletonJoint& j : c.joints) {
    if (j.type == JointType::kFree) {
      yup_to_zup(Vec3d(v[k], v[k + 1], v[k + 2])).store(q + j.qpos_adr);
      yup_to_zup(quat_normalized(Quatd::load(&v[k + 3]))).store(q + j.qpos_adr + 3);
      k += 7;
    } else if (j.type == JointType::kSpherical) {
      yup_to_zup(quat_normalized(Quatd::load(&v[k]))).store(q + j.qpos_adr);
      k += 4;
    } else if (j.type == JointType::kRevolute) {
      quat_axis_angle(j.axis, v[k]).store(q + j.qpos_adr);
      k += 1;
    }
  }
}

}  // namespace

Clip read_deepmimic_motion(const std::string& path, const Skeleton& character) {
  json j = parse_json_file(path);
  if (!j.contains("Frames") || !j["Frames"].is_array() || j["Frames"].empty())
    throw std::runtime_error(path + ": no Frames array (not a DeepMimic motion)");
  Clip c;
  c.source = path;
  c.skeleton = character;
  std::string loop = j.value("Loop", "none");
  if (loop != "wrap" && loop != "none")
    throw std::runtime_error(path + ": unknown Loop value '" + loop + "'");
  c.loop = c.closed = (loop == "wrap");
  name_skeleton_qpos(c);
  const size_t want = static_cast<size_t>(deepmimic_frame_size(character));
  const json& frames = j["Frames"];
  c.qpos.assign(frames.size() * character.nq, 0.0);
  double t = 0;
  for (size_t f = 0; f < frames.size(); ++f) {
    std::string where = path + ": frame " + std::to_string(f);
    if (!frames[f].is_array() || frames[f].size() != want)
      throw std::runtime_error(where + " has " + std::to_string(frames[f].size()) +
                               " values, expected " + std::to_string(want) + " for this character");
    std::vector<double> v;
    for (const json& x : frames[f]) {
      if (!x.is_number()) throw std::runtime_error(where + ": non-numeric value");
      v.push_back(x.get<double>());
    }
    if (f + 1 < frames.size() && !(v[0] > 0))
      throw std::runtime_error(where + ": duration must be > 0");
    c.time.push_back(t);
    t += v[0];
    frame_to_qpos(character, v, c.qpos_at(static_cast<int>(f)));
  }
  compute_skeleton_points(c);
  c.validate();
  return c;
}

}  // namespace sinew::motion
