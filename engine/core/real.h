// SPDX-License-Identifier: Apache-2.0
// Precision traits: Sinew's kernels are templates on the scalar type T (double for the reference
// path and tests, float as the GPU default). Tolerances go through RealTraits so tests state one
// intent for both precisions.
#pragma once

namespace sinew {

template <typename T>
struct RealTraits;

template <>
struct RealTraits<double> {
  static constexpr double kEps = 2.220446049250313e-16;
  static constexpr double kMinVal = 1e-15;  // MuJoCo's mjMINVAL
  // Values beyond this magnitude in qpos/qvel/qacc flag a world as diverged (MuJoCo mjMAXVAL).
  static constexpr double kMaxVal = 1e10;
  static constexpr const char* kName = "double";
};

template <>
struct RealTraits<float> {
  static constexpr float kEps = 1.1920929e-07f;
  static constexpr float kMinVal = 1e-15f;
  static constexpr float kMaxVal = 1e10f;
  static constexpr const char* kName = "float";
};

// Relative tolerance scaled to the precision: `tol_double` for double, sqrt-ish for float.
template <typename T>
constexpr T precision_tol(double tol_double, double tol_float) {
  return sizeof(T) == 8 ? T(tol_double) : T(tol_float);
}

}  // namespace sinew
