// SPDX-License-Identifier: Apache-2.0
// Forward: per layer linear -> [LayerNorm] -> activation (hidden layers), linear (output layer).
// Backward walks the layers in reverse with two ping-pong gradient buffers.
#include "rl/nn/mlp.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>

#include "rl/nn/init.h"
#include "rl/nn/layer_norm.h"
#include "rl/nn/linear.h"
#include "rl/nn/serialize.h"

namespace sinew::nn {

namespace {
constexpr const char* kMlpMagic = "SNWMLP";
constexpr std::uint32_t kMlpVersion = 1;
constexpr int kMaxWidth = 1 << 24;  // sanity bound for widths read from files
}  // namespace

Activation parse_activation(const std::string& name) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "relu") return Activation::kRelu;
  if (name == "elu") return Activation::kElu;
  if (name == "silu") return Activation::kSilu;
  throw std::invalid_argument("unknown activation '" + name + "' (tanh, relu, elu, silu)");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kTanh:
      return "tanh";
    case Activation::kRelu:
      return "relu";
    case Activation::kElu:
      return "elu";
    case Activation::kSilu:
      return "silu";
  }
  return "?";
}

bool same_shape(const MlpConfig& a, const MlpConfig& b) {
  return a.in == b.in && a.out == b.out && a.hidden == b.hidden && a.activation == b.activation &&
         a.layer_norm == b.layer_norm;
}

void Mlp::build_layout() {
  if (cfg_.in <= 0 || cfg_.out <= 0) throw std::invalid_argument("Mlp: in and out must be > 0");
  for (int h : cfg_.hidden)
    if (h <= 0) throw std::invalid_argument("Mlp: hidden widths must be > 0");
  layers_.clear();
  std::size_t n = 0;
  int in = cfg_.in;
  const std::size_t nhidden = cfg_.hidden.size();
  for (std::size_t l = 0; l <= nhidden; ++l) {
    MlpLayer L;
    L.in = in;
    L.out = l < nhidden ? cfg_.hidden[l] : cfg_.out;
    L.w = n;
    n += static_cast<std::size_t>(L.out) * static_cast<std::size_t>(L.in);
    L.b = n;
    n += static_cast<std::size_t>(L.out);
    L.ln_g = L.ln_b = MlpLayer::kNone;
    if (cfg_.layer_norm && l < nhidden) {
      L.ln_g = n;
      L.ln_b = n + static_cast<std::size_t>(L.out);
      n += 2 * static_cast<std::size_t>(L.out);
    }
    layers_.push_back(L);
    in = L.out;
  }
  params_.assign(n, 0.0f);
  grads_.assign(n, 0.0f);
}

Mlp::Mlp(const MlpConfig& cfg, std::uint64_t seed) : cfg_(cfg) {
  build_layout();
  std::mt19937_64 gen(seed);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const MlpLayer& L = layers_[l];
    const bool output = l + 1 == layers_.size();
    orthogonal_init(&params_[L.w], L.out, L.in, output ? cfg_.out_gain : std::sqrt(2.0f), gen);
    if (L.ln_g != MlpLayer::kNone)
      std::fill(params_.begin() + static_cast<std::ptrdiff_t>(L.ln_g),
                params_.begin() + static_cast<std::ptrdiff_t>(L.ln_g + L.out), 1.0f);
  }
}

void Mlp::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

void Mlp::copy_params_from(const Mlp& src) {
  if (!same_shape(cfg_, src.cfg_))
    throw std::invalid_argument("Mlp::copy_params_from: networks have different shapes");
  params_ = src.params_;
}

void Mlp::forward(const Matrix& x, Matrix& y, MlpTape* tape) const {
  if (x.cols() != cfg_.in)
    throw std::invalid_argument("Mlp::forward: x has " + std::to_string(x.cols()) +
                                " columns, the network takes " + std::to_string(cfg_.in));
  if (&x == &y) throw std::invalid_argument("Mlp::forward: y must not be x");
  MlpTape& t = tape != nullptr ? *tape : scratch_;
  const std::size_t nh = layers_.size() - 1;
  t.pre.resize(nh);
  t.post.resize(nh + 1);
  if (cfg_.layer_norm) {
    t.norm.resize(nh);
    t.inv_std.resize(nh);
  }
  if (tape != nullptr) t.post[0] = x;
  const Matrix* in = &x;
  const float* p = params_.data();
  for (std::size_t l = 0; l < nh; ++l) {
    const MlpLayer& L = layers_[l];
    linear_forward(*in, p + L.w, p + L.b, L.out, t.pre[l]);
    if (cfg_.layer_norm)
      layer_norm_forward(t.pre[l], p + L.ln_g, p + L.ln_b, t.norm[l], t.inv_std[l], t.pre[l]);
    activation_forward(cfg_.activation, t.pre[l], t.post[l + 1]);
    in = &t.post[l + 1];
  }
  const MlpLayer& L = layers_.back();
  linear_forward(*in, p + L.w, p + L.b, L.out, y);
}

void Mlp::backward(const MlpTape& tape, const Matrix& dy, Matrix* dx) {
  const std::size_t nl = layers_.size();
  if (tape.post.size() != nl || tape.post[0].cols() != cfg_.in)
    throw std::invalid_argument("Mlp::backward: tape is not from a taped forward of this network");
  if (dy.rows() != tape.post[0].rows() || dy.cols() != cfg_.out)
    throw std::invalid_argument("Mlp::backward: dy shape does not match the taped batch");
  const float* p = params_.data();
  float* g = grads_.data();
  const Matrix* d_out = &dy;  // dL/d(output of layer l)
  Matrix* bufs[2] = {&grad_a_, &grad_b_};
  for (std::size_t l = nl; l-- > 0;) {
    const MlpLayer& L = layers_[l];
    Matrix* d_in = l > 0 ? bufs[l % 2] : dx;  // dL/d(input of layer l) = dL/dpost[l]
    linear_backward(tape.post[l], *d_out, p + L.w, g + L.w, g + L.b, d_in);
    if (l == 0) break;
    // through the activation (and LayerNorm) of hidden layer l - 1, in place
    const std::size_t h = l - 1;
    activation_backward(cfg_.activation, tape.pre[h], tape.post[l], *d_in, *d_in);
    if (cfg_.layer_norm) {
      const MlpLayer& H = layers_[h];
      layer_norm_backward(*d_in, tape.norm[h], tape.inv_std[h], p + H.ln_g, g + H.ln_g, g + H.ln_b,
                          *d_in);
    }
    d_out = d_in;
  }
}

void Mlp::save(std::ostream& os) const {
  io::Writer w(os);
  w.header(kMlpMagic, kMlpVersion);
  w.i32(cfg_.in);
  w.i32(cfg_.out);
  w.i32(static_cast<std::int32_t>(cfg_.hidden.size()));
  for (int h : cfg_.hidden) w.i32(h);
  w.i32(static_cast<std::int32_t>(cfg_.activation));
  w.i32(cfg_.layer_norm ? 1 : 0);
  w.f32(cfg_.out_gain);
  w.u64(params_.size());
  w.floats(params_.data(), params_.size());
}

Mlp Mlp::load(std::istream& is, const std::string& what) {
  io::Reader r(is, what);
  r.header(kMlpMagic, kMlpVersion);
  Mlp m;
  auto width = [&](const char* field) {
    const std::int32_t v = r.i32(field);
    if (v <= 0 || v > kMaxWidth) r.fail(std::string("bad ") + field + " " + std::to_string(v));
    return static_cast<int>(v);
  };
  m.cfg_.in = width("in");
  m.cfg_.out = width("out");
  const std::int32_t nh = r.i32("hidden count");
  if (nh < 0 || nh > 1024) r.fail("bad hidden count " + std::to_string(nh));
  m.cfg_.hidden.clear();
  for (std::int32_t i = 0; i < nh; ++i) m.cfg_.hidden.push_back(width("hidden width"));
  const std::int32_t act = r.i32("activation");
  if (act < 0 || act > static_cast<std::int32_t>(Activation::kSilu))
    r.fail("bad activation " + std::to_string(act));
  m.cfg_.activation = static_cast<Activation>(act);
  const std::int32_t ln = r.i32("layer_norm");
  if (ln != 0 && ln != 1) r.fail("bad layer_norm flag " + std::to_string(ln));
  m.cfg_.layer_norm = ln == 1;
  m.cfg_.out_gain = r.f32("out_gain");
  m.build_layout();
  const std::uint64_t n = r.u64("parameter count");
  if (n != m.params_.size())
    r.fail("parameter count " + std::to_string(n) + " does not match the config (" +
           std::to_string(m.params_.size()) + ")");
  r.floats(m.params_.data(), m.params_.size(), "parameters");
  return m;
}

}  // namespace sinew::nn
