// SPDX-License-Identifier: Apache-2.0
// Multi-layer perceptron with hand-written forward and backward passes (CPU reference path).
// Batches are row-major matrices, one sample per row: x is [batch][in], y is [batch][out].
// Parameter layout, initialisation and file format: docs/nn.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/nn/activation.h"
#include "rl/nn/matrix.h"

namespace sinew::nn {

// Parses "tanh", "relu", "elu", "silu" (throws std::invalid_argument naming the value).
Activation parse_activation(const std::string& name);
const char* activation_name(Activation a);

struct MlpConfig {
  int in = 0;                         // input width
  std::vector<int> hidden{256, 256};  // hidden widths
  int out = 0;                        // output width (linear output layer)
  Activation activation = Activation::kTanh;
  bool layer_norm = false;  // LayerNorm (with gain and bias) before each hidden activation
  float out_gain = 1.0f;    // orthogonal-init gain of the output layer (0.01 for policy means)
};

// Same widths, activation and LayerNorm setting (out_gain, which only affects init, is ignored).
bool same_shape(const MlpConfig& a, const MlpConfig& b);

// Intermediate values of one forward pass, kept for backward. Reusing one tape for calls with
// the same batch size allocates nothing.
struct MlpTape {
  std::vector<Matrix> pre;      // per hidden layer: pre-activation (after LayerNorm when enabled)
  std::vector<Matrix> post;     // per layer: layer input for layer 0 is x itself (post[0] = x)
  std::vector<Matrix> norm;     // LayerNorm normalized values (x_hat) per hidden layer
  std::vector<Matrix> inv_std;  // LayerNorm 1/sigma per row, per hidden layer ([batch][1])
};

// Where one linear layer lives in the parameter (and gradient) buffer. W is [out][in] row-major;
// ln_g/ln_b are kNone for the output layer and when LayerNorm is off.
struct MlpLayer {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t w, b, ln_g, ln_b;
  int in, out;
};

class Mlp {
 public:
  Mlp() = default;
  // Orthogonal initialisation (gain sqrt(2) for hidden layers, cfg.out_gain for the output),
  // zero biases, unit LayerNorm gains; deterministic in `seed`. Throws std::invalid_argument on
  // non-positive widths.
  Mlp(const MlpConfig& cfg, std::uint64_t seed);

  const MlpConfig& config() const { return cfg_; }
  int in() const { return cfg_.in; }
  int out() const { return cfg_.out; }
  // Number of linear layers (hidden layers + the output layer).
  std::size_t num_layers() const { return layers_.size(); }
  const MlpLayer& layer(std::size_t i) const { return layers_[i]; }

  // All parameters live in one contiguous buffer (gradients in a second one of the same size).
  std::size_t num_params() const { return params_.size(); }
  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads() { return grads_.data(); }
  const float* grads() const { return grads_.data(); }
  void zero_grad();
  // Copies the parameters of `src` (e.g. into a target or rollout network); throws
  // std::invalid_argument unless same_shape(config(), src.config()).
  void copy_params_from(const Mlp& src);

  // y = f(x). With a tape, stores what backward() needs. Without one, uses buffers inside the
  // Mlp (no allocation for repeated batch sizes), so concurrent calls on one Mlp need tapes.
  void forward(const Matrix& x, Matrix& y, MlpTape* tape = nullptr) const;
  // Given dL/dy for the batch of the taped forward pass, ACCUMULATES dL/dparams into grads()
  // and, when dx is non-null, writes dL/dx ([batch][in]).
  void backward(const MlpTape& tape, const Matrix& dy, Matrix* dx = nullptr);

  // Versioned binary format: magic "SNWMLP", version, config, then the parameters.
  void save(std::ostream& os) const;
  static Mlp load(std::istream& is, const std::string& what);  // `what` names the source in errors

 private:
  void build_layout();
  MlpConfig cfg_;
  std::vector<float> params_, grads_;
  std::vector<MlpLayer> layers_;
  mutable MlpTape scratch_;  // forward() without a tape
  Matrix grad_a_, grad_b_;   // backward() ping-pong buffers
};

}  // namespace sinew::nn
