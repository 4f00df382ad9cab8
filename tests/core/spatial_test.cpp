// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// engine/core (vec.h, quat.h, spatial.h) against independent Eigen constructions: the 6x6 forms
// of the spatial cross products (Featherstone, "Rigid Body Dynamics Algorithms", 2008, eqs.
// 2.31-2.32), their duality, the rigid-body spatial inertia (eq. 2.63), and quaternion rotation,
// integration and difference against Eigen::Quaterniond. Random inputs, fixed seed.
#include "engine/core/spatial.h"

#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <Eigen/Geometry>
#include <cmath>
#include <random>

#include "engine/core/quat.h"
#include "engine/core/vec.h"

using namespace sinew;

namespace {

using Mat6d = Eigen::Matrix<double, 6, 6>;
using Vec6d = Eigen::Matrix<double, 6, 1>;

constexpr double kTol = 1e-12;
constexpr int kTrials = 200;

struct Rng {
  std::mt19937_64 gen{20240601};
  std::uniform_real_distribution<double> u{-1.0, 1.0};
  double operator()() { return u(gen); }
  Vec3<double> vec3() { return Vec3<double>((*this)(), (*this)(), (*this)()); }
  Spatial<double> spatial() { return Spatial<double>(vec3(), vec3()); }
  Quat<double> quat() {
    Quat<double> q((*this)(), (*this)(), (*this)(), (*this)());
    return quat_normalized(q);
  }
  // Symmetric positive definite 3x3 (a valid inertia about the centre of mass).
  Mat3<double> spd3() {
    Eigen::Matrix3d a;
    for (int i = 0; i < 9; ++i) a(i / 3, i % 3) = (*this)();
    Eigen::Matrix3d s = a * a.transpose() + Eigen::Matrix3d::Identity() * 0.1;
    Mat3<double> r;
    for (int i = 0; i < 9; ++i) r.m[i] = s(i / 3, i % 3);
    return r;
  }
};

Eigen::Vector3d E(const Vec3<double>& v) { return Eigen::Vector3d(v.x, v.y, v.z); }
Vec6d E(const Spatial<double>& s) {
  Vec6d r;
  r << s.ang.x, s.ang.y, s.ang.z, s.lin.x, s.lin.y, s.lin.z;
  return r;
}
Eigen::Matrix3d E(const Mat3<double>& m) {
  Eigen::Matrix3d r;
  for (int i = 0; i < 9; ++i) r(i / 3, i % 3) = m.m[i];
  return r;
}
Mat6d E(const Mat6<double>& m) {
  Mat6d r;
  for (int i = 0; i < 36; ++i) r(i / 6, i % 6) = m.a[i];
  return r;
}
Eigen::Quaterniond E(const Quat<double>& q) { return Eigen::Quaterniond(q.w, q.x, q.y, q.z); }

// Skew matrix built independently of Mat3::skew.
Eigen::Matrix3d skew(const Eigen::Vector3d& v) {
  Eigen::Matrix3d s;
  s << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
  return s;
}

// crm(v) = [[wx, 0], [vx, wx]] (Featherstone eq. 2.31), v = (w, v_lin).
Mat6d crm(const Vec6d& v) {
  Mat6d r = Mat6d::Zero();
  Eigen::Matrix3d wx = skew(v.head<3>()), vx = skew(v.tail<3>());
  r.topLeftCorner<3, 3>() = wx;
  r.bottomLeftCorner<3, 3>() = vx;
  r.bottomRightCorner<3, 3>() = wx;
  return r;
}
// crf(v) = -crm(v)^T (eq. 2.32).
Mat6d crf(const Vec6d& v) { return -crm(v).transpose(); }

// Spatial inertia about a point, of a body with mass m, centre of mass at c and inertia Ic about
// the centre of mass (eq. 2.63): [[Ic + m cx cx^T, m cx], [m cx^T, m 1]].
Mat6d inertia6(double m, const Eigen::Vector3d& c, const Eigen::Matrix3d& Ic) {
  Eigen::Matrix3d cx = skew(c);
  Mat6d r;
  r.topLeftCorner<3, 3>() = Ic + m * cx * cx.transpose();
  r.topRightCorner<3, 3>() = m * cx;
  r.bottomLeftCorner<3, 3>() = m * cx.transpose();
  r.bottomRightCorner<3, 3>() = m * Eigen::Matrix3d::Identity();
  return r;
}

template <typename A, typename B>
double max_err(const A& a, const B& b) {
  return (a - b).cwiseAbs().maxCoeff();
}
// Tolerance relative to the size of the reference value.
template <typename A>
double tol(const A& ref, double t = kTol) {
  return t * (1.0 + ref.cwiseAbs().maxCoeff());
}

// Quaternions q and -q are the same rotation.
double quat_err(const Quat<double>& a, const Quat<double>& b) {
  Eigen::Vector4d x(a.w, a.x, a.y, a.z), y(b.w, b.x, b.y, b.z);
  return std::fmin((x - y).cwiseAbs().maxCoeff(), (x + y).cwiseAbs().maxCoeff());
}

}  // namespace

TEST_CASE("Vec3 and Mat3 match Eigen") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    Vec3<double> a = rng.vec3(), b = rng.vec3();
    Mat3<double> A = rng.spd3(), B = rng.spd3();
    A.m[1] += rng();  // make A non-symmetric so transposes are exercised
    CHECK(std::fabs(dot(a, b) - E(a).dot(E(b))) <= kTol);
    CHECK(max_err(E(cross(a, b)), E(a).cross(E(b))) <= kTol);
    CHECK(max_err(E(Mat3<double>::skew(a) * b), E(a).cross(E(b))) <= kTol);
    CHECK(max_err(E(A * b), E(A) * E(b)) <= tol(E(A) * E(b)));
    CHECK(max_err(E(A.tmul(b)), E(A).transpose() * E(b)) <= tol(E(A).transpose() * E(b)));
    CHECK(max_err(E(A * B), E(A) * E(B)) <= tol(E(A) * E(B)));
    CHECK(max_err(E(A.transpose()), E(A).transpose()) == 0.0);
    CHECK(std::fabs(norm(a) - E(a).norm()) <= kTol);
  }
}

TEST_CASE("spatial cross products match their 6x6 matrix forms") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    Spatial<double> v = rng.spatial(), m = rng.spatial(), f = rng.spatial();
    Vec6d cm = crm(E(v)) * E(m), cf = crf(E(v)) * E(f);
    CHECK(max_err(E(cross_motion(v, m)), cm) <= tol(cm));
    CHECK(max_err(E(cross_force(v, f)), cf) <= tol(cf));
    // crf(v) = [[wx, vx], [0, wx]] written out, as a check on the -crm^T construction itself
    Mat6d crf_explicit = Mat6d::Zero();
    crf_explicit.topLeftCorner<3, 3>() = skew(E(v.ang));
    crf_explicit.topRightCorner<3, 3>() = skew(E(v.lin));
    crf_explicit.bottomRightCorner<3, 3>() = skew(E(v.ang));
    CHECK(max_err(crf(E(v)), crf_explicit) == 0.0);
    // v x v = 0 for motions
    CHECK(E(cross_motion(v, v)).cwiseAbs().maxCoeff() <= kTol);
  }
}

TEST_CASE("duality: (v x m) . f == -m . (v x* f)") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    Spatial<double> v = rng.spatial(), m = rng.spatial(), f = rng.spatial();
    double lhs = sdot(cross_motion(v, m), f);
    double rhs = -sdot(m, cross_force(v, f));
    CHECK(std::fabs(lhs - rhs) <= kTol * (1.0 + std::fabs(lhs)));
    CHECK(std::fabs(sdot(m, f) - E(m).dot(E(f))) <= kTol);
  }
}

TEST_CASE("SpatialInertia::from_com, Mat6(SpatialInertia) and products match Eigen") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    double mass = 0.1 + 5.0 * std::fabs(rng());
    Vec3<double> c = rng.vec3();
    Mat3<double> Ic = rng.spd3();
    SpatialInertia<double> I = SpatialInertia<double>::from_com(mass, c, Ic);
    Mat6d ref = inertia6(mass, E(c), E(Ic));

    Mat6d as6 = E(Mat6<double>(I));
    CHECK(max_err(as6, ref) <= tol(ref));
    CHECK(max_err(as6, as6.transpose()) <= tol(ref));
    // positive definite for a physical body
    CHECK(Eigen::SelfAdjointEigenSolver<Mat6d>(ref).eigenvalues().minCoeff() > 0.0);

    Spatial<double> v = rng.spatial();
    Vec6d Iv = ref * E(v);
    CHECK(max_err(E(I * v), Iv) <= tol(Iv));
    CHECK(max_err(E(Mat6<double>(I) * v), E(I * v)) <= tol(Iv));

    // sum of inertias = sum of matrices
    SpatialInertia<double> J =
        SpatialInertia<double>::from_com(1.0 + rng() * 0.5, rng.vec3(), rng.spd3());
    SpatialInertia<double> sum = I;
    sum += J;
    Mat6d ref_sum = ref + E(Mat6<double>(J));
    CHECK(max_err(E(Mat6<double>(sum)), ref_sum) <= tol(ref_sum));

    // packed storage round trip
    double packed[10];
    I.store(packed);
    SpatialInertia<double> back = SpatialInertia<double>::load(packed);
    CHECK(max_err(E(Mat6<double>(back)), as6) <= tol(ref));

    // Mat6 arithmetic: += and the rank-one update sub_outer
    Mat6<double> A(I), B(J);
    A += B;
    CHECK(max_err(E(A), ref_sum) <= tol(ref_sum));
    Spatial<double> u = rng.spatial(), w = rng.spatial();
    double s = rng();
    Mat6<double> C(I);
    C.sub_outer(u, w, s);
    Mat6d refC = ref - s * E(u) * E(w).transpose();
    CHECK(max_err(E(C), refC) <= tol(refC));
  }
}

TEST_CASE("quaternion rotate, quat_to_mat and products match Eigen::Quaterniond") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    Quat<double> q = rng.quat(), p = rng.quat();
    Vec3<double> v = rng.vec3();
    Eigen::Vector3d ref = E(q) * E(v);
    CHECK(max_err(E(rotate(q, v)), ref) <= tol(ref));
    CHECK(max_err(E(quat_to_mat(q) * v), ref) <= tol(ref));
    CHECK(max_err(E(quat_to_mat(q)), E(q).toRotationMatrix()) <= kTol);
    // Hamilton product: (q p) v = q (p v)
    Eigen::Quaterniond qp = E(q) * E(p);
    Quat<double> prod = q * p;
    CHECK(quat_err(prod, Quat<double>(qp.w(), qp.x(), qp.y(), qp.z())) <= kTol);
    CHECK(max_err(E(rotate(q * p, v)), E(rotate(q, rotate(p, v)))) <= tol(ref));
    // conjugate is the inverse rotation
    CHECK(max_err(E(rotate(conj(q), rotate(q, v))), E(v)) <= tol(E(v)));
    // axis-angle
    Vec3<double> axis = rng.vec3();
    normalize(axis);
    double angle = 3.0 * rng();
    Eigen::Quaterniond aa(Eigen::AngleAxisd(angle, E(axis)));
    CHECK(quat_err(quat_axis_angle(axis, angle), Quat<double>(aa.w(), aa.x(), aa.y(), aa.z())) <=
          kTol);
  }
}

TEST_CASE("quat_integrate applies a body-frame rotation and quat_sub inverts it") {
  Rng rng;
  for (int t = 0; t < kTrials; ++t) {
    Quat<double> q = rng.quat();
    Vec3<double> omega = rng.vec3() * 3.0;
    double h = 0.5 * std::fabs(rng()) + 0.01;  // |omega| h < pi

    // exact: q * exp(omega h / 2), rotation by |omega| h about omega / |omega| in the body frame
    Quat<double> q1 = quat_integrate(q, omega, h);
    Eigen::Quaterniond ref =
        E(q) * Eigen::Quaterniond(Eigen::AngleAxisd(norm(omega) * h, E(omega).normalized()));
    CHECK(quat_err(q1, Quat<double>(ref.w(), ref.x(), ref.y(), ref.z())) <= kTol);
    CHECK(std::fabs(E(q1).norm() - 1.0) <= kTol);

    // quat_sub is the inverse map: quat_sub(q1, q) = omega h
    Vec3<double> d = quat_sub(q1, q);
    CHECK(max_err(E(d), E(omega) * h) <= tol(E(omega) * h));
    // and integrating the difference over unit time returns the end point
    Quat<double> p = rng.quat();
    CHECK(quat_err(quat_integrate(q, quat_sub(p, q), 1.0), p) <= kTol);

    // zero rotation leaves q unchanged
    CHECK(quat_err(quat_integrate(q, Vec3<double>(), h), q) == 0.0);
  }
}

TEST_CASE("quat_integrate small steps follow dq/dt = q (0, omega) / 2") {
  Rng rng;
  const double h = 1e-7;
  for (int t = 0; t < kTrials; ++t) {
    Quat<double> q = rng.quat();
    Vec3<double> omega = rng.vec3();
    Quat<double> q1 = quat_integrate(q, omega, h);
    Quat<double> rate = q * Quat<double>(0.0, omega.x, omega.y, omega.z);
    Eigen::Vector4d fd((q1.w - q.w) / h, (q1.x - q.x) / h, (q1.y - q.y) / h, (q1.z - q.z) / h);
    Eigen::Vector4d an(0.5 * rate.w, 0.5 * rate.x, 0.5 * rate.y, 0.5 * rate.z);
    // forward difference: O(h) truncation plus O(eps / h) rounding
    CHECK(max_err(fd, an) <= 1e-6);
    // the body-frame velocity maps points as v' = v + h q (omega x v) to first order
    Vec3<double> v = rng.vec3();
    Eigen::Vector3d dv = (E(rotate(q1, v)) - E(rotate(q, v))) / h;
    Eigen::Vector3d dv_ref = E(rotate(q, cross(omega, v)));
    CHECK(max_err(dv, dv_ref) <= 1e-6);
  }
}

TEST_CASE("float instantiations agree with double") {
  Rng rng;
  for (int t = 0; t < 50; ++t) {
    Spatial<double> v = rng.spatial(), m = rng.spatial();
    Quat<double> q = rng.quat();
    auto f3 = [](const Vec3<double>& a) { return Vec3<float>(float(a.x), float(a.y), float(a.z)); };
    Spatial<float> vf(f3(v.ang), f3(v.lin)), mf(f3(m.ang), f3(m.lin));
    Quat<float> qf(float(q.w), float(q.x), float(q.y), float(q.z));
    Spatial<double> cm = cross_motion(v, m);
    Spatial<float> cmf = cross_motion(vf, mf);
    for (int i = 0; i < 6; ++i) CHECK(std::fabs(cmf[i] - cm[i]) <= 1e-5 * (1.0 + std::fabs(cm[i])));
    Vec3<double> r = rotate(q, v.ang);
    Vec3<float> rf = rotate(qf, vf.ang);
    for (int i = 0; i < 3; ++i) CHECK(std::fabs(rf[i] - r[i]) <= 1e-5);
    SpatialInertia<float> If =
        SpatialInertia<float>::from_com(2.0f, f3(v.lin), Mat3<float>::diag(1, 2, 3));
    SpatialInertia<double> Id =
        SpatialInertia<double>::from_com(2.0, v.lin, Mat3<double>::diag(1, 2, 3));
    Spatial<float> pf = If * mf;
    Spatial<double> pd = Id * m;
    for (int i = 0; i < 6; ++i) CHECK(std::fabs(pf[i] - pd[i]) <= 1e-5 * (1.0 + std::fabs(pd[i])));
  }
}
