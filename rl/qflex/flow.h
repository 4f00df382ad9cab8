// SPDX-License-Identifier: Apache-2.0
// Value-guided flow exploration (Qflex, arXiv 2601.19707): actions drawn from a source
// distribution are transported toward higher min(Q1, Q2) by N steps of per-sample gradient ascent
// with the truncated step size
//   eta_bar = min(eta, 2 sqrt(|A|) / ||grad_a Q||),   a <- a + eta_bar grad_a Q,
// so that one step never moves an action farther than 2 sqrt(|A|) (the diameter of [-1, 1]^|A|).
// A velocity field v(s, a, t) amortises the transport by flow matching on the straight path
// (Lipman et al., ICLR 2023, "Flow Matching for Generative Modeling", conditional OT path with
// sigma_min = 0): t ~ U(0, 1), a_t = (1 - t) a0 + t a1, target velocity a1 - a0, loss
// mean ||v(s, a_t, t) - (a1 - a0)||^2. Acting integrates v with K explicit Euler steps from a
// source sample, so it needs no Q gradient.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/env/rng.h"
#include "rl/nn/matrix.h"
#include "rl/qflex/brn_mlp.h"

namespace sinew::rl::qflex {

// The truncated step size min(eta, 2 sqrt(act_dim) / grad_norm) (eta when the gradient is 0).
float truncated_step(float eta, int act_dim, double grad_norm);

// grad(a, g): the gradient of the objective with respect to each row of a ([B][A] -> [B][A]).
using ActionGradFn = std::function<void(const nn::Matrix& a, nn::Matrix& g)>;

struct AscentStats {
  double grad_norm_mean = 0;  // mean ||grad|| over samples and steps
  double truncated = 0;       // fraction of (sample, step) pairs where the bound was active
  double max_step = 0;        // largest ||a_{n+1} - a_n|| taken
};

// a1 = a0 transported by `steps` truncated ascent steps of size parameter eta (not clipped to
// the action box, as in the published method).
AscentStats ascend(const ActionGradFn& grad, const nn::Matrix& a0, int steps, float eta,
                   nn::Matrix& a1);

// The velocity network v(s, a, t): [s | a | t] -> velocity ([B][A]), t a raw scalar input.
class VelocityField {
 public:
  VelocityField() = default;
  VelocityField(int obs_dim, int act_dim, const BrnMlpConfig& net, std::uint64_t seed);

  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }

  // v(s_i, a_i, t_i) in `mode` (training-mode passes keep the tape for flow_matching_grad).
  void velocity(const nn::Matrix& s, const nn::Matrix& a, const float* t, nn::Matrix& v, Mode mode);
  // Flow-matching step on pairs (a0_i, a1_i): draws t_i ~ U(0, 1) from rng, zeroes the
  // gradients and writes dL/dparams of L = mean_{i,j} (v_ij(s_i, a_t, t_i) - (a1 - a0)_ij)^2
  // (training mode; BRN statistics folded in when update_stats); returns L.
  double flow_matching_grad(const nn::Matrix& s, const nn::Matrix& a0, const nn::Matrix& a1,
                            Rng& rng, bool update_stats);
  // The same loss for given times t (no gradient, no statistics update): for tests.
  double flow_matching_loss(const nn::Matrix& s, const nn::Matrix& a0, const nn::Matrix& a1,
                            const std::vector<float>& t, Mode mode);
  // a = a0 moved by K Euler steps a += (1/K) clip(v(s, a, t_k), +-v_clip), t_k = (k + 1) / K
  // (the end of each interval, as in the published code), evaluation mode.
  void integrate(const nn::Matrix& s, const nn::Matrix& a0, int K, float v_clip, nn::Matrix& a);

  void save(std::ostream& os) const;
  static VelocityField load(std::istream& is, const std::string& what);

  BrnMlp net;

 private:
  void inputs(const nn::Matrix& s, const nn::Matrix& a, const float* t);
  int obs_dim_ = 0, act_dim_ = 0;
  BrnTape tape_;
  nn::Matrix x_, v_, dv_, at_;
};

}  // namespace sinew::rl::qflex
