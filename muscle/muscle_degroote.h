// SPDX-License-Identifier: Apache-2.0
// DeGroote-Fregly muscle with a rigid tendon: the Hill-type muscle of
//   F. De Groote, A. L. Kinney, A. V. Rao, B. J. Fregly, "Evaluation of direct collocation optimal
//   control problem formulations for solving the muscle redundancy problem", Annals of Biomedical
//   Engineering 44(10):2922-2936, 2016, doi:10.1007/s10439-016-1591-9
// (equations of the paper and of its electronic supplementary material, "S" numbers below, with
// the coefficients as published there).
//
// Fibre geometry (rigid tendon of length lslack, constant fibre "height" h = lopt sin(alpha0)):
//   w = len - lslack (fibre length projected on the line of action), l_M = sqrt(w^2 + h^2),
//   cos(alpha) = w / l_M, fibre velocity v_M = vel cos(alpha) (d/dt of l_M^2 = w^2 + h^2).
//   With alpha0 = 0 (the default): l_M = w, cos(alpha) = 1, v_M = vel.
// Normalized fibre length l = l_M / lopt and velocity v = v_M / vmax (vmax in m/s, v < 0 shortens).
// Tension along the tendon F = F0 (a FL(l) FV(v) + FP(l)) cos(alpha); Sinew reports MuJoCo's
// actuator sign: gain = -F0 FL FV cos(alpha), bias = -F0 FP cos(alpha), force = gain a + bias.
//
// Where Sinew departs from the paper's equations (all documented in docs/extending-muscles.md):
//  - FV is evaluated at v clamped to [-1, 1] (the paper bounds v to [-1, 1] as an optimal-control
//    constraint; in forward simulation the curve would otherwise turn negative below v ~ -1.04).
//  - The paper's passive curve is slightly negative below l = 1 (down to -1/(e^kPE - 1) ~ -0.019,
//    a pushing muscle); with passive_clamp = 1 (default) Sinew returns 0 there. passive_clamp = 0
//    gives the paper's expression verbatim.
//  - The activation dynamics clamp the excitation to [0, 1] and use act clamped to [0, 1] inside
//    the time-constant factor (identical to the paper for e, a in [0, 1]).
// It is NOT OpenSim's DeGrooteFregly2016Muscle, which rescales b11, d1 and d4 so that FL(1) = 1,
// FV(0) = 1 and FV(-1) = 0 exactly, and offsets the passive curve to vanish at l = 0.2.
#pragma once

#include <limits>

#include "engine/core/hd.h"
#include "engine/core/real.h"
#include "muscle/muscle_math.h"
#include "muscle/muscle_mujoco.h"

namespace sinew {

// Parameter layout of the DeGroote-Fregly muscle (one flat array per actuator).
namespace dgmuscle {
enum Prm : int {
  kF0 = 0,        // peak isometric force (N)
  kLopt,          // optimal fibre length (m)
  kLslack,        // tendon slack length (m); rigid tendon, may be negative (see from_mujoco)
  kVmax,          // maximum contraction velocity (m/s)
  kAlpha0,        // pennation angle at optimal fibre length (rad), default 0
  kKpe,           // passive exponential shape factor kPE (paper: 4)
  kE0,            // passive strain at one normalized force e0 (paper: 0.6)
  kPassiveClamp,  // 1: passive force >= 0 (Sinew default); 0: the paper's curve verbatim
  kNumPrm
};
enum DynPrm : int {
  kTauAct = 0,  // activation time constant (s, paper: 0.015)
  kTauDeact,    // deactivation time constant (s, paper: 0.060)
  kSmoothing,   // b, steepness of the tanh switch (paper: 0.1)
  kNumDynPrm
};

// Active force-length: three Gaussian-like terms b1 exp(-(l - b2)^2 / (2 (b3 + b4 l)^2)), the
// published coefficients of supplement eq. S2 (its table). The supplement prints the denominator
// unsquared, a typo (noted and squared in OpenSim's DeGrooteFregly2016Muscle; with b32 < 0 the
// unsquared form blows up below l = 0.15). Implementations built on the authors' released code
// (https://simtk.org/projects/optcntrlmuscle) carry more digits (b11 = 0.814483..., b33 =
// 0.5 sqrt(0.5), ...); Sinew uses the published table, FL(1) = 0.99933.
constexpr double kB11 = 0.815, kB21 = 1.055, kB31 = 0.162, kB41 = 0.063;
constexpr double kB12 = 0.433, kB22 = 0.717, kB32 = -0.030, kB42 = 0.200;
constexpr double kB13 = 0.100, kB23 = 1.000, kB33 = 0.354, kB43 = 0.000;
// Force-velocity (supplement eq. S4): FV(v) = d1 log((d2 v + d3) + sqrt((d2 v + d3)^2 + 1)) + d4.
constexpr double kD1 = -0.318;
constexpr double kD2 = -8.149;
constexpr double kD3 = -0.374;
constexpr double kD4 = 0.886;
// Paper's passive force-length constants (supplement eq. S3) and activation switch steepness.
constexpr double kKpeDefault = 4.0;
constexpr double kE0Default = 0.6;
constexpr double kSmoothingDefault = 0.1;
}  // namespace dgmuscle

// One Gaussian-like term of the active force-length curve.
template <typename T>
SINEW_HD SINEW_INLINE T degroote_gauss(T l, T b1, T b2, T b3, T b4) {
  const T d = b3 + b4 * l;
  return b1 * s_exp(T(-0.5) * (l - b2) * (l - b2) / (d * d));
}

// Active force-length multiplier FL(l), l = normalized fibre length (FL(1) = 0.99933).
template <typename T>
SINEW_HD SINEW_INLINE T degroote_fl(T l) {
  using namespace dgmuscle;
  return degroote_gauss(l, T(kB11), T(kB21), T(kB31), T(kB41)) +
         degroote_gauss(l, T(kB12), T(kB22), T(kB32), T(kB42)) +
         degroote_gauss(l, T(kB13), T(kB23), T(kB33), T(kB43));
}

// Force-velocity multiplier FV(v), v = normalized fibre velocity clamped to [-1, 1]
// (FV(-1) = 0.0121, FV(0) = 1.0023, FV(1) = 1.7889). log(x + sqrt(x^2 + 1)) = asinh(x), which is
// evaluated directly to avoid cancellation for x << 0.
template <typename T>
SINEW_HD SINEW_INLINE T degroote_fv(T v) {
  using namespace dgmuscle;
  const T vc = s_clamp(v, T(-1), T(1));
  return T(kD1) * muscle_asinh(T(kD2) * vc + T(kD3)) + T(kD4);
}

// Passive force-length multiplier FP(l) = (exp(kpe (l - 1) / e0) - 1) / (exp(kpe) - 1)
// (supplement eq. S3): FP(1) = 0, FP(1 + e0) = 1; clamped to >= 0 when `clamp` is nonzero.
template <typename T>
SINEW_HD SINEW_INLINE T degroote_fp(T l, T kpe, T e0, T clamp) {
  if (clamp != T(0) && l <= T(1)) return T(0);
  const T e0s = s_max(RealTraits<T>::kMinVal, e0);
  return (s_exp(kpe * (l - T(1)) / e0s) - T(1)) / (s_exp(kpe) - T(1));
}

// Fibre state of a rigid-tendon muscle-tendon unit at actuator length `len` (m) and velocity
// `vel` (m/s): normalized fibre length and velocity and the cosine of the pennation angle.
template <typename T>
struct DeGrooteFiber {
  T l;          // l_M / lopt
  T v;          // v_M / vmax
  T cos_alpha;  // cosine of the pennation angle
};

template <typename T>
SINEW_HD SINEW_INLINE DeGrooteFiber<T> degroote_fiber(const T* prm, T len, T vel) {
  using namespace dgmuscle;
  const T eps = RealTraits<T>::kMinVal;
  const T lopt = s_max(eps, prm[kLopt]);
  const T vmax = s_max(eps, prm[kVmax]);
  DeGrooteFiber<T> f;
  const T w = len - prm[kLslack];
  if (prm[kAlpha0] == T(0)) {
    f.l = w / lopt;
    f.v = vel / vmax;
    f.cos_alpha = T(1);
    return f;
  }
  // Constant fibre height h = lopt sin(alpha0); a tendon longer than the unit leaves the fibre
  // perpendicular to the line of action (w clamped to 0, no force transmitted).
  const T h = prm[kLopt] * s_sin(prm[kAlpha0]);
  const T wp = s_max(T(0), w);
  const T lm = s_max(eps, s_sqrt(wp * wp + h * h));
  f.cos_alpha = wp / lm;
  f.l = lm / lopt;
  f.v = vel * f.cos_alpha / vmax;
  return f;
}

// Muscle gain and bias (N): force = gain * act + bias, negative = pulling.
template <typename T>
SINEW_HD SINEW_INLINE void degroote_gain_bias(const T* prm, T len, T vel, T* gain, T* bias) {
  using namespace dgmuscle;
  const DeGrooteFiber<T> f = degroote_fiber(prm, len, vel);
  const T scale = -prm[kF0] * f.cos_alpha;
  *gain = scale * degroote_fl(f.l) * degroote_fv(f.v);
  *bias = scale * degroote_fp(f.l, prm[kKpe], prm[kE0], prm[kPassiveClamp]);
}

// Activation rate (1/s), paper eq. 1-2 (supplement S1):
//   da/dt = [ (f + 1/2) / (tau_act (1/2 + 3a/2)) + (1/2 - f) (1/2 + 3a/2) / tau_deact ] (e - a),
//   f = tanh(b (e - a)) / 2,
// with e = ctrl clamped to [0, 1] and a clamped to [0, 1] inside the factor 1/2 + 3a/2.
// With the paper's b = 0.1 the switch is very soft (|f| <= 0.05): the rates are close to the mean
// of the activation and deactivation rates; b = 10 (OpenSim's recommendation) switches sharply.
template <typename T>
SINEW_HD SINEW_INLINE T degroote_act_dot(const T* dynprm, T ctrl, T act) {
  using namespace dgmuscle;
  const T e = s_clamp(ctrl, T(0), T(1));
  const T factor = T(0.5) + T(1.5) * s_clamp(act, T(0), T(1));
  const T de = e - act;
  const T f = T(0.5) * muscle_tanh(dynprm[kSmoothing] * de);
  const T eps = RealTraits<T>::kMinVal;
  const T rate_act = (f + T(0.5)) / s_max(eps, dynprm[kTauAct] * factor);
  const T rate_deact = (T(0.5) - f) * factor / s_max(eps, dynprm[kTauDeact]);
  return (rate_act + rate_deact) * de;
}

// MuJoCo muscle parameters (layout mjmuscle::Prm / DynPrm) -> DeGroote-Fregly parameters:
//   lopt   = L0 = (lr1 - lr0) / (range1 - range0)   (MuJoCo's optimal fibre length)
//   lslack = lr0 - range0 * L0                        (the rigid tendon implied by the mapping)
//   vmax   = vmax_mujoco * L0                         (MuJoCo's vmax is in L0/s)
//   F0     = force if force >= 0, else scale / acc0   (MuJoCo's peak force)
//   alpha0 = 0, kPE = 4, e0 = 0.6, passive_clamp = 1; tau_act, tau_deact copied, b = 0.1.
// With alpha0 = 0 the normalized fibre length and velocity equal MuJoCo's L and V exactly, so
// the two models see the same operating point and differ only in their curves. lslack is
// negative whenever the lengthrange spans more than lr0 / range0 * (range1 - range0) (e.g. 40 %
// of lr0 with the default range): the mapping attributes the whole excursion to the fibre and
// the "tendon" is a length offset, not a physical tendon; with a rigid tendon this is harmless.
// MuJoCo's lmin, lmax, fpmax, fvmax and tausmooth have no counterpart and are dropped.
template <typename T>
SINEW_HD SINEW_INLINE void degroote_from_mujoco(const T* mj_prm, const T* mj_dynprm, T* prm,
                                                T* dynprm) {
  const T L0 = mujoco_muscle_l0(mj_prm);
  prm[dgmuscle::kF0] = mujoco_muscle_peak_force(mj_prm);
  prm[dgmuscle::kLopt] = L0;
  prm[dgmuscle::kLslack] = mj_prm[mjmuscle::kLr0] - mj_prm[mjmuscle::kRange0] * L0;
  prm[dgmuscle::kVmax] = mj_prm[mjmuscle::kVmax] * L0;
  prm[dgmuscle::kAlpha0] = T(0);
  prm[dgmuscle::kKpe] = T(dgmuscle::kKpeDefault);
  prm[dgmuscle::kE0] = T(dgmuscle::kE0Default);
  prm[dgmuscle::kPassiveClamp] = T(1);
  dynprm[dgmuscle::kTauAct] = mj_dynprm[mjmuscle::kTauAct];
  dynprm[dgmuscle::kTauDeact] = mj_dynprm[mjmuscle::kTauDeact];
  dynprm[dgmuscle::kSmoothing] = T(dgmuscle::kSmoothingDefault);
}

// Model adapter for the muscle registry (muscle/muscle_model.h).
struct DeGrooteMuscle {
  static constexpr int kNumPrm = dgmuscle::kNumPrm;
  static constexpr int kNumDynPrm = dgmuscle::kNumDynPrm;

  template <typename T>
  SINEW_HD static void gain_bias(const T* prm, T len, T vel, T* gain, T* bias) {
    degroote_gain_bias(prm, len, vel, gain, bias);
  }
  template <typename T>
  SINEW_HD static T act_dot(const T* dynprm, T ctrl, T act) {
    return degroote_act_dot(dynprm, ctrl, act);
  }
  template <typename T>
  SINEW_HD static void from_mujoco(const T* mj_prm, const T* mj_dynprm, T* prm, T* dynprm) {
    degroote_from_mujoco(mj_prm, mj_dynprm, prm, dynprm);
  }

  // ---- host metadata (read by the registry; never used in device code)
  static constexpr const char* kName = "degroote2016";
  static constexpr const char* kTitle = "DeGroote-Fregly 2016 Hill-type muscle, rigid tendon";
  static constexpr const char* kDoc =
      "De Groote, Kinney, Rao, Fregly 2016 (Ann. Biomed. Eng. 44(10), "
      "doi:10.1007/s10439-016-1591-9) with a rigid tendon: active force-length = three "
      "Gaussian-like terms, passive force-length (exp(kPE (l-1)/e0) - 1)/(exp(kPE) - 1), "
      "force-velocity d1 asinh(d2 v + d3) + d4 (v clamped to [-1, 1]), optional pennation with "
      "constant fibre height, tanh-smoothed activation dynamics. force = -F0 (a FL FV + FP) "
      "cos(alpha) (negative = pulling). From a MuJoCo muscle: lopt = L0, lslack = lr0 - "
      "range0 L0, vmax = vmax_mj L0, F0 = MuJoCo's peak force (see docs/extending-muscles.md). "
      "NaN default = required.";
  static constexpr const char* kPrmNames[kNumPrm] = {"F0",     "lopt", "lslack", "vmax",
                                                     "alpha0", "kpe",  "e0",     "passive_clamp"};
  static constexpr double kPrmDefaults[kNumPrm] = {std::numeric_limits<double>::quiet_NaN(),
                                                   std::numeric_limits<double>::quiet_NaN(),
                                                   std::numeric_limits<double>::quiet_NaN(),
                                                   std::numeric_limits<double>::quiet_NaN(),
                                                   0.0,
                                                   dgmuscle::kKpeDefault,
                                                   dgmuscle::kE0Default,
                                                   1.0};
  static constexpr const char* kPrmDocs[kNumPrm] = {
      "peak isometric force (N)",
      "optimal fibre length (m)",
      "tendon slack length (m); rigid tendon, may be negative (a length offset)",
      "maximum contraction velocity (m/s), typically 10 lopt/s",
      "pennation angle at optimal fibre length (rad)",
      "passive force-length exponential shape factor",
      "passive fibre strain at one normalized force",
      "1: passive force clamped to >= 0; 0: the paper's curve (slightly negative below lopt)"};
  static constexpr const char* kDynPrmNames[kNumDynPrm] = {"tau_act", "tau_deact", "smoothing"};
  static constexpr double kDynPrmDefaults[kNumDynPrm] = {0.015, 0.060, dgmuscle::kSmoothingDefault};
  static constexpr const char* kDynPrmDocs[kNumDynPrm] = {
      "activation time constant (s)", "deactivation time constant (s)",
      "steepness b of the tanh activation/deactivation switch (paper: 0.1; sharper: 10)"};
};

}  // namespace sinew
