// SPDX-License-Identifier: Apache-2.0
// The MuJoCo-compatible muscle: MuJoCo's muscle gain, bias and activation dynamics, reproduced
// from the equations of its C implementation (engine_util_misc.c: mju_muscleGainLength,
// mju_muscleGain, mju_muscleBias, mju_muscleDynamicsTimescale, mju_muscleDynamics, mju_sigmoid;
// behaviour of release >= 3.1.2, checked against the pinned mujoco==3.17.0 by
// tests/muscle/mujoco_model_test.cpp). Semantics: shared docs MUJOCO_SEMANTICS.md §1.
//
// Sign convention (MuJoCo's): actuator force = gain * act + bias, gain <= 0 and bias <= 0, so a
// negative force pulls (shortens the tendon).
//
// Every guard `max(kMinVal, x)` below mirrors MuJoCo's `mjMAX(mjMINVAL, x)` (mjMINVAL = 1e-15), so
// degenerate parameters give the same finite numbers as MuJoCo.
#pragma once

#include <limits>

#include "engine/core/hd.h"
#include "engine/core/real.h"

namespace sinew {

// Parameter layout of the MuJoCo muscle (one flat array per actuator). Entries 0..8 are MuJoCo's
// gainprm (= biasprm for a <muscle> actuator) in MuJoCo's order; 9..11 are the compiled
// per-actuator quantities MuJoCo passes beside them (actuator_lengthrange, actuator_acc0).
namespace mjmuscle {
enum Prm : int {
  kRange0 = 0,  // normalized length at lengthrange[0] (default 0.75)
  kRange1,      // normalized length at lengthrange[1] (default 1.05)
  kForce,       // peak active force F0 (N); < 0 means F0 = scale / acc0
  kScale,       // F0 = scale / acc0 when force < 0 (default 200)
  kLmin,        // lower end of the active force-length curve (default 0.5)
  kLmax,        // upper end of the active force-length curve (default 1.6)
  kVmax,        // shortening velocity at which the active force vanishes, in L0/s (default 1.5)
  kFpmax,       // passive force scale (passive force = 0.5 fpmax F0 at b = (1+lmax)/2)
  kFvmax,       // active force multiplier at large lengthening velocity (default 1.2)
  kLr0,         // actuator_lengthrange[0] (m, actuator length = gear * tendon length)
  kLr1,         // actuator_lengthrange[1] (m)
  kAcc0,        // actuator_acc0 (only used when force < 0)
  kNumPrm
};
enum DynPrm : int {
  kTauAct = 0,  // activation time constant (s, default 0.01)
  kTauDeact,    // deactivation time constant (s, default 0.04)
  kTauSmooth,   // width of the smooth activation/deactivation switch (0 = hard switch)
  kNumDynPrm
};
}  // namespace mjmuscle

// Active force-length curve FL(L) of MuJoCo >= 3.1.2: four half-quadratics joined C1 at
// a = (lmin+1)/2, 1 and b = (1+lmax)/2, zero outside [lmin, lmax] (MUJOCO_SEMANTICS.md §1.3).
// Note: MuJoCo 2.2.2 evaluated the first branch also below lmin (a bug fixed in 3.1.2); Sinew
// follows the fixed version.
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_fl(T L, T lmin, T lmax) {
  const T eps = RealTraits<T>::kMinVal;
  if (!(lmin <= L && L <= lmax)) return T(0);
  const T a = T(0.5) * (lmin + T(1));
  const T b = T(0.5) * (T(1) + lmax);
  if (L <= a) {
    const T x = (L - lmin) / s_max(eps, a - lmin);
    return T(0.5) * x * x;
  }
  if (L <= T(1)) {
    const T x = (T(1) - L) / s_max(eps, T(1) - a);
    return T(1) - T(0.5) * x * x;
  }
  if (L <= b) {
    const T x = (L - T(1)) / s_max(eps, b - T(1));
    return T(1) - T(0.5) * x * x;
  }
  const T x = (lmax - L) / s_max(eps, lmax - b);
  return T(0.5) * x * x;
}

// Force-velocity curve FV(V), V normalized by L0 * vmax (negative = shortening): zero at V <= -1,
// (V+1)^2 up to 0, then a quadratic rising to fvmax at V = fvmax - 1, constant beyond.
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_fv(T V, T fvmax) {
  const T c = fvmax - T(1);
  if (V <= T(-1)) return T(0);
  if (V <= T(0)) return (V + T(1)) * (V + T(1));
  if (V <= c) return fvmax - (c - V) * (c - V) / s_max(RealTraits<T>::kMinVal, c);
  return fvmax;
}

// Passive force-length curve FP(L) in units of F0 (the C code, not the documentation's prose):
// zero up to L = 1, fpmax * x^2 / 2 up to b = (1+lmax)/2, then linear with slope fpmax/(b-1), so
// FP(b) = fpmax/2 and FP(lmax) = 1.5 fpmax; no upper bound.
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_fp(T L, T lmax, T fpmax) {
  const T eps = RealTraits<T>::kMinVal;
  const T b = T(0.5) * (T(1) + lmax);
  if (L <= T(1)) return T(0);
  if (L <= b) {
    const T x = (L - T(1)) / s_max(eps, b - T(1));
    return fpmax * T(0.5) * x * x;
  }
  const T x = (L - b) / s_max(eps, b - T(1));
  return fpmax * (T(0.5) + x);
}

// Peak active force F0 (N): `force` when >= 0, else scale / acc0 (MuJoCo's muscle convention).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_peak_force(const T* prm) {
  const T force = prm[mjmuscle::kForce];
  return force < T(0) ? prm[mjmuscle::kScale] / s_max(RealTraits<T>::kMinVal, prm[mjmuscle::kAcc0])
                      : force;
}

// Optimal fibre length L0 = (lr1 - lr0) / (range1 - range0) (m): lengthrange maps onto range.
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_l0(const T* prm) {
  return (prm[mjmuscle::kLr1] - prm[mjmuscle::kLr0]) /
         s_max(RealTraits<T>::kMinVal, prm[mjmuscle::kRange1] - prm[mjmuscle::kRange0]);
}

// Normalized length L = range0 + (len - lr0) / L0 of an actuator length `len` (m).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_norm_length(const T* prm, T len) {
  const T L0 = mujoco_muscle_l0(prm);
  return prm[mjmuscle::kRange0] + (len - prm[mjmuscle::kLr0]) / s_max(RealTraits<T>::kMinVal, L0);
}

// Normalized velocity V = vel / (L0 * vmax) of an actuator velocity `vel` (m/s).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_norm_velocity(const T* prm, T vel) {
  const T L0 = mujoco_muscle_l0(prm);
  return vel / s_max(RealTraits<T>::kMinVal, L0 * prm[mjmuscle::kVmax]);
}

// Muscle gain -F0 * FL(L) * FV(V) (N per unit activation; mju_muscleGain).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_gain(const T* prm, T len, T vel) {
  const T L = mujoco_muscle_norm_length(prm, len);
  const T V = mujoco_muscle_norm_velocity(prm, vel);
  const T FL = mujoco_muscle_fl(L, prm[mjmuscle::kLmin], prm[mjmuscle::kLmax]);
  const T FV = mujoco_muscle_fv(V, prm[mjmuscle::kFvmax]);
  return -mujoco_muscle_peak_force(prm) * FL * FV;
}

// Muscle bias -F0 * FP(L) (N; mju_muscleBias).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_bias(const T* prm, T len) {
  const T L = mujoco_muscle_norm_length(prm, len);
  return -mujoco_muscle_peak_force(prm) *
         mujoco_muscle_fp(L, prm[mjmuscle::kLmax], prm[mjmuscle::kFpmax]);
}

// Quintic smoothstep: 0 for x <= 0, 1 for x >= 1, x^3 (6x^2 - 15x + 10) between (mju_sigmoid).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_sigmoid(T x) {
  if (x <= T(0)) return T(0);
  if (x >= T(1)) return T(1);
  return x * x * x * (T(3) * x * (T(2) * x - T(5)) + T(10));
}

// Activation rate d(act)/dt (1/s) for control `ctrl` (mju_muscleDynamics). Time constants of
// Millard et al. 2013 (doi:10.1115/1.4023390): tau_a = tau_act (0.5 + 1.5 a),
// tau_d = tau_deact / (0.5 + 1.5 a), a = act clamped to [0, 1]; ctrl is clamped to [0, 1] but
// the difference u - act uses the unclamped act. Hard switch on the sign of u - act when
// tausmooth < 1e-15, else tau = tau_d + (tau_a - tau_d) * sigmoid((u - act)/tausmooth + 1/2).
template <typename T>
SINEW_HD SINEW_INLINE T mujoco_muscle_act_dot(const T* dynprm, T ctrl, T act) {
  const T eps = RealTraits<T>::kMinVal;
  const T u = s_clamp(ctrl, T(0), T(1));
  const T a = s_clamp(act, T(0), T(1));
  const T tau_a = dynprm[mjmuscle::kTauAct] * (T(0.5) + T(1.5) * a);
  const T tau_d = dynprm[mjmuscle::kTauDeact] / (T(0.5) + T(1.5) * a);
  const T width = dynprm[mjmuscle::kTauSmooth];
  const T du = u - act;
  T tau;
  if (width < eps) {
    tau = du > T(0) ? tau_a : tau_d;
  } else {
    tau = tau_d + (tau_a - tau_d) * mujoco_sigmoid(du / width + T(0.5));
  }
  return du / s_max(eps, tau);
}

// Model adapter for the muscle registry (muscle/muscle_model.h): the MuJoCo muscle behind the
// common interface. Host-only metadata (names, defaults, documentation) lives beside the kernels.
struct MuJoCoMuscle {
  static constexpr int kNumPrm = mjmuscle::kNumPrm;
  static constexpr int kNumDynPrm = mjmuscle::kNumDynPrm;

  template <typename T>
  SINEW_HD static void gain_bias(const T* prm, T len, T vel, T* gain, T* bias) {
    *gain = mujoco_muscle_gain(prm, len, vel);
    *bias = mujoco_muscle_bias(prm, len);
  }
  template <typename T>
  SINEW_HD static T act_dot(const T* dynprm, T ctrl, T act) {
    return mujoco_muscle_act_dot(dynprm, ctrl, act);
  }
  // MuJoCo parameters -> this model's: the identity.
  template <typename T>
  SINEW_HD static void from_mujoco(const T* mj_prm, const T* mj_dynprm, T* prm, T* dynprm) {
    for (int i = 0; i < kNumPrm; ++i) prm[i] = mj_prm[i];
    for (int i = 0; i < kNumDynPrm; ++i) dynprm[i] = mj_dynprm[i];
  }

  // ---- host metadata (read by the registry; never used in device code)
  static constexpr const char* kName = "mujoco";
  static constexpr const char* kTitle = "MuJoCo muscle (gain/bias curves, Millard activation)";
  static constexpr const char* kDoc =
      "MuJoCo's muscle actuator as implemented in its C code (release >= 3.1.2): rigid tendon, "
      "piecewise-quadratic active force-length FL and force-velocity FV, passive force FP, peak "
      "force F0 = force, or scale/acc0 when force < 0. The normalized length "
      "L = range0 + (len - lr0)/L0 with L0 = (lr1 - lr0)/(range1 - range0) maps the actuator's "
      "lengthrange onto [range0, range1]; V = vel/(L0*vmax). force = -F0*(FL(L)*FV(V)*act + "
      "FP(L)) (negative = pulling). Activation: Millard et al. 2013 time constants with an "
      "optional smooth switch (tausmooth). Parameters 0..8 are MJCF gainprm/biasprm; lr0, lr1, "
      "acc0 are compiled quantities (NaN default = must be supplied by the importer).";
  static constexpr const char* kPrmNames[kNumPrm] = {"range0", "range1", "force", "scale",
                                                     "lmin",   "lmax",   "vmax",  "fpmax",
                                                     "fvmax",  "lr0",    "lr1",   "acc0"};
  static constexpr double kPrmDefaults[kNumPrm] = {0.75,
                                                   1.05,
                                                   -1,
                                                   200,
                                                   0.5,
                                                   1.6,
                                                   1.5,
                                                   1.3,
                                                   1.2,
                                                   std::numeric_limits<double>::quiet_NaN(),
                                                   std::numeric_limits<double>::quiet_NaN(),
                                                   std::numeric_limits<double>::quiet_NaN()};
  static constexpr const char* kPrmDocs[kNumPrm] = {
      "normalized length at lengthrange[0]",
      "normalized length at lengthrange[1]",
      "peak active force F0 (N); < 0: F0 = scale/acc0",
      "F0 = scale/acc0 when force < 0",
      "lower end of the active force-length curve (L0 units)",
      "upper end of the active force-length curve (L0 units)",
      "shortening velocity at which active force vanishes (L0/s)",
      "passive force scale: FP = fpmax/2 at (1+lmax)/2, 1.5 fpmax at lmax",
      "active force multiplier at high lengthening velocity",
      "actuator lengthrange[0] (m)",
      "actuator lengthrange[1] (m)",
      "actuator acc0 (norm of M^-1 moment at qpos0), used when force < 0"};
  static constexpr const char* kDynPrmNames[kNumDynPrm] = {"tau_act", "tau_deact", "tausmooth"};
  static constexpr double kDynPrmDefaults[kNumDynPrm] = {0.01, 0.04, 0.0};
  static constexpr const char* kDynPrmDocs[kNumDynPrm] = {
      "activation time constant (s)", "deactivation time constant (s)",
      "width of the smooth activation/deactivation switch (0 = hard switch)"};
};

}  // namespace sinew
