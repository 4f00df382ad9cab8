// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/critic.h"

#include <algorithm>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl::qflex {

void concat_rows(const nn::Matrix& s, const nn::Matrix& a, nn::Matrix& x) {
  if (s.rows() != a.rows()) throw std::invalid_argument("concat_rows: s and a batches differ");
  x.resize(s.rows(), s.cols() + a.cols());
  x.leftCols(s.cols()) = s;
  x.rightCols(a.cols()) = a;
}

TwinCritic::TwinCritic(int obs_dim, int act_dim, const BrnMlpConfig& net, std::uint64_t seed)
    : obs_dim_(obs_dim), act_dim_(act_dim) {
  BrnMlpConfig c = net;
  c.in = obs_dim + act_dim;
  c.out = 1;
  for (int k = 0; k < 2; ++k) q[k] = BrnMlp(c, seed * 2654435761ull + 17 * (k + 1));
}

void TwinCritic::q_values(const nn::Matrix& s, const nn::Matrix& a, std::vector<float>& q1,
                          std::vector<float>& q2) {
  concat_rows(s, a, x_);
  std::vector<float>* out[2] = {&q1, &q2};
  for (int k = 0; k < 2; ++k) {
    q[k].forward(x_, y_[k], Mode::kEval, tape_[k]);
    out[k]->assign(y_[k].data(), y_[k].data() + y_[k].rows());
  }
}

void TwinCritic::min_q_action_grad(const nn::Matrix& s, const nn::Matrix& a,
                                   std::vector<float>& min_q, nn::Matrix& grad) {
  const int B = static_cast<int>(s.rows());
  concat_rows(s, a, x_);
  for (int k = 0; k < 2; ++k) q[k].forward(x_, y_[k], Mode::kEval, tape_[k]);
  min_q.resize(B);
  grad.setZero(B, act_dim_);
  for (int k = 0; k < 2; ++k) {
    pick_min(k, B, min_q);
    q[k].input_grad(tape_[k], dy_, dx_);
    grad += dx_.rightCols(act_dim_);
  }
}

void TwinCritic::pick_min(int k, int B, std::vector<float>& min_q) {
  dy_.resize(B, 1);
  for (int i = 0; i < B; ++i) {
    const bool pick = k == 0 ? y_[0](i, 0) <= y_[1](i, 0) : y_[1](i, 0) < y_[0](i, 0);
    dy_(i, 0) = pick ? 1.f : 0.f;
    if (pick) min_q[i] = y_[k](i, 0);
  }
}

void TwinCritic::fix_states(const nn::Matrix& s) {
  if (s.cols() != obs_dim_) throw std::invalid_argument("TwinCritic::fix_states: wrong obs size");
  for (int k = 0; k < 2; ++k) q[k].prefix_eval(s, prefix_[k]);
}

void TwinCritic::min_q_action_grad_fixed(const nn::Matrix& a, std::vector<float>& min_q,
                                         nn::Matrix& grad) {
  const int B = static_cast<int>(a.rows());
  if (a.cols() != act_dim_ || prefix_[0].rows() != B)
    throw std::invalid_argument(
        "TwinCritic::min_q_action_grad_fixed: call fix_states with the same batch first");
  for (int k = 0; k < 2; ++k) q[k].forward_eval_suffix(prefix_[k], a, y_[k], tape_[k]);
  min_q.resize(B);
  grad.setZero(B, act_dim_);
  for (int k = 0; k < 2; ++k) {
    pick_min(k, B, min_q);
    q[k].input_grad_suffix(tape_[k], dy_, dx_);
    grad += dx_;
  }
}

TdStats TwinCritic::td_grad(const nn::Matrix& s, const nn::Matrix& a, const float* reward,
                            const std::uint8_t* terminated, const nn::Matrix& s_next,
                            const nn::Matrix& a_next, float gamma, bool update_stats,
                            TwinCritic* target) {
  const int B = static_cast<int>(s.rows()), D = obs_dim_ + act_dim_;
  if (s_next.rows() != B || a.rows() != B || a_next.rows() != B)
    throw std::invalid_argument("TwinCritic::td_grad: batch sizes differ");
  x_.resize(2 * B, D);  // [s, a; s', a']
  x_.topLeftCorner(B, obs_dim_) = s;
  x_.topRightCorner(B, act_dim_) = a;
  x_.bottomLeftCorner(B, obs_dim_) = s_next;
  x_.bottomRightCorner(B, act_dim_) = a_next;
  for (int k = 0; k < 2; ++k) q[k].forward(x_, y_[k], Mode::kTrain, tape_[k]);
  // buffers reused between updates
  std::vector<float>& tq1 = tq_[0];
  std::vector<float>& tq2 = tq_[1];
  std::vector<float>& y = td_y_;
  if (target != nullptr) {
    if (target == this) throw std::invalid_argument("TwinCritic::td_grad: target is itself");
    target->q_values(s_next, a_next, tq1, tq2);
  }
  TdStats st;
  y.resize(B);
  for (int i = 0; i < B; ++i) {
    const float next =
        target != nullptr ? std::min(tq1[i], tq2[i]) : std::min(y_[0](B + i, 0), y_[1](B + i, 0));
    y[i] = reward[i] + (terminated[i] ? 0.f : gamma * next);
    st.target_mean += y[i] / B;
  }
  for (int k = 0; k < 2; ++k) {
    dy_.setZero(2 * B, 1);  // the next-state rows get no gradient (stop-gradient target)
    for (int i = 0; i < B; ++i) {
      const float e = y_[k](i, 0) - y[i];
      st.loss += double(e) * e / B;
      st.q_mean += 0.5 * y_[k](i, 0) / B;
      dy_(i, 0) = 2.f * e / static_cast<float>(B);
    }
    q[k].zero_grad();
    q[k].backward(tape_[k], dy_, nullptr);
    if (update_stats) q[k].update_stats(tape_[k]);
  }
  return st;
}

void TwinCritic::polyak_from(const TwinCritic& src, float tau) {
  if (src.obs_dim_ != obs_dim_ || src.act_dim_ != act_dim_)
    throw std::invalid_argument("TwinCritic::polyak_from: the critics' dimensions differ");
  for (int k = 0; k < 2; ++k) q[k].polyak_from(src.q[k], tau);
}

void TwinCritic::save(std::ostream& os) const {
  write_magic(os, "SNWTWINQ", 1);
  write_pod(os, static_cast<std::int32_t>(obs_dim_));
  write_pod(os, static_cast<std::int32_t>(act_dim_));
  q[0].save(os);
  q[1].save(os);
}

TwinCritic TwinCritic::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWTWINQ", 1, what);
  TwinCritic c;
  c.obs_dim_ = read_pod<std::int32_t>(is, what, "critic obs_dim");
  c.act_dim_ = read_pod<std::int32_t>(is, what, "critic act_dim");
  for (int k = 0; k < 2; ++k) {
    c.q[k] = BrnMlp::load(is, what + " (critic " + std::to_string(k + 1) + ")");
    if (c.q[k].in() != c.obs_dim_ + c.act_dim_ || c.q[k].out() != 1)
      throw std::runtime_error(what + ": critic network shape does not match its dimensions");
  }
  return c;
}

}  // namespace sinew::rl::qflex
