// SPDX-License-Identifier: Apache-2.0
// Twin action-value critics Q1, Q2 (s, a) -> R on concat(s, a) (clipped double Q, Fujimoto et
// al. 2018), trained CrossQ-style (Bhatt et al., ICLR 2024, "CrossQ: Batch Normalization in Deep
// Reinforcement Learning for Greater Sample Efficiency and Simplicity", Algorithm 1): no target
// networks; one joint training-mode forward over [s, a; s', a'] so that the batch
// renormalization statistics are shared by the current and the next state-action pairs, and the
// TD target y = r + gamma (1 - terminated) min(Q1, Q2)(s', a') is read from the same pass (with
// the gradient stopped). Action gradients dQ/da (for the source policy and the Qflex ascent)
// come from evaluation-mode passes (running statistics, so samples do not interact), back-
// propagated to the input by hand (BrnMlp::input_grad).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/nn/matrix.h"
#include "rl/qflex/brn_mlp.h"

namespace sinew::rl::qflex {

struct TdStats {
  double loss = 0;         // sum over both critics of mean_i (Q_k(s_i, a_i) - y_i)^2
  double q_mean = 0;       // mean of Q1 and Q2 over the batch
  double target_mean = 0;  // mean TD target
};

class TwinCritic {
 public:
  TwinCritic() = default;
  // `net` gives the hidden widths, activation and BRN settings (in/out are set here: obs_dim +
  // act_dim -> 1). The two critics get different seeds derived from `seed`.
  TwinCritic(int obs_dim, int act_dim, const BrnMlpConfig& net, std::uint64_t seed);

  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }

  // Evaluation-mode Q values: q1, q2 of length B for states s [B][obs] and actions a [B][act].
  void q_values(const nn::Matrix& s, const nn::Matrix& a, std::vector<float>& q1,
                std::vector<float>& q2);
  // min(Q1, Q2)(s_i, a_i) (evaluation mode) into min_q, and its gradient with respect to a_i
  // into grad ([B][act]): per sample the gradient of whichever critic is smaller.
  void min_q_action_grad(const nn::Matrix& s, const nn::Matrix& a, std::vector<float>& min_q,
                         nn::Matrix& grad);
  // The same for many action batches at one batch of states (the N ascent steps): fix_states(s)
  // caches each critic's first-layer contribution of s (BrnMlp::prefix_eval), after which
  // min_q_action_grad_fixed(a, ...) equals min_q_action_grad(s, a, ...) up to float rounding at
  // the cost of the action columns only. The cache holds until the critics' parameters or
  // statistics change (call fix_states again after an update).
  void fix_states(const nn::Matrix& s);
  void min_q_action_grad_fixed(const nn::Matrix& a, std::vector<float>& min_q, nn::Matrix& grad);
  // CrossQ TD step: zeroes both critics' gradients, then writes dL/dparams of
  // L = sum_k mean_i (Q_k(s_i, a_i) - y_i)^2 with y_i = r_i + gamma (1 - terminated_i)
  // min_k Q_k(s'_i, a'_i) (stop-gradient), all from one training-mode forward over the joint
  // batch; folds the batch statistics into the running ones when update_stats is set.
  // With `target` (not in the published method; TD3/SAC-style target critics), the bootstrap
  // min_k Q_k(s', a') is read from the target critics' evaluation-mode pass instead, while the
  // joint forward still shapes the batch statistics.
  TdStats td_grad(const nn::Matrix& s, const nn::Matrix& a, const float* reward,
                  const std::uint8_t* terminated, const nn::Matrix& s_next,
                  const nn::Matrix& a_next, float gamma, bool update_stats,
                  TwinCritic* target = nullptr);
  // Both critics toward `src` by Polyak averaging with rate tau (BrnMlp::polyak_from).
  void polyak_from(const TwinCritic& src, float tau);

  void save(std::ostream& os) const;
  static TwinCritic load(std::istream& is, const std::string& what);

  BrnMlp q[2];

 private:
  int obs_dim_ = 0, act_dim_ = 0;
  BrnTape tape_[2];
  nn::Matrix x_, y_[2], dy_, dx_;
  nn::Matrix prefix_[2];             // fix_states: first-layer contributions of the fixed states
  std::vector<float> tq_[2], td_y_;  // td_grad: target critics' values, TD targets
  // per sample, dy = 1 on whichever critic is the smaller (ties go to Q1); min into min_q
  void pick_min(int k, int B, std::vector<float>& min_q);
};

// Rows [s | a] of a critic input (x is resized to [B][obs + act]).
void concat_rows(const nn::Matrix& s, const nn::Matrix& a, nn::Matrix& x);

}  // namespace sinew::rl::qflex
