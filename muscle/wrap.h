// SPDX-License-Identifier: Apache-2.0
// Tendon wrapping geometry: the shortest path of a tendon segment between two points around a
// sphere or an infinite cylinder, with optional side sites, following MuJoCo's documented
// semantics (MuJoCo documentation, Modeling > "Tendon wrapping" and "Relation to OpenSim";
// behaviour of mju_wrap / wrap_circle / wrap_inside in src/engine/engine_util_misc.c of MuJoCo
// >= 3.2.3, summarized in ../shared/docs/MUJOCO_SEMANTICS.md §2.2). Written independently from
// that description; no MuJoCo code is copied.
//
// The 3-D problem is reduced to a 2-D circle problem in a plane through the geom centre:
//   sphere   : the plane through the centre and both endpoints (a great circle: the geodesic);
//   cylinder : the plane normal to the axis (local z); the height is interpolated afterwards
//              along the unrolled path, which turns the arc into a helix (again a geodesic).
// Returned lengths are the length of the curved piece between the two tangent points; the
// straight pieces endpoint -> tangent point are left to the caller. A negative return (-1)
// means "no wrap": the tendon goes straight from x0 to x1.
//
// The tangent points are stationary points of the total path length (shortest paths), so the
// derivative of the length with respect to the configuration needs no derivative of the tangent
// points (envelope theorem); muscle/tendon.h relies on this.
#pragma once

#include "engine/core/hd.h"
#include "engine/core/real.h"
#include "engine/core/vec.h"
#include "engine/model.h"

namespace sinew {

namespace wrapdetail {

SINEW_HD SINEW_INLINE double w_acos(double x) { return ::acos(s_clamp(x, -1.0, 1.0)); }
SINEW_HD SINEW_INLINE float w_acos(float x) { return ::acosf(s_clamp(x, -1.0f, 1.0f)); }
SINEW_HD SINEW_INLINE double w_asin(double x) { return ::asin(s_clamp(x, -1.0, 1.0)); }
SINEW_HD SINEW_INLINE float w_asin(float x) { return ::asinf(s_clamp(x, -1.0f, 1.0f)); }

template <typename T>
constexpr T kPi = T(3.14159265358979323846);

// Keeps an argument out of template deduction (so nullptr can be passed for it).
template <typename T>
struct NoDeduce {
  using type = T;
};

// Normalizes the 2-vector v in place; a (near) zero vector becomes (1, 0) (MuJoCo's
// mju_normalize convention, which decides the side direction of a side site on the axis).
template <typename T>
SINEW_HD SINEW_INLINE void normalize2(T* v) {
  const T n = s_sqrt(v[0] * v[0] + v[1] * v[1]);
  if (n < RealTraits<T>::kMinVal) {
    v[0] = 1;
    v[1] = 0;
  } else {
    v[0] /= n;
    v[1] /= n;
  }
}

// Same convention for 3-vectors: a (near) zero vector becomes (1, 0, 0). Returns the norm.
template <typename T>
SINEW_HD SINEW_INLINE T normalize3(Vec3<T>& v) {
  const T n = norm(v);
  if (n < RealTraits<T>::kMinVal)
    v = Vec3<T>(1, 0, 0);
  else
    v *= T(1) / n;
  return n;
}

// Whether the closed 2-D segments [a0, a1] and [b0, b1] intersect. Solves
// a0 + s (a1 - a0) = b0 + u (b1 - b0) by 2-D cross products; parallel segments never intersect.
template <typename T>
SINEW_HD SINEW_INLINE bool segments_intersect(const T* a0, const T* a1, const T* b0, const T* b1) {
  const T ux = a1[0] - a0[0], uy = a1[1] - a0[1];  // direction of a
  const T vx = b1[0] - b0[0], vy = b1[1] - b0[1];  // direction of b
  const T wx = a0[0] - b0[0], wy = a0[1] - b0[1];  // a0 relative to b0
  const T den = ux * vy - uy * vx;
  if (s_abs(den) < RealTraits<T>::kMinVal) return false;
  const T s = (vx * wy - vy * wx) / den;
  const T u = (ux * wy - uy * wx) / den;
  return s >= 0 && s <= 1 && u >= 0 && u <= 1;
}

}  // namespace wrapdetail

// 2-D wrap of the segment end[0..1] -> end[2..3] around the circle of radius r at the origin.
// side (optional, length 2): the side point projected on the circle plane and scaled to radius
// r; the wrap takes the side it points to, and a segment that clears the circle still wraps
// when it passes on the other side of the side point. Without a side point the shorter of the
// two tangent solutions is taken. Writes the tangent points to pnt[0..1] (from end[0..1]) and
// pnt[2..3]; returns the arc length between them, or -1 when the segment does not wrap (an
// endpoint inside the circle, coincident endpoints, or the segment misses the circle).
template <typename T>
SINEW_HD T wrap_circle(const T* end, const typename wrapdetail::NoDeduce<T>::type* side, T r,
                       T* pnt) {
  using wrapdetail::segments_intersect;
  const T minval = RealTraits<T>::kMinVal;
  const T* d0 = end;
  const T* d1 = end + 2;
  const T len0sq = d0[0] * d0[0] + d0[1] * d0[1];
  const T len1sq = d1[0] * d1[0] + d1[1] * d1[1];
  const T rsq = r * r;
  if (len0sq < rsq || len1sq < rsq || r < minval) return T(-1);
  const T ex = d1[0] - d0[0], ey = d1[1] - d0[1];
  const T esq = ex * ex + ey * ey;
  if (esq < minval) return T(-1);
  // point of the segment closest to the centre; a segment that clears the circle only wraps
  // when a side point lies on the opposite side of that point
  const T a = s_clamp(-(ex * d0[0] + ey * d0[1]) / esq, T(0), T(1));
  const T qx = d0[0] + a * ex, qy = d0[1] + a * ey;
  if (qx * qx + qy * qy > rsq && (!side || side[0] * qx + side[1] * qy >= 0)) return T(-1);

  // Tangent points: the point t on the circle with (d - t).t = 0 is
  // t = (r^2 d +- r sqrt(|d|^2 - r^2) perp(d)) / |d|^2, perp(d) = (d_y, -d_x).
  // Candidate 0 takes + at d0 and - at d1 (one side of the circle), candidate 1 the other.
  const T k0 = r * s_sqrt(len0sq - rsq), k1 = r * s_sqrt(len1sq - rsq);
  T sol[2][4];
  T good[2];
  for (int i = 0; i < 2; ++i) {
    const T sgn = i == 0 ? T(1) : T(-1);
    T* s = sol[i];
    s[0] = (rsq * d0[0] + sgn * k0 * d0[1]) / len0sq;
    s[1] = (rsq * d0[1] - sgn * k0 * d0[0]) / len0sq;
    s[2] = (rsq * d1[0] - sgn * k1 * d1[1]) / len1sq;
    s[3] = (rsq * d1[1] + sgn * k1 * d1[0]) / len1sq;
    if (side) {
      // closeness of the arc's middle direction to the side point
      T mid[2] = {s[0] + s[2], s[1] + s[3]};
      wrapdetail::normalize2(mid);
      good[i] = mid[0] * side[0] + mid[1] * side[1];
    } else {
      // shorter arc: closer tangent points
      const T dx = s[0] - s[2], dy = s[1] - s[3];
      good[i] = -(dx * dx + dy * dy);
    }
    // a candidate whose two straight pieces cross is not a valid path
    if (segments_intersect(d0, s, d1, s + 2)) good[i] = T(-10000);
  }
  const int best = good[0] > good[1] ? 0 : 1;
  for (int k = 0; k < 4; ++k) pnt[k] = sol[best][k];
  if (segments_intersect(d0, pnt, d1, pnt + 2)) return T(-1);

  // arc length: the angle in [0, pi] between the tangent points, or its complement when the
  // orientation of (t0, t1) disagrees with the winding of the chosen candidate
  T n0[2] = {pnt[0], pnt[1]}, n1[2] = {pnt[2], pnt[3]};
  wrapdetail::normalize2(n0);
  wrapdetail::normalize2(n1);
  T angle = wrapdetail::w_acos(n0[0] * n1[0] + n0[1] * n1[1]);
  const T orient = pnt[1] * pnt[2] - pnt[0] * pnt[3];
  if ((orient > 0 && best == 1) || (orient < 0 && best == 0))
    angle = T(2) * wrapdetail::kPi<T> - angle;
  return r * angle;
}

// 2-D "inside" wrap (side point inside the circle, MuJoCo >= 3.2.3): the path is forced through
// one point t of the circle where the two straight pieces make equal angles with the radius
// (the stationary point of |d0 - t| + |t - d1| on the circle; MuJoCo's replacement for
// OpenSim's torus obstacles). With A = r/|d0|, B = r/|d1| and G the angle between d0 and d1,
// z = sin of the angle at t solves asin(A z) + asin(B z) - 2 asin(z) + G = 0, found by Newton's
// method from z = 1 - 1e-7 (at most 20 iterations, tolerance 1e-6). Writes t to both pnt[0..1]
// and pnt[2..3] and returns 0 (a zero-length arc); -1 when an endpoint is inside the circle or
// the segment crosses it. If the iteration fails the normalized midpoint of the endpoints is
// used, as in MuJoCo.
template <typename T>
SINEW_HD T wrap_inside(const T* end, T r, T* pnt) {
  using wrapdetail::w_asin;
  const T minval = RealTraits<T>::kMinVal;
  const int kMaxIter = 20;
  const T kTol = T(1e-6);
  const T* d0 = end;
  const T* d1 = end + 2;
  const T len0 = s_sqrt(d0[0] * d0[0] + d0[1] * d0[1]);
  const T len1 = s_sqrt(d1[0] * d1[0] + d1[1] * d1[1]);
  const T ex = d1[0] - d0[0], ey = d1[1] - d0[1];
  const T esq = ex * ex + ey * ey;
  if (len0 <= r || len1 <= r || r < minval || len0 < minval || len1 < minval) return T(-1);
  if (esq > minval) {
    // the straight segment crosses the circle: no wrap
    const T a = -(ex * d0[0] + ey * d0[1]) / esq;
    if (a > 0 && a < 1) {
      const T qx = d0[0] + a * ex, qy = d0[1] + a * ey;
      if (s_sqrt(qx * qx + qy * qy) <= r) return T(-1);
    }
  }
  // fallback: the midpoint direction
  pnt[0] = T(0.5) * (d0[0] + d1[0]);
  pnt[1] = T(0.5) * (d0[1] + d1[1]);
  wrapdetail::normalize2(pnt);
  pnt[0] *= r;
  pnt[1] *= r;
  pnt[2] = pnt[0];
  pnt[3] = pnt[1];

  const T A = r / len0, B = r / len1;
  const T cosG = (len0 * len0 + len1 * len1 - esq) / (T(2) * len0 * len1);
  if (cosG < T(-1) + minval) return T(-1);
  if (cosG > T(1) - minval) return T(0);
  const T G = wrapdetail::w_acos(cosG);
  auto fun = [&](T z) { return w_asin(A * z) + w_asin(B * z) - T(2) * w_asin(z) + G; };
  T z = T(1) - T(1e-7);
  T f = fun(z);
  if (f > 0) return T(0);  // the start is already past the root
  int iter = 0;
  for (; iter < kMaxIter && s_abs(f) > kTol; ++iter) {
    const T df = A / s_max(minval, s_sqrt(T(1) - z * z * A * A)) +
                 B / s_max(minval, s_sqrt(T(1) - z * z * B * B)) -
                 T(2) / s_max(minval, s_sqrt(T(1) - z * z));
    if (df > -minval) return T(0);  // f must decrease towards z = 1
    const T znew = z - f / df;
    if (znew > z) return T(0);
    z = znew;
    f = fun(z);
    if (f > kTol) return T(0);
  }
  if (iter >= kMaxIter) return T(0);
  // rotate the direction of the endpoint that precedes in counter-clockwise order by the angle
  // between its radius and the contact radius
  T v[2];
  T ang;
  if (d0[0] * d1[1] - d0[1] * d1[0] > 0) {
    v[0] = d0[0];
    v[1] = d0[1];
    ang = w_asin(z) - w_asin(A * z);
  } else {
    v[0] = d1[0];
    v[1] = d1[1];
    ang = w_asin(z) - w_asin(B * z);
  }
  wrapdetail::normalize2(v);
  const T c = s_cos(ang), s = s_sin(ang);
  pnt[0] = r * (c * v[0] - s * v[1]);
  pnt[1] = r * (s * v[0] + c * v[1]);
  pnt[2] = pnt[0];
  pnt[3] = pnt[1];
  return T(0);
}

// 3-D wrap of the segment x0 -> x1 (world frame) around a sphere (type kWrapSphere) or an
// infinite cylinder along its local z axis (kWrapCylinder) of radius r, centred at c with
// orientation R (geom frame to world, row-major). side: world position of the side site or
// nullptr. A side site inside the geom (|s| < r in the geom frame, 3-D norm as in MuJoCo >=
// 3.2.3) selects wrap_inside. Returns the length of the curved piece (helical for cylinders) and
// the tangent points t0 (next to x0) and t1 (next to x1) in world coordinates, or -1 (no wrap;
// t0, t1 untouched).
template <typename T>
SINEW_HD T wrap_geom(const Vec3<T>& x0, const Vec3<T>& x1, const Vec3<T>& c, const Mat3<T>& R, T r,
                     int type, const typename wrapdetail::NoDeduce<Vec3<T>>::type* side,
                     Vec3<T>& t0, Vec3<T>& t1) {
  const T minval = RealTraits<T>::kMinVal;
  if (type != kWrapSphere && type != kWrapCylinder) return T(-1);
  const Vec3<T> p0 = R.tmul(x0 - c), p1 = R.tmul(x1 - c);
  if (norm(p0) < minval || norm(p1) < minval) return T(-1);

  // orthonormal axes (a0, a1) of the wrap plane in the geom frame
  Vec3<T> a0, a1;
  if (type == kWrapSphere) {
    a0 = p0;
    wrapdetail::normalize3(a0);
    Vec3<T> n = cross(p0, p1);
    if (wrapdetail::normalize3(n) < minval) {
      // endpoints collinear with the centre: any plane through them; pick one from the
      // largest component of a0
      int i = 0;
      if (s_abs(a0.y) > s_abs(a0.x) && s_abs(a0.y) > s_abs(a0.z)) i = 1;
      if (s_abs(a0.z) > s_abs(a0.x) && s_abs(a0.z) > s_abs(a0.y)) i = 2;
      Vec3<T> other(1, 1, 1);
      other[i] = 0;
      n = cross(a0, other);
      wrapdetail::normalize3(n);
    }
    a1 = cross(n, a0);
    wrapdetail::normalize3(a1);
  } else {
    a0 = Vec3<T>(1, 0, 0);
    a1 = Vec3<T>(0, 1, 0);
  }
  const T end[4] = {dot(p0, a0), dot(p0, a1), dot(p1, a0), dot(p1, a1)};

  T pnt[4];
  T wlen;
  if (side) {
    const Vec3<T> s = R.tmul(*side - c);
    T sd[2] = {dot(s, a0), dot(s, a1)};
    wrapdetail::normalize2(sd);
    sd[0] *= r;
    sd[1] *= r;
    wlen = norm(s) < r ? wrap_inside(end, r, pnt) : wrap_circle(end, sd, r, pnt);
  } else {
    wlen = wrap_circle(end, nullptr, r, pnt);
  }
  if (wlen < 0) return T(-1);

  Vec3<T> q0 = a0 * pnt[0] + a1 * pnt[1];
  Vec3<T> q1 = a0 * pnt[2] + a1 * pnt[3];
  if (type == kWrapCylinder) {
    // heights proportional to the unrolled path length: straight, arc, straight
    const T L0 = s_sqrt((p0.x - q0.x) * (p0.x - q0.x) + (p0.y - q0.y) * (p0.y - q0.y));
    const T L1 = s_sqrt((p1.x - q1.x) * (p1.x - q1.x) + (p1.y - q1.y) * (p1.y - q1.y));
    const T total = L0 + wlen + L1;
    q0.z = p0.z + (p1.z - p0.z) * L0 / total;
    q1.z = p0.z + (p1.z - p0.z) * (L0 + wlen) / total;
    const T h = q1.z - q0.z;
    wlen = s_sqrt(wlen * wlen + h * h);
  }
  t0 = R * q0 + c;
  t1 = R * q1 + c;
  return wlen;
}

}  // namespace sinew
