// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The DeGroote-Fregly 2016 rigid-tendon muscle (muscle/muscle_degroote.h): its coefficients
// against the paper's published (three-decimal) table, its curves against the published
// equations written out independently here (and against values evaluated by hand, in Python,
// from those equations), the anchor properties FL(1) ~ 1, FV(0) ~ 1, FV(-1) ~ 0, FP(1) = 0,
// FP(1 + e0) = 1, the rigid-tendon fibre geometry with pennation, the activation dynamics, the
// mapping from MuJoCo's parameters, and float against double.
//   De Groote, Kinney, Rao, Fregly, Ann. Biomed. Eng. 44(10):2922-2936, 2016.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "muscle/muscle_degroote.h"
#include "muscle/muscle_model.h"

using namespace sinew;

namespace {

// ---- the paper's equations, written out independently of the header
// supplement S2 (published table; denominator squared), S3, S4
double paper_fl(double l) {
  const double b[3][4] = {
      {0.815, 1.055, 0.162, 0.063}, {0.433, 0.717, -0.030, 0.200}, {0.100, 1.000, 0.354, 0.000}};
  double s = 0;
  for (const auto& r : b)
    s += r[0] * std::exp(-0.5 * std::pow(l - r[1], 2) / std::pow(r[2] + r[3] * l, 2));
  return s;
}
double paper_fv(double v) {
  const double d1 = -0.318, d2 = -8.149, d3 = -0.374, d4 = 0.886;
  const double x = d2 * v + d3;
  return d1 * std::log(x + std::sqrt(x * x + 1)) + d4;
}
double paper_fp(double l) {
  const double kpe = 4, e0 = 0.6;
  return (std::exp(kpe * (l - 1) / e0) - 1) / (std::exp(kpe) - 1);
}
// supplement S1 / paper eq. (1)-(2)
double paper_act_dot(double e, double a, double ta, double td, double b) {
  const double f = 0.5 * std::tanh(b * (e - a));
  return (1 / (ta * (0.5 + 1.5 * a)) * (f + 0.5) + (0.5 + 1.5 * a) / td * (-f + 0.5)) * (e - a);
}

using Prm = std::array<double, dgmuscle::kNumPrm>;
// A 10 cm fibre on a 25 cm tendon, 1500 N, vmax = 10 lopt/s.
Prm example_prm(double alpha0 = 0.0) { return {1500, 0.1, 0.25, 1.0, alpha0, 4.0, 0.6, 1.0}; }

bool close(double a, double b, double tol, double floor = 1.0) {
  return std::abs(a - b) <= tol * std::max(std::abs(b), floor);
}

}  // namespace

TEST_CASE("coefficients are the paper's published table") {
  using namespace dgmuscle;
  CHECK(kB11 == 0.815);
  CHECK(kB21 == 1.055);
  CHECK(kB31 == 0.162);
  CHECK(kB41 == 0.063);
  CHECK(kB12 == 0.433);
  CHECK(kB22 == 0.717);
  CHECK(kB32 == -0.030);
  CHECK(kB42 == 0.200);
  CHECK(kB13 == 0.100);
  CHECK(kB23 == 1.000);
  CHECK(kB33 == 0.354);
  CHECK(kB43 == 0.000);
  CHECK(kD1 == -0.318);
  CHECK(kD2 == -8.149);
  CHECK(kD3 == -0.374);
  CHECK(kD4 == 0.886);
  CHECK(kKpeDefault == 4.0);
  CHECK(kE0Default == 0.6);
  CHECK(kSmoothingDefault == 0.1);
}

TEST_CASE("curves equal the published equations") {
  for (int i = 0; i <= 200; ++i) {
    const double l = 0.2 + 0.01 * i;  // [0.2, 2.2]
    CAPTURE(l);
    CHECK(close(degroote_fl(l), paper_fl(l), 1e-13, 1e-3));
    if (l >= 1.0) CHECK(close(degroote_fp(l, 4.0, 0.6, 1.0), paper_fp(l), 1e-13, 1e-3));
    CHECK(close(degroote_fp(l, 4.0, 0.6, 0.0), paper_fp(l), 1e-13, 1e-3));
  }
  for (int i = 0; i <= 200; ++i) {
    const double v = -1.0 + 0.01 * i;  // [-1, 1]
    CAPTURE(v);
    // asinh in the header, log(x + sqrt(x^2 + 1)) here: equal to rounding (cancellation in the
    // log form near v = 1 costs a few digits)
    CHECK(close(degroote_fv(v), paper_fv(v), 1e-12));
  }
}

TEST_CASE("values evaluated from the published equations") {
  // independent evaluation (Python, double) of S2 and S4 with the coefficients above
  CHECK(close(degroote_fl(0.5), 0.05375435410133081, 1e-13));
  CHECK(close(degroote_fl(0.7), 0.6825779376872461, 1e-13));
  CHECK(close(degroote_fl(0.8), 0.8348429132796823, 1e-13));
  CHECK(close(degroote_fl(1.0), 0.9993334763221878, 1e-13));
  CHECK(close(degroote_fl(1.2), 0.792522037879185, 1e-13));
  CHECK(close(degroote_fl(1.5), 0.22429892273693802, 1e-13));
  CHECK(close(degroote_fv(-1.0), 0.012081678112282557, 1e-12));
  CHECK(close(degroote_fv(-0.5), 0.2438336294197121, 1e-13));
  CHECK(close(degroote_fv(0.0), 1.002320622548512, 1e-13));
  CHECK(close(degroote_fv(0.5), 1.5850003902837804, 1e-13));
  CHECK(close(degroote_fv(1.0), 1.7889099602998804, 1e-13));
  // S3 at l = 1.3: (e^2 - 1) / (e^4 - 1) = 1 / (e^2 + 1)
  CHECK(close(degroote_fp(1.3, 4.0, 0.6, 1.0), 1 / (std::exp(2.0) + 1), 1e-14));
}

TEST_CASE("anchor properties") {
  CHECK(degroote_fl(1.0) == doctest::Approx(1.0).epsilon(1e-3));
  CHECK(degroote_fv(0.0) == doctest::Approx(1.0).epsilon(3e-3));
  CHECK(std::abs(degroote_fv(-1.0)) < 0.013);
  CHECK(degroote_fp(1.0, 4.0, 0.6, 0.0) == 0.0);
  CHECK(degroote_fp(1.0, 4.0, 0.6, 1.0) == 0.0);
  CHECK(close(degroote_fp(1.6, 4.0, 0.6, 1.0), 1.0, 1e-14));  // strain e0 -> one normalized force
  CHECK(close(degroote_fp(1.5, 4.0, 0.5, 1.0), 1.0, 1e-14));  // ... for any e0
  // FL peaks near l = 1 and decays on both sides; FV increases monotonically on [-1, 1]
  CHECK(degroote_fl(0.6) < degroote_fl(0.9));
  CHECK(degroote_fl(1.6) < degroote_fl(1.1));
  for (int i = 0; i < 200; ++i)
    CHECK(degroote_fv(-1.0 + 0.01 * (i + 1)) > degroote_fv(-1.0 + 0.01 * i));
  // passive: the paper's curve is slightly negative below l = 1; the default clamps it
  CHECK(close(degroote_fp(0.7, 4.0, 0.6, 0.0), (std::exp(-2.0) - 1) / (std::exp(4.0) - 1), 1e-14));
  CHECK(degroote_fp(0.7, 4.0, 0.6, 1.0) == 0.0);
  CHECK(degroote_fp(-5.0, 4.0, 0.6, 0.0) > -1 / (std::exp(4.0) - 1) - 1e-15);
  // FV saturates outside [-1, 1]
  CHECK(degroote_fv(-2.0) == degroote_fv(-1.0));
  CHECK(degroote_fv(3.0) == degroote_fv(1.0));
}

TEST_CASE("rigid-tendon force without pennation") {
  const Prm p = example_prm();
  for (double lnorm : {0.6, 0.9, 1.0, 1.2, 1.45}) {
    for (double vnorm : {-0.8, -0.2, 0.0, 0.4}) {
      const double len = 0.25 + lnorm * 0.1, vel = vnorm * 1.0;
      const DeGrooteFiber<double> f = degroote_fiber(p.data(), len, vel);
      CHECK(close(f.l, lnorm, 1e-14));
      CHECK(close(f.v, vnorm, 1e-14));
      CHECK(f.cos_alpha == 1.0);
      for (double act : {0.0, 0.35, 1.0}) {
        const double expected =
            -1500 * (act * paper_fl(lnorm) * paper_fv(vnorm) + std::max(0.0, paper_fp(lnorm)));
        CHECK(close(muscle_force(kMuscleDeGroote, p.data(), len, vel, act), expected, 1e-12));
      }
    }
  }
}

TEST_CASE("rigid-tendon pennation: constant fibre height, v_M = v cos(alpha)") {
  const double alpha0 = 0.35;
  const Prm p = example_prm(alpha0);
  // at optimal fibre length the pennation angle is alpha0 and the projection is lopt cos(alpha0)
  const double len_opt = 0.25 + 0.1 * std::cos(alpha0);
  DeGrooteFiber<double> f = degroote_fiber(p.data(), len_opt, 0.0);
  CHECK(close(f.l, 1.0, 1e-14));
  CHECK(close(f.cos_alpha, std::cos(alpha0), 1e-14));
  // fibre velocity = d l_M / d len * vel (central differences of the fibre length)
  for (double len : {0.30, 0.33, len_opt, 0.37, 0.4}) {
    const double vel = 0.3, h = 1e-6;
    f = degroote_fiber(p.data(), len, vel);
    const double dl =
        (degroote_fiber(p.data(), len + h, 0.0).l - degroote_fiber(p.data(), len - h, 0.0).l) /
        (2 * h);
    CHECK(close(f.v * 1.0, dl * 0.1 * vel / 1.0, 1e-8));
    // fibre height stays lopt sin(alpha0)
    CHECK(
        close(f.l * 0.1 * std::sqrt(1 - f.cos_alpha * f.cos_alpha), 0.1 * std::sin(alpha0), 1e-12));
    const double act = 0.6;
    const double expected =
        -1500 * (act * paper_fl(f.l) * paper_fv(f.v) + std::max(0.0, paper_fp(f.l))) * f.cos_alpha;
    CHECK(close(muscle_force(kMuscleDeGroote, p.data(), len, vel, act), expected, 1e-12));
  }
  // a unit shorter than its tendon: the fibre stands perpendicular, no force
  f = degroote_fiber(p.data(), 0.2, 0.1);
  CHECK(f.cos_alpha == 0.0);
  CHECK(muscle_force(kMuscleDeGroote, p.data(), 0.2, 0.1, 1.0) == 0.0);
}

TEST_CASE("activation dynamics: the paper's tanh-smoothed switch") {
  const double dyn[3] = {0.015, 0.060, 0.1};
  for (double e : {0.0, 0.1, 0.5, 0.9, 1.0}) {
    for (double a : {0.0, 0.05, 0.5, 0.95, 1.0}) {
      CAPTURE(e);
      CAPTURE(a);
      CHECK(close(degroote_act_dot(dyn, e, a), paper_act_dot(e, a, 0.015, 0.060, 0.1), 1e-13));
      CHECK(close(muscle_act_dot(kMuscleDeGroote, dyn, e, a),
                  paper_act_dot(e, a, 0.015, 0.060, 0.1), 1e-13));
    }
  }
  // hand evaluation at e = 1, a = 0: f = tanh(0.1)/2, rate = (f + 1/2)/(0.015/2) + (1/2 - f)/2/0.06
  const double f = 0.5 * std::tanh(0.1);
  CHECK(close(degroote_act_dot(dyn, 1.0, 0.0), (f + 0.5) / 0.0075 + (0.5 - f) * 0.5 / 0.06, 1e-14));
  CHECK(degroote_act_dot(dyn, 0.4, 0.4) == 0.0);
  // the excitation is clamped to [0, 1]
  CHECK(degroote_act_dot(dyn, 1.7, 0.3) == degroote_act_dot(dyn, 1.0, 0.3));
  CHECK(degroote_act_dot(dyn, -0.4, 0.3) == degroote_act_dot(dyn, 0.0, 0.3));
  // a steep switch (b = 10) approaches the hard switch of the Millard time constants
  const double steep[3] = {0.015, 0.060, 10.0};
  const double mj[3] = {0.015, 0.060, 0.0};
  CHECK(close(degroote_act_dot(steep, 1.0, 0.2), mujoco_muscle_act_dot(mj, 1.0, 0.2), 1e-3));
  CHECK(close(degroote_act_dot(steep, 0.0, 0.8), mujoco_muscle_act_dot(mj, 0.0, 0.8), 1e-3));
}

TEST_CASE("mapping from MuJoCo's parameters") {
  // the README reference muscle: lengthrange [0.1, 0.2], range [0.75, 1.05], force 1000
  const double mj[mjmuscle::kNumPrm] = {0.75, 1.05, 1000, 200, 0.5, 1.6,
                                        1.5,  1.3,  1.2,  0.1, 0.2, 1.0};
  const double mjdyn[3] = {0.01, 0.04, 0.0};
  double p[dgmuscle::kNumPrm], dyn[dgmuscle::kNumDynPrm];
  degroote_from_mujoco(mj, mjdyn, p, dyn);
  const double L0 = 0.1 / 0.3;
  CHECK(p[dgmuscle::kF0] == 1000.0);
  CHECK(close(p[dgmuscle::kLopt], L0, 1e-15));
  CHECK(close(p[dgmuscle::kLslack], 0.1 - 0.75 * L0, 1e-15));  // = -0.15: negative (an offset)
  CHECK(p[dgmuscle::kLslack] < 0);
  CHECK(close(p[dgmuscle::kVmax], 1.5 * L0, 1e-15));
  CHECK(p[dgmuscle::kAlpha0] == 0.0);
  CHECK(p[dgmuscle::kKpe] == 4.0);
  CHECK(p[dgmuscle::kE0] == 0.6);
  CHECK(p[dgmuscle::kPassiveClamp] == 1.0);
  CHECK(dyn[dgmuscle::kTauAct] == 0.01);
  CHECK(dyn[dgmuscle::kTauDeact] == 0.04);
  CHECK(dyn[dgmuscle::kSmoothing] == 0.1);
  // both models see the same operating point: fibre l, v = MuJoCo's L, V
  for (double len : {0.05, 0.1, 0.15, 0.2, 0.27}) {
    for (double vel : {-0.4, 0.0, 0.25}) {
      const DeGrooteFiber<double> f = degroote_fiber(p, len, vel);
      CHECK(close(f.l, mujoco_muscle_norm_length(mj, len), 1e-13));
      CHECK(close(f.v, mujoco_muscle_norm_velocity(mj, vel), 1e-13));
    }
  }
  // at the optimum, isometric: both give about -F0
  const double len1 = 0.1 + 0.25 * L0;  // L = 1
  CHECK(muscle_force(kMuscleMuJoCo, mj, len1, 0.0, 1.0) == doctest::Approx(-1000.0));
  CHECK(muscle_force(kMuscleDeGroote, p, len1, 0.0, 1.0) == doctest::Approx(-1000.0).epsilon(3e-3));
  // peak force from scale / acc0 when force < 0
  double mj2[mjmuscle::kNumPrm];
  for (int i = 0; i < mjmuscle::kNumPrm; ++i) mj2[i] = mj[i];
  mj2[mjmuscle::kForce] = -1;
  mj2[mjmuscle::kAcc0] = 0.25;
  degroote_from_mujoco(mj2, mjdyn, p, dyn);
  CHECK(p[dgmuscle::kF0] == 800.0);
}

TEST_CASE_TEMPLATE("float against double", T, float, double) {
  const double alpha_cases[2] = {0.0, 0.3};
  for (double alpha0 : alpha_cases) {
    const Prm pd = example_prm(alpha0);
    T pt[dgmuscle::kNumPrm];
    for (int i = 0; i < dgmuscle::kNumPrm; ++i) pt[i] = T(pd[i]);
    for (int i = 0; i <= 60; ++i) {
      const double len = 0.30 + 0.002 * i;  // l in [0.5, 1.7]
      for (double vel : {-1.2, -0.7, -0.1, 0.0, 0.3, 0.9}) {
        const double fd = muscle_force(kMuscleDeGroote, pd.data(), len, vel, 0.8);
        const T ft = muscle_force(kMuscleDeGroote, pt, T(len), T(vel), T(0.8));
        CAPTURE(len);
        CAPTURE(vel);
        CHECK(std::abs(double(ft) - fd) <= (sizeof(T) == 8 ? 1e-12 : 1e-4) * 1500 * 10);
      }
    }
  }
  const double dd[3] = {0.015, 0.06, 0.1};
  const T dt[3] = {T(0.015), T(0.06), T(0.1)};
  for (double e : {0.0, 0.3, 1.0})
    for (double a : {0.0, 0.5, 1.0}) {
      const double rd = degroote_act_dot(dd, e, a);
      CHECK(std::abs(double(degroote_act_dot(dt, T(e), T(a))) - rd) <=
            (sizeof(T) == 8 ? 1e-12 : 1e-5) * std::max(1.0, std::abs(rd)));
    }
}
