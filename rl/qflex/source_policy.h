// SPDX-License-Identifier: Apache-2.0
// The learnable source distribution of Qflex (arXiv 2601.19707): a tanh-squashed Gaussian
// a = tanh(mu(s) + exp(log_std(s)) eps), eps ~ N(0, I), with mu and log_std from one network
// ([s] -> [mu | log_std], log_std clipped to [min_log_std, max_log_std]; published: [-20, 2]),
// trained by the reparameterisation trick (Haarnoja et al. 2018, "Soft Actor-Critic", eq. 11)
// to maximise min(Q1, Q2)(s, a) — without an entropy term, as in the published method.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/nn/matrix.h"
#include "rl/qflex/brn_mlp.h"

namespace sinew::rl::qflex {

class SourcePolicy {
 public:
  SourcePolicy() = default;
  // `net` gives hidden widths, activation and BRN settings (in/out set here; small output gain
  // so that initial means are near 0 and initial log stds near 0).
  SourcePolicy(int obs_dim, int act_dim, const BrnMlpConfig& net, std::uint64_t seed,
               float min_log_std, float max_log_std);

  int obs_dim() const { return net.in(); }
  int act_dim() const { return net.out() / 2; }

  // a = tanh(mu + exp(log_std) eps) for states s [B][obs] and noise eps [B][act]; keeps what
  // backward() needs (the last call's).
  void sample(const nn::Matrix& s, const nn::Matrix& eps, nn::Matrix& a, Mode mode);
  // The deterministic action tanh(mu(s)) (evaluation mode).
  void mean_action(const nn::Matrix& s, nn::Matrix& a);
  // Zeroes the gradients and back-propagates dL/da of the last sample() into them, plus
  // `logp_weight` times the gradient of sum_i log pi(a_i | s_i) (an entropy term; 0: none).
  // log_std gets no gradient where it was clipped; BRN statistics are folded in when the pass
  // trained them.
  void backward(const nn::Matrix& da, float logp_weight = 0.f);
  // log pi(a_i | s_i) of the last sample() (tanh-Gaussian, Haarnoja et al. 2018, eq. 26).
  void log_prob(std::vector<float>& logp) const;
  // Mean of log_std over the batch and dimensions of the last sample() call.
  double log_std_mean() const;

  void save(std::ostream& os) const;
  static SourcePolicy load(std::istream& is, const std::string& what);

  BrnMlp net;

 private:
  float min_log_std_ = -20.f, max_log_std_ = 2.f;
  BrnTape tape_;
  nn::Matrix out_, eps_, a_, dout_;
};

}  // namespace sinew::rl::qflex
