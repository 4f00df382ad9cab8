// SPDX-License-Identifier: Apache-2.0
// Small fixed-size vectors and matrices for host and device: Vec3 and row-major Mat3.
#pragma once

#include "engine/core/hd.h"

namespace sinew {

template <typename T>
struct Vec3 {
  T x, y, z;
  SINEW_HD Vec3() : x(0), y(0), z(0) {}
  SINEW_HD Vec3(T a, T b, T c) : x(a), y(b), z(c) {}
  SINEW_HD static Vec3 load(const T* p) { return Vec3(p[0], p[1], p[2]); }
  SINEW_HD void store(T* p) const {
    p[0] = x;
    p[1] = y;
    p[2] = z;
  }
  SINEW_HD T& operator[](int i) { return i == 0 ? x : (i == 1 ? y : z); }
  SINEW_HD T operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
  SINEW_HD Vec3 operator+(const Vec3& o) const { return Vec3(x + o.x, y + o.y, z + o.z); }
  SINEW_HD Vec3 operator-(const Vec3& o) const { return Vec3(x - o.x, y - o.y, z - o.z); }
  SINEW_HD Vec3 operator-() const { return Vec3(-x, -y, -z); }
  SINEW_HD Vec3 operator*(T s) const { return Vec3(x * s, y * s, z * s); }
  SINEW_HD Vec3 operator/(T s) const { return Vec3(x / s, y / s, z / s); }
  SINEW_HD Vec3& operator+=(const Vec3& o) {
    x += o.x;
    y += o.y;
    z += o.z;
    return *this;
  }
  SINEW_HD Vec3& operator-=(const Vec3& o) {
    x -= o.x;
    y -= o.y;
    z -= o.z;
    return *this;
  }
  SINEW_HD Vec3& operator*=(T s) {
    x *= s;
    y *= s;
    z *= s;
    return *this;
  }
};

template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> operator*(T s, const Vec3<T>& v) {
  return v * s;
}
template <typename T>
SINEW_HD SINEW_INLINE T dot(const Vec3<T>& a, const Vec3<T>& b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}
template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> cross(const Vec3<T>& a, const Vec3<T>& b) {
  return Vec3<T>(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
template <typename T>
SINEW_HD SINEW_INLINE T norm(const Vec3<T>& a) {
  return s_sqrt(dot(a, a));
}
template <typename T>
SINEW_HD SINEW_INLINE T norm2(const Vec3<T>& a) {
  return dot(a, a);
}
// Normalizes a; returns the original norm. A (near) zero vector is left unchanged.
template <typename T>
SINEW_HD SINEW_INLINE T normalize(Vec3<T>& a) {
  T n = norm(a);
  if (n > T(1e-15)) a *= T(1) / n;
  return n;
}

// Row-major 3x3 matrix.
template <typename T>
struct Mat3 {
  T m[9];
  SINEW_HD Mat3() {
    for (int i = 0; i < 9; ++i) m[i] = 0;
  }
  SINEW_HD static Mat3 identity() {
    Mat3 r;
    r.m[0] = r.m[4] = r.m[8] = 1;
    return r;
  }
  SINEW_HD static Mat3 diag(T a, T b, T c) {
    Mat3 r;
    r.m[0] = a;
    r.m[4] = b;
    r.m[8] = c;
    return r;
  }
  SINEW_HD static Mat3 load(const T* p) {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = p[i];
    return r;
  }
  SINEW_HD void store(T* p) const {
    for (int i = 0; i < 9; ++i) p[i] = m[i];
  }
  // Skew-symmetric matrix [v]x with [v]x u = v x u.
  SINEW_HD static Mat3 skew(const Vec3<T>& v) {
    Mat3 r;
    r.m[1] = -v.z;
    r.m[2] = v.y;
    r.m[3] = v.z;
    r.m[5] = -v.x;
    r.m[6] = -v.y;
    r.m[7] = v.x;
    return r;
  }
  SINEW_HD T& operator()(int r, int c) { return m[3 * r + c]; }
  SINEW_HD T operator()(int r, int c) const { return m[3 * r + c]; }
  SINEW_HD Vec3<T> col(int c) const { return Vec3<T>(m[c], m[3 + c], m[6 + c]); }
  SINEW_HD Vec3<T> operator*(const Vec3<T>& v) const {
    return Vec3<T>(m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
                   m[6] * v.x + m[7] * v.y + m[8] * v.z);
  }
  // Transpose times vector.
  SINEW_HD Vec3<T> tmul(const Vec3<T>& v) const {
    return Vec3<T>(m[0] * v.x + m[3] * v.y + m[6] * v.z, m[1] * v.x + m[4] * v.y + m[7] * v.z,
                   m[2] * v.x + m[5] * v.y + m[8] * v.z);
  }
  SINEW_HD Mat3 operator*(const Mat3& b) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r.m[3 * i + j] = m[3 * i] * b.m[j] + m[3 * i + 1] * b.m[3 + j] + m[3 * i + 2] * b.m[6 + j];
    return r;
  }
  SINEW_HD Mat3 operator+(const Mat3& b) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] + b.m[i];
    return r;
  }
  SINEW_HD Mat3 operator-(const Mat3& b) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] - b.m[i];
    return r;
  }
  SINEW_HD Mat3 operator*(T s) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] * s;
    return r;
  }
  SINEW_HD Mat3 transpose() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r.m[3 * i + j] = m[3 * j + i];
    return r;
  }
};

}  // namespace sinew
