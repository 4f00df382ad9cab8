// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Clip operations (rl/motion/clip_ops.h): resampling (linear + slerp), looping with root-offset
// accumulation across seams, repeat, heading alignment (free and MS-Human-700 hinge roots).
#include "rl/motion/clip_ops.h"

#include <doctest/doctest.h>

#include <cmath>

#include "rl/motion/clip_io.h"
#include "tests/motion/motion_test_util.h"

using namespace sinew::motion;
using namespace sinew::motion::test;

namespace {

// A free root moving at (1, 0.5, 0) m/s and turning about z at 1 rad/s, one extra coordinate
// q = t^2, one point at the root; `n` frames at `fps`, open loop.
Clip synthetic(int n, double fps) {
  Clip c;
  c.source = "synthetic";
  c.qpos_names = {"x", "y", "z", "qw", "qx", "qy", "qz", "q"};
  c.quat_adr = {3};
  c.root = free_root_layout(0, 0);
  c.qvel_names = {"vx", "vy", "vz"};
  c.point_names = {"p"};
  c.loop = true;
  for (int f = 0; f < n; ++f) {
    double t = f / fps;
    c.time.push_back(t);
    Quatd q = quat_axis_angle(Vec3d(0, 0, 1), t);
    for (double v : {t, 0.5 * t, 1.0, q.w, q.x, q.y, q.z, t * t}) c.qpos.push_back(v);
    for (double v : {1.0, 0.5, 0.0}) c.qvel.push_back(v);
    for (double v : {t, 0.5 * t, 1.0}) c.points.push_back(v);
  }
  c.validate();
  return c;
}

double max_step(const Clip& c) {  // largest root displacement between successive frames
  double m = 0;
  for (int f = 1; f < c.nframe(); ++f)
    m = std::max(
        m, norm(root_position(c.root, c.qpos_at(f)) - root_position(c.root, c.qpos_at(f - 1))));
  return m;
}

double wrap(double a) { return std::remainder(a, 2 * M_PI); }

}  // namespace

TEST_CASE("slerp: endpoints, midpoint angle, shorter arc") {
  Quatd a = quat_axis_angle(Vec3d(0, 0, 1), 0.2), b = quat_axis_angle(Vec3d(0, 0, 1), 1.4);
  Quatd m = slerp(a, b, 0.5);
  CHECK(2 * std::atan2(m.z, m.w) == doctest::Approx(0.8));
  Quatd nb(-b.w, -b.x, -b.y, -b.z);  // same rotation, other hemisphere
  Quatd m2 = slerp(a, nb, 0.25);
  CHECK(2 * std::atan2(m2.z, m2.w) == doctest::Approx(0.5));
  CHECK(slerp(a, b, 0).w == doctest::Approx(a.w));
  CHECK(slerp(a, b, 1).z == doctest::Approx(b.z));
}

TEST_CASE("resample: a non-looping clip at 3x the rate reproduces linear and slerped values") {
  Clip c = synthetic(11, 10.0);  // 1 s
  c.loop = false;
  Clip r = resample(c, 30.0);
  REQUIRE(r.nframe() == 31);
  CHECK(r.fps() == doctest::Approx(30));
  for (int k = 0; k < r.nframe(); ++k) {
    double t = k / 30.0;
    CAPTURE(k);
    const double* q = r.qpos_at(k);
    CHECK(q[0] == doctest::Approx(t));
    CHECK(2 * std::atan2(q[6], q[3]) == doctest::Approx(t));  // slerp keeps the uniform turn
    double f0 = std::floor(t * 10 + 1e-9) / 10, f1 = std::min(f0 + 0.1, 1.0);
    double lin = f1 > f0 ? f0 * f0 + (t - f0) / (f1 - f0) * (f1 * f1 - f0 * f0) : f0 * f0;
    CHECK(q[7] == doctest::Approx(lin));  // t^2 interpolated piecewise-linearly
    CHECK(r.point_at(k, 0)[1] == doctest::Approx(0.5 * t));
  }
  CHECK_THROWS(resample(c, 0.0));
}

TEST_CASE("looping: the cycle offset accumulates and seams are continuous (open and closed)") {
  for (bool closed : {false, true}) {
    CAPTURE(closed);
    Clip c = synthetic(10, 10.0);
    c.closed = closed;
    // open: period 1.0 s (frame 10 would start the next cycle); closed: 0.9 s
    const double P = cycle_period(c);
    CHECK(P == doctest::Approx(closed ? 0.9 : 1.0));
    Vec3d off = cycle_offset(c);
    CHECK(off.x == doctest::Approx(P));  // 1 m/s for one period, horizontal only
    CHECK(off.y == doctest::Approx(0.5 * P));
    CHECK(off.z == 0);
    std::vector<double> a(c.nq()), b(c.nq()), pa(3), pb(3);
    for (double tau : {0.0, 0.23, 0.5, 0.85}) {
      sample(c, tau, a.data(), nullptr, pa.data());
      sample_looped(c, tau + 2 * P, b.data(), nullptr, pb.data());
      CHECK(b[0] == doctest::Approx(a[0] + 2 * off.x));
      CHECK(b[1] == doctest::Approx(a[1] + 2 * off.y));
      CHECK(b[2] == doctest::Approx(a[2]));
      CHECK(b[7] == doctest::Approx(a[7]));
      CHECK(pb[0] == doctest::Approx(pa[0] + 2 * off.x));
    }
    // fine sampling across three cycles: no step larger than the clip's own
    double prev = 0, worst = 0;
    const double dt = 0.01;
    for (int k = 0; k * dt < 3 * P; ++k) {
      sample_looped(c, k * dt, b.data(), nullptr, nullptr);
      if (k > 0) worst = std::max(worst, std::abs(b[0] - prev));
      prev = b[0];
    }
    CHECK(worst == doctest::Approx(dt).epsilon(1e-6));
    // a non-looping clip clamps
    c.loop = false;
    sample_looped(c, 5.0, b.data(), nullptr, nullptr);
    CHECK(b[0] == doctest::Approx(0.9));
  }
}

TEST_CASE("repeat: back-to-back cycles of the DeepMimic walk and the MS-Human-700 gait") {
  Clip w = load_clip(deepmimic_motion("walk"));
  Clip r = repeat(w, 3);
  const int T = w.nframe();
  REQUIRE(r.nframe() == 3 * (T - 1) + 1);  // closed: seam frames shared
  CHECK(r.duration() == doctest::Approx(3 * w.duration()));
  Vec3d off = cycle_offset(w);
  Vec3d first = root_position(w.root, w.qpos_at(0));
  Vec3d last = root_position(r.root, r.qpos_at(r.nframe() - 1));
  CHECK(last.x == doctest::Approx(first.x + 3 * off.x));
  CHECK(max_step(r) < 1.5 * max_step(w));
  CHECK(r.point_at(T - 1 + 5, 3)[0] == doctest::Approx(w.point_at(5, 3)[0] + off.x));

  // The gait is an open cycle: chaining by its own displacement leaves no root jump at the seam
  // (chaining by the recorded stride, 1.2143 m, would jump 9 mm).
  Clip g = load_clip("models/motions/msgym/walking_gait.npz");
  Clip g2 = repeat(g, 2);
  REQUIRE(g2.nframe() == 2 * g.nframe());
  const int s = g.nframe();
  double seam =
      norm(root_position(g2.root, g2.qpos_at(s)) - root_position(g2.root, g2.qpos_at(s - 1)));
  double mean = cycle_offset(g).x / s;
  CHECK(std::abs(seam - mean) < 0.003);
  CHECK(g2.time[s] == doctest::Approx(cycle_period(g)));
  CHECK(contains(error_of([&] { repeat(g, 0); }), "at least one cycle"));
}

TEST_CASE("resample: looping clips keep their period and cycle offset") {
  Clip w = load_clip(deepmimic_motion("walk"));  // closed, 1.2666 s
  Clip r = resample(w, 60.0);
  CHECK(r.closed);
  CHECK(r.duration() == doctest::Approx(cycle_period(w)));
  CHECK(r.time[r.nframe() - 2] == doctest::Approx(std::floor(cycle_period(w) * 60) / 60));
  CHECK(cycle_offset(r).x == doctest::Approx(cycle_offset(w).x));
  // a closed clip's closing frame is its own last frame
  for (int i = 3; i < r.nq(); ++i)
    CHECK(r.qpos_at(r.nframe() - 1)[i] == doctest::Approx(w.qpos_at(w.nframe() - 1)[i]));

  Clip g = load_clip("models/motions/msgym/walking_gait.npz");  // open, 117 frames at 100 Hz
  Clip gr = resample(g, 30.0);
  CHECK(gr.closed);
  CHECK(cycle_period(gr) == doctest::Approx(1.17));
  CHECK(cycle_offset(gr).x == doctest::Approx(cycle_offset(g).x));
  CHECK(gr.nframe() == 37);  // 0 .. 35 / 30 s, then 1.17 s
  for (int i = 6; i < g.nq(); ++i)
    CHECK(gr.qpos_at(gr.nframe() - 1)[i] == doctest::Approx(g.qpos_at(0)[i]));
}

TEST_CASE("align_heading: free root (DeepMimic dance) and MS-Human-700 hinge root") {
  Clip d = load_clip(deepmimic_motion("dance_a"));
  Clip a = d;
  align_heading(a, 0.5);
  CHECK(heading(a, 0) == doctest::Approx(0.5));
  for (int f = 0; f < d.nframe(); f += 7) {
    CAPTURE(f);
    // headings turn by the same angle, heights and pairwise distances are unchanged
    CHECK(wrap(heading(a, f) - heading(d, f) - 0.5) == doctest::Approx(0).scale(1));
    for (int p = 0; p < d.npoint(); ++p)
      CHECK(a.point_at(f, p)[2] == doctest::Approx(d.point_at(f, p)[2]));
    Vec3d u = Vec3d::load(a.point_at(f, 1)) - Vec3d::load(a.point_at(f, 10));
    Vec3d v = Vec3d::load(d.point_at(f, 1)) - Vec3d::load(d.point_at(f, 10));
    CHECK(norm(u) == doctest::Approx(norm(v)));
  }
  CHECK(a.point_at(0, 0)[0] == doctest::Approx(d.point_at(0, 0)[0]));  // turned about frame 0
  // points still agree with forward kinematics of the turned qpos
  Clip fk = a;
  compute_skeleton_points(fk);
  for (size_t i = 0; i < a.points.size(); ++i)
    REQUIRE(fk.points[i] == doctest::Approx(a.points[i]));

  Clip g = load_clip("models/motions/msgym/walking_gait.npz");
  g.qvel_names = {"v0", "v1", "v2"};
  g.qvel.assign(static_cast<size_t>(g.nframe()) * 3, 0.0);
  for (int f = 0; f < g.nframe(); ++f) g.qvel[3 * f + 2] = 1.0;  // pelvis_tx: world +x
  const double h0 = heading(g, 0);
  CHECK(std::abs(h0) < 0.2);  // walks along +x (the pelvis rotates about 7 deg in the cycle)
  align_heading(g, M_PI / 2);
  CHECK(heading(g, 0) == doctest::Approx(M_PI / 2));
  Vec3d off = cycle_offset(g);
  CHECK(std::abs(off.x) < 0.15);  // now walks along +y
  CHECK(off.y == doctest::Approx(1.2).epsilon(0.02));
  // root linear velocity turned: world +x became +y, i.e. pelvis_tz (world -y) = -cos, ...
  CHECK(g.qvel[0] == doctest::Approx(-std::cos(h0)).epsilon(1e-6));
  CHECK(g.qvel[2] == doctest::Approx(std::sin(h0)).epsilon(1e-6));
  // hinge angles reproduce the turned orientation (no gimbal trouble away from list = 90 deg)
  Clip g0 = load_clip("models/motions/msgym/walking_gait.npz");
  Quatd turn = quat_axis_angle(Vec3d(0, 0, 1), M_PI / 2 - h0);
  for (int f = 0; f < g.nframe(); f += 10) {
    Quatd want = turn * root_orientation(g0.root, g0.qpos_at(f));
    Quatd got = root_orientation(g.root, g.qpos_at(f));
    CHECK(std::abs(want.w * got.w + want.x * got.x + want.y * got.y + want.z * got.z) ==
          doctest::Approx(1.0));
  }
}

TEST_CASE("root layouts: hinge decomposition round trip near list = +-90 deg") {
  RootLayout r = ms_human_700_root_layout();
  double q[6] = {0, 0, 0, 0, 0, 0};
  for (double tilt : {-1.2, 0.3, 2.5})
    for (double list : {-1.5, -0.4, 0.0, 0.9, 1.55})
      for (double rot : {-2.0, 0.1, 1.0}) {
        double in[6] = {0, 0, 0, tilt, list, rot};
        Quatd want = root_orientation(r, in);
        set_root_orientation(r, q, want);
        Quatd got = root_orientation(r, q);
        CHECK(std::abs(want.w * got.w + want.x * got.x + want.y * got.y + want.z * got.z) ==
              doctest::Approx(1.0));
      }
  Clip c = synthetic(3, 10);
  set_root_position(c.root, c.qpos_at(0), Vec3d(1, 2, 3));
  CHECK(root_position(c.root, c.qpos_at(0)).y == 2);
}
