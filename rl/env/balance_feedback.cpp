// SPDX-License-Identifier: Apache-2.0
#include "rl/env/balance_feedback.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/forward.h"
#include "muscle/static_activation.h"

namespace sinew::rl {

namespace {

bool matches_any(const std::string& name, const std::string& plus_list) {
  std::size_t b = 0;
  while (b <= plus_list.size()) {
    std::size_t e = plus_list.find('+', b);
    if (e == std::string::npos) e = plus_list.size();
    if (e > b && name.find(plus_list.substr(b, e - b)) != std::string::npos) return true;
    b = e + 1;
  }
  return false;
}

bool ends_with(const std::string& s, const char* tail) {
  const std::string t(tail);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

}  // namespace

BalanceFeedbackParams read_balance_feedback(ConfigReader& p) {
  BalanceFeedbackParams f;
  f.kp = p.get<double>("feedback_kp", f.kp, 0.0, 1e9);
  f.kd = p.get<double>("feedback_kd", f.kd, 0.0, 1e9);
  f.com_kp = p.get<double>("feedback_com_kp", f.com_kp, 0.0, 1e9);
  f.com_kd = p.get<double>("feedback_com_kd", f.com_kd, 0.0, 1e9);
  f.list_kp = p.get<double>("feedback_list_kp", f.list_kp, 0.0, 1e9);
  f.list_kd = p.get<double>("feedback_list_kd", f.list_kd, 0.0, 1e9);
  f.reg = p.get<double>("feedback_reg", f.reg, 0.0, 1e9);
  f.sweeps = p.get<int>("feedback_sweeps", f.sweeps, 1, 100000);
  f.joints = p.get<std::string>("feedback_joints", f.joints);
  return f;
}

BalanceFeedback::BalanceFeedback(const Model& m, const std::vector<double>& ref_qpos,
                                 const std::vector<float>& ff, int list_joint,
                                 const std::vector<int>& hinges, const BalanceFeedbackParams& p,
                                 int num_worlds)
    : m_(m), p_(p), ref_(ref_qpos), com_prev_(num_worlds, std::nan("")) {
  const int nu = m.size.nu;
  if (static_cast<int>(ref_qpos.size()) != m.size.nq || static_cast<int>(ff.size()) != nu)
    throw std::invalid_argument(m.source +
                                ": balance feedback: reference pose or feed-forward "
                                "of the wrong size");
  if (list_joint < 0 || list_joint >= m.size.njnt)
    throw std::invalid_argument(m.source + ": balance feedback: no pelvis-list joint");
  list_q_ = m.jnt_qposadr[list_joint];
  list_v_ = m.jnt_dofadr[list_joint];
  for (int j = 0; j < m.size.njnt; ++j) {
    const std::string& name = m.jnt_name[j];
    if (m.jnt_type[j] != kJointHinge || !matches_any(name, p.joints) ||
        std::find(hinges.begin(), hinges.end(), m.jnt_qposadr[j]) == hinges.end())
      continue;
    dofs_.push_back(m.jnt_dofadr[j]);
    qadr_.push_back(m.jnt_qposadr[j]);
    ankle_.push_back(name.find("ankle_angle") != std::string::npos);
    const bool hip = name.find("hip_adduction") != std::string::npos;
    hip_side_.push_back(!hip ? 0 : ends_with(name, "_r") ? 1 : ends_with(name, "_l") ? -1 : 0);
  }
  if (dofs_.empty())
    throw std::invalid_argument(m.source + ": env.params/feedback_joints '" + p.joints +
                                "' matches no hinge");
  for (int b = 0; b < m.size.nbody; ++b)
    if (m.body_name[b].find("talus") != std::string::npos) talus_.push_back(b);
  if (!(m.body_subtreemass[0] > 0))
    throw std::invalid_argument(m.source + ": balance feedback: massless model");
  if ((p.com_kp > 0 || p.com_kd > 0) && talus_.empty())
    throw std::invalid_argument(m.source + ": feedback_com_kp/kd need talus bodies (ankles)");
  {  // the centre of mass at q*
    const ModelView<double> mv = m.view();
    Data<double> tmp(m, 1);
    tmp.reset(m);
    WorldData<double> t = tmp.world(0);
    std::copy(ref_qpos.begin(), ref_qpos.end(), t.qpos);
    forward(mv, t);
    com0_ = com_ahead(t);
  }
  const std::vector<double> a(ff.begin(), ff.end());
  const std::vector<double> J = activation_jacobian(m, ref_qpos, a, 0.02, true);
  const std::size_t nd = dofs_.size();
  jac_.resize(nd * nu);
  for (std::size_t i = 0; i < nd; ++i)
    for (int u = 0; u < nu; ++u) jac_[i * nu + u] = J[static_cast<std::size_t>(dofs_[i]) * nu + u];
  hess_.assign(static_cast<std::size_t>(nu) * nu, 0.0);
  double trace = 0;
  for (int r = 0; r < nu; ++r)
    for (int c = 0; c < nu; ++c) {
      double h = 0;
      for (std::size_t i = 0; i < nd; ++i) h += jac_[i * nu + r] * jac_[i * nu + c];
      hess_[static_cast<std::size_t>(r) * nu + c] = h;
      if (r == c) trace += h;
    }
  const double lambda = p.reg * std::max(trace / nu, 1e-12);
  for (int r = 0; r < nu; ++r) hess_[static_cast<std::size_t>(r) * nu + r] += lambda;
}

double BalanceFeedback::com_ahead(const WorldData<double>& d) const {
  // from xipos, which kinematics() keeps current between actions (subtree_com is only refreshed
  // by forward(), at the start of the last physics step: one step behind)
  double cx = 0;
  for (int b = 1; b < m_.size.nbody; ++b) cx += m_.body_mass[b] * d.xipos[3 * b];
  double fx = 0;
  for (int b : talus_) fx += d.xpos[3 * b];
  return cx / m_.body_subtreemass[0] - (talus_.empty() ? 0.0 : fx / talus_.size());
}

void BalanceFeedback::reset(int w) { com_prev_[w] = std::nan(""); }

void BalanceFeedback::apply(int w, const WorldData<double>& d, double dt, float* x,
                            const double* offset) {
  const std::size_t nu = m_.size.nu, nd = dofs_.size();
  const double c = com_ahead(d) - com0_;
  double& prev = com_prev_[w];
  const double cdot = std::isnan(prev) ? 0.0 : (c - prev) / dt;
  prev = c;
  const double phi = d.qpos[list_q_], phidot = d.qvel[list_v_];
  thread_local std::vector<double> x0, b, xs;
  x0.assign(x, x + nu);
  b.assign(nu, 0.0);  // b = -J^T tau - H x0: the gradient of the objective is H x + b
  for (std::size_t i = 0; i < nd; ++i) {
    const double target = ref_[qadr_[i]] + (offset != nullptr ? offset[i] : 0.0);
    double tau = -p_.kp * (d.qpos[qadr_[i]] - target) - p_.kd * d.qvel[dofs_[i]];
    if (ankle_[i]) tau -= p_.com_kp * c + p_.com_kd * cdot;
    if (hip_side_[i]) tau -= hip_side_[i] * (p_.list_kp * phi + p_.list_kd * phidot);
    const double* j = jac_.data() + i * nu;
    for (std::size_t u = 0; u < nu; ++u) b[u] -= j[u] * tau;
  }
  for (std::size_t r = 0; r < nu; ++r) {
    const double* h = hess_.data() + r * nu;
    double s = 0;
    for (std::size_t k = 0; k < nu; ++k) s += h[k] * x0[k];
    b[r] -= s;
  }
  xs.resize(nu);
  for (std::size_t u = 0; u < nu; ++u) xs[u] = std::clamp(x0[u], 0.0, 1.0);
  unit_box_qp(hess_, b, xs, p_.sweeps, 1e-6);
  for (std::size_t u = 0; u < nu; ++u) x[u] = static_cast<float>(xs[u]);
}

}  // namespace sinew::rl
