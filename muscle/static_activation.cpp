// SPDX-License-Identifier: Apache-2.0
#include "muscle/static_activation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/data.h"
#include "engine/forward.h"

namespace sinew {

namespace {

// qacc at activation a (qpos fixed, zero velocity) into out; returns the weighted RMS.
double accelerations(const Model& m, const ModelView<double>& mv, WorldData<double>& d,
                     const std::vector<double>& qpos, const std::vector<double>& w,
                     const std::vector<double>& a, std::vector<double>& out) {
  const int nv = m.size.nv;
  std::copy(qpos.begin(), qpos.end(), d.qpos);
  std::fill(d.qvel, d.qvel + nv, 0.0);
  set_activation(m, d, a.data());
  forward(mv, d);
  out.assign(d.qacc, d.qacc + nv);
  double s = 0, ws = 0;
  for (int k = 0; k < nv; ++k) s += w[k] * out[k] * out[k], ws += w[k];
  return std::sqrt(s / std::max(ws, 1e-300));
}

}  // namespace

void unit_box_qp(const std::vector<double>& H, const std::vector<double>& b, std::vector<double>& a,
                 int max_sweeps, double tol) {
  const int n = static_cast<int>(a.size());
  std::vector<double> g(b);  // gradient H a + b
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) g[i] += H[i * n + j] * a[j];
  for (int sweep = 0; sweep < max_sweeps; ++sweep) {
    double moved = 0;
    for (int i = 0; i < n; ++i) {
      const double hii = H[i * n + i];
      if (!(hii > 0)) continue;
      const double ai = std::clamp(a[i] - g[i] / hii, 0.0, 1.0), da = ai - a[i];
      if (da == 0) continue;
      a[i] = ai;
      for (int j = 0; j < n; ++j) g[j] += H[j * n + i] * da;
      moved = std::max(moved, std::fabs(da));
    }
    if (moved < tol) break;
  }
}

StaticActivationResult static_activation(const Model& m, const std::vector<double>& qpos,
                                         const StaticActivationOptions& opt) {
  const int nv = m.size.nv, nu = m.size.nu;
  if (static_cast<int>(qpos.size()) != m.size.nq)
    throw std::invalid_argument(m.source + ": static_activation: qpos has " +
                                std::to_string(qpos.size()) + " entries, the model " +
                                std::to_string(m.size.nq));
  if (nu == 0) throw std::invalid_argument(m.source + ": static_activation: no actuators");
  std::vector<double> w = opt.dof_weight.empty() ? std::vector<double>(nv, 1.0) : opt.dof_weight;
  if (static_cast<int>(w.size()) != nv)
    throw std::invalid_argument(m.source + ": static_activation: dof_weight has " +
                                std::to_string(w.size()) + " entries, the model has nv " +
                                std::to_string(nv));
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  data.reset(m);
  WorldData<double> d = data.world(0);

  StaticActivationResult r;
  std::vector<double> a(nu, 0.0), q0, q1, J(static_cast<std::size_t>(nv) * nu);
  r.qpos = qpos;
  if (opt.settle_qpos >= 0) {
    if (opt.settle_qpos >= m.size.nq || opt.settle_dof < 0 || opt.settle_dof >= nv)
      throw std::invalid_argument(m.source +
                                  ": static_activation: settle_qpos/settle_dof out of range");
    // bisection on the drop: below `hi` the contacts push up (qacc >= 0), above `lo` they do not
    double lo = 0, hi = opt.settle_range;
    std::vector<double> q(qpos);
    q[opt.settle_qpos] = qpos[opt.settle_qpos] - hi;
    accelerations(m, mv, d, q, w, a, q1);
    if (q1[opt.settle_dof] < 0)
      throw std::invalid_argument(m.source + ": static_activation: no support within " +
                                  std::to_string(opt.settle_range) + " m below the pose");
    for (int it = 0; it < 40; ++it) {
      const double mid = 0.5 * (lo + hi);
      q[opt.settle_qpos] = qpos[opt.settle_qpos] - mid;
      accelerations(m, mv, d, q, w, a, q1);
      (q1[opt.settle_dof] >= 0 ? hi : lo) = mid;
    }
    r.forward_passes += 41;
    r.qpos[opt.settle_qpos] = qpos[opt.settle_qpos] - hi;
  }
  double rms = accelerations(m, mv, d, r.qpos, w, a, q0);
  r.rms_qacc_zero = rms;
  r.forward_passes += 1;
  for (int it = 0; it < opt.iterations; ++it) {
    // J[:, u] = (qacc(a + h e_u) - qacc(a)) / h, stepping inward at the upper bound
    std::vector<double> ap(a);
    for (int u = 0; u < nu; ++u) {
      const double h = a[u] + opt.fd_step <= 1 ? opt.fd_step : -opt.fd_step;
      ap[u] = a[u] + h;
      accelerations(m, mv, d, r.qpos, w, ap, q1);
      ap[u] = a[u];
      for (int k = 0; k < nv; ++k) J[static_cast<std::size_t>(k) * nu + u] = (q1[k] - q0[k]) / h;
    }
    r.forward_passes += nu;
    // model qacc(x) ~ q0 + J (x - a): H = J^T W J + lambda I, b = J^T W (q0 - J a)
    std::vector<double> H(static_cast<std::size_t>(nu) * nu, 0.0), b(nu, 0.0), c(nv);
    for (int k = 0; k < nv; ++k) {
      double ja = 0;
      for (int u = 0; u < nu; ++u) ja += J[static_cast<std::size_t>(k) * nu + u] * a[u];
      c[k] = q0[k] - ja;
    }
    double trace = 0;
    for (int i = 0; i < nu; ++i) {
      for (int j = i; j < nu; ++j) {
        double s = 0;
        for (int k = 0; k < nv; ++k)
          s += w[k] * J[static_cast<std::size_t>(k) * nu + i] *
               J[static_cast<std::size_t>(k) * nu + j];
        H[i * nu + j] = H[j * nu + i] = s;
      }
      trace += H[i * nu + i];
      for (int k = 0; k < nv; ++k) b[i] += w[k] * J[static_cast<std::size_t>(k) * nu + i] * c[k];
    }
    const double lambda = opt.reg * std::max(trace / nu, 1e-12);
    for (int i = 0; i < nu; ++i) H[i * nu + i] += lambda;
    std::vector<double> x(a);
    unit_box_qp(H, b, x);
    // halve the step until the true residual decreases (the contact solver is not affine)
    bool improved = false;
    for (int half = 0; half < 6 && !improved; ++half) {
      std::vector<double> y(nu);
      const double t = std::ldexp(1.0, -half);
      for (int u = 0; u < nu; ++u) y[u] = a[u] + t * (x[u] - a[u]);
      const double ry = accelerations(m, mv, d, r.qpos, w, y, q1);
      ++r.forward_passes;
      if (ry < rms) {
        a = y;
        rms = ry;
        q0 = q1;
        improved = true;
      }
    }
    if (!improved) break;
  }
  r.act = a;
  r.rms_qacc = rms;
  return r;
}

std::vector<double> activation_jacobian(const Model& m, const std::vector<double>& qpos,
                                        const std::vector<double>& act, double fd_step,
                                        bool actuator_force) {
  const int nv = m.size.nv, nu = m.size.nu;
  if (static_cast<int>(qpos.size()) != m.size.nq || static_cast<int>(act.size()) != nu)
    throw std::invalid_argument(m.source + ": activation_jacobian: qpos has " +
                                std::to_string(qpos.size()) + " entries (nq " +
                                std::to_string(m.size.nq) + "), act " + std::to_string(act.size()) +
                                " (nu " + std::to_string(nu) + ")");
  if (!(fd_step > 0 && fd_step <= 0.5))
    throw std::invalid_argument(m.source + ": activation_jacobian: fd_step must be in (0, 0.5]");
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  data.reset(m);
  WorldData<double> d = data.world(0);
  const std::vector<double> w(nv, 1.0);
  std::vector<double> q0, q1, ap(act), J(static_cast<std::size_t>(nv) * nu);
  // the quantity differentiated after a forward pass at activation x
  auto eval = [&](const std::vector<double>& x, std::vector<double>& out) {
    accelerations(m, mv, d, qpos, w, x, out);
    if (actuator_force) out.assign(d.qfrc_actuator, d.qfrc_actuator + nv);
  };
  eval(act, q0);
  for (int u = 0; u < nu; ++u) {  // central differences, one-sided at a bound
    const double hp = std::min(fd_step, 1 - act[u]), hm = std::min(fd_step, act[u]);
    ap[u] = act[u] + hp;
    eval(ap, q1);
    std::vector<double> qm(q0);
    if (hm > 0) {
      ap[u] = act[u] - hm;
      eval(ap, qm);
    }
    ap[u] = act[u];
    for (int k = 0; k < nv; ++k)
      J[static_cast<std::size_t>(k) * nu + u] = (q1[k] - qm[k]) / (hp + hm);
  }
  return J;
}

}  // namespace sinew
