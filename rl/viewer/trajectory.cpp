// SPDX-License-Identifier: Apache-2.0
#include "rl/viewer/trajectory.h"

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "rl/motion/clip_io.h"
#include "rl/motion/clip_ops.h"
#include "rl/motion/retarget.h"

namespace sinew::viewer {

namespace {

bool ends_with(const std::string& s, const char* e) {
  const std::string x(e);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// [T][n] numbers from key `key` (n = 0: taken from the first frame); empty when absent.
std::vector<double> frames_of(const nlohmann::json& j, const char* key, int T, int* n,
                              const std::string& where) {
  std::vector<double> out;
  if (!j.contains(key)) return out;
  const nlohmann::json& v = j[key];
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(where + ": '" + key + "' " + what);
  };
  if (!v.is_array() || static_cast<int>(v.size()) != T)
    fail("must hold one array per frame (" + std::to_string(T) + " frames)");
  for (int f = 0; f < T; ++f) {
    const nlohmann::json& row = v[f];
    if (!row.is_array()) fail("frame " + std::to_string(f) + " is not an array");
    if (f == 0 && *n == 0) *n = static_cast<int>(row.size());
    if (static_cast<int>(row.size()) != *n)
      fail("frame " + std::to_string(f) + " has " + std::to_string(row.size()) +
           " values, expected " + std::to_string(*n));
    for (const nlohmann::json& x : row) {
      if (!x.is_number() || !std::isfinite(x.get<double>()))
        fail("frame " + std::to_string(f) + " has a value that is not a finite number");
      out.push_back(x.get<double>());
    }
  }
  return out;
}

}  // namespace

Trajectory read_trajectory(const std::string& path) {
  Trajectory t;
  t.clip = motion::load_clip(path);
  if (!ends_with(path, ".json")) return t;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str());  // load_clip parsed it already
  const int T = t.clip.nframe();
  t.act = frames_of(j, "act", T, &t.na, path);
  int nq = t.clip.nq();
  t.ref_qpos = frames_of(j, "ref_qpos", T, &nq, path);
  return t;
}

void write_trajectory(const Trajectory& t, const std::string& path) {
  const std::string tmp = path + ".tmp";
  motion::write_sinew_clip(t.clip, tmp);
  nlohmann::json j;
  {
    std::ifstream in(tmp);
    j = nlohmann::json::parse(in);
  }
  const int T = t.clip.nframe(), nq = t.clip.nq();
  auto frames = [T](const std::vector<double>& v, int n) {
    nlohmann::json a = nlohmann::json::array();
    for (int f = 0; f < T; ++f)
      a.push_back(std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(f) * n,
                                      v.begin() + static_cast<std::ptrdiff_t>(f + 1) * n));
    return a;
  };
  if (!t.act.empty()) j["act"] = frames(t.act, t.na);
  if (!t.ref_qpos.empty()) j["ref_qpos"] = frames(t.ref_qpos, nq);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out) throw std::runtime_error(tmp + ": write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);
}

TrajectoryRecorder::TrajectoryRecorder(const rl::PhysicsEnv& env, int world)
    : env_(env), w_(world) {
  if (world < 0 || world >= env.num_envs())
    throw std::invalid_argument("trajectory recorder: world " + std::to_string(world) +
                                " does not exist");
}

void TrajectoryRecorder::operator()(int step) {
  if (done_) return;
  const Model& m = env_.model();
  const WorldData<double> d = env_.world_state(w_);
  time_.push_back(step * env_.spec().control_dt);
  qpos_.insert(qpos_.end(), d.qpos, d.qpos + m.size.nq);
  act_.insert(act_.end(), d.act, d.act + m.size.na);
  std::vector<double> r(m.size.nq);
  have_ref_ = have_ref_ && env_.reference_qpos(w_, r.data());
  if (have_ref_) ref_.insert(ref_.end(), r.begin(), r.end());
  done_ = step > 0 && env_.finished(w_);  // the ending state is the last frame
}

Trajectory TrajectoryRecorder::trajectory() const {
  const Model& m = env_.model();
  Trajectory t;
  t.clip = motion::model_clip(m, qpos_, time_, false, false);
  t.clip.model = m.source;  // the file the env loaded (sinew export's default model)
  if (motion::strip_free_root_suffix(t.clip.model)) t.clip.model_root = "free";
  t.na = m.size.na;
  if (t.na > 0) t.act = act_;
  if (have_ref_ && !ref_.empty()) t.ref_qpos = ref_;
  return t;
}

Frames export_frames(const Trajectory& t, double fps, int max_frames,
                     const motion::Clip* reference) {
  const motion::Clip& c = t.clip;
  const int nq = c.nq(), na = t.na, T0 = c.nframe();
  Frames fr;
  if (fps > 0) {
    for (int k = 0; k <= static_cast<int>(std::floor(c.duration() * fps + 1e-9)); ++k)
      fr.time.push_back(k / fps);
  } else {
    fr.time = c.time;
  }
  if (max_frames > 0 && static_cast<int>(fr.time.size()) > max_frames) fr.time.resize(max_frames);
  const int T = fr.nframe();
  fr.qpos.resize(static_cast<std::size_t>(T) * nq);
  if (!t.act.empty()) fr.act.resize(static_cast<std::size_t>(T) * na);
  const bool own_ref = !t.ref_qpos.empty() && !reference;
  if (own_ref || reference) fr.ref_qpos.resize(static_cast<std::size_t>(T) * nq);
  for (int f = 0; f < T; ++f) {
    const double time = fr.time[f];
    if (fps > 0) {
      motion::sample(c, time, &fr.qpos[static_cast<std::size_t>(f) * nq], nullptr, nullptr);
    } else {
      std::copy(c.qpos_at(f), c.qpos_at(f) + nq, &fr.qpos[static_cast<std::size_t>(f) * nq]);
    }
    // linear interpolation of the extra per-frame arrays between source frames i and i + 1
    int i = 0;
    while (i + 1 < T0 && c.time[i + 1] <= time) ++i;
    const int j = std::min(i + 1, T0 - 1);
    const double a =
        j > i ? std::clamp((time - c.time[i]) / (c.time[j] - c.time[i]), 0.0, 1.0) : 0.0;
    auto lerp = [&](const std::vector<double>& src, int n, double* dst) {
      for (int k = 0; k < n; ++k)
        dst[k] = (1 - a) * src[static_cast<std::size_t>(i) * n + k] +
                 a * src[static_cast<std::size_t>(j) * n + k];
    };
    if (!t.act.empty()) lerp(t.act, na, &fr.act[static_cast<std::size_t>(f) * na]);
    if (own_ref) {
      double* q = &fr.ref_qpos[static_cast<std::size_t>(f) * nq];
      lerp(t.ref_qpos, nq, q);
      for (int adr : c.quat_adr) {  // a blend of two unit quaternions, renormalised
        const double n = std::sqrt(q[adr] * q[adr] + q[adr + 1] * q[adr + 1] +
                                   q[adr + 2] * q[adr + 2] + q[adr + 3] * q[adr + 3]);
        if (n > 0)
          for (int k = 0; k < 4; ++k) q[adr + k] /= n;
      }
    }
    if (reference) {
      if (reference->nq() != nq)
        throw std::runtime_error(reference->source + ": reference has " +
                                 std::to_string(reference->nq()) + " coordinates, the motion " +
                                 std::to_string(nq));
      motion::sample(*reference, time, &fr.ref_qpos[static_cast<std::size_t>(f) * nq], nullptr,
                     nullptr);
    }
  }
  return fr;
}

}  // namespace sinew::viewer
