// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The MuJoCo-compatible muscle (muscle/muscle_mujoco.h) against MuJoCo's own numbers: the
// reference values of ../shared/data/README.md ("Reference behaviour of MuJoCo's muscle"), the
// curve properties of MUJOCO_SEMANTICS.md §1.3-1.4 (continuity at the breakpoints, FL = 0 below
// lmin since 3.1.2, FP(b) = fpmax/2, FP(lmax) = 1.5 fpmax, the smooth activation switch), float
// against double, and tests/data/muscle_golden.json (mju_muscleGain/Bias/Dynamics of the pinned
// MuJoCo on a grid, written by tools/oracle/muscle_golden.py) to 1e-12.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "muscle/muscle_model.h"
#include "muscle/muscle_mujoco.h"

using namespace sinew;

namespace {

using Prm = std::array<double, mjmuscle::kNumPrm>;

// The README's reference muscle: lengthrange [0.1, 0.2], force 1000 N, default shape.
Prm reference_prm() { return {0.75, 1.05, 1000, 200, 0.5, 1.6, 1.5, 1.3, 1.2, 0.1, 0.2, 1.0}; }

// Actuator length and velocity at normalized L and V (inverse of §1.2).
double len_at(const Prm& p, double L) {
  const double L0 =
      (p[mjmuscle::kLr1] - p[mjmuscle::kLr0]) / (p[mjmuscle::kRange1] - p[mjmuscle::kRange0]);
  return p[mjmuscle::kLr0] + (L - p[mjmuscle::kRange0]) * L0;
}
double vel_at(const Prm& p, double V) {
  const double L0 =
      (p[mjmuscle::kLr1] - p[mjmuscle::kLr0]) / (p[mjmuscle::kRange1] - p[mjmuscle::kRange0]);
  return V * L0 * p[mjmuscle::kVmax];
}

// |a - b| <= tol * max(|b|, floor)
bool close(double a, double b, double tol, double floor = 1.0) {
  return std::abs(a - b) <= tol * std::max(std::abs(b), floor);
}

}  // namespace

TEST_CASE("README reference: active force at V = 0, L = 0.5..1.6") {
  const Prm p = reference_prm();
  // printed in the README (one decimal), and the exact values of the C curves
  const double printed[12] = {0,      -80,    -320, -680,   -920,  -1000,
                              -944.4, -777.8, -500, -222.2, -55.6, 0};
  const double exact[12] = {0,
                            -80,
                            -320,
                            -680,
                            -920,
                            -1000,
                            -1000.0 * 17 / 18,
                            -1000.0 * 7 / 9,
                            -500,
                            -1000.0 * 2 / 9,
                            -1000.0 / 18,
                            0};
  for (int i = 0; i < 12; ++i) {
    const double L = 0.5 + 0.1 * i;
    const double len = len_at(p, L);
    CAPTURE(L);
    const double gain = mujoco_muscle_gain(p.data(), len, 0.0);
    CHECK(std::abs(gain - printed[i]) <= 0.05 + 1e-9);
    CHECK(close(gain, exact[i], 1e-9));
    // total force with act = 1 below the passive range is the active force alone
    if (L <= 1.0)
      CHECK(close(muscle_force(kMuscleMuJoCo, p.data(), len, 0.0, 1.0), exact[i], 1e-9));
  }
}

TEST_CASE("README reference: passive force, L = 1.0..1.6") {
  const Prm p = reference_prm();
  const double printed[7] = {0, -72.2, -288.9, -650, -1083.3, -1516.7, -1950};
  const double exact[7] = {
      0, -1300.0 / 18, -1300.0 * 2 / 9, -650, -1300.0 * 5 / 6, -1300.0 * 7 / 6, -1950};
  for (int i = 0; i < 7; ++i) {
    const double L = 1.0 + 0.1 * i;
    CAPTURE(L);
    const double bias = mujoco_muscle_bias(p.data(), len_at(p, L));
    CHECK(std::abs(bias - printed[i]) <= 0.05 + 1e-9);
    CHECK(close(bias, exact[i], 1e-9));
    // act = 0: the force is the passive force alone
    CHECK(close(muscle_force(kMuscleMuJoCo, p.data(), len_at(p, L), 0.3, 0.0), exact[i], 1e-9));
  }
}

TEST_CASE("README reference: force-velocity at L = 1") {
  const Prm p = reference_prm();
  const double V[9] = {-1.2, -0.9, -0.6, -0.3, 0.0, 0.3, 0.5, 1.0, 5.0};
  const double F[9] = {0, -10, -160, -490, -1000, -1200, -1200, -1200, -1200};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(V[i]);
    const double f = muscle_force(kMuscleMuJoCo, p.data(), len_at(p, 1.0), vel_at(p, V[i]), 1.0);
    CHECK(close(f, F[i], 1e-9));
  }
  // the lengthening branch: fvmax - (c - V)^2 / c, c = fvmax - 1 = 0.2
  CHECK(close(mujoco_muscle_fv(0.1, 1.2), 1.2 - 0.01 / 0.2, 1e-12));
  CHECK(mujoco_muscle_fv(0.2, 1.2) == doctest::Approx(1.2).epsilon(1e-15));
}

TEST_CASE("README reference: activation rates") {
  const double dyn[3] = {0.01, 0.04, 0.0};
  CHECK(close(mujoco_muscle_act_dot(dyn, 1.0, 0.0), 200, 1e-9));
  CHECK(close(mujoco_muscle_act_dot(dyn, 0.0, 1.0), -50, 1e-9));
  CHECK(close(mujoco_muscle_act_dot(dyn, -0.5, 0.2), -4, 1e-9));
  CHECK(close(mujoco_muscle_act_dot(dyn, 1.5, 0.2), 100, 1e-9));
  CHECK(close(muscle_act_dot(kMuscleMuJoCo, dyn, 1.5, 0.2), 100, 1e-9));
  // the difference uses the unclamped act: act = 1.2, ctrl 1 -> du = -0.2, tau_d = 0.04 / 2
  CHECK(close(mujoco_muscle_act_dot(dyn, 1.0, 1.2), -0.2 / 0.02, 1e-12));
  // equal control and activation: no change
  CHECK(mujoco_muscle_act_dot(dyn, 0.4, 0.4) == 0.0);
}

TEST_CASE("FL: values and C1 continuity at the breakpoints; zero outside [lmin, lmax]") {
  const double lmin = 0.5, lmax = 1.6, a = 0.75, b = 1.3;
  CHECK(mujoco_muscle_fl(lmin, lmin, lmax) == 0.0);
  CHECK(close(mujoco_muscle_fl(a, lmin, lmax), 0.5, 1e-15));
  CHECK(mujoco_muscle_fl(1.0, lmin, lmax) == 1.0);
  CHECK(close(mujoco_muscle_fl(b, lmin, lmax), 0.5, 1e-15));
  CHECK(mujoco_muscle_fl(lmax, lmin, lmax) == 0.0);
  const double h = 1e-7;
  for (double x : {a, 1.0, b}) {
    CAPTURE(x);
    const double lo = mujoco_muscle_fl(x - h, lmin, lmax), hi = mujoco_muscle_fl(x + h, lmin, lmax);
    CHECK(std::abs(hi - lo) < 1e-5);  // continuous (slope <= 1/(a-lmin) = 4)
    // one-sided slopes agree (C1)
    const double sl = (mujoco_muscle_fl(x, lmin, lmax) - mujoco_muscle_fl(x - h, lmin, lmax)) / h;
    const double sr = (mujoco_muscle_fl(x + h, lmin, lmax) - mujoco_muscle_fl(x, lmin, lmax)) / h;
    CHECK(std::abs(sl - sr) < 1e-5);
  }
  // >= 3.1.2: zero below lmin (2.2.2 evaluated 0.5 ((L - lmin)/(a - lmin))^2 there, 0.32 at 0.3)
  for (double L : {0.4999999, 0.49, 0.3, 0.0, -1.0}) CHECK(mujoco_muscle_fl(L, lmin, lmax) == 0.0);
  for (double L : {1.6000001, 1.7, 3.0}) CHECK(mujoco_muscle_fl(L, lmin, lmax) == 0.0);
  // and through the whole force: a stretched-short muscle produces no active force
  const Prm p = reference_prm();
  CHECK(mujoco_muscle_gain(p.data(), len_at(p, 0.3), 0.0) == 0.0);
}

TEST_CASE("FV: C1 at V = 0, zero at V <= -1, fvmax beyond c") {
  const double fvmax = 1.2, h = 1e-7;
  CHECK(mujoco_muscle_fv(-1.0, fvmax) == 0.0);
  CHECK(mujoco_muscle_fv(-3.0, fvmax) == 0.0);
  CHECK(mujoco_muscle_fv(0.0, fvmax) == 1.0);
  CHECK(std::abs(mujoco_muscle_fv(h, fvmax) - mujoco_muscle_fv(-h, fvmax)) < 1e-6);
  const double sl = (1.0 - mujoco_muscle_fv(-h, fvmax)) / h;
  const double sr = (mujoco_muscle_fv(h, fvmax) - 1.0) / h;
  CHECK(sl == doctest::Approx(2.0).epsilon(1e-5));
  CHECK(sr == doctest::Approx(2.0).epsilon(1e-5));  // 2c/c = 2
  // fvmax = 1: degenerate lengthening branch (c = 0), constant 1
  CHECK(mujoco_muscle_fv(0.5, 1.0) == 1.0);
}

TEST_CASE("FP: C code values at b and lmax, C1 at b, linear beyond lmax") {
  const double lmax = 1.6, fpmax = 1.3, b = 1.3, h = 1e-7;
  CHECK(mujoco_muscle_fp(1.0, lmax, fpmax) == 0.0);
  CHECK(mujoco_muscle_fp(0.7, lmax, fpmax) == 0.0);
  CHECK(close(mujoco_muscle_fp(b, lmax, fpmax), 0.5 * fpmax, 1e-15));
  CHECK(close(mujoco_muscle_fp(lmax, lmax, fpmax), 1.5 * fpmax, 1e-14));
  CHECK(close(mujoco_muscle_fp(1.9, lmax, fpmax), 2.5 * fpmax, 1e-14));
  const double sl = (mujoco_muscle_fp(b, lmax, fpmax) - mujoco_muscle_fp(b - h, lmax, fpmax)) / h;
  const double sr = (mujoco_muscle_fp(b + h, lmax, fpmax) - mujoco_muscle_fp(b, lmax, fpmax)) / h;
  CHECK(sl == doctest::Approx(fpmax / (b - 1)).epsilon(1e-5));
  CHECK(sr == doctest::Approx(fpmax / (b - 1)).epsilon(1e-5));
}

TEST_CASE("peak force: force >= 0 as given, else scale / acc0 (guarded)") {
  Prm p = reference_prm();
  CHECK(mujoco_muscle_peak_force(p.data()) == 1000.0);
  p[mjmuscle::kForce] = 0.0;
  CHECK(mujoco_muscle_peak_force(p.data()) == 0.0);
  p[mjmuscle::kForce] = -1.0;
  p[mjmuscle::kAcc0] = 0.5;
  CHECK(mujoco_muscle_peak_force(p.data()) == 400.0);
  CHECK(close(mujoco_muscle_gain(p.data(), len_at(p, 1.0), 0.0), -400.0, 1e-12));
  CHECK(close(mujoco_muscle_bias(p.data(), len_at(p, 1.6)), -400.0 * 1.5 * 1.3, 1e-12));
  p[mjmuscle::kAcc0] = 0.0;  // MuJoCo divides by max(mjMINVAL, acc0)
  CHECK(mujoco_muscle_peak_force(p.data()) == 200.0 / 1e-15);
}

TEST_CASE("normalization from lengthrange (§1.2)") {
  const Prm p = reference_prm();
  CHECK(close(mujoco_muscle_l0(p.data()), 0.1 / 0.3, 1e-15));
  CHECK(close(mujoco_muscle_norm_length(p.data(), 0.1), 0.75, 1e-15));
  CHECK(close(mujoco_muscle_norm_length(p.data(), 0.2), 1.05, 1e-15));
  CHECK(close(mujoco_muscle_norm_velocity(p.data(), 0.5), 0.5 / (0.1 / 0.3 * 1.5), 1e-15));
}

TEST_CASE(
    "smooth activation switch (tausmooth > 0): continuous, equal to the hard switch outside") {
  const double width = 0.1;
  const double smooth[3] = {0.01, 0.04, width};
  const double hard[3] = {0.01, 0.04, 0.0};
  CHECK(mujoco_sigmoid(0.0) == 0.0);
  CHECK(mujoco_sigmoid(1.0) == 1.0);
  CHECK(mujoco_sigmoid(0.5) == 0.5);
  for (double act : {0.0, 0.3, 0.8}) {
    CAPTURE(act);
    // |du| >= width/2: the sigmoid is saturated, identical to the hard switch
    for (double du : {-0.4, -0.05, 0.05, 0.3}) {
      const double ctrl = act + du;
      if (ctrl < 0 || ctrl > 1) continue;
      CHECK(close(mujoco_muscle_act_dot(smooth, ctrl, act), mujoco_muscle_act_dot(hard, ctrl, act),
                  1e-12));
    }
    // the effective time constant tau = du / act_dot is continuous in du, through du = 0 (where
    // it is the mean of tau_a and tau_d) and at the ends of the switch
    const double tau_a = 0.01 * (0.5 + 1.5 * act), tau_d = 0.04 / (0.5 + 1.5 * act);
    double prev = 0;
    bool first = true;
    for (int k = -700; k <= 700; ++k) {
      if (k == 0) continue;
      const double du = k * 1e-4;
      const double ctrl = act + du;
      if (ctrl < 0 || ctrl > 1) continue;
      const double tau = du / mujoco_muscle_act_dot(smooth, ctrl, act);
      // steps of 1e-4 (2e-4 across du = 0); the sigmoid's slope is at most 1.875 per width
      if (!first) CHECK(std::abs(tau - prev) < 4e-3 * std::abs(tau_d - tau_a) + 1e-12);
      prev = tau;
      first = false;
    }
    if (act + 1e-6 <= 1) {
      const double tau0 = 1e-6 / mujoco_muscle_act_dot(smooth, act + 1e-6, act);
      CHECK(tau0 == doctest::Approx(0.5 * (tau_a + tau_d)).epsilon(1e-3));
    }
  }
  // tausmooth below mjMINVAL is the hard switch
  const double tiny[3] = {0.01, 0.04, 1e-16};
  CHECK(mujoco_muscle_act_dot(tiny, 0.5 + 1e-9, 0.5) ==
        mujoco_muscle_act_dot(hard, 0.5 + 1e-9, 0.5));
}

TEST_CASE_TEMPLATE("float against double", T, float, double) {
  const Prm pd = reference_prm();
  T pt[mjmuscle::kNumPrm];
  for (int i = 0; i < mjmuscle::kNumPrm; ++i) pt[i] = T(pd[i]);
  const double F0 = 1000;
  for (int i = 0; i <= 90; ++i) {
    const double L = 0.25 + 0.02 * i;
    for (int j = 0; j <= 26; ++j) {
      const double V = -1.3 + 0.1 * j;
      const double len = len_at(pd, L), vel = vel_at(pd, V);
      const double fd = muscle_force(kMuscleMuJoCo, pd.data(), len, vel, 0.7);
      const T ft = muscle_force(kMuscleMuJoCo, pt, T(len), T(vel), T(0.7));
      CAPTURE(L);
      CAPTURE(V);
      // float rounding of len moves L by ~1e-7 * len / L0; the curves' slopes are <= ~10 F0
      CHECK(std::abs(double(ft) - fd) <= (sizeof(T) == 8 ? 1e-12 : 2e-5) * F0 * 10);
    }
  }
  const double dd[3] = {0.01, 0.04, 0.1};
  const T dt[3] = {T(0.01), T(0.04), T(0.1)};
  for (double ctrl : {-0.2, 0.0, 0.3, 0.6, 1.0, 1.4}) {
    for (double act : {0.0, 0.2, 0.5, 0.9, 1.0}) {
      const double rd = mujoco_muscle_act_dot(dd, ctrl, act);
      const T rt = mujoco_muscle_act_dot(dt, T(ctrl), T(act));
      CHECK(std::abs(double(rt) - rd) <=
            (sizeof(T) == 8 ? 1e-12 : 1e-5) * std::max(1.0, std::abs(rd)));
    }
  }
}

TEST_CASE("golden: MuJoCo's mju_muscleGain / mju_muscleBias / mju_muscleDynamics (1e-12)") {
  std::ifstream f(SINEW_SOURCE_DIR "/tests/data/muscle_golden.json");
  REQUIRE_MESSAGE(f.good(),
                  "tests/data/muscle_golden.json is missing (tools/oracle/muscle_golden.py)");
  const nlohmann::json g = nlohmann::json::parse(f);
  MESSAGE("golden from mujoco " << g["mujoco_version"].get<std::string>());
  int n = 0;
  for (const auto& s : g["gain_bias"]) {
    Prm p;
    for (int i = 0; i < 9; ++i) p[i] = s["prm"][i].get<double>();
    p[mjmuscle::kLr0] = s["lengthrange"][0].get<double>();
    p[mjmuscle::kLr1] = s["lengthrange"][1].get<double>();
    p[mjmuscle::kAcc0] = s["acc0"].get<double>();
    const double F0 = mujoco_muscle_peak_force(p.data());
    const auto& len = s["len"];
    for (size_t k = 0; k < len.size(); ++k) {
      const double l = len[k].get<double>(), v = s["vel"][k].get<double>();
      double gain, bias;
      muscle_gain_bias(kMuscleMuJoCo, p.data(), l, v, &gain, &bias);
      CAPTURE(l);
      CAPTURE(v);
      CHECK(close(gain, s["gain"][k].get<double>(), 1e-12, F0 * 1e-3));
      CHECK(close(bias, s["bias"][k].get<double>(), 1e-12, F0 * 1e-3));
      ++n;
    }
  }
  CHECK(n > 2000);
  int m = 0;
  for (const auto& s : g["dynamics"]) {
    double dyn[3];
    for (int i = 0; i < 3; ++i) dyn[i] = s["dynprm"][i].get<double>();
    for (size_t k = 0; k < s["ctrl"].size(); ++k) {
      const double c = s["ctrl"][k].get<double>(), a = s["act"][k].get<double>();
      CAPTURE(c);
      CAPTURE(a);
      CHECK(close(muscle_act_dot(kMuscleMuJoCo, dyn, c, a), s["act_dot"][k].get<double>(), 1e-12));
      ++m;
    }
  }
  CHECK(m > 200);
}
