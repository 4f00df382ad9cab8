// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/source_policy.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl::qflex {

SourcePolicy::SourcePolicy(int obs_dim, int act_dim, const BrnMlpConfig& net_cfg,
                           std::uint64_t seed, float min_log_std, float max_log_std)
    : min_log_std_(min_log_std), max_log_std_(max_log_std) {
  if (min_log_std > max_log_std) throw std::invalid_argument("SourcePolicy: min_log_std > max");
  BrnMlpConfig c = net_cfg;
  c.in = obs_dim;
  c.out = 2 * act_dim;
  c.out_gain = 0.01f;
  net = BrnMlp(c, seed);
}

void SourcePolicy::sample(const nn::Matrix& s, const nn::Matrix& eps, nn::Matrix& a, Mode mode) {
  const int B = static_cast<int>(s.rows()), A = act_dim();
  if (eps.rows() != B || eps.cols() != A)
    throw std::invalid_argument("SourcePolicy::sample: eps must be [batch][act_dim]");
  net.forward(s, out_, mode, tape_);
  eps_ = eps;
  a.resize(B, A);
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < A; ++j) {
      const float ls = std::clamp(out_(i, A + j), min_log_std_, max_log_std_);
      a(i, j) = std::tanh(out_(i, j) + std::exp(ls) * eps(i, j));
    }
  a_ = a;
}

void SourcePolicy::mean_action(const nn::Matrix& s, nn::Matrix& a) {
  BrnTape t;
  nn::Matrix out;
  net.forward(s, out, Mode::kEval, t);
  a = out.leftCols(act_dim()).array().tanh().matrix();
}

namespace {
constexpr float kSquashEps = 1e-6f;  // in log(1 - tanh(u)^2 + eps)
}  // namespace

void SourcePolicy::log_prob(std::vector<float>& logp) const {
  const int B = static_cast<int>(a_.rows()), A = act_dim();
  logp.assign(B, 0.f);
  for (int i = 0; i < B; ++i) {
    double l = 0;
    for (int j = 0; j < A; ++j) {
      const double ls = std::clamp(out_(i, A + j), min_log_std_, max_log_std_);
      const double e = eps_(i, j), a = a_(i, j);
      l += -0.5 * e * e - ls - 0.9189385332046727 - std::log(1 - a * a + kSquashEps);
    }
    logp[i] = static_cast<float>(l);
  }
}

void SourcePolicy::backward(const nn::Matrix& da, float logp_weight) {
  const int B = static_cast<int>(a_.rows()), A = act_dim();
  if (da.rows() != B || da.cols() != A)
    throw std::invalid_argument("SourcePolicy::backward: da does not match the last sample");
  dout_.resize(B, 2 * A);
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < A; ++j) {
      // a = tanh(u), u = mu + sigma eps: du = da (1 - a^2), dmu = du, dlog_std = du eps sigma.
      // log pi = sum_j -eps_j^2/2 - log_std_j - log(2 pi)/2 - log(1 - a_j^2 + e) with eps
      // fixed: d/du = 2 a (1 - a^2) / (1 - a^2 + e), and -1 directly on log_std.
      const float a = a_(i, j), s2 = 1 - a * a;
      const float du = da(i, j) * s2 + logp_weight * 2 * a * s2 / (s2 + kSquashEps);
      const float ls = out_(i, A + j);
      const bool clipped = ls < min_log_std_ || ls > max_log_std_;
      dout_(i, j) = du;
      dout_(i, A + j) = clipped ? 0.f : du * eps_(i, j) * std::exp(ls) - logp_weight;
    }
  net.zero_grad();
  net.backward(tape_, dout_, nullptr);
  if (tape_.mode == Mode::kTrain && net.config().batch_renorm) net.update_stats(tape_);
}

double SourcePolicy::log_std_mean() const {
  const int A = act_dim();
  if (out_.rows() == 0) return 0;
  return double(out_.rightCols(A).cwiseMax(min_log_std_).cwiseMin(max_log_std_).mean());
}

void SourcePolicy::save(std::ostream& os) const {
  write_magic(os, "SNWSRCPI", 1);
  write_pod(os, min_log_std_);
  write_pod(os, max_log_std_);
  net.save(os);
}

SourcePolicy SourcePolicy::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWSRCPI", 1, what);
  SourcePolicy p;
  p.min_log_std_ = read_pod<float>(is, what, "min_log_std");
  p.max_log_std_ = read_pod<float>(is, what, "max_log_std");
  p.net = BrnMlp::load(is, what + " (source policy)");
  if (p.net.out() % 2 != 0) throw std::runtime_error(what + ": source policy output is not 2|A|");
  return p;
}

}  // namespace sinew::rl::qflex
