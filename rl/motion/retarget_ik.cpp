// SPDX-License-Identifier: Apache-2.0
// Damped least squares IK. The step solves
//   (Jv^T Jv + (lambda^2 + mu_s + mu_0) I) dv = Jv^T r - mu_s (q - q_prev)_v - mu_0 (q - q0)_v
// (Levenberg 1944, Marquardt 1963; for IK: Wampler 1986, Nakamura & Hanafusa 1986), where r stacks
// the weighted point residuals and the active floor rows, and Jv = J C is the point Jacobian in
// the independent coordinates: C maps an independent dof's step to itself and, by the chain rule,
// to every joint coupled to it (q1 = q1_ref + poly(q2 - q2_ref), dq1 = poly'(.) dq2). Joints
// whose step would leave their range are fixed at the bound and the step is solved again without
// them (the "clamping loop" of Baerlocher & Boulic 2004, section 4.2); lambda^2 follows
// Marquardt's schedule (tenfold up on a rejected step, down on an accepted one), so the cost
// decreases monotonically. After every step the couplings are projected exactly.
#include "rl/motion/retarget_ik.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "engine/coupling.h"
#include "engine/data.h"
#include "engine/integrate.h"
#include "engine/jacobian.h"
#include "engine/kinematics.h"

namespace sinew::motion {

namespace {

// Jacobian rows are filled one at a time by add_point_jacobian: row-major storage.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double poly_derivative(const double* c, double x) {
  return c[1] + x * (2 * c[2] + x * (3 * c[3] + x * 4 * c[4]));
}

}  // namespace

std::vector<CollisionPoint> collision_points(const Model& m) {
  std::vector<CollisionPoint> out;
  for (int g = 0; g < m.size.ngeom; ++g) {
    const int type = m.geom_type[g];
    if ((!m.geom_contype[g] && !m.geom_conaffinity[g]) || type == kGeomPlane) continue;
    const int b = m.geom_bodyid[g];
    const Vec3d pos = Vec3d::load(&m.geom_pos[3 * g]);
    const Quatd rot = Quatd::load(&m.geom_quat[4 * g]);
    const double* s = &m.geom_size[3 * g];
    auto add = [&](const Vec3d& v, double r) { out.push_back({b, pos + rotate(rot, v), r}); };
    if (type == kGeomSphere) {
      add(Vec3d(), s[0]);
    } else if (type == kGeomCapsule) {
      add(Vec3d(0, 0, s[1]), s[0]);
      add(Vec3d(0, 0, -s[1]), s[0]);
    } else if (type == kGeomBox) {
      for (int k = 0; k < 8; ++k)
        add(Vec3d(k & 1 ? s[0] : -s[0], k & 2 ? s[1] : -s[1], k & 4 ? s[2] : -s[2]), 0);
    } else if (type == kGeomMesh && m.geom_dataid[g] >= 0) {
      const int id = m.geom_dataid[g];
      for (int v = 0; v < m.mesh_vertnum[id]; ++v)
        add(Vec3d::load(&m.mesh_vert[3 * (m.mesh_vertadr[id] + v)]), 0);
    }
  }
  return out;
}

struct IkSolver::Impl {
  const Model& m;
  ModelView<double> mv;
  Data<double> data;
  WorldData<double> d;
  std::vector<BodyPoint> pts;
  IkOptions opt;
  std::vector<CollisionPoint> floor;
  // coordinates: var_dof[v] = dof of independent variable v; dep_eq[dof] = coupling equality
  // that sets this dof (-1: independent); dof_var[dof] = its variable (-1 when dependent)
  std::vector<int> var_dof, dof_var, dep_eq;
  std::vector<int> dof_is_root;
  std::vector<double> lo, hi;  // per variable; lo > hi when unlimited
  int nrow_max = 0;

  Impl(const Model& model, std::vector<BodyPoint> p, const IkOptions& o)
      : m(model), mv(model.view()), data(model, 1), d(data.world(0)), pts(std::move(p)), opt(o) {
    floor = collision_points(m);
    const int nv = m.size.nv;
    dep_eq.assign(nv, -1);
    for (int e = 0; e < m.size.neq; ++e)
      if (is_coupling(mv.eq_active, mv.eq_type, e)) dep_eq[m.jnt_dofadr[m.eq_obj1id[e]]] = e;
    dof_var.assign(nv, -1);
    dof_is_root.assign(nv, 0);
    for (int j = 0; j < m.size.njnt; ++j) {
      const int b = m.jnt_bodyid[j];
      const bool root = m.body_parent[b] == 0;
      for (int k = 0; k < joint_nv(m.jnt_type[j]); ++k) {
        const int dof = m.jnt_dofadr[j] + k;
        dof_is_root[dof] = root;
        if (dep_eq[dof] >= 0) continue;
        dof_var[dof] = static_cast<int>(var_dof.size());
        var_dof.push_back(dof);
        const bool lim =
            m.jnt_limited[j] && (m.jnt_type[j] == kJointHinge || m.jnt_type[j] == kJointSlide);
        lo.push_back(lim ? m.jnt_range[2 * j] : 1.0);
        hi.push_back(lim ? m.jnt_range[2 * j + 1] : -1.0);
      }
    }
    nrow_max = 3 * static_cast<int>(pts.size()) + static_cast<int>(floor.size());
  }

  // The independent dof a dof follows and d(dof)/d(independent) at qpos (chains of couplings
  // multiply their derivatives).
  std::pair<int, double> follow(int dof, const double* q) const {
    double coef = 1;
    for (int depth = 0; depth < 32 && dep_eq[dof] >= 0; ++depth) {
      const int e = dep_eq[dof];
      const int j2 = m.eq_obj2id[e];
      if (j2 < 0) return {-1, 0.0};  // fixed by a constant
      const int q2 = m.jnt_qposadr[j2];
      coef *= poly_derivative(&m.eq_data[5 * e], q[q2] - m.qpos0[q2]);
      dof = m.jnt_dofadr[j2];
    }
    return {dof, coef};
  }

  void forward(const double* q) {
    std::copy(q, q + m.size.nq, d.qpos);
    kinematics(mv, d);
    com_pos(mv, d);
  }

  Vec3d world(int body, const Vec3d& local) const {
    return Vec3d::load(d.xpos + 3 * body) + Mat3<double>::load(d.xmat + 9 * body) * local;
  }

  // Residual rows r and their Jacobian J [rows][nv] at the last forward(); returns rows.
  int residual(const double* targets, const double* weights, Eigen::VectorXd& r, RowMatrix& J) {
    const int nv = m.size.nv;
    r.resize(nrow_max);
    J.setZero(nrow_max, nv);
    int row = 0;
    for (size_t k = 0; k < pts.size(); ++k) {
      const double w = weights[k];
      if (w <= 0) continue;
      const Vec3d x = world(pts[k].body, pts[k].local);
      for (int a = 0; a < 3; ++a, ++row) {
        Vec3d dir;
        dir[a] = 1;
        r[row] = w * (targets[3 * k + a] - x[a]);
        add_point_jacobian(mv, d, pts[k].body, x, dir, w, J.row(row).data());
      }
    }
    for (const CollisionPoint& f : floor) {
      const Vec3d x = world(f.body, f.local);
      const double depth = opt.floor_z - (x.z - f.radius);
      if (depth <= 0) continue;
      r[row] = opt.floor_weight * depth;
      add_point_jacobian(mv, d, f.body, x, Vec3d(0, 0, 1), opt.floor_weight, J.row(row).data());
      ++row;
    }
    return row;
  }

  // Regularisation gradient terms g[var] = mu_s (q - q_prev) + mu_0 (q - q0) in dof space.
  Eigen::VectorXd regulariser(const double* q, const double* q_prev, double& cost) const {
    const int nv = m.size.nv;
    std::vector<double> dp(nv, 0.0), d0(nv, 0.0);
    if (q_prev) qpos_difference(m, q, q_prev, dp.data());
    qpos_difference(m, q, m.qpos0.data(), d0.data());
    Eigen::VectorXd g(var_dof.size());
    cost = 0;
    for (size_t v = 0; v < var_dof.size(); ++v) {
      const int dof = var_dof[v];
      const double mu0 = dof_is_root[dof] ? 0.0 : opt.rest;
      g[v] = opt.smooth * dp[dof] + mu0 * d0[dof];
      cost += opt.smooth * dp[dof] * dp[dof] + mu0 * d0[dof] * d0[dof];
    }
    return g;
  }

  double cost_at(const double* q, const double* targets, const double* weights,
                 const double* q_prev) {
    forward(q);
    Eigen::VectorXd r;
    RowMatrix J;
    const int rows = residual(targets, weights, r, J);
    double reg = 0;
    regulariser(q, q_prev, reg);
    return r.head(rows).squaredNorm() + reg;
  }

  // Jv = J C (independent coordinates) at q.
  Eigen::MatrixXd reduce(const RowMatrix& J, int rows, const double* q) const {
    Eigen::MatrixXd Jv = Eigen::MatrixXd::Zero(rows, static_cast<int>(var_dof.size()));
    for (int dof = 0; dof < m.size.nv; ++dof) {
      const auto [ind, coef] = follow(dof, q);
      if (ind < 0 || coef == 0) continue;
      Jv.col(dof_var[ind]) += coef * J.block(0, dof, rows, 1);
    }
    return Jv;
  }

  // Full dof step from a variable step (first order on the dependents; projection follows).
  std::vector<double> expand(const Eigen::VectorXd& dv, const double* q) const {
    std::vector<double> dq(m.size.nv, 0.0);
    for (int dof = 0; dof < m.size.nv; ++dof) {
      const auto [ind, coef] = follow(dof, q);
      if (ind >= 0) dq[dof] = coef * dv[dof_var[ind]];
    }
    return dq;
  }

  // Applies a variable step: integrate, clamp the independent limited joints, project couplings.
  void apply(const double* q, const Eigen::VectorXd& dv, double* out) const {
    std::copy(q, q + m.size.nq, out);
    const std::vector<double> dq = expand(dv, q);
    integrate_pos(mv, out, dq.data(), 1.0);
    clamp_independent(out);
    project_couplings(mv, out);
  }

  void clamp_independent(double* q) const {
    for (size_t v = 0; v < var_dof.size(); ++v) {
      if (lo[v] > hi[v]) continue;
      const int j = m.dof_jntid[var_dof[v]];
      double& x = q[m.jnt_qposadr[j]];
      x = std::clamp(x, lo[v], hi[v]);
    }
  }

  Eigen::VectorXd step(const Eigen::MatrixXd& Jv, const Eigen::VectorXd& r,
                       const Eigen::VectorXd& g, const double* q, double lambda) const;
  IkReport solve(const double* targets, const double* weights, const double* q_prev, double* q);
};

// The clamping loop: solve, fix the variables that would leave their range at the bound, solve
// again for the others with the fixed steps moved into the residual.
Eigen::VectorXd IkSolver::Impl::step(const Eigen::MatrixXd& Jv, const Eigen::VectorXd& r,
                                     const Eigen::VectorXd& g, const double* q,
                                     double lambda) const {
  const int n = static_cast<int>(var_dof.size());
  const double mu = lambda + opt.smooth;
  Eigen::VectorXd dv = Eigen::VectorXd::Zero(n);
  std::vector<char> fixed(n, 0);
  for (int pass = 0; pass < 6; ++pass) {
    std::vector<int> free;
    for (int v = 0; v < n; ++v)
      if (!fixed[v]) free.push_back(v);
    Eigen::VectorXd rr = r;
    for (int v = 0; v < n; ++v)
      if (fixed[v]) rr -= Jv.col(v) * dv[v];
    const int nf = static_cast<int>(free.size());
    Eigen::MatrixXd A(nf, nf);
    Eigen::VectorXd b(nf);
    for (int a = 0; a < nf; ++a) {
      for (int c = a; c < nf; ++c) A(a, c) = A(c, a) = Jv.col(free[a]).dot(Jv.col(free[c]));
      const double mu0 = dof_is_root[var_dof[free[a]]] ? 0.0 : opt.rest;
      A(a, a) += mu + mu0;
      b[a] = Jv.col(free[a]).dot(rr) - g[free[a]];
    }
    const Eigen::VectorXd x = A.ldlt().solve(b);
    bool changed = false;
    for (int a = 0; a < nf; ++a) {
      const int v = free[a];
      dv[v] = x[a];
      if (lo[v] > hi[v]) continue;
      const double cur = q[m.jnt_qposadr[m.dof_jntid[var_dof[v]]]];
      if (cur + dv[v] > hi[v] || cur + dv[v] < lo[v]) {
        dv[v] = std::clamp(cur + dv[v], lo[v], hi[v]) - cur;
        fixed[v] = 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return dv;
}

IkReport IkSolver::Impl::solve(const double* targets, const double* weights, const double* q_prev,
                               double* q) {
  const int nq = m.size.nq;
  clamp_independent(q);
  project_couplings(mv, q);
  std::vector<double> trial(nq);
  double cost = cost_at(q, targets, weights, q_prev);
  double lambda = opt.damping;
  IkReport rep;
  for (int it = 0; it < opt.max_iterations; ++it) {
    rep.iterations = it + 1;
    forward(q);
    Eigen::VectorXd r;
    RowMatrix J;
    const int rows = residual(targets, weights, r, J);
    double reg = 0;
    const Eigen::VectorXd g = regulariser(q, q_prev, reg);
    const Eigen::MatrixXd Jv = reduce(J, rows, q);
    // Marquardt's schedule: a rejected step raises the damping tenfold, an accepted one lowers it
    bool improved = false;
    double moved = 0;
    for (int tries = 0; tries < 20 && !improved; ++tries) {
      const Eigen::VectorXd dv = step(Jv, r.head(rows), g, q, lambda);
      apply(q, dv, trial.data());
      const double c = cost_at(trial.data(), targets, weights, q_prev);
      if (c < cost) {
        improved = true;
        cost = c;
        moved = dv.cwiseAbs().maxCoeff();
        std::copy(trial.begin(), trial.end(), q);
        lambda = std::max(0.3 * lambda, 1e-10);
      } else {
        lambda *= 10;
      }
    }
    if (!improved || moved < opt.step_tolerance) break;
  }
  rep.cost = cost;
  return rep;
}

IkSolver::IkSolver(const Model& m, std::vector<BodyPoint> points, const IkOptions& opt)
    : impl_(std::make_unique<Impl>(m, std::move(points), opt)) {}
IkSolver::~IkSolver() = default;

int IkSolver::npoint() const { return static_cast<int>(impl_->pts.size()); }
const std::vector<BodyPoint>& IkSolver::points() const { return impl_->pts; }

IkReport IkSolver::solve(const double* targets, const double* weights, const double* q_prev,
                         double* qpos) {
  IkReport rep = impl_->solve(targets, weights, q_prev, qpos);
  rep.floor_penetration = floor_penetration(qpos);
  return rep;
}

void IkSolver::positions(const double* qpos, double* points, double* bodies) {
  Impl& s = *impl_;
  s.forward(qpos);
  if (points)
    for (size_t k = 0; k < s.pts.size(); ++k)
      s.world(s.pts[k].body, s.pts[k].local).store(points + 3 * k);
  if (bodies) std::copy(s.d.xpos, s.d.xpos + 3 * s.m.size.nbody, bodies);
}

double IkSolver::floor_penetration(const double* qpos) {
  Impl& s = *impl_;
  s.forward(qpos);
  double worst = 0;
  for (const CollisionPoint& f : s.floor)
    worst = std::max(worst, s.opt.floor_z - (s.world(f.body, f.local).z - f.radius));
  return worst;
}

void qpos_difference(const Model& m, const double* q1, const double* q0, double* dq) {
  for (int j = 0; j < m.size.njnt; ++j) {
    const double* a = q1 + m.jnt_qposadr[j];
    const double* b = q0 + m.jnt_qposadr[j];
    double* v = dq + m.jnt_dofadr[j];
    switch (m.jnt_type[j]) {
      case kJointFree:
        for (int k = 0; k < 3; ++k) v[k] = a[k] - b[k];
        quat_sub(Quatd::load(a + 3), Quatd::load(b + 3)).store(v + 3);
        break;
      case kJointBall:
        quat_sub(Quatd::load(a), Quatd::load(b)).store(v);
        break;
      default:
        v[0] = a[0] - b[0];
    }
  }
}

double limit_violation(const Model& m, const double* qpos, std::string* worst) {
  double out = 0;
  for (int j = 0; j < m.size.njnt; ++j) {
    const int t = m.jnt_type[j];
    if (!m.jnt_limited[j] || (t != kJointHinge && t != kJointSlide)) continue;
    const double x = qpos[m.jnt_qposadr[j]];
    const double v = std::max(m.jnt_range[2 * j] - x, x - m.jnt_range[2 * j + 1]);
    if (v > out) {
      out = v;
      if (worst) *worst = m.jnt_name[j];
    }
  }
  return out;
}

void clamp_to_limits(const Model& m, double* qpos) {
  for (int j = 0; j < m.size.njnt; ++j) {
    const int t = m.jnt_type[j];
    if (!m.jnt_limited[j] || (t != kJointHinge && t != kJointSlide)) continue;
    double& x = qpos[m.jnt_qposadr[j]];
    x = std::clamp(x, m.jnt_range[2 * j], m.jnt_range[2 * j + 1]);
  }
}

}  // namespace sinew::motion
