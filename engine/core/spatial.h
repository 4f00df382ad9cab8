// SPDX-License-Identifier: Apache-2.0
// Spatial algebra (Featherstone, "Rigid Body Dynamics Algorithms", 2008, ch. 2), angular first.
// Sinew's tree algorithms use world-aligned spatial vectors taken about a reference point (the
// subtree centre of mass of each tree's root, as MuJoCo's com-based quantities); see
// docs/notation.md.
#pragma once

#include "engine/core/vec.h"

namespace sinew {

// A spatial motion (angular velocity w, linear velocity v of the point) or force (torque n about
// the point, force f). Both store (ang, lin).
template <typename T>
struct Spatial {
  Vec3<T> ang, lin;
  SINEW_HD Spatial() {}
  SINEW_HD Spatial(const Vec3<T>& a, const Vec3<T>& l) : ang(a), lin(l) {}
  SINEW_HD static Spatial load(const T* p) {
    return Spatial(Vec3<T>(p[0], p[1], p[2]), Vec3<T>(p[3], p[4], p[5]));
  }
  SINEW_HD void store(T* p) const {
    ang.store(p);
    lin.store(p + 3);
  }
  SINEW_HD T operator[](int i) const { return i < 3 ? ang[i] : lin[i - 3]; }
  SINEW_HD Spatial operator+(const Spatial& o) const { return Spatial(ang + o.ang, lin + o.lin); }
  SINEW_HD Spatial operator-(const Spatial& o) const { return Spatial(ang - o.ang, lin - o.lin); }
  SINEW_HD Spatial operator-() const { return Spatial(-ang, -lin); }
  SINEW_HD Spatial operator*(T s) const { return Spatial(ang * s, lin * s); }
  SINEW_HD Spatial& operator+=(const Spatial& o) {
    ang += o.ang;
    lin += o.lin;
    return *this;
  }
  SINEW_HD Spatial& operator-=(const Spatial& o) {
    ang -= o.ang;
    lin -= o.lin;
    return *this;
  }
};

// Scalar product of a motion and a force (power), or of two 6-vectors.
template <typename T>
SINEW_HD SINEW_INLINE T sdot(const Spatial<T>& a, const Spatial<T>& b) {
  return dot(a.ang, b.ang) + dot(a.lin, b.lin);
}

// Motion cross product v x m (Featherstone eq. 2.31).
template <typename T>
SINEW_HD SINEW_INLINE Spatial<T> cross_motion(const Spatial<T>& v, const Spatial<T>& m) {
  return Spatial<T>(cross(v.ang, m.ang), cross(v.ang, m.lin) + cross(v.lin, m.ang));
}

// Force cross product v x* f (Featherstone eq. 2.32).
template <typename T>
SINEW_HD SINEW_INLINE Spatial<T> cross_force(const Spatial<T>& v, const Spatial<T>& f) {
  return Spatial<T>(cross(v.ang, f.ang) + cross(v.lin, f.lin), cross(v.ang, f.lin));
}

// Rigid-body spatial inertia about the reference point: mass m, first moment h = m c (c = centre
// of mass relative to the point) and rotational inertia I about the point (world-aligned).
template <typename T>
struct SpatialInertia {
  T m;
  Vec3<T> h;
  Mat3<T> I;
  SINEW_HD SpatialInertia() : m(0) {}
  // Body of mass `mass`, centre of mass offset `c`, inertia `Ic` about the centre of mass.
  SINEW_HD static SpatialInertia from_com(T mass, const Vec3<T>& c, const Mat3<T>& Ic) {
    SpatialInertia r;
    r.m = mass;
    r.h = c * mass;
    // parallel axis theorem: I = Ic + m ([c]x^T [c]x)
    Mat3<T> cc = Mat3<T>::skew(c);
    r.I = Ic + (cc.transpose() * cc) * mass;
    return r;
  }
  SINEW_HD Spatial<T> operator*(const Spatial<T>& v) const {
    return Spatial<T>(I * v.ang + cross(h, v.lin), v.lin * m - cross(h, v.ang));
  }
  SINEW_HD SpatialInertia& operator+=(const SpatialInertia& o) {
    m += o.m;
    h += o.h;
    I = I + o.I;
    return *this;
  }
  // Packed storage in 10 numbers: m, h(3), I (xx, yy, zz, xy, xz, yz).
  SINEW_HD void store(T* p) const {
    p[0] = m;
    h.store(p + 1);
    p[4] = I(0, 0);
    p[5] = I(1, 1);
    p[6] = I(2, 2);
    p[7] = I(0, 1);
    p[8] = I(0, 2);
    p[9] = I(1, 2);
  }
  SINEW_HD static SpatialInertia load(const T* p) {
    SpatialInertia r;
    r.m = p[0];
    r.h = Vec3<T>::load(p + 1);
    r.I(0, 0) = p[4];
    r.I(1, 1) = p[5];
    r.I(2, 2) = p[6];
    r.I(0, 1) = r.I(1, 0) = p[7];
    r.I(0, 2) = r.I(2, 0) = p[8];
    r.I(1, 2) = r.I(2, 1) = p[9];
    return r;
  }
};

// General 6x6 matrix (articulated-body inertias), row-major, acting on (ang, lin) vectors.
template <typename T>
struct Mat6 {
  T a[36];
  SINEW_HD Mat6() {
    for (int i = 0; i < 36; ++i) a[i] = 0;
  }
  SINEW_HD explicit Mat6(const SpatialInertia<T>& in) {
    Mat3<T> hx = Mat3<T>::skew(in.h);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) {
        a[6 * r + c] = in.I(r, c);
        a[6 * r + c + 3] = hx(r, c);     // n = I w + h x v
        a[6 * (r + 3) + c] = -hx(r, c);  // f = m v - h x w
        a[6 * (r + 3) + c + 3] = r == c ? in.m : T(0);
      }
  }
  SINEW_HD T& operator()(int r, int c) { return a[6 * r + c]; }
  SINEW_HD T operator()(int r, int c) const { return a[6 * r + c]; }
  SINEW_HD Spatial<T> operator*(const Spatial<T>& v) const {
    T x[6] = {v.ang.x, v.ang.y, v.ang.z, v.lin.x, v.lin.y, v.lin.z};
    T y[6];
    for (int r = 0; r < 6; ++r) {
      T s = 0;
      for (int c = 0; c < 6; ++c) s += a[6 * r + c] * x[c];
      y[r] = s;
    }
    return Spatial<T>(Vec3<T>(y[0], y[1], y[2]), Vec3<T>(y[3], y[4], y[5]));
  }
  SINEW_HD Mat6& operator+=(const Mat6& o) {
    for (int i = 0; i < 36; ++i) a[i] += o.a[i];
    return *this;
  }
  // this -= u v^T * s
  SINEW_HD void sub_outer(const Spatial<T>& u, const Spatial<T>& v, T s) {
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 6; ++c) a[6 * r + c] -= u[r] * v[c] * s;
  }
};

}  // namespace sinew
