// SPDX-License-Identifier: Apache-2.0
// Adversarial reward aggregation (ADD, arXiv 2505.04961; docs/tracking.md): a discriminator MLP
// D scores the per-feature tracking-error vector Delta, normalised per feature by a running mean
// of |Delta| (floor 1e-4). Its only positive sample is Delta = 0; negatives are the rollout's
// error vectors and a replay of past ones. Loss (one update step, batch of M negatives x_i):
//   L = 1/2 [softplus(-D(0)) + mean_i softplus(D(x_i))]                       (BCE, labels 1/0)
//     + w_gp * 1/2 [|grad_x D(0)|^2 + mean_i |grad_x D(x_i)|^2]               (gradient penalty)
//     + w_wd * 1/2 |w_logit|^2                                  (weight decay of the logit layer)
// Reward r = -log(max(1 - sigmoid(D(Delta)), 1e-4)) * reward_scale.
// The gradient penalty needs the parameter gradient of an input gradient (double backprop); it is
// written out by hand in discriminator.cpp for a plain MLP (ReLU or tanh hidden layers, linear
// logit), in double precision, with its own Adam.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rl/env/rng.h"

namespace sinew::track {

struct DiscriminatorConfig {
  std::vector<int> hidden{256, 256};
  std::string activation = "relu";   // "relu" or "tanh"
  double lr = 1e-4;                  // Adam learning rate
  double grad_penalty = 2.0;         // w_gp
  double logit_weight_decay = 1e-2;  // w_wd
  double reward_scale = 2.0;
  int batch = 512;           // negatives per step (half fresh, half replay once it has data)
  int steps = 4;             // Adam steps per update (per PPO iteration)
  int replay_size = 50000;   // error vectors kept (raw, float)
  int replay_add = 1000;     // fresh error vectors added to the replay per update
  double norm_floor = 1e-4;  // floor of the running mean |Delta|
};

// Reads a DiscriminatorConfig from a JSON object (unknown keys are an error naming the key).
DiscriminatorConfig parse_discriminator_config(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const DiscriminatorConfig& c);

struct DiscriminatorStats {
  double loss = 0, bce_pos = 0, bce_neg = 0, grad_penalty = 0;
  double d_zero = 0;  // sigmoid(D(0))
  double d_neg = 0;   // mean sigmoid(D(x)) over the negatives
};

class Discriminator {
 public:
  Discriminator() = default;
  Discriminator(int dim, const DiscriminatorConfig& cfg, std::uint64_t seed);

  int dim() const { return dim_; }
  const DiscriminatorConfig& config() const { return cfg_; }
  std::size_t num_params() const { return params_.size(); }
  std::vector<double>& params() { return params_; }
  const std::vector<double>& params() const { return params_; }

  // Normalised features x_j = Delta_j / max(mean|Delta_j|, norm_floor); Delta, x: [dim].
  void normalize(const double* delta, double* x) const;
  // Logits of the rows of X [M][dim] (already normalised).
  Eigen::VectorXd logits(const Eigen::MatrixXd& X) const;
  // grad_x D at the rows of X: [M][dim].
  Eigen::MatrixXd input_grad(const Eigen::MatrixXd& X) const;
  // Reward of a raw error vector [dim]: -log(max(1 - sigmoid(D(x)), 1e-4)) * reward_scale.
  // Thread-safe (reads the parameters only).
  double reward(const double* delta) const;
  static double reward_from_logit(double d, double scale);

  // Loss of the zero positive and the negatives X [M][dim] (normalised) and its gradient with
  // respect to the parameters (grad resized to num_params()). bce_weight scales the BCE terms
  // (tests check the penalty alone with 0).
  DiscriminatorStats loss_and_grad(const Eigen::MatrixXd& X, std::vector<double>& grad,
                                   double bce_weight = 1.0) const;

  // One update from the rollout's raw error vectors [rows][dim]: the running mean |Delta| takes
  // them in, `steps` Adam steps run on fresh + replayed negatives, then `replay_add` of them
  // enter the replay. Returns the mean statistics of the steps.
  DiscriminatorStats update(const std::vector<float>& raw, std::size_t rows, rl::Rng& rng);
  // Running mean |Delta| [dim] (1 before any sample) and the number of samples it holds.
  const std::vector<double>& mean_abs() const { return mean_abs_; }
  double norm_count() const { return norm_count_; }
  void update_normalizer(const std::vector<float>& raw, std::size_t rows);

  // Parameters, Adam moments and normaliser (not the replay), tagged SNWDISC v1.
  void save(std::ostream& os) const;
  void load(std::istream& is, const std::string& what);

 private:
  struct Tape;
  void forward(const Eigen::MatrixXd& X, Tape& t) const;
  void adam_step(const std::vector<double>& grad);
  int layers() const { return static_cast<int>(cfg_.hidden.size()) + 1; }
  int width(int l) const;  // l = 0: input dim; 1..L-1 hidden; L: 1
  // count normalised rows drawn uniformly from raw [rows][dim] into out [count][dim].
  void sample_rows(const float* raw, std::size_t rows, int count, rl::Rng& rng, double* out) const;

  int dim_ = 0;
  DiscriminatorConfig cfg_;
  std::vector<double> params_;  // per layer: W (out x in, row-major), then b (out)
  std::vector<std::size_t> w_off_, b_off_;
  std::vector<double> adam_m_, adam_v_;
  long long adam_t_ = 0;
  std::vector<double> mean_abs_;
  double norm_count_ = 0;
  std::vector<float> replay_;  // ring buffer [replay_size][dim]
  std::size_t replay_rows_ = 0, replay_next_ = 0;
};

}  // namespace sinew::track
