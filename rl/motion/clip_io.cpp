// SPDX-License-Identifier: Apache-2.0
#include "rl/motion/clip_io.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "rl/motion/deepmimic.h"
#include "rl/motion/npy.h"

namespace sinew::motion {

namespace {

using nlohmann::json;

json vec_json(const Vec3d& v) { return json::array({v.x, v.y, v.z}); }

bool uniform_times(const Clip& c) {
  double fps = c.fps();
  for (int i = 0; i < c.nframe(); ++i)
    if (std::abs(c.time[i] - i / fps) > 1e-9) return false;
  return fps > 0;
}

json root_json(const RootLayout& r) {
  json j;
  j["pos"] = r.pos;
  j["pos_axis"] = {vec_json(r.pos_axis[0]), vec_json(r.pos_axis[1]), vec_json(r.pos_axis[2])};
  j["origin"] = vec_json(r.origin);
  j["vel"] = r.vel;
  j["quat"] = r.quat;
  j["hinge"] = r.hinge;
  j["hinge_axis"] = {vec_json(r.hinge_axis[0]), vec_json(r.hinge_axis[1]),
                     vec_json(r.hinge_axis[2])};
  j["hinge_frame"] = {r.hinge_frame.w, r.hinge_frame.x, r.hinge_frame.y, r.hinge_frame.z};
  j["forward"] = vec_json(r.forward);
  return j;
}

json frames_json(const std::vector<double>& v, size_t T, size_t width) {
  json a = json::array();
  for (size_t f = 0; f < T; ++f)
    a.push_back(std::vector<double>(v.begin() + f * width, v.begin() + (f + 1) * width));
  return a;
}

}  // namespace

std::string sinew_clip_to_json(const Clip& c) {
  c.validate();
  json j;
  j["format"] = "sinew-clip";
  j["version"] = 1;
  if (!c.model.empty()) j["model"] = c.model;
  if (!c.model_root.empty()) j["model_root"] = c.model_root;
  j["fps"] = c.fps();
  if (!uniform_times(c)) j["time"] = c.time;
  j["loop"] = c.loop;
  j["closed"] = c.closed;
  j["qpos_names"] = c.qpos_names;
  j["quat_adr"] = c.quat_adr;
  j["root"] = root_json(c.root);
  const size_t T = c.time.size();
  j["qpos"] = frames_json(c.qpos, T, c.qpos_names.size());
  if (c.nv() > 0) {
    j["qvel_names"] = c.qvel_names;
    j["qvel"] = frames_json(c.qvel, T, c.qvel_names.size());
  }
  if (c.npoint() > 0) {
    j["point_names"] = c.point_names;
    j["points"] = frames_json(c.points, T, c.point_names.size() * 3);
  }
  return j.dump(1);
}

void write_sinew_clip(const Clip& c, const std::string& path) {
  std::string text = sinew_clip_to_json(c);
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f) throw std::runtime_error(path + ": cannot write");
    f << text << "\n";
    if (!f) throw std::runtime_error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot rename");
}

namespace {

Vec3d vec_from(const json& j) { return Vec3d(j.at(0), j.at(1), j.at(2)); }

RootLayout root_from(const json& j) {
  RootLayout r;
  r.pos = j.value("pos", r.pos);
  r.vel = j.value("vel", r.vel);
  r.quat = j.value("quat", -1);
  r.hinge = j.value("hinge", r.hinge);
  if (j.contains("pos_axis"))
    for (int k = 0; k < 3; ++k) r.pos_axis[k] = vec_from(j["pos_axis"].at(k));
  if (j.contains("hinge_axis"))
    for (int k = 0; k < 3; ++k) r.hinge_axis[k] = vec_from(j["hinge_axis"].at(k));
  if (j.contains("hinge_frame")) {
    const json& q = j["hinge_frame"];
    r.hinge_frame = Quatd(q.at(0), q.at(1), q.at(2), q.at(3));
  }
  if (j.contains("forward")) r.forward = vec_from(j["forward"]);
  if (j.contains("origin")) r.origin = vec_from(j["origin"]);
  return r;
}

// Rows of `key` (each of `width` numbers) appended to out; throws naming the frame.
void frames_from(const json& j, const char* key, size_t width, size_t T, std::vector<double>& out,
                 const std::string& where) {
  if (!j.contains(key) || !j[key].is_array())
    throw std::runtime_error(where + ": missing '" + key + "' array");
  const json& a = j[key];
  if (a.size() != T)
    throw std::runtime_error(where + ": '" + key + "' has " + std::to_string(a.size()) +
                             " frames, expected " + std::to_string(T));
  for (size_t f = 0; f < T; ++f) {
    if (!a[f].is_array() || a[f].size() != width)
      throw std::runtime_error(where + ": " + key + " frame " + std::to_string(f) + " has " +
                               std::to_string(a[f].size()) + " values, expected " +
                               std::to_string(width));
    for (const json& x : a[f]) out.push_back(x.get<double>());
  }
}

}  // namespace

Clip parse_sinew_clip(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(where + ": invalid JSON: " + e.what());
  }
  if (j.value("format", "") != "sinew-clip")
    throw std::runtime_error(where + ": not a sinew-clip file (\"format\")");
  if (j.value("version", 0) != 1)
    throw std::runtime_error(where + ": unsupported sinew-clip version " +
                             j.value("version", json(0)).dump());
  Clip c;
  c.source = where;
  try {
    c.model = j.value("model", "");
    c.model_root = j.value("model_root", "");
    c.loop = j.value("loop", false);
    c.closed = j.value("closed", false);
    c.qpos_names = j.at("qpos_names").get<std::vector<std::string>>();
    c.quat_adr = j.value("quat_adr", std::vector<int>{});
    if (j.contains("root")) c.root = root_from(j["root"]);
    size_t T = j.at("qpos").size();
    if (j.contains("time")) {
      c.time = j["time"].get<std::vector<double>>();
    } else {
      double fps = j.at("fps").get<double>();
      if (!(fps > 0) && T > 1) throw std::runtime_error(where + ": 'fps' must be > 0");
      for (size_t i = 0; i < T; ++i) c.time.push_back(i / fps);
    }
    frames_from(j, "qpos", c.qpos_names.size(), c.time.size(), c.qpos, where);
    if (j.contains("qvel_names")) {
      c.qvel_names = j["qvel_names"].get<std::vector<std::string>>();
      frames_from(j, "qvel", c.qvel_names.size(), c.time.size(), c.qvel, where);
    }
    if (j.contains("point_names")) {
      c.point_names = j["point_names"].get<std::vector<std::string>>();
      frames_from(j, "points", c.point_names.size() * 3, c.time.size(), c.points, where);
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(where + ": malformed sinew-clip: " + e.what());
  }
  c.validate();
  return c;
}

Clip read_sinew_clip(const std::string& path) {
  return parse_sinew_clip(read_file_bytes(path), path);
}

Clip read_npz_clip(const std::string& path, const NpzClipOptions& opt) {
  NpzFile z = read_npz(path);
  const NpyArray& q = z.get(opt.qpos_key);
  if (q.shape.size() != 2)
    throw std::runtime_error(path + ": entry '" + opt.qpos_key + "' is not 2-D [T][nq]");
  double fps = z.get(opt.fps_key).scalar();
  if (!(fps > 0)) throw std::runtime_error(path + ": entry '" + opt.fps_key + "' must be > 0");
  Clip c;
  c.source = path;
  c.loop = opt.loop;
  c.closed = false;
  const int64_t T = q.shape[0], nq = q.shape[1];
  if (!opt.qpos_names.empty() && static_cast<int64_t>(opt.qpos_names.size()) != nq)
    throw std::runtime_error(path + ": " + std::to_string(opt.qpos_names.size()) +
                             " qpos names for " + std::to_string(nq) + " columns");
  c.qpos_names = opt.qpos_names;
  if (c.qpos_names.empty())
    for (int64_t i = 0; i < nq; ++i) c.qpos_names.push_back("q" + std::to_string(i));
  c.qpos = q.data;
  for (int64_t i = 0; i < T; ++i) c.time.push_back(i / fps);
  c.root = opt.root;
  const NpyArray* x = opt.points_key.empty() ? nullptr : z.find(opt.points_key);
  if (x && !x->pickled) {
    if (x->shape.size() != 3 || x->shape[0] != T || x->shape[2] != 3)
      throw std::runtime_error(path + ": entry '" + opt.points_key + "' is not [T][n][3]");
    for (int64_t b = 0; b < x->shape[1]; ++b) c.point_names.push_back("body" + std::to_string(b));
    c.points = x->data;
  }
  c.validate();
  return c;
}

namespace {
bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
}  // namespace

Clip load_clip(const std::string& path, const LoadClipOptions& opt) {
  if (!std::ifstream(path)) throw std::runtime_error(path + ": cannot open");
  if (ends_with(path, ".json")) return read_sinew_clip(path);
  if (ends_with(path, ".bvh") || ends_with(path, ".BVH")) return read_bvh(path, opt.bvh);
  if (ends_with(path, ".npz")) return read_npz_clip(path, opt.npz);
  if (ends_with(path, ".txt")) {
    std::string ch = opt.deepmimic_character;
    if (ch.empty()) {
      size_t slash = path.find_last_of('/');
      std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
      ch = dir + "/../characters/humanoid3d.txt";
    }
    return read_deepmimic_motion(path, read_deepmimic_character(ch));
  }
  throw std::runtime_error(path + ": unknown clip format (expected .json, .bvh, .npz or .txt)");
}

}  // namespace sinew::motion
