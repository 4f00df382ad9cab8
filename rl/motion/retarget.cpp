// SPDX-License-Identifier: Apache-2.0
// Retargeting drivers: skeletal clips by per-frame IK, model clips by projection; the output clip
// (qpos, finite-difference qvel, body positions) on the target model.
#include "rl/motion/retarget.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "engine/coupling.h"
#include "engine/data.h"
#include "engine/kinematics.h"
#include "rl/motion/clip_ops.h"

namespace sinew::motion {

namespace {

// Names of a model's qpos and qvel entries: joint names; free joints "<j>_x.._z, <j>_qw.._qz"
// and "<j>_vx.._vz, <j>_wx.._wz"; ball joints "<j>_qw.." and "<j>_wx..".
void coordinate_names(const Model& m, Clip& c) {
  static const char* kQ[] = {"_qw", "_qx", "_qy", "_qz"};
  static const char* kP[] = {"_x", "_y", "_z"};
  static const char* kV[] = {"_vx", "_vy", "_vz"};
  static const char* kW[] = {"_wx", "_wy", "_wz"};
  c.qpos_names.clear();
  c.qvel_names.clear();
  c.quat_adr.clear();
  for (int j = 0; j < m.size.njnt; ++j) {
    const std::string& n = m.jnt_name[j];
    const int t = m.jnt_type[j];
    if (t == kJointFree)
      for (int k = 0; k < 3; ++k)
        c.qpos_names.push_back(n + kP[k]), c.qvel_names.push_back(n + kV[k]);
    if (t == kJointFree || t == kJointBall) {
      c.quat_adr.push_back(m.jnt_qposadr[j] + (t == kJointFree ? 3 : 0));
      for (int k = 0; k < 4; ++k) c.qpos_names.push_back(n + kQ[k]);
      for (int k = 0; k < 3; ++k) c.qvel_names.push_back(n + kW[k]);
    } else {
      c.qpos_names.push_back(n);
      c.qvel_names.push_back(n);
    }
  }
}

// Central differences of qpos frames, one-sided at the ends (a source loop's seam may jump:
// DeepMimic's dance_a ends 0.7 rad of pelvis tilt away from its first pose); unlimited hinges
// wrap to (-pi, pi] per step.
void finite_difference(const Model& m, Clip& c) {
  const int T = c.nframe(), nv = m.size.nv;
  c.qvel.assign(static_cast<size_t>(T) * nv, 0.0);
  if (T < 2) return;
  std::vector<double> dq(nv);
  for (int f = 0; f < T; ++f) {
    const int fa = std::min(f + 1, T - 1), fb = std::max(f - 1, 0);
    qpos_difference(m, c.qpos_at(fa), c.qpos_at(fb), dq.data());
    for (int j = 0; j < m.size.njnt; ++j)
      if (m.jnt_type[j] == kJointHinge && !m.jnt_limited[j]) {
        double& v = dq[m.jnt_dofadr[j]];
        v = std::remainder(v, 2 * M_PI);
      }
    const double dt = c.time[fa] - c.time[fb];
    for (int i = 0; i < nv; ++i) c.qvel[static_cast<size_t>(f) * nv + i] = dq[i] / dt;
  }
}

// Copies the non-root joints by name and converts the root (free <-> slides + hinges).
class RootConverter {
 public:
  RootConverter(const Model& from, const Model& to)
      : rf_(model_root_layout(from)), rt_(model_root_layout(to)) {
    for (int j = 0; j < to.size.njnt; ++j) {
      if (to.jnt_bodyid[j] == 1) continue;
      const int k = find(from, to.jnt_name[j]);
      if (k < 0 || to.jnt_type[j] != from.jnt_type[k])
        throw std::runtime_error(to.source + ": joint '" + to.jnt_name[j] + "' has no match");
      pairs_.push_back({from.jnt_qposadr[k], to.jnt_qposadr[j], joint_nq(to.jnt_type[j])});
    }
  }
  // qout holds the previous frame (hinge continuity) or qpos0.
  void convert(const double* qin, double* qout) const {
    for (const Pair& p : pairs_) std::copy(qin + p.from, qin + p.from + p.n, qout + p.to);
    set_root_position(rt_, qout, root_position(rf_, qin));
    set_root_orientation(rt_, qout, root_orientation(rf_, qin));
  }

 private:
  static int find(const Model& m, const std::string& n) {
    for (int j = 0; j < m.size.njnt; ++j)
      if (m.jnt_name[j] == n) return j;
    return -1;
  }
  struct Pair {
    int from, to, n;
  };
  RootLayout rf_, rt_;
  std::vector<Pair> pairs_;
};

// Frames [T][nq_from] on `from` -> frames on `to`.
std::vector<double> convert_frames(const Model& from, const Model& to,
                                   const std::vector<double>& q) {
  if (&from == &to) return q;
  RootConverter conv(from, to);
  const size_t T = q.size() / from.size.nq;
  std::vector<double> out(T * to.size.nq);
  for (size_t f = 0; f < T; ++f) {
    double* o = out.data() + f * to.size.nq;
    if (f == 0)
      std::copy(to.qpos0.begin(), to.qpos0.end(), o);
    else
      std::copy(o - to.size.nq, o, o);
    conv.convert(q.data() + f * from.size.nq, o);
  }
  return out;
}

void check_final(const Model& m, const Clip& c, RetargetReport& r) {
  const ModelView<double> mv = m.view();
  IkSolver probe(m, {});
  for (int f = 0; f < c.nframe(); ++f) {
    std::string worst;
    const double v = limit_violation(m, c.qpos_at(f), &worst);
    if (v > r.max_limit_violation) r.max_limit_violation = v, r.worst_limit_joint = worst;
    r.max_coupling_residual =
        std::max(r.max_coupling_residual, coupling_residual(mv, c.qpos_at(f)));
    r.max_floor_penetration_m =
        std::max(r.max_floor_penetration_m, probe.floor_penetration(c.qpos_at(f)));
  }
}

// Resampled (and repeated) source: the frames the output has.
Clip prepare(const Clip& src, const RetargetOptions& opt) {
  Clip s = opt.fps > 0 ? resample(src, opt.fps) : src;
  if (opt.cycles > 1) {
    if (!s.loop) throw std::runtime_error(src.source + ": --cycles needs a looping clip");
    s = repeat(s, opt.cycles);
  }
  return s;
}

// Per-frame IK of a skeletal clip on `ik` (free root); returns qpos frames on `ik`.
std::vector<double> solve_skeleton(const Clip& s, const Model& ik, const RetargetOptions& opt,
                                   RetargetReport& rep) {
  const bool cmu = is_cmu_skeleton(s.skeleton);
  const KeyPointMap map = resolve_key_points(
      cmu ? cmu_bvh_to_ms_human_700() : humanoid3d_to_ms_human_700(), s.skeleton, ik, cmu);
  IkSolver solver(ik, map.target, opt.ik);
  const int nk = static_cast<int>(map.target.size()), nq = ik.size.nq, T = s.nframe();
  std::vector<double> weights, targets(3 * nk), got(3 * nk), out(static_cast<size_t>(T) * nq);
  // a key point rigidly attached to the root key point's body (no joint on the way up to it) can
  // only pull on the root's pose: left out (weight 0, not in the residuals)
  const int root_body = map.target[0].body;
  std::vector<char> used(nk, 1);
  for (int k = 1; k < nk; ++k) {
    bool moves = false;
    for (int b = map.target[k].body; b > 0 && b != root_body; b = ik.body_parent[b])
      moves = moves || ik.body_jntnum[b] > 0;
    used[k] = moves || map.target[k].body == root_body;
    if (!used[k]) rep.skipped_key_points.push_back(map.spec[k].name);
  }
  for (int k = 0; k < nk; ++k) weights.push_back(used[k] ? map.spec[k].weight : 0.0);
  std::vector<double> sum(nk, 0.0), worst(nk, 0.0);
  const RootLayout root = model_root_layout(ik);
  const Quatd q0 = root_orientation(root, ik.qpos0.data());
  std::vector<double> q(ik.qpos0);
  std::vector<Vec3d> spos(s.skeleton.joints.size());
  std::vector<Quatd> srot(s.skeleton.joints.size());
  Quatd prev_src;
  for (int f = 0; f < T; ++f) {
    key_point_targets(map, s.skeleton, s.qpos_at(f), targets.data());
    skeleton_fk(s.skeleton, s.qpos_at(f), spos.data(), srot.data());
    // warm start: the root turns with the source root; the pelvis key point sits on its target
    const Quatd rq = f == 0 ? srot[0] * map.rest_yaw * q0
                            : srot[0] * conj(prev_src) * root_orientation(root, q.data());
    prev_src = srot[0];
    set_root_orientation(root, q.data(), rq);
    const Vec3d kp = rotate(rq, map.target[0].local);
    set_root_position(root, q.data(), Vec3d::load(targets.data()) - kp);
    const double* anchor = f == 0 ? nullptr : out.data() + static_cast<size_t>(f - 1) * nq;
    IkReport ir = solver.solve(targets.data(), weights.data(), anchor, q.data());
    rep.ik_iterations += ir.iterations;
    std::copy(q.begin(), q.end(), out.begin() + static_cast<size_t>(f) * nq);
    solver.positions(q.data(), got.data(), nullptr);
    for (int k = 0; k < nk; ++k) {
      const double e = 1000 * norm(Vec3d::load(&got[3 * k]) - Vec3d::load(&targets[3 * k]));
      sum[k] += e;
      worst[k] = std::max(worst[k], e);
    }
  }
  double total = 0;
  int counted = 0;
  for (int k = 0; k < nk; ++k) {
    if (!used[k]) continue;
    rep.key_points.push_back({map.spec[k].name, sum[k] / T, worst[k]});
    total += sum[k] / T;
    ++counted;
  }
  rep.mean_residual_mm = total / std::max(counted, 1);
  return out;
}

// A model clip: projected onto the couplings and (optionally) clamped to the limits.
std::vector<double> project_model_clip(const Clip& s, const Model& m, const RetargetOptions& opt,
                                       RetargetReport& rep) {
  if (s.nq() != m.size.nq)
    throw std::runtime_error(
        s.source + ": clip has " + std::to_string(s.nq()) +
        " coordinates and no source skeleton; the model has nq = " + std::to_string(m.size.nq) +
        " (a qpos clip of another model needs that model: sinew retarget --source-model)");
  const ModelView<double> mv = m.view();
  const RootLayout root = model_root_layout(m);
  IkSolver probe(m, {});
  std::vector<double> q = s.qpos;
  for (int f = 0; f < s.nframe(); ++f) {
    double* x = q.data() + static_cast<size_t>(f) * m.size.nq;
    rep.input_coupling_residual = std::max(rep.input_coupling_residual, coupling_residual(mv, x));
    project_couplings(mv, x);
    rep.input_limit_violation = std::max(rep.input_limit_violation, limit_violation(m, x));
    if (opt.clamp_model_clips) {
      clamp_to_limits(m, x);
      project_couplings(mv, x);
    }
    const double pen = probe.floor_penetration(x);
    rep.input_floor_penetration_m = std::max(rep.input_floor_penetration_m, pen);
    if (opt.lift_model_clips && pen > 0)
      set_root_position(root, x, root_position(root, x) + Vec3d(0, 0, pen));
  }
  return q;
}

}  // namespace

Clip model_clip(const Model& m, std::vector<double> qpos, std::vector<double> time, bool loop,
                bool closed) {
  Clip c;
  c.source = m.source;
  coordinate_names(m, c);
  c.root = has_floating_root(m) ? model_root_layout(m) : RootLayout();
  c.qpos = std::move(qpos);
  c.time = std::move(time);
  c.loop = loop;
  c.closed = closed;
  finite_difference(m, c);
  for (int b = 1; b < m.size.nbody; ++b) c.point_names.push_back(m.body_name[b]);
  const int T = c.nframe(), nb = m.size.nbody;
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  const ModelView<double> mv = m.view();
  c.points.resize(static_cast<size_t>(T) * (nb - 1) * 3);
  for (int f = 0; f < T; ++f) {
    std::copy(c.qpos_at(f), c.qpos_at(f) + m.size.nq, d.qpos);
    kinematics(mv, d);
    std::copy(d.xpos + 3, d.xpos + 3 * nb,
              c.points.begin() + static_cast<size_t>(f) * (nb - 1) * 3);
  }
  c.validate();
  return c;
}

Clip select_coordinates(const Clip& c, const Model& m) {
  Clip out;
  coordinate_names(m, out);
  std::vector<int> from;
  std::string missing;
  for (const std::string& n : out.qpos_names) {
    const auto it = std::find(c.qpos_names.begin(), c.qpos_names.end(), n);
    if (it == c.qpos_names.end())
      missing += (missing.empty() ? "" : ", ") + n;
    else
      from.push_back(static_cast<int>(it - c.qpos_names.begin()));
  }
  if (!missing.empty())
    throw std::runtime_error(c.source + ": the clip has no coordinate for " + m.source + "'s " +
                             missing);
  out.source = c.source;
  out.time = c.time;
  out.loop = c.loop;
  out.closed = c.closed;
  out.root = has_floating_root(m) ? model_root_layout(m) : RootLayout();
  out.qvel_names.clear();
  const int T = c.nframe(), nq = static_cast<int>(from.size());
  out.qpos.resize(static_cast<size_t>(T) * nq);
  for (int f = 0; f < T; ++f)
    for (int i = 0; i < nq; ++i) out.qpos[static_cast<size_t>(f) * nq + i] = c.qpos_at(f)[from[i]];
  out.validate();
  return out;
}

Clip retarget(const Clip& src, const Model& model, const std::string& model_path,
              const RetargetOptions& opt, RetargetReport* report) {
  const auto t0 = std::chrono::steady_clock::now();
  RetargetReport rep;
  Clip s = prepare(src, opt);
  if (s.skeleton.joints.empty() && !s.qpos_names.empty()) {
    // a clip on another model with named coordinates (MS-Human-700's gait onto the Locomotion
    // variant): the target's coordinates by joint name
    // (a bare qpos trajectory's generic names q0, q1, ... name no joint: taken by position)
    Clip names;
    coordinate_names(model, names);
    bool any = false;
    for (const std::string& n : names.qpos_names)
      any = any || std::find(s.qpos_names.begin(), s.qpos_names.end(), n) != s.qpos_names.end();
    if (any && names.qpos_names != s.qpos_names) s = select_coordinates(s, model);
  }
  const bool free_model = model_root_layout(model).quat >= 0;
  const Model freed = free_model ? Model() : with_free_root(model);
  const Model& ik = free_model ? model : freed;
  const Model& out_model = opt.free_root ? ik : model;
  std::vector<double> q;
  if (!s.skeleton.joints.empty()) {
    q = convert_frames(ik, out_model, solve_skeleton(s, ik, opt, rep));
  } else {
    q = convert_frames(model, out_model, project_model_clip(s, model, opt, rep));
  }
  Clip c = model_clip(out_model, std::move(q), s.time, s.loop, s.closed);
  c.source = src.source;
  c.model = model_path;
  c.model_root = opt.free_root && !free_model ? "free" : "";
  check_final(out_model, c, rep);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report) *report = rep;
  return c;
}

}  // namespace sinew::motion
