// SPDX-License-Identifier: Apache-2.0
// Host/device portability: every numerical kernel in Sinew is written once as a SINEW_HD
// function in a header and compiled by both the host compiler and nvcc.
#pragma once

#include <cmath>

#if defined(__CUDACC__)
#define SINEW_HD __host__ __device__
#define SINEW_DEVICE __device__
#define SINEW_INLINE __forceinline__
#else
#define SINEW_HD
#define SINEW_DEVICE
#define SINEW_INLINE inline
#endif

namespace sinew {

// Scalar functions with one spelling for float and double on host and device.
SINEW_HD SINEW_INLINE double s_sqrt(double x) { return ::sqrt(x); }
SINEW_HD SINEW_INLINE float s_sqrt(float x) { return ::sqrtf(x); }
SINEW_HD SINEW_INLINE double s_abs(double x) { return ::fabs(x); }
SINEW_HD SINEW_INLINE float s_abs(float x) { return ::fabsf(x); }
SINEW_HD SINEW_INLINE double s_sin(double x) { return ::sin(x); }
SINEW_HD SINEW_INLINE float s_sin(float x) { return ::sinf(x); }
SINEW_HD SINEW_INLINE double s_cos(double x) { return ::cos(x); }
SINEW_HD SINEW_INLINE float s_cos(float x) { return ::cosf(x); }
SINEW_HD SINEW_INLINE double s_atan2(double y, double x) { return ::atan2(y, x); }
SINEW_HD SINEW_INLINE float s_atan2(float y, float x) { return ::atan2f(y, x); }
SINEW_HD SINEW_INLINE double s_pow(double x, double y) { return ::pow(x, y); }
SINEW_HD SINEW_INLINE float s_pow(float x, float y) { return ::powf(x, y); }
SINEW_HD SINEW_INLINE double s_exp(double x) { return ::exp(x); }
SINEW_HD SINEW_INLINE float s_exp(float x) { return ::expf(x); }
// Finite test valid on host and device: x - x is NaN for Inf and NaN.
SINEW_HD SINEW_INLINE bool s_isfinite(double x) { return x - x == 0; }
SINEW_HD SINEW_INLINE bool s_isfinite(float x) { return x - x == 0; }

template <typename T>
SINEW_HD SINEW_INLINE T s_min(T a, T b) {
  return a < b ? a : b;
}
template <typename T>
SINEW_HD SINEW_INLINE T s_max(T a, T b) {
  return a > b ? a : b;
}
template <typename T>
SINEW_HD SINEW_INLINE T s_clamp(T x, T lo, T hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

}  // namespace sinew
