// SPDX-License-Identifier: Apache-2.0
// MLP with Batch Renormalization (Ioffe 2017, "Batch Renormalization: Towards Reducing Minibatch
// Dependence in Batch-Normalized Models", Algorithm 1) on its input and after every hidden
// linear layer, as CrossQ (Bhatt et al., ICLR 2024) uses it to train critics without target
// networks. Hidden layer: h = f(BRN(x W^T + b)); output layer linear. With batch_renorm off it is
// a plain MLP. Batches are row-major, one sample per row ([batch][in] -> [batch][out]).
//
// BRN of a [B][F] batch z, per feature j, in training mode:
//   mu = mean_i z_ij, var = mean_i (z_ij - mu)^2, sigma = sqrt(var + eps)
//   r = clip(sigma / sigma_run, 1/r_max, r_max), d = clip((mu - mu_run) / sigma_run, +-d_max)
//   (r = 1, d = 0 during the first warmup_steps training updates: plain batch norm)
//   xn = (z - mu) / sigma, y = g (r xn + d) + beta
// r and d are constants for the gradient (Ioffe 2017, Alg. 1), so
//   dz = (1/sigma) (dxn - mean_i dxn - xn mean_i(dxn xn)),   dxn = r g dy.
// In evaluation mode y = g (z - mu_run) / sigma_run + beta (a per-feature affine map, so samples
// do not interact). Running statistics follow m <- momentum m + (1 - momentum) batch value and
// change only through update_stats().
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/nn/activation.h"
#include "rl/nn/matrix.h"

namespace sinew::rl::qflex {

// CrossQ's settings (Bhatt et al. 2024, appendix): momentum 0.99, r_max 3, d_max 5, warm-up
// 100k updates.
struct BrnConfig {
  float momentum = 0.99f;
  float r_max = 3.f, d_max = 5.f;
  long warmup_steps = 100000;  // training updates with r = 1, d = 0
  float eps = 1e-3f;
};

struct BrnMlpConfig {
  int in = 0, out = 0;
  std::vector<int> hidden{256, 256, 256};
  nn::Activation activation = nn::Activation::kRelu;
  bool batch_renorm = true;  // BRN on the input and after each hidden linear layer
  BrnConfig brn;
  float out_gain = 1.f;  // orthogonal-init gain of the output layer
};

enum class Mode { kEval, kTrain };

// What one forward pass keeps for backward. Reusing a tape for one batch size allocates nothing.
struct BrnTape {
  Mode mode = Mode::kEval;
  std::vector<nn::Matrix> post;  // input of linear layer l ([B][in_l]); post[0] after input BRN
  std::vector<nn::Matrix> pre;   // per hidden layer: activation input (BRN output)
  std::vector<nn::Matrix> xn;    // per BRN unit: normalised values (z - mu) / sigma
  // per BRN unit and feature: 1/sigma, r, d and (training mode) the batch mean and variance
  std::vector<std::vector<float>> inv_sigma, r, d, mean, var;
  int split = 0;  // suffix passes: the leading input features that post[0] leaves out
};

class BrnMlp {
 public:
  BrnMlp() = default;
  // Orthogonal weights (gain sqrt(2) hidden, out_gain output), zero biases, BRN gains 1 and
  // biases 0, running mean 0 and variance 1; deterministic in `seed`.
  BrnMlp(const BrnMlpConfig& cfg, std::uint64_t seed);

  const BrnMlpConfig& config() const { return cfg_; }
  int in() const { return cfg_.in; }
  int out() const { return cfg_.out; }
  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads() { return grads_.data(); }
  const float* grads() const { return grads_.data(); }
  void zero_grad();
  std::size_t num_params() const { return params_.size(); }
  // Training updates folded into the running statistics so far.
  long stat_steps() const { return stat_steps_; }

  // y = f(x) in `mode`; const (training mode does not touch the running statistics).
  void forward(const nn::Matrix& x, nn::Matrix& y, Mode mode, BrnTape& tape) const;
  // Given dL/dy of the taped pass: ACCUMULATES dL/dparams into grads() and, when dx is
  // non-null, writes dL/dx.
  void backward(const BrnTape& tape, const nn::Matrix& dy, nn::Matrix* dx);
  // dL/dx only (no parameter gradients; cheaper), e.g. dQ/da for the action ascent.
  void input_grad(const BrnTape& tape, const nn::Matrix& dy, nn::Matrix& dx);
  // Evaluation-mode passes over inputs [s | a] whose leading features s stay fixed over many
  // calls (the Qflex action ascent, N steps on one batch of states). prefix_eval writes s's
  // contribution to the first linear layer's output, its bias included:
  //   z = BRN_eval(s) W[:, :k]^T + b,  k = s.cols();
  // forward_eval_suffix(z, a) then equals forward([s | a], kEval) up to float rounding, and
  // input_grad_suffix on its tape gives dL/da only, so the k columns of s cost once, not N times.
  // Needs at least one hidden layer; a suffix tape cannot be used by backward().
  void prefix_eval(const nn::Matrix& s, nn::Matrix& z) const;
  void forward_eval_suffix(const nn::Matrix& z, const nn::Matrix& a, nn::Matrix& y,
                           BrnTape& tape) const;
  void input_grad_suffix(const BrnTape& tape, const nn::Matrix& dy, nn::Matrix& da);
  // Folds the batch statistics of a training-mode tape into the running statistics.
  void update_stats(const BrnTape& tape);
  // Target-network tracking (Polyak averaging, Lillicrap et al. 2016, eq. 7 of Alg. 1):
  // theta <- (1 - tau) theta + tau theta_src for the parameters and the running statistics
  // alike; stat_steps follows the source. Throws when the shapes differ or tau is outside [0, 1].
  void polyak_from(const BrnMlp& src, float tau);

  // Versioned binary format "SNWBRN" v1: config, parameters, running statistics, stat steps.
  void save(std::ostream& os) const;
  static BrnMlp load(std::istream& is, const std::string& what);

 private:
  struct Layer {
    std::size_t w, b;
    int in, out;
  };
  struct Unit {  // one BRN: parameters g, beta; running mean and variance in stats_
    std::size_t g, beta, mean, var;
    int width;
  };
  void build_layout();
  void brn_forward(std::size_t u, const nn::Matrix& z, nn::Matrix& y, Mode mode,
                   BrnTape& tape) const;
  void brn_backward(std::size_t u, const BrnTape& tape, const nn::Matrix& dy, nn::Matrix& dz,
                    bool param_grads);
  // d_first: when non-null, stops before the first linear layer and writes dL/dz of its output
  // there (no dx, no first-layer gradients).
  void backward_impl(const BrnTape& tape, const nn::Matrix& dy, nn::Matrix* dx, bool param_grads,
                     nn::Matrix* d_first = nullptr);
  // Hidden layers and output layer, given the first linear layer's output in tape.post[1].
  void forward_hidden(Mode mode, BrnTape& tape, nn::Matrix& y) const;
  // Evaluation-mode input BRN of features [first, first + x.cols()) (identity without BRN).
  void input_brn_eval(const nn::Matrix& x, int first, nn::Matrix& y) const;
  // g / sqrt(running variance + eps) of input features [first, first + n).
  nn::RowVector input_brn_scale(int first, int n) const;
  // dL/dx of input_brn_eval for the same features.
  void input_brn_eval_grad(const nn::Matrix& dy, int first, nn::Matrix& dx) const;
  void prepare_tape(Mode mode, BrnTape& tape) const;

  BrnMlpConfig cfg_;
  std::vector<float> params_, grads_, stats_;
  std::vector<Layer> layers_;
  std::vector<Unit> units_;  // units_[0] is the input BRN, units_[1 + l] follows hidden layer l
  long stat_steps_ = 0;
  nn::Matrix gbuf_a_, gbuf_b_, gbuf_c_;  // backward: ping-pong buffers, BRN output
};

}  // namespace sinew::rl::qflex
