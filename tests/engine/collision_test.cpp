// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// Narrowphase collision and the collision stage (engine/collision.h): analytic distances, normals
// and positions for every supported pair, the normal sign under swapped pair order, rigid-motion
// invariance, margins, contact counts, brute-force checks, float vs double, degenerate inputs.
#include "engine/collision.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <type_traits>
#include <vector>

#include "engine/core/quat.h"
#include "engine/data.h"
#include "engine/model.h"

using namespace sinew;

namespace {

constexpr double kPi = 3.14159265358979323846;

template <typename T>
double tol() {
  return std::is_same<T, float>::value ? 2e-5 : 1e-10;
}

template <typename T>
Mat3<T> rot(double ax, double ay, double az, double angle) {
  Vec3<T> a{T(ax), T(ay), T(az)};
  normalize(a);
  return quat_to_mat(quat_axis_angle(a, T(angle)));
}

template <typename T>
CollisionGeom<T> geom(double x, double y, double z, const Mat3<T>& R, double s0, double s1 = 0,
                      double s2 = 0) {
  return make_collision_geom(Vec3<T>(T(x), T(y), T(z)), R, T(s0), T(s1), T(s2));
}

template <typename T>
Mat3<T> eye() {
  return Mat3<T>::identity();
}

template <typename T>
void check_vec(const Vec3<T>& v, double x, double y, double z, double eps) {
  CHECK(std::abs(double(v.x) - x) <= eps);
  CHECK(std::abs(double(v.y) - y) <= eps);
  CHECK(std::abs(double(v.z) - z) <= eps);
}

template <typename T>
bool finite(const ContactPoint<T>& c) {
  return std::isfinite(double(c.dist)) && std::isfinite(double(c.pos.x)) &&
         std::isfinite(double(c.pos.y)) && std::isfinite(double(c.pos.z)) &&
         std::abs(double(norm(c.normal)) - 1) < 1e-5;
}

// Box corner i in the world frame (same numbering as collide_plane_box).
template <typename T>
Vec3<T> corner(const CollisionGeom<T>& b, int i) {
  const Vec3<T> l((i & 1) ? b.size[0] : -b.size[0], (i & 2) ? b.size[1] : -b.size[1],
                  (i & 4) ? b.size[2] : -b.size[2]);
  return b.pos + b.rot * l;
}

// Applies the rigid motion x -> R x + p to a geom.
template <typename T>
CollisionGeom<T> moved(const CollisionGeom<T>& g, const Mat3<T>& R, const Vec3<T>& p) {
  CollisionGeom<T> r = g;
  r.pos = R * g.pos + p;
  r.rot = R * g.rot;
  return r;
}

// Contacts of a pair are equivariant under a rigid motion of both geoms.
void check_invariance(int t1, const CollisionGeom<double>& a, int t2,
                      const CollisionGeom<double>& b, double margin) {
  ContactPoint<double> c0[kMaxContactsPerPair], c1[kMaxContactsPerPair];
  const int n0 = collide_ordered(t1, a, t2, b, margin, c0);
  const Mat3<double> R = rot<double>(0.3, -0.7, 0.4, 1.1);
  const Vec3<double> p(0.4, -1.3, 2.2);
  const int n1 = collide_ordered(t1, moved(a, R, p), t2, moved(b, R, p), margin, c1);
  REQUIRE(n0 > 0);
  REQUIRE(n0 == n1);
  for (int k = 0; k < n0; ++k) {
    CHECK(c1[k].dist == doctest::Approx(c0[k].dist).epsilon(1e-9));
    const Vec3<double> n = R * c0[k].normal, q = R * c0[k].pos + p;
    check_vec(c1[k].normal, n.x, n.y, n.z, 1e-9);
    check_vec(c1[k].pos, q.x, q.y, q.z, 1e-9);
  }
}

}  // namespace

// ---- plane pairs
// ---------------------------------------------------------------------------------

TEST_CASE_TEMPLATE("plane-sphere: distance, normal, position, margin", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  auto s = geom<T>(0.3, -0.2, 0.4, eye<T>(), 0.5);
  REQUIRE(collide_plane_sphere(plane, s, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.1) <= tol<T>());
  check_vec(c[0].normal, 0, 0, 1, tol<T>());
  check_vec(c[0].pos, 0.3, -0.2, -0.05, tol<T>());
  // tilted plane through (1, 2, 3): the sphere 0.7 above it along the normal, shifted sideways
  const Mat3<T> R = rot<T>(1, 0, 0, kPi / 6);
  const Vec3<T> n = R.col(2), t = R.col(0);
  auto tp = make_collision_geom(Vec3<T>(1, 2, 3), R, T(0));
  s.pos = tp.pos + n * T(0.7) + t * T(0.4);
  CHECK(collide_plane_sphere(tp, s, T(0), c) == 0);
  CHECK(collide_plane_sphere(tp, s, T(0.2), c) == 0);  // dist == margin is not a contact
  REQUIRE(collide_plane_sphere(tp, s, T(0.25), c) == 1);
  CHECK(std::abs(double(c[0].dist) - 0.2) <= tol<T>());
  check_vec(c[0].normal, n.x, n.y, n.z, tol<T>());
  const Vec3<T> mid = tp.pos + n * T(0.1) + t * T(0.4);
  check_vec(c[0].pos, mid.x, mid.y, mid.z, tol<T>());
}

TEST_CASE_TEMPLATE("plane-capsule: both end caps, tilted gives one", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  // lying along x: axis = local z rotated onto x
  auto cap = geom<T>(0.1, 0, 0.25, rot<T>(0, 1, 0, kPi / 2), 0.3, 0.5);
  REQUIRE(collide_plane_capsule(plane, cap, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.05) <= tol<T>());
    check_vec(c[k].normal, 0, 0, 1, tol<T>());
  }
  CHECK(std::abs(std::abs(double(c[0].pos.x - c[1].pos.x)) - 1.0) <= tol<T>());
  CHECK(std::abs(double(c[0].pos.z) + 0.025) <= tol<T>());
  // tilted 30 degrees: only the low end touches
  cap.rot = rot<T>(0, 1, 0, kPi / 2 - kPi / 6);
  cap.pos.z = T(0.5 * std::sin(kPi / 6) + 0.3 - 0.02);
  REQUIRE(collide_plane_capsule(plane, cap, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.02) <= tol<T>());
  // the end at -a*h is the low one (axis points up along +x, +z)
  CHECK(double(c[0].pos.x) < 0.1);
}

TEST_CASE_TEMPLATE("plane-box: resting flat gives 4 equal contacts at the corners", T, float,
                   double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  const auto box = geom<T>(1, 2, 0.19, eye<T>(), 0.5, 0.3, 0.2);
  REQUIRE(collide_plane_box(plane, box, T(0), c) == 4);
  bool seen[4] = {false, false, false, false};
  for (int k = 0; k < 4; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    check_vec(c[k].normal, 0, 0, 1, tol<T>());
    CHECK(std::abs(double(c[k].pos.z) + 0.005) <= tol<T>());
    CHECK(std::abs(std::abs(double(c[k].pos.x) - 1) - 0.5) <= tol<T>());
    CHECK(std::abs(std::abs(double(c[k].pos.y) - 2) - 0.3) <= tol<T>());
    seen[(c[k].pos.x > T(1) ? 1 : 0) + (c[k].pos.y > T(2) ? 2 : 0)] = true;
  }
  CHECK((seen[0] && seen[1] && seen[2] && seen[3]));
  // lifted above the margin: nothing; within a margin: 4 contacts with positive dist
  const auto high = geom<T>(1, 2, 0.25, eye<T>(), 0.5, 0.3, 0.2);
  CHECK(collide_plane_box(plane, high, T(0), c) == 0);
  REQUIRE(collide_plane_box(plane, high, T(0.1), c) == 4);
  CHECK(std::abs(double(c[0].dist) - 0.05) <= tol<T>());
  // nconmax_pair-like cap
  CHECK(collide_plane_box(plane, box, T(0), c, 2) == 2);
}

TEST_CASE_TEMPLATE("plane-box: tilted box touches with its lowest corner", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  auto box = geom<T>(0.3, -0.1, 0, rot<T>(1, 2, 0.5, 0.7), 0.4, 0.25, 0.15);
  int low = 0;
  for (int i = 1; i < 8; ++i)
    if (corner(box, i).z < corner(box, low).z) low = i;
  box.pos.z = -corner(box, low).z - T(0.01);  // lowest corner 1 cm below the plane
  const Vec3<T> lc = corner(box, low);
  REQUIRE(collide_plane_box(plane, box, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.01) <= tol<T>());
  check_vec(c[0].pos, lc.x, lc.y, lc.z + 0.005, tol<T>());
  // a large margin keeps the 4 deepest, deepest first
  REQUIRE(collide_plane_box(plane, box, T(10), c) == 4);
  std::vector<double> z;
  for (int i = 0; i < 8; ++i) z.push_back(double(corner(box, i).z));
  std::sort(z.begin(), z.end());
  for (int k = 0; k < 4; ++k) CHECK(std::abs(double(c[k].dist) - z[k]) <= tol<T>());
  // the same through a rotated and shifted plane: equivariance
  if (std::is_same<T, double>::value) {
    const auto bd =
        geom<double>(0.3, -0.1, double(box.pos.z), rot<double>(1, 2, 0.5, 0.7), 0.4, 0.25, 0.15);
    check_invariance(kGeomPlane, geom<double>(0, 0, 0, eye<double>(), 0), kGeomBox, bd, 0.05);
  }
}

TEST_CASE_TEMPLATE("plane-mesh: cube mesh matches the box, prism picks a spread-out set", T, float,
                   double) {
  ContactPoint<T> c[kMaxContactsPerPair], cb[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  // cube mesh == box of half-sizes (0.5, 0.3, 0.2), tilted
  std::vector<T> cube;
  for (int i = 0; i < 8; ++i) {
    cube.push_back((i & 1) ? T(0.5) : T(-0.5));
    cube.push_back((i & 2) ? T(0.3) : T(-0.3));
    cube.push_back((i & 4) ? T(0.2) : T(-0.2));
  }
  auto mesh = geom<T>(0, 0, 0.3, rot<T>(0.2, 1, 0.1, 0.4), 0);
  mesh.vert = cube.data();
  mesh.nvert = 8;
  auto box = geom<T>(0, 0, 0.3, rot<T>(0.2, 1, 0.1, 0.4), 0.5, 0.3, 0.2);
  const int nb = collide_plane_box(plane, box, T(0), cb);
  REQUIRE(nb >= 1);
  REQUIRE(collide_plane_mesh(plane, mesh, T(0), c) == nb);
  for (int k = 0; k < nb; ++k) {
    CHECK(std::abs(double(c[k].dist - cb[k].dist)) <= tol<T>());
    check_vec(c[k].pos, cb[k].pos.x, cb[k].pos.y, cb[k].pos.z, tol<T>());
  }
  // hexadecagonal prism (radius 0.2, half-height 0.1) resting 5 mm into the plane: 16 bottom
  // vertices qualify, 4 are kept, all at the same depth and spanning a large quadrilateral
  std::vector<T> prism;
  for (int zs = -1; zs <= 1; zs += 2)
    for (int i = 0; i < 16; ++i) {
      prism.push_back(T(0.2 * std::cos(2 * kPi * i / 16)));
      prism.push_back(T(0.2 * std::sin(2 * kPi * i / 16)));
      prism.push_back(T(0.1 * zs));
    }
  auto pm = geom<T>(0.5, 0.5, 0.095, eye<T>(), 0);
  pm.vert = prism.data();
  pm.nvert = 32;
  REQUIRE(collide_plane_mesh(plane, pm, T(0), c) == 4);
  for (int k = 0; k < 4; ++k) CHECK(std::abs(double(c[k].dist) + 0.005) <= tol<T>());
  // shoelace area of the 4 points in angular order; the inscribed square has area 2 r^2 = 0.08
  std::vector<std::pair<double, Vec3<double>>> pts;
  for (int k = 0; k < 4; ++k) {
    const Vec3<double> q(double(c[k].pos.x) - 0.5, double(c[k].pos.y) - 0.5, 0);
    pts.push_back({std::atan2(q.y, q.x), q});
  }
  std::sort(pts.begin(), pts.end(),
            [](const std::pair<double, Vec3<double>>& a, const std::pair<double, Vec3<double>>& b) {
              return a.first < b.first;
            });
  double area = 0;
  for (int k = 0; k < 4; ++k) {
    const Vec3<double>& p = pts[k].second;
    const Vec3<double>& q = pts[(k + 1) % 4].second;
    area += 0.5 * (p.x * q.y - q.x * p.y);
  }
  CHECK(area > 0.07);
  // tilted prism: the deepest vertex comes first; fewer candidates than 4 -> all of them
  pm.rot = rot<T>(1, 0.3, 0, 0.3);
  T lowest = T(1e9);
  for (int i = 0; i < 32; ++i) {
    const Vec3<T> w = pm.pos + pm.rot * Vec3<T>::load(prism.data() + 3 * i);
    lowest = std::min(lowest, w.z);
  }
  const int n = collide_plane_mesh(plane, pm, T(0), c);
  REQUIRE(n >= 1);
  CHECK(std::abs(double(c[0].dist - lowest)) <= tol<T>());
  for (int k = 0; k < n; ++k) CHECK(c[k].dist < T(0));
  // cap
  CHECK(collide_plane_mesh(plane, pm, T(1), c, 3) == 3);
  CHECK(std::abs(double(c[0].dist - lowest)) <= tol<T>());
}

TEST_CASE_TEMPLATE("plane-cylinder: upright, lying and tilted", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto plane = geom<T>(0, 0, 0, eye<T>(), 0);
  // upright: a support triangle on the bottom disc
  const auto up = geom<T>(0, 0, 0.29, eye<T>(), 0.2, 0.3);
  REQUIRE(collide_plane_cylinder(plane, up, T(0), c) == 3);
  for (int k = 0; k < 3; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    CHECK(std::abs(std::hypot(double(c[k].pos.x), double(c[k].pos.y)) - 0.2) <= tol<T>());
  }
  // lying along x: the two rim lines' ends
  const auto lying = geom<T>(0, 0, 0.19, rot<T>(0, 1, 0, kPi / 2), 0.2, 0.3);
  REQUIRE(collide_plane_cylinder(plane, lying, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
  CHECK(std::abs(std::abs(double(c[0].pos.x - c[1].pos.x)) - 0.6) <= tol<T>());
  // tilted by th about y: lowest point at z - h cos th - r sin th
  const double th = 0.4;
  const auto tilt =
      geom<T>(0, 0, 0.3 * std::cos(th) + 0.2 * std::sin(th) - 0.02, rot<T>(0, 1, 0, th), 0.2, 0.3);
  REQUIRE(collide_plane_cylinder(plane, tilt, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.02) <= tol<T>());
}

// ---- primitive pairs
// -----------------------------------------------------------------------------

TEST_CASE_TEMPLATE("sphere-sphere: analytic, swapped order flips the normal", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair], s[kMaxContactsPerPair];
  const auto a = geom<T>(0, 0, 0, eye<T>(), 0.5), b = geom<T>(0.6, 0.8, 0, eye<T>(), 0.6);
  REQUIRE(collide_sphere_sphere(a, b, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.1) <= tol<T>());
  check_vec(c[0].normal, 0.6, 0.8, 0, tol<T>());
  check_vec(c[0].pos, 0.6 * 0.45, 0.8 * 0.45, 0, tol<T>());
  REQUIRE(collide_sphere_sphere(b, a, T(0), s) == 1);
  CHECK(std::abs(double(s[0].dist - c[0].dist)) <= tol<T>());
  check_vec(s[0].normal, -0.6, -0.8, 0, tol<T>());
  check_vec(s[0].pos, c[0].pos.x, c[0].pos.y, c[0].pos.z, tol<T>());
  // separated: margin decides
  const auto far = geom<T>(0, 0, 1.2, eye<T>(), 0.5);
  CHECK(collide_sphere_sphere(a, far, T(0), c) == 0);
  REQUIRE(collide_sphere_sphere(a, far, T(0.3), c) == 1);
  CHECK(std::abs(double(c[0].dist) - 0.2) <= tol<T>());
  check_vec(c[0].pos, 0, 0, 0.6, tol<T>());
}

TEST_CASE_TEMPLATE("sphere-capsule: side and end cap", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto cap = geom<T>(0, 0, 0, eye<T>(), 0.2, 0.5);
  const auto side = geom<T>(0.5, 0, 0.3, eye<T>(), 0.25);
  CHECK(collide_sphere_capsule(side, cap, T(0), c) == 0);
  REQUIRE(collide_sphere_capsule(side, cap, T(0.1), c) == 1);
  CHECK(std::abs(double(c[0].dist) - 0.05) <= tol<T>());
  check_vec(c[0].normal, -1, 0, 0, tol<T>());  // from the sphere toward the capsule
  check_vec(c[0].pos, 0.225, 0, 0.3, tol<T>());
  const auto end = geom<T>(0, 0, 0.9, eye<T>(), 0.25);
  REQUIRE(collide_sphere_capsule(end, cap, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.05) <= tol<T>());
  check_vec(c[0].normal, 0, 0, -1, tol<T>());
  if (std::is_same<T, double>::value)
    check_invariance(kGeomSphere, geom<double>(0.3, 0.1, 0.35, eye<double>(), 0.25), kGeomCapsule,
                     geom<double>(0, 0, 0, rot<double>(1, 1, 0, 0.5), 0.2, 0.5), 0);
}

TEST_CASE_TEMPLATE("capsule-capsule: crossing, parallel, antiparallel, skew", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const Mat3<T> along_x = rot<T>(0, 1, 0, kPi / 2), along_y = rot<T>(1, 0, 0, kPi / 2);
  // crossing at right angles
  const auto c1 = geom<T>(0, 0, 0, along_x, 0.2, 0.5);
  const auto c2 = geom<T>(0.1, -0.2, 0.35, along_y, 0.2, 0.5);
  REQUIRE(collide_capsule_capsule(c1, c2, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.05) <= tol<T>());
  check_vec(c[0].normal, 0, 0, 1, tol<T>());
  check_vec(c[0].pos, 0.1, 0, 0.175, tol<T>());
  // parallel, offset along the axis: 2 contacts at the ends of the overlap [-0.2, 0.5]
  const auto p2 = geom<T>(0.3, 0, 0.35, along_x, 0.2, 0.5);
  REQUIRE(collide_capsule_capsule(c1, p2, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.05) <= tol<T>());
    check_vec(c[k].normal, 0, 0, 1, tol<T>());
  }
  CHECK(std::abs(double(std::min(c[0].pos.x, c[1].pos.x)) + 0.2) <= tol<T>());
  CHECK(std::abs(double(std::max(c[0].pos.x, c[1].pos.x)) - 0.5) <= tol<T>());
  // antiparallel: same contacts
  const auto p3 = geom<T>(0.3, 0, 0.35, rot<T>(0, 1, 0, -kPi / 2), 0.2, 0.5);
  REQUIRE(collide_capsule_capsule(c1, p3, T(0), c) == 2);
  CHECK(std::abs(double(std::min(c[0].pos.x, c[1].pos.x)) + 0.2) <= tol<T>());
  CHECK(std::abs(double(std::max(c[0].pos.x, c[1].pos.x)) - 0.5) <= tol<T>());
  // parallel without overlap: one contact between the nearest ends
  const auto p4 = geom<T>(1.3, 0, 0.1, along_x, 0.2, 0.5);
  REQUIRE(collide_capsule_capsule(c1, p4, T(0.5), c) == 1);
  CHECK(std::abs(double(c[0].dist) - (std::hypot(0.3, 0.1) - 0.4)) <= tol<T>());
}

TEST_CASE("capsule-capsule and capsule-box agree with brute-force sampling") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  const int ns = 4001;
  for (int trial = 0; trial < 60; ++trial) {
    const auto a = geom<double>(0, 0, 0, rot<double>(u(rng), u(rng), u(rng), 3 * u(rng)),
                                0.1 + 0.1 * (u(rng) + 1), 0.2 + 0.2 * (u(rng) + 1));
    const auto b = geom<double>(
        0.6 * u(rng), 0.6 * u(rng), 0.6 * u(rng), rot<double>(u(rng), u(rng), u(rng), 3 * u(rng)),
        0.1 + 0.1 * (u(rng) + 1), 0.2 + 0.2 * (u(rng) + 1), 0.1 + 0.2 * (u(rng) + 1));
    const Vec3<double> a1 = a.rot.col(2), a2 = b.rot.col(2);
    // capsule-capsule: minimum over a grid of s of the exact point-segment distance
    double best = 1e9;
    for (int i = 0; i < ns; ++i) {
      const double s = -a.size[1] + 2 * a.size[1] * i / (ns - 1);
      const Vec3<double> p = a.pos + a1 * s;
      const double t = s_clamp(dot(a2, p - b.pos), -b.size[1], b.size[1]);
      best = std::min(best, norm(p - (b.pos + a2 * t)) - a.size[0] - b.size[0]);
    }
    ContactPoint<double> c[kMaxContactsPerPair];
    const int n = collide_capsule_capsule(a, b, 10.0, c);
    REQUIRE(n >= 1);
    double got = 1e9;
    for (int k = 0; k < n; ++k) {
      got = std::min(got, c[k].dist);
      CHECK(finite(c[k]));
    }
    CHECK(got <= best + 1e-9);
    CHECK(got >= best - 1e-5);
    // capsule-box: the exact box sdf sampled along the segment
    best = 1e9;
    for (int i = 0; i < ns; ++i) {
      const double s = -a.size[1] + 2 * a.size[1] * i / (ns - 1);
      const Vec3<double> x = b.rot.tmul(a.pos + a1 * s - b.pos);
      best = std::min(best, collision_detail::box_sdf(x, b.size) - a.size[0]);
    }
    const int nb = collide_capsule_box(a, b, 10.0, c);
    REQUIRE(nb >= 1);
    got = 1e9;
    for (int k = 0; k < nb; ++k) {
      got = std::min(got, c[k].dist);
      CHECK(finite(c[k]));
    }
    // sampling misses a kink of the sdf by at most |slope| * step / 2 <= 1e-4
    CHECK(got <= best + 1e-9);
    CHECK(got >= best - 1e-4);
    CHECK(c[0].dist == got);  // deepest first
  }
}

TEST_CASE_TEMPLATE("sphere-box: face, edge region, inside", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const auto box = geom<T>(0, 0, 0, eye<T>(), 0.5, 0.4, 0.3);
  const auto top = geom<T>(0.1, 0.2, 0.6, eye<T>(), 0.35);
  REQUIRE(collide_sphere_box(top, box, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.05) <= tol<T>());
  check_vec(c[0].normal, 0, 0, -1, tol<T>());  // from the sphere toward the box
  check_vec(c[0].pos, 0.1, 0.2, 0.275, tol<T>());
  // near the vertical edge (0.5, 0.4, z): closest box point (0.5, 0.4, 0.1) at distance 0.5
  const auto edge = geom<T>(0.8, 0.8, 0.1, eye<T>(), 0.55);
  REQUIRE(collide_sphere_box(edge, box, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.05) <= tol<T>());
  check_vec(c[0].normal, -0.6, -0.8, 0, tol<T>());
  check_vec(c[0].pos, 0.485, 0.38, 0.1, tol<T>());
  // centre inside, nearest the +x face
  const auto in = geom<T>(0.4, 0, 0, eye<T>(), 0.1);
  REQUIRE(collide_sphere_box(in, box, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.2) <= tol<T>());
  check_vec(c[0].normal, -1, 0, 0, tol<T>());
  check_vec(c[0].pos, 0.4, 0, 0, tol<T>());
  if (std::is_same<T, double>::value) {
    check_invariance(kGeomSphere, geom<double>(0.7, 0.6, 0.2, eye<double>(), 0.4), kGeomBox,
                     geom<double>(0, 0, 0, rot<double>(0, 0, 1, 0.1), 0.5, 0.4, 0.3), 0);
    check_invariance(kGeomSphere, geom<double>(0.1, 0.05, 0.2, eye<double>(), 0.1), kGeomBox,
                     geom<double>(0, 0, 0, rot<double>(0, 0, 1, 0.1), 0.5, 0.4, 0.3), 0);
  }
}

TEST_CASE_TEMPLATE("capsule-box: lying on a face, bridging a small box, end first, over an edge", T,
                   float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const Mat3<T> along_x = rot<T>(0, 1, 0, kPi / 2), along_y = rot<T>(1, 0, 0, kPi / 2);
  // lying on the top face of a large box: the two ends
  const auto big = geom<T>(0, 0, 0, eye<T>(), 1, 1, 0.2);
  const auto lying = geom<T>(0.1, 0.2, 0.29, along_x, 0.1, 0.5);
  REQUIRE(collide_capsule_box(lying, big, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    check_vec(c[k].normal, 0, 0, -1, tol<T>());
    CHECK(std::abs(double(c[k].pos.z) - 0.195) <= tol<T>());
  }
  CHECK(std::abs(std::abs(double(c[0].pos.x - c[1].pos.x)) - 1.0) <= tol<T>());
  // bridging a box narrower than the capsule: contacts at the two top edges x = -0.2, 0.2
  const auto small = geom<T>(0, 0, 0, eye<T>(), 0.2, 0.2, 0.2);
  const auto bridge = geom<T>(0, 0.05, 0.29, along_x, 0.1, 0.5);
  REQUIRE(collide_capsule_box(bridge, small, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    check_vec(c[k].normal, 0, 0, -1, tol<T>());
  }
  const double xeps = tol<T>();
  CHECK(std::abs(double(std::min(c[0].pos.x, c[1].pos.x)) + 0.2) <= xeps);
  CHECK(std::abs(double(std::max(c[0].pos.x, c[1].pos.x)) - 0.2) <= xeps);
  // hanging over the +x edge of the small box: the end on the face and the edge point
  const auto hang = geom<T>(0.35, 0, 0.29, along_x, 0.1, 0.4);
  REQUIRE(collide_capsule_box(hang, small, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    check_vec(c[k].normal, 0, 0, -1, tol<T>());
  }
  CHECK(std::abs(double(std::min(c[0].pos.x, c[1].pos.x)) + 0.05) <= xeps);
  CHECK(std::abs(double(std::max(c[0].pos.x, c[1].pos.x)) - 0.2) <= xeps);
  // standing on its end: one contact
  const auto stand = geom<T>(0.1, 0, 0.2 + 0.5 + 0.1 - 0.02, eye<T>(), 0.1, 0.5);
  REQUIRE(collide_capsule_box(stand, big, T(0), c) == 1);
  CHECK(std::abs(double(c[0].dist) + 0.02) <= tol<T>());
  check_vec(c[0].normal, 0, 0, -1, tol<T>());
  check_vec(c[0].pos, 0.1, 0, 0.19, tol<T>());
  // parallel to the edge (x, z) = (0.5, 0.5) of a cube, outside it: two end contacts whose
  // normal points from the axis to the edge
  const auto cube = geom<T>(0, 0, 0, eye<T>(), 0.5, 0.5, 0.5);
  const auto over = geom<T>(0.56, 0, 0.58, along_y, 0.11, 0.3);
  REQUIRE(collide_capsule_box(over, cube, T(0), c) == 2);
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(double(c[k].dist) + 0.01) <= tol<T>());
    check_vec(c[k].normal, -0.6, 0, -0.8, tol<T>());
  }
  if (std::is_same<T, double>::value)
    // crossing over the top edge (x, z) = (0.3, 0.3): a smooth minimum beside the edge
    check_invariance(kGeomCapsule,
                     geom<double>(0.3, 0.1, 0.35, rot<double>(0, 1, 0, 2.07), 0.1, 0.4), kGeomBox,
                     geom<double>(0, 0, 0, eye<double>(), 0.3, 0.3, 0.3), 0);
}

TEST_CASE_TEMPLATE("contact frame follows mju_makeFrame's rule", T, float, double) {
  T f[9];
  make_contact_frame(Vec3<T>(0, 0, 1), f);
  const double e1[9] = {0, 0, 1, 0, 1, 0, -1, 0, 0};
  for (int i = 0; i < 9; ++i) CHECK(std::abs(double(f[i]) - e1[i]) <= tol<T>());
  make_contact_frame(Vec3<T>(0, 1, 0), f);
  const double e2[9] = {0, 1, 0, 0, 0, 1, 1, 0, 0};
  for (int i = 0; i < 9; ++i) CHECK(std::abs(double(f[i]) - e2[i]) <= tol<T>());
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int trial = 0; trial < 100; ++trial) {
    Vec3<T> n(T(u(rng)), T(u(rng)), T(u(rng)));
    normalize(n);
    make_contact_frame(n, f);
    const Mat3<T> F = Mat3<T>::load(f);
    const Mat3<T> I = F * F.transpose();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) CHECK(std::abs(double(I(i, j)) - (i == j)) <= 10 * tol<T>());
    const Vec3<T> r0(f[0], f[1], f[2]), r1(f[3], f[4], f[5]), r2(f[6], f[7], f[8]);
    CHECK(double(dot(cross(r0, r1), r2)) > 0.99);  // right-handed
    check_vec(r0, n.x, n.y, n.z, tol<T>());
  }
}

TEST_CASE("float and double agree on every pair") {
  struct Case {
    int t1, t2;
    CollisionGeom<double> a, b;
  };
  static std::vector<double> cube;
  cube.clear();
  for (int i = 0; i < 8; ++i) {
    cube.push_back((i & 1) ? 0.3 : -0.3);
    cube.push_back((i & 2) ? 0.2 : -0.2);
    cube.push_back((i & 4) ? 0.1 : -0.1);
  }
  auto mesh = geom<double>(0.1, 0.2, 0.25, rot<double>(1, 2, 3, 0.6), 0);
  mesh.vert = cube.data();
  mesh.nvert = 8;
  const auto plane = geom<double>(0.1, 0, -0.05, rot<double>(1, 0.5, 0, 0.2), 0);
  const std::vector<Case> cases = {
      {kGeomPlane, kGeomSphere, plane, geom<double>(0.3, 0.1, 0.2, eye<double>(), 0.3)},
      {kGeomPlane, kGeomCapsule, plane,
       geom<double>(0.3, 0.1, 0.2, rot<double>(0.3, 1, 0, 1.2), 0.2, 0.4)},
      {kGeomPlane, kGeomBox, plane,
       geom<double>(0.3, 0.1, 0.2, rot<double>(0.3, 1, 0.2, 0.5), 0.3, 0.2, 0.25)},
      {kGeomPlane, kGeomCylinder, plane,
       geom<double>(0.3, 0.1, 0.3, rot<double>(0.3, 1, 0.2, 0.5), 0.2, 0.25)},
      {kGeomPlane, kGeomMesh, plane, mesh},
      {kGeomSphere, kGeomSphere, geom<double>(0, 0, 0, eye<double>(), 0.3),
       geom<double>(0.2, 0.3, 0.1, eye<double>(), 0.25)},
      {kGeomSphere, kGeomCapsule, geom<double>(0.3, 0.1, 0.2, eye<double>(), 0.3),
       geom<double>(0, 0, 0, rot<double>(1, 1, 1, 0.7), 0.1, 0.5)},
      {kGeomSphere, kGeomBox, geom<double>(0.3, 0.1, 0.45, eye<double>(), 0.3),
       geom<double>(0, 0, 0, rot<double>(1, 1, 1, 0.7), 0.3, 0.3, 0.2)},
      {kGeomCapsule, kGeomCapsule, geom<double>(0.3, 0.1, 0.2, rot<double>(1, 0, 0, 1), 0.2, 0.4),
       geom<double>(0, 0, 0, rot<double>(1, 1, 1, 0.7), 0.1, 0.5)},
      {kGeomCapsule, kGeomBox, geom<double>(0.3, 0.1, 0.5, rot<double>(1, 0, 0, 1), 0.2, 0.4),
       geom<double>(0, 0, 0, rot<double>(1, 1, 1, 0.7), 0.3, 0.3, 0.2)},
  };
  std::vector<float> cubef(cube.begin(), cube.end());
  for (const Case& k : cases) {
    CAPTURE(k.t1);
    CAPTURE(k.t2);
    auto to_float = [&](const CollisionGeom<double>& g) {
      CollisionGeom<float> f;
      f.pos = Vec3<float>(float(g.pos.x), float(g.pos.y), float(g.pos.z));
      for (int i = 0; i < 9; ++i) f.rot.m[i] = float(g.rot.m[i]);
      for (int i = 0; i < 3; ++i) f.size[i] = float(g.size[i]);
      f.vert = g.vert ? cubef.data() : nullptr;
      f.nvert = g.nvert;
      return f;
    };
    ContactPoint<double> cd[kMaxContactsPerPair];
    ContactPoint<float> cf[kMaxContactsPerPair];
    const int nd = collide_ordered(k.t1, k.a, k.t2, k.b, 0.1, cd);
    const int nf = collide_ordered(k.t1, to_float(k.a), k.t2, to_float(k.b), 0.1f, cf);
    REQUIRE(nd >= 1);
    REQUIRE(nd == nf);
    for (int i = 0; i < nd; ++i) {
      CHECK(std::abs(cf[i].dist - cd[i].dist) <= 1e-5);
      for (int j = 0; j < 3; ++j) {
        CHECK(std::abs(cf[i].normal[j] - cd[i].normal[j]) <= 1e-5);
        CHECK(std::abs(cf[i].pos[j] - cd[i].pos[j]) <= 1e-5);
      }
    }
  }
}

TEST_CASE_TEMPLATE("degenerate inputs give finite contacts", T, float, double) {
  ContactPoint<T> c[kMaxContactsPerPair];
  const Mat3<T> I = eye<T>();
  // coincident sphere centres
  REQUIRE(collide_sphere_sphere(geom<T>(1, 1, 1, I, 0.2), geom<T>(1, 1, 1, I, 0.3), T(0), c) == 1);
  CHECK(finite(c[0]));
  CHECK(std::abs(double(c[0].dist) + 0.5) <= tol<T>());
  // sphere centre on the capsule axis: normal perpendicular to the axis
  REQUIRE(collide_sphere_capsule(geom<T>(0, 0, 0.1, I, 0.2), geom<T>(0, 0, 0, I, 0.1, 0.5), T(0),
                                 c) == 1);
  CHECK(finite(c[0]));
  CHECK(std::abs(double(c[0].normal.z)) <= tol<T>());
  // coaxial overlapping capsules
  const int n = collide_capsule_capsule(geom<T>(0, 0, 0, I, 0.1, 0.5),
                                        geom<T>(0, 0, 0.3, I, 0.1, 0.5), T(0), c);
  REQUIRE(n >= 1);
  for (int k = 0; k < n; ++k) CHECK(finite(c[k]));
  // identical capsules, zero-length capsules
  REQUIRE(collide_capsule_capsule(geom<T>(0, 0, 0, I, 0.1, 0.5), geom<T>(0, 0, 0, I, 0.1, 0.5),
                                  T(0), c) >= 1);
  CHECK(finite(c[0]));
  REQUIRE(collide_capsule_capsule(geom<T>(0, 0, 0, I, 0.1, 0), geom<T>(0, 0, 0, I, 0.1, 0), T(0),
                                  c) == 1);
  CHECK(finite(c[0]));
  // sphere and capsule centred in a box
  REQUIRE(collide_sphere_box(geom<T>(0, 0, 0, I, 0.1), geom<T>(0, 0, 0, I, 0.3, 0.3, 0.3), T(0),
                             c) == 1);
  CHECK(finite(c[0]));
  CHECK(std::abs(double(c[0].dist) + 0.4) <= tol<T>());
  const int nb = collide_capsule_box(geom<T>(0, 0, 0, I, 0.1, 0.2),
                                     geom<T>(0, 0, 0, I, 0.3, 0.3, 0.3), T(0), c);
  REQUIRE(nb >= 1);
  for (int k = 0; k < nb; ++k) CHECK(finite(c[k]));
  REQUIRE(collide_capsule_box(geom<T>(0, 0, 0.35, I, 0.1, 0), geom<T>(0, 0, 0, I, 0.3, 0.3, 0.3),
                              T(0), c) == 1);
  CHECK(finite(c[0]));
  // zero-size box on a plane, mesh without vertices
  const auto plane = geom<T>(0, 0, 0, I, 0);
  CHECK(collide_plane_box(plane, geom<T>(0, 0, -0.1, I, 0, 0, 0), T(0), c) == 4);
  for (int k = 0; k < 4; ++k) CHECK(finite(c[k]));
  CHECK(collide_plane_mesh(plane, geom<T>(0, 0, 0, I, 0), T(0), c) == 0);
  // mesh whose candidates are collinear: spread selection stops at 2
  const T line[15] = {0, 0, 0, T(0.1), 0, 0, T(0.2), 0, 0, T(0.3), 0, 0, T(0.4), 0, 0};
  auto lm = geom<T>(0, 0, -0.01, I, 0);
  lm.vert = line;
  lm.nvert = 5;
  REQUIRE(collide_plane_mesh(plane, lm, T(0), c) == 2);
  CHECK(std::abs(std::abs(double(c[0].pos.x - c[1].pos.x)) - 0.4) <= tol<T>());
}

// ---- dispatcher and stage
// ------------------------------------------------------------------------

namespace {

// One world body holding geoms of the given types and sizes; mesh geoms use mesh 0, a box of
// half-sizes (0.3, 0.2, 0.1). Pairs are set by set_pairs (Model::finalize is not used).
Model scene_model(const std::vector<int>& types, const std::vector<std::vector<double>>& sizes) {
  Model m;
  m.size.nbody = 1;
  m.size.ngeom = static_cast<int>(types.size());
  m.size.nmesh = 1;
  m.size.nmeshvert = 8;
  m.resize();
  for (int i = 0; i < 8; ++i) {
    m.mesh_vert[3 * i] = (i & 1) ? 0.3 : -0.3;
    m.mesh_vert[3 * i + 1] = (i & 2) ? 0.2 : -0.2;
    m.mesh_vert[3 * i + 2] = (i & 4) ? 0.1 : -0.1;
  }
  m.mesh_vertadr[0] = 0;
  m.mesh_vertnum[0] = 8;
  for (int g = 0; g < m.size.ngeom; ++g) {
    m.geom_type[g] = types[g];
    m.geom_dataid[g] = types[g] == kGeomMesh ? 0 : -1;
    for (int k = 0; k < 3; ++k) m.geom_size[3 * g + k] = sizes[g][k];
    m.geom_friction[3 * g] = 1;
    m.geom_solref[2 * g] = 0.02;
    m.geom_solref[2 * g + 1] = 1;
    const double si[5] = {0.9, 0.95, 0.001, 0.5, 2};
    for (int k = 0; k < 5; ++k) m.geom_solimp[5 * g + k] = si[k];
    m.geom_condim[g] = 3;
    const double* s = &m.geom_size[3 * g];
    m.geom_rbound[g] =
        types[g] == kGeomPlane    ? 0
        : types[g] == kGeomSphere ? s[0]
        : types[g] == kGeomCapsule
            ? s[0] + s[1]
            : (types[g] == kGeomMesh ? std::sqrt(0.14)
                                     : std::sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]));
  }
  return m;
}

void set_pairs(Model& m, const std::vector<std::pair<int, int>>& pairs, int nconmax) {
  m.pair_geom1.clear();
  m.pair_geom2.clear();
  for (const auto& p : pairs) {
    m.pair_geom1.push_back(p.first);
    m.pair_geom2.push_back(p.second);
  }
  m.size.npair = static_cast<int>(pairs.size());
  m.size.nconmax = nconmax;
}

template <typename T>
void place(WorldData<T>& d, int g, double x, double y, double z, const Mat3<double>& R) {
  d.geom_xpos[3 * g] = T(x);
  d.geom_xpos[3 * g + 1] = T(y);
  d.geom_xpos[3 * g + 2] = T(z);
  for (int i = 0; i < 9; ++i) d.geom_xmat[9 * g + i] = T(R.m[i]);
}

}  // namespace

TEST_CASE("collide_geoms: the normal points from g1 to g2 in either order") {
  const std::vector<int> types = {kGeomPlane, kGeomSphere, kGeomCapsule,
                                  kGeomBox,   kGeomMesh,   kGeomCylinder};
  Model m = scene_model(
      types, {{0, 0, 0}, {0.2, 0, 0}, {0.1, 0.3, 0}, {0.3, 0.2, 0.1}, {0, 0, 0}, {0.1, 0.2, 0}});
  set_pairs(m, {}, 0);
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  const ModelView<double> mv = m.view();
  const Mat3<double> I = Mat3<double>::identity();
  place(d, 0, 0, 0, 0, I);
  place(d, 1, 0, 0, 0.15, I);
  place(d, 2, 0.3, 0, 0.2, rot<double>(0, 1, 0, 1.2));
  place(d, 3, 0.1, 0.35, 0.05, rot<double>(1, 1, 0, 0.3));
  place(d, 4, -0.5, 0, 0.08, I);
  place(d, 5, 0, -0.5, 0.15, I);
  int touching = 0;  // ordered pairs with contacts
  for (int g1 = 0; g1 < 6; ++g1) {
    for (int g2 = 0; g2 < 6; ++g2) {
      if (g1 == g2) continue;
      CAPTURE(g1);
      CAPTURE(g2);
      ContactPoint<double> a[kMaxContactsPerPair], b[kMaxContactsPerPair];
      const int na = collide_geoms(mv, d, g1, g2, 0.05, a);
      const int nb = collide_geoms(mv, d, g2, g1, 0.05, b);
      REQUIRE(na == nb);
      for (int k = 0; k < na; ++k) {
        CHECK(a[k].dist == doctest::Approx(b[k].dist));
        check_vec(a[k].normal, -b[k].normal.x, -b[k].normal.y, -b[k].normal.z, 1e-12);
        check_vec(a[k].pos, b[k].pos.x, b[k].pos.y, b[k].pos.z, 1e-12);
      }
      touching += na > 0;
      // normal from g1 to g2: moving g2 by delta along the deepest contact's normal separates
      // the pair at rate 1 (the contact's dist grows by delta, to first order)
      if (na > 0) {
        const double delta = 1e-4;
        double* p2 = d.geom_xpos + 3 * g2;
        const Vec3<double> p2_0 = Vec3<double>::load(p2);
        (p2_0 + a[0].normal * delta).store(p2);
        ContactPoint<double> e[kMaxContactsPerPair];
        const int ne = collide_geoms(mv, d, g1, g2, 0.05, e);
        p2_0.store(p2);
        REQUIRE(ne >= 1);
        CHECK(e[0].dist - a[0].dist == doctest::Approx(delta).epsilon(1e-3));
      }
    }
  }
  CHECK(touching >= 14);
  // the pairs this scene is built to touch
  ContactPoint<double> c[kMaxContactsPerPair];
  CHECK(collide_geoms(mv, d, 1, 0, 0.0, c) == 1);
  CHECK(c[0].normal.z == doctest::Approx(-1));
  CHECK(collide_geoms(mv, d, 4, 0, 0.0, c) == 4);
  CHECK(collide_geoms(mv, d, 5, 0, 0.0, c) == 3);
}

TEST_CASE_TEMPLATE("collision stage fills the contact arrays", T, float, double) {
  // plane, box resting 1 cm deep, sphere far above, capsule lying on the plane, sphere on the box
  Model m = scene_model({kGeomPlane, kGeomBox, kGeomSphere, kGeomCapsule, kGeomSphere},
                        {{0, 0, 0}, {0.3, 0.2, 0.1}, {0.1, 0, 0}, {0.05, 0.2, 0}, {0.1, 0, 0}});
  m.geom_friction[3 * 0] = 0.8;
  m.geom_friction[3 * 1] = 0.5;
  m.geom_solref[2 * 1] = 0.04;
  m.geom_solimp[5 * 1] = 0.7;
  m.geom_margin[3] = 0.01;
  m.geom_condim[3] = 1;
  m.geom_condim[0] = 1;
  set_pairs(m, {{0, 1}, {0, 2}, {0, 3}, {1, 4}, {2, 4}}, 12);
  Data<T> data(m, 1);
  WorldData<T> d = data.world(0);
  std::vector<float> fstore;
  ModelView<T> mv = m.view_as<T>(fstore);
  const Mat3<double> I = Mat3<double>::identity();
  place(d, 0, 0, 0, 0, I);
  place(d, 1, 0, 0, 0.09, I);
  place(d, 2, 0, 0, 5, I);
  place(d, 3, 1, 0, 0.055, rot<double>(0, 1, 0, kPi / 2));
  place(d, 4, 0.05, 0.05, 0.27, I);
  collision(mv, d);
  REQUIRE(*d.ncon == 4 + 2 + 1);
  const double eps = tol<T>();
  // box on plane: 4 contacts, pair (0, 1)
  for (int c = 0; c < 4; ++c) {
    CHECK(d.contact_geom[2 * c] == 0);
    CHECK(d.contact_geom[2 * c + 1] == 1);
    CHECK(std::abs(double(d.contact_dist[c]) + 0.01) <= eps);
    CHECK(std::abs(double(d.contact_mu[c]) - 0.8) <= eps);
    CHECK(std::abs(double(d.contact_solref[2 * c]) - 0.03) <= eps);
    CHECK(std::abs(double(d.contact_solref[2 * c + 1]) - 1) <= eps);
    CHECK(std::abs(double(d.contact_solimp[5 * c]) - 0.8) <= eps);
    CHECK(std::abs(double(d.contact_solimp[5 * c + 1]) - 0.95) <= eps);
    CHECK(d.contact_dim[c] == 3);
    CHECK(d.contact_margin[c] == T(0));
    const double f[9] = {0, 0, 1, 0, 1, 0, -1, 0, 0};
    for (int i = 0; i < 9; ++i) CHECK(std::abs(double(d.contact_frame[9 * c + i]) - f[i]) <= eps);
  }
  // capsule within its 1 cm margin: 2 contacts, dist +5 mm, frictionless (both condim 1)
  for (int c = 4; c < 6; ++c) {
    CHECK(d.contact_geom[2 * c + 1] == 3);
    CHECK(std::abs(double(d.contact_dist[c]) - 0.005) <= eps);
    CHECK(std::abs(double(d.contact_margin[c]) - 0.01) <= eps);
    CHECK(d.contact_dim[c] == 1);
  }
  // sphere on top of the box: normal from the box (g1) up to the sphere (g2)
  CHECK(d.contact_geom[12] == 1);
  CHECK(d.contact_geom[13] == 4);
  CHECK(std::abs(double(d.contact_dist[6]) + 0.02) <= eps);
  CHECK(std::abs(double(d.contact_frame[54 + 2]) - 1) <= eps);
  CHECK(std::abs(double(d.contact_pos[18 + 2]) - 0.18) <= eps);
  // capacity: the first 5 contacts survive, in pair order
  m.size.nconmax = 5;
  mv.size.nconmax = 5;
  collision(mv, d);
  CHECK(*d.ncon == 5);
  CHECK(d.contact_geom[2 * 4 + 1] == 3);
  // per-pair cap (Options::nconmax_pair)
  mv.size.nconmax = 12;
  mv.opt.nconmax_pair = 2;
  collision(mv, d);
  CHECK(*d.ncon == 2 + 2 + 1);
}

TEST_CASE("collision stage: bounding spheres skip far pairs, direct solref takes the minimum") {
  Model m =
      scene_model({kGeomSphere, kGeomSphere, kGeomPlane}, {{0.1, 0, 0}, {0.1, 0, 0}, {0, 0, 0}});
  m.geom_solref[0] = -1000;
  m.geom_solref[1] = -10;
  m.geom_solref[2] = -2000;
  m.geom_solref[3] = -5;
  set_pairs(m, {{0, 1}, {2, 0}}, 3);
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  ModelView<double> mv = m.view();
  place(d, 0, 0, 0, 1, Mat3<double>::identity());
  place(d, 1, 0.15, 0, 1, Mat3<double>::identity());
  place(d, 2, 0, 0, 0, Mat3<double>::identity());
  collision(mv, d);
  REQUIRE(*d.ncon == 1);
  CHECK(d.contact_solref[0] == -2000);
  CHECK(d.contact_solref[1] == -10);
  // sphere behind the plane (pair listed plane first): normal = the plane's +z, dist < 0
  place(d, 0, 0, 0, -0.05, Mat3<double>::identity());
  place(d, 1, 3, 0, 1, Mat3<double>::identity());
  collision(mv, d);
  REQUIRE(*d.ncon == 1);
  CHECK(d.contact_geom[0] == 2);
  CHECK(d.contact_geom[1] == 0);
  CHECK(d.contact_dist[0] == doctest::Approx(-0.15));
  CHECK(d.contact_frame[2] == doctest::Approx(1));
  // far apart: nothing (bounding spheres), and far above the plane: nothing
  place(d, 0, 0, 0, 2, Mat3<double>::identity());
  collision(mv, d);
  CHECK(*d.ncon == 0);
}
