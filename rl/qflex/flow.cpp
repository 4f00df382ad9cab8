// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/flow.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl::qflex {

float truncated_step(float eta, int act_dim, double grad_norm) {
  // Qflex (arXiv 2601.19707): eta_bar = min(eta, 2 sqrt(|A|) / ||grad_a Q||)
  const double bound = 2.0 * std::sqrt(double(act_dim));
  if (!(grad_norm > 0)) return eta;
  return static_cast<float>(std::min<double>(eta, bound / grad_norm));
}

AscentStats ascend(const ActionGradFn& grad, const nn::Matrix& a0, int steps, float eta,
                   nn::Matrix& a1) {
  const int B = static_cast<int>(a0.rows()), A = static_cast<int>(a0.cols());
  AscentStats st;
  a1 = a0;
  nn::Matrix g;
  for (int n = 0; n < steps; ++n) {
    grad(a1, g);
    if (g.rows() != B || g.cols() != A)
      throw std::invalid_argument("ascend: the gradient callback returned a wrong shape");
    for (int i = 0; i < B; ++i) {
      double sq = 0;
      for (int j = 0; j < A; ++j) sq += double(g(i, j)) * g(i, j);
      const double norm = std::sqrt(sq);
      const float step = truncated_step(eta, A, norm);
      a1.row(i) += step * g.row(i);
      st.grad_norm_mean += norm;
      st.truncated += step < eta ? 1 : 0;
      st.max_step = std::max(st.max_step, double(step) * norm);
    }
  }
  if (steps > 0 && B > 0) {
    st.grad_norm_mean /= double(steps) * B;
    st.truncated /= double(steps) * B;
  }
  return st;
}

VelocityField::VelocityField(int obs_dim, int act_dim, const BrnMlpConfig& net_cfg,
                             std::uint64_t seed)
    : obs_dim_(obs_dim), act_dim_(act_dim) {
  BrnMlpConfig c = net_cfg;
  c.in = obs_dim + act_dim + 1;
  c.out = act_dim;
  net = BrnMlp(c, seed);
}

void VelocityField::inputs(const nn::Matrix& s, const nn::Matrix& a, const float* t) {
  const int B = static_cast<int>(s.rows());
  if (a.rows() != B || s.cols() != obs_dim_ || a.cols() != act_dim_)
    throw std::invalid_argument("VelocityField: s or a has the wrong shape");
  x_.resize(B, obs_dim_ + act_dim_ + 1);
  x_.leftCols(obs_dim_) = s;
  x_.middleCols(obs_dim_, act_dim_) = a;
  for (int i = 0; i < B; ++i) x_(i, obs_dim_ + act_dim_) = t[i];
}

void VelocityField::velocity(const nn::Matrix& s, const nn::Matrix& a, const float* t,
                             nn::Matrix& v, Mode mode) {
  inputs(s, a, t);
  net.forward(x_, v, mode, tape_);
}

double VelocityField::flow_matching_loss(const nn::Matrix& s, const nn::Matrix& a0,
                                         const nn::Matrix& a1, const std::vector<float>& t,
                                         Mode mode) {
  const int B = static_cast<int>(a0.rows());
  // straight path a_t = (1 - t) a0 + t a1 with target velocity a1 - a0 (Lipman et al. 2023,
  // eqs. 20-23 with sigma_min = 0)
  at_.resize(B, act_dim_);
  for (int i = 0; i < B; ++i) at_.row(i) = (1 - t[i]) * a0.row(i) + t[i] * a1.row(i);
  velocity(s, at_, t.data(), v_, mode);
  dv_ = v_ - (a1 - a0);
  return double(dv_.squaredNorm()) / (double(B) * act_dim_);
}

double VelocityField::flow_matching_grad(const nn::Matrix& s, const nn::Matrix& a0,
                                         const nn::Matrix& a1, Rng& rng, bool update_stats) {
  const int B = static_cast<int>(a0.rows());
  std::vector<float> t(B);
  for (float& ti : t) ti = static_cast<float>(rng.uniform());
  const double loss = flow_matching_loss(s, a0, a1, t, Mode::kTrain);
  dv_ *= 2.f / (static_cast<float>(B) * act_dim_);
  net.zero_grad();
  net.backward(tape_, dv_, nullptr);
  if (update_stats && net.config().batch_renorm) net.update_stats(tape_);
  return loss;
}

void VelocityField::integrate(const nn::Matrix& s, const nn::Matrix& a0, int K, float v_clip,
                              nn::Matrix& a) {
  const int B = static_cast<int>(a0.rows());
  a = a0;
  std::vector<float> t(B);
  nn::Matrix v;
  const float dt = 1.f / static_cast<float>(K);
  // v_clip <= 0 means K (the published default), not zero: a zero clip would stop the flow
  const float c = v_clip > 0 ? v_clip : static_cast<float>(K);
  for (int k = 0; k < K; ++k) {
    std::fill(t.begin(), t.end(), static_cast<float>(k + 1) / static_cast<float>(K));
    velocity(s, a, t.data(), v, Mode::kEval);
    a += dt * v.cwiseMax(-c).cwiseMin(c);
  }
}

void VelocityField::save(std::ostream& os) const {
  write_magic(os, "SNWVELF", 1);
  write_pod(os, static_cast<std::int32_t>(obs_dim_));
  write_pod(os, static_cast<std::int32_t>(act_dim_));
  net.save(os);
}

VelocityField VelocityField::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWVELF", 1, what);
  VelocityField f;
  f.obs_dim_ = read_pod<std::int32_t>(is, what, "velocity obs_dim");
  f.act_dim_ = read_pod<std::int32_t>(is, what, "velocity act_dim");
  f.net = BrnMlp::load(is, what + " (velocity field)");
  if (f.net.in() != f.obs_dim_ + f.act_dim_ + 1 || f.net.out() != f.act_dim_)
    throw std::runtime_error(what + ": velocity network shape does not match its dimensions");
  return f;
}

}  // namespace sinew::rl::qflex
