// SPDX-License-Identifier: Apache-2.0
#include "rl/motion/clip_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sinew::motion {

Quatd slerp(const Quatd& a, const Quatd& b0, double t) {
  Quatd b = b0;
  double d = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
  if (d < 0) {
    b = Quatd(-b.w, -b.x, -b.y, -b.z);
    d = -d;
  }
  double wa = 1 - t, wb = t;
  if (d < 1 - 1e-12) {  // Shoemake 1985: sin((1-t) theta) / sin theta, sin(t theta) / sin theta
    double th = std::acos(std::min(d, 1.0));
    double s = std::sin(th);
    wa = std::sin((1 - t) * th) / s;
    wb = std::sin(t * th) / s;
  }
  return quat_normalized(
      Quatd(wa * a.w + wb * b.w, wa * a.x + wb * b.x, wa * a.y + wb * b.y, wa * a.z + wb * b.z));
}

namespace {

// Blend of frame f0 (shifted by s0) and frame f1 (shifted by s1) with weight alpha on f1.
void blend(const Clip& c, int f0, const Vec3d& s0, int f1, const Vec3d& s1, double alpha,
           double* qpos, double* qvel, double* points) {
  const int nq = c.nq(), nv = c.nv(), np = c.npoint();
  if (qpos) {
    const double* a = c.qpos_at(f0);
    const double* b = c.qpos_at(f1);
    for (int i = 0; i < nq; ++i) qpos[i] = (1 - alpha) * a[i] + alpha * b[i];
    for (int adr : c.quat_adr)
      slerp(Quatd::load(a + adr), Quatd::load(b + adr), alpha).store(qpos + adr);
    if (c.root.has_pos()) {
      Vec3d p = root_position(c.root, a) + s0;
      Vec3d q = root_position(c.root, b) + s1;
      set_root_position(c.root, qpos, p * (1 - alpha) + q * alpha);
    }
  }
  if (qvel && nv > 0) {
    const double* a = c.qvel.data() + static_cast<size_t>(f0) * nv;
    const double* b = c.qvel.data() + static_cast<size_t>(f1) * nv;
    for (int i = 0; i < nv; ++i) qvel[i] = (1 - alpha) * a[i] + alpha * b[i];
  }
  if (points) {
    for (int p = 0; p < np; ++p) {
      Vec3d a = Vec3d::load(c.point_at(f0, p)) + s0;
      Vec3d b = Vec3d::load(c.point_at(f1, p)) + s1;
      (a * (1 - alpha) + b * alpha).store(points + 3 * p);
    }
  }
}

// Frame index i and weight of frame i+1 for time t inside [0, duration].
int locate(const Clip& c, double t, double& alpha) {
  int T = c.nframe();
  if (T == 1 || t <= 0) {
    alpha = 0;
    return 0;
  }
  if (t >= c.time.back()) {
    alpha = 1;
    return T - 2;
  }
  int i = static_cast<int>(std::upper_bound(c.time.begin(), c.time.end(), t) - c.time.begin()) - 1;
  alpha = (t - c.time[i]) / (c.time[i + 1] - c.time[i]);
  return i;
}

Vec3d horizontal(Vec3d v) {
  v.z = 0;
  return v;
}

}  // namespace

void sample(const Clip& c, double t, double* qpos, double* qvel, double* points) {
  double alpha = 0;
  int i = locate(c, t, alpha);
  int j = std::min(i + 1, c.nframe() - 1);
  blend(c, i, Vec3d(), j, Vec3d(), alpha, qpos, qvel, points);
}

Clip resample(const Clip& c, double fps) {
  if (!(fps > 0)) throw std::runtime_error(c.source + ": resample rate must be > 0");
  Clip r = c;
  // A looping clip keeps its exact period: frames at k / fps inside the cycle, then one closing
  // frame at the period (the next cycle's first pose, shifted by cycle_offset), so the result is
  // a closed cycle whose last interval may be shorter than 1 / fps.
  const bool loop = c.loop && c.nframe() > 1;
  const double end = loop ? cycle_period(c) : c.duration();
  int n = static_cast<int>(std::floor(end * fps + 1e-9)) + 1;
  if (loop && std::abs((n - 1) / fps - end) > 1e-9) ++n;
  r.time.resize(n);
  r.qpos.assign(static_cast<size_t>(n) * c.nq(), 0.0);
  r.qvel.assign(static_cast<size_t>(n) * c.nv(), 0.0);
  r.points.assign(static_cast<size_t>(n) * c.npoint() * 3, 0.0);
  for (int k = 0; k < n; ++k) {
    r.time[k] = loop ? std::min(k / fps, end) : k / fps;
    // a closed clip's closing frame is its own last frame; an open clip's is the next cycle's
    // first, shifted by the cycle offset
    const bool seam = loop && !c.closed && k == n - 1;
    (seam ? sample_looped : sample)(c, r.time[k], r.qpos_at(k),
                                    r.qvel.data() + static_cast<size_t>(k) * c.nv(),
                                    r.points.data() + static_cast<size_t>(k) * c.npoint() * 3);
  }
  if (loop) r.closed = true;
  return r;
}

double cycle_period(const Clip& c) {
  int T = c.nframe();
  if (c.closed || T < 2) return c.duration();
  return c.duration() * T / (T - 1);
}

Vec3d cycle_offset(const Clip& c) {
  int T = c.nframe();
  if (!c.root.has_pos() || T < 2) return Vec3d();
  Vec3d d = root_position(c.root, c.qpos_at(T - 1)) - root_position(c.root, c.qpos_at(0));
  if (!c.closed) d = d * (static_cast<double>(T) / (T - 1));
  return horizontal(d);
}

void sample_looped(const Clip& c, double t, double* qpos, double* qvel, double* points) {
  double P = cycle_period(c);
  if (!c.loop || !(P > 0)) {
    sample(c, t, qpos, qvel, points);
    return;
  }
  double k = std::floor(t / P);
  double tau = t - k * P;
  Vec3d off = cycle_offset(c);
  Vec3d s0 = off * k;
  if (tau <= c.duration()) {
    double alpha = 0;
    int i = locate(c, tau, alpha);
    blend(c, i, s0, std::min(i + 1, c.nframe() - 1), s0, alpha, qpos, qvel, points);
  } else {  // open clip: last frame -> first frame of the next cycle
    double alpha = (tau - c.duration()) / (P - c.duration());
    blend(c, c.nframe() - 1, s0, 0, s0 + off, alpha, qpos, qvel, points);
  }
}

Clip repeat(const Clip& c, int cycles) {
  if (cycles < 1) throw std::runtime_error(c.source + ": repeat needs at least one cycle");
  double P = cycle_period(c);
  Vec3d off = cycle_offset(c);
  int T = c.nframe();
  int per = c.closed ? T - 1 : T;
  int n = c.closed ? per * cycles + 1 : per * cycles;
  Clip r = c;
  r.time.assign(n, 0.0);
  r.qpos.assign(static_cast<size_t>(n) * c.nq(), 0.0);
  r.qvel.assign(static_cast<size_t>(n) * c.nv(), 0.0);
  r.points.assign(static_cast<size_t>(n) * c.npoint() * 3, 0.0);
  for (int k = 0; k < n; ++k) {
    int cyc = std::min(k / per, cycles - 1);
    int f = k - cyc * per;
    r.time[k] = cyc * P + c.time[f];
    Vec3d s = off * static_cast<double>(cyc);
    blend(c, f, s, f, s, 0.0, r.qpos_at(k), r.qvel.data() + static_cast<size_t>(k) * c.nv(),
          r.points.data() + static_cast<size_t>(k) * c.npoint() * 3);
  }
  return r;
}

double heading(const Clip& c, int frame) {
  if (!c.root.has_rot()) return 0.0;
  Vec3d f = rotate(root_orientation(c.root, c.qpos_at(frame)), c.root.forward);
  return std::atan2(f.y, f.x);
}

void align_heading(Clip& c, double yaw) {
  if (c.nframe() == 0) return;
  const double delta = yaw - heading(c, 0);
  const Quatd Y = quat_axis_angle(Vec3d(0, 0, 1), delta);
  const Vec3d center = c.root.has_pos() ? horizontal(root_position(c.root, c.qpos_at(0))) : Vec3d();
  auto turn = [&](const Vec3d& p) { return center + rotate(Y, p - center); };
  for (int f = 0; f < c.nframe(); ++f) {
    double* q = c.qpos_at(f);
    if (c.root.has_pos()) set_root_position(c.root, q, turn(root_position(c.root, q)));
    if (c.root.has_rot()) set_root_orientation(c.root, q, Y * root_orientation(c.root, q));
    for (int p = 0; p < c.npoint(); ++p) {
      double* x = c.points.data() + (static_cast<size_t>(f) * c.npoint() + p) * 3;
      turn(Vec3d::load(x)).store(x);
    }
    if (c.nv() > 0 && c.root.vel[0] >= 0) {
      double* v = c.qvel.data() + static_cast<size_t>(f) * c.nv();
      Vec3d lin;
      for (int k = 0; k < 3; ++k)
        if (c.root.vel[k] >= 0) lin += c.root.pos_axis[k] * v[c.root.vel[k]];
      lin = rotate(Y, lin);
      for (int k = 0; k < 3; ++k)
        if (c.root.vel[k] >= 0) v[c.root.vel[k]] = dot(lin, c.root.pos_axis[k]);
    }
  }
}

}  // namespace sinew::motion
