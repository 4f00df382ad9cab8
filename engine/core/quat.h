// SPDX-License-Identifier: Apache-2.0
// Unit quaternions in MuJoCo's order (w, x, y, z); they rotate from the local to the parent frame.
#pragma once

#include "engine/core/vec.h"

namespace sinew {

template <typename T>
struct Quat {
  T w, x, y, z;
  SINEW_HD Quat() : w(1), x(0), y(0), z(0) {}
  SINEW_HD Quat(T a, T b, T c, T d) : w(a), x(b), y(c), z(d) {}
  SINEW_HD static Quat load(const T* p) { return Quat(p[0], p[1], p[2], p[3]); }
  SINEW_HD void store(T* p) const {
    p[0] = w;
    p[1] = x;
    p[2] = y;
    p[3] = z;
  }
  SINEW_HD Vec3<T> vec() const { return Vec3<T>(x, y, z); }
};

// Hamilton product a*b (apply b first, then a).
template <typename T>
SINEW_HD SINEW_INLINE Quat<T> operator*(const Quat<T>& a, const Quat<T>& b) {
  return Quat<T>(
      a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
      a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w);
}

template <typename T>
SINEW_HD SINEW_INLINE Quat<T> conj(const Quat<T>& q) {
  return Quat<T>(q.w, -q.x, -q.y, -q.z);
}

template <typename T>
SINEW_HD SINEW_INLINE Quat<T> quat_normalized(const Quat<T>& q) {
  T n = s_sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  if (n < T(1e-15)) return Quat<T>();
  T s = T(1) / n;
  return Quat<T>(q.w * s, q.x * s, q.y * s, q.z * s);
}

// Rotation of v by q: q v q*.
template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> rotate(const Quat<T>& q, const Vec3<T>& v) {
  Vec3<T> u = q.vec();
  Vec3<T> t = cross(u, v) * T(2);
  return v + t * q.w + cross(u, t);
}

// Quaternion of a rotation by `angle` (rad) about unit `axis`.
template <typename T>
SINEW_HD SINEW_INLINE Quat<T> quat_axis_angle(const Vec3<T>& axis, T angle) {
  T s = s_sin(angle * T(0.5));
  return Quat<T>(s_cos(angle * T(0.5)), axis.x * s, axis.y * s, axis.z * s);
}

template <typename T>
SINEW_HD SINEW_INLINE Mat3<T> quat_to_mat(const Quat<T>& q) {
  Mat3<T> r;
  T ww = q.w * q.w, xx = q.x * q.x, yy = q.y * q.y, zz = q.z * q.z;
  T wx = q.w * q.x, wy = q.w * q.y, wz = q.w * q.z;
  T xy = q.x * q.y, xz = q.x * q.z, yz = q.y * q.z;
  r.m[0] = ww + xx - yy - zz;
  r.m[1] = T(2) * (xy - wz);
  r.m[2] = T(2) * (xz + wy);
  r.m[3] = T(2) * (xy + wz);
  r.m[4] = ww - xx + yy - zz;
  r.m[5] = T(2) * (yz - wx);
  r.m[6] = T(2) * (xz - wy);
  r.m[7] = T(2) * (yz + wx);
  r.m[8] = ww - xx - yy + zz;
  return r;
}

// q <- q * exp(omega_local * h / 2): integrates a body-frame angular velocity over h
// (MuJoCo's mju_quatIntegrate: rotation by angle |omega| h about omega/|omega|).
template <typename T>
SINEW_HD SINEW_INLINE Quat<T> quat_integrate(const Quat<T>& q, const Vec3<T>& omega, T h) {
  Vec3<T> axis = omega;
  T n = normalize(axis);
  if (s_abs(n * h) < T(1e-15)) return q;
  return quat_normalized(q * quat_axis_angle(axis, n * h));
}

// Rotation vector r with exp(r) = conj(a) * b (body-frame difference, MuJoCo's mju_subQuat).
template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> quat_sub(const Quat<T>& b, const Quat<T>& a) {
  Quat<T> d = conj(a) * b;
  if (d.w < 0) d = Quat<T>(-d.w, -d.x, -d.y, -d.z);
  Vec3<T> v = d.vec();
  T sn = normalize(v);
  T ang = T(2) * s_atan2(sn, d.w);
  return v * ang;
}

}  // namespace sinew
