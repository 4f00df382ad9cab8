// SPDX-License-Identifier: Apache-2.0
// Layers: [input BRN] -> per hidden layer linear -> [BRN] -> activation -> output linear. The
// linear layers and activations are rl/nn's threaded kernels; the BRN loops are per feature.
#include "rl/qflex/brn_mlp.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <random>
#include <stdexcept>

#include "rl/nn/init.h"
#include "rl/nn/linear.h"
#include "rl/nn/serialize.h"

namespace sinew::rl::qflex {

namespace {
using RowMap = Eigen::Map<nn::RowVector>;
using RowMapC = Eigen::Map<const nn::RowVector>;
constexpr const char* kMagic = "SNWBRN";
constexpr std::uint32_t kVersion = 1;
}  // namespace

void BrnMlp::build_layout() {
  if (cfg_.in <= 0 || cfg_.out <= 0) throw std::invalid_argument("BrnMlp: in and out must be > 0");
  std::size_t n = 0, s = 0;
  units_.clear();
  layers_.clear();
  auto add_unit = [&](int width) {
    units_.push_back(
        {n, n + static_cast<std::size_t>(width), s, s + static_cast<std::size_t>(width), width});
    n += 2 * static_cast<std::size_t>(width);
    s += 2 * static_cast<std::size_t>(width);
  };
  if (cfg_.batch_renorm) add_unit(cfg_.in);
  int in = cfg_.in;
  for (std::size_t l = 0; l <= cfg_.hidden.size(); ++l) {
    const bool hidden = l < cfg_.hidden.size();
    const int out = hidden ? cfg_.hidden[l] : cfg_.out;
    if (out <= 0) throw std::invalid_argument("BrnMlp: hidden widths must be > 0");
    layers_.push_back({n, n + static_cast<std::size_t>(out) * in, in, out});
    n += static_cast<std::size_t>(out) * (in + 1);
    if (hidden && cfg_.batch_renorm) add_unit(out);
    in = out;
  }
  params_.assign(n, 0.f);
  grads_.assign(n, 0.f);
  stats_.assign(s, 0.f);
  for (const Unit& u : units_) {
    std::fill_n(&params_[u.g], u.width, 1.f);
    std::fill_n(&stats_[u.var], u.width, 1.f);
  }
}

BrnMlp::BrnMlp(const BrnMlpConfig& cfg, std::uint64_t seed) : cfg_(cfg) {
  build_layout();
  std::mt19937_64 gen(seed);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const float gain = l + 1 == layers_.size() ? cfg_.out_gain : std::sqrt(2.f);
    nn::orthogonal_init(&params_[L.w], L.out, L.in, gain, gen);
  }
}

void BrnMlp::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.f); }

void BrnMlp::brn_forward(std::size_t ui, const nn::Matrix& z, nn::Matrix& y, Mode mode,
                         BrnTape& t) const {
  const Unit& u = units_[ui];
  const int B = static_cast<int>(z.rows()), F = u.width;
  const BrnConfig& c = cfg_.brn;
  for (auto* v : {&t.inv_sigma[ui], &t.r[ui], &t.d[ui], &t.mean[ui], &t.var[ui]}) v->resize(F);
  RowMap mean(t.mean[ui].data(), F), var(t.var[ui].data(), F), inv(t.inv_sigma[ui].data(), F);
  RowMap r(t.r[ui].data(), F), d(t.d[ui].data(), F);
  const RowMapC run_mean(&stats_[u.mean], F), run_var(&stats_[u.var], F);
  if (mode == Mode::kEval) {
    mean = run_mean;
    var = run_var;
  } else {  // batch statistics, summed row by row in double (a fixed order)
    Eigen::RowVectorXd m = Eigen::RowVectorXd::Zero(F), v = Eigen::RowVectorXd::Zero(F);
    for (int i = 0; i < B; ++i) m += z.row(i).cast<double>();
    m /= B;
    for (int i = 0; i < B; ++i) v += (z.row(i).cast<double>() - m).array().square().matrix();
    mean = m.cast<float>();
    var = (v / B).cast<float>();
  }
  inv = (var.array() + c.eps).rsqrt().matrix();
  r.setOnes();
  d.setZero();
  if (mode == Mode::kTrain && stat_steps_ >= c.warmup_steps) {  // renormalization (Alg. 1)
    const nn::RowVector run_sigma = (run_var.array() + c.eps).sqrt().matrix();
    r = (inv.array().inverse() / run_sigma.array()).cwiseMax(1.f / c.r_max).cwiseMin(c.r_max);
    d = ((mean - run_mean).array() / run_sigma.array()).cwiseMax(-c.d_max).cwiseMin(c.d_max);
  }
  const RowMapC g(&params_[u.g], F), beta(&params_[u.beta], F);
  nn::Matrix& xn = t.xn[ui];
  xn = ((z.rowwise() - mean).array().rowwise() * inv.array()).matrix();
  const nn::RowVector scale = g.cwiseProduct(r), shift = g.cwiseProduct(d) + beta;
  y = ((xn.array().rowwise() * scale.array()).rowwise() + shift.array()).matrix();
}

void BrnMlp::prepare_tape(Mode mode, BrnTape& t) const {
  const std::size_t nh = layers_.size() - 1;
  t.mode = mode;
  t.split = 0;
  t.post.resize(nh + 1);
  t.pre.resize(nh);
  for (auto* v : {&t.inv_sigma, &t.r, &t.d, &t.mean, &t.var}) v->resize(units_.size());
  t.xn.resize(units_.size());
}

void BrnMlp::forward(const nn::Matrix& x, nn::Matrix& y, Mode mode, BrnTape& t) const {
  if (x.cols() != cfg_.in)
    throw std::invalid_argument("BrnMlp::forward: x has " + std::to_string(x.cols()) +
                                " columns, the network takes " + std::to_string(cfg_.in));
  if (mode == Mode::kTrain && cfg_.batch_renorm && x.rows() < 2)
    throw std::invalid_argument("BrnMlp::forward: training mode needs a batch of >= 2 rows");
  prepare_tape(mode, t);
  if (cfg_.batch_renorm)
    brn_forward(0, x, t.post[0], mode, t);
  else
    t.post[0] = x;
  const float* p = params_.data();
  const Layer& L0 = layers_[0];
  if (layers_.size() == 1) {  // no hidden layer: the first layer is the output layer
    nn::linear_forward(t.post[0], p + L0.w, p + L0.b, L0.out, y);
    return;
  }
  nn::linear_forward(t.post[0], p + L0.w, p + L0.b, L0.out, t.post[1]);
  forward_hidden(mode, t, y);
}

void BrnMlp::forward_hidden(Mode mode, BrnTape& t, nn::Matrix& y) const {
  const std::size_t nh = layers_.size() - 1;
  const float* p = params_.data();
  for (std::size_t l = 0; l < nh; ++l) {
    nn::Matrix& z = t.post[l + 1];  // the linear output (scratch until the activation)
    if (l > 0) {
      const Layer& L = layers_[l];
      nn::linear_forward(t.post[l], p + L.w, p + L.b, L.out, z);
    }
    if (cfg_.batch_renorm)
      brn_forward(l + 1, z, t.pre[l], mode, t);
    else
      std::swap(t.pre[l], z);
    if (cfg_.activation == nn::Activation::kRelu)
      t.post[l + 1] = t.pre[l].cwiseMax(0.f);
    else
      nn::activation_forward(cfg_.activation, t.pre[l], t.post[l + 1]);
  }
  const Layer& L = layers_.back();
  nn::linear_forward(t.post[nh], p + L.w, p + L.b, L.out, y);
}

nn::RowVector BrnMlp::input_brn_scale(int first, int n) const {
  const Unit& u = units_[0];
  const RowMapC var(&stats_[u.var + first], n), g(&params_[u.g + first], n);
  return g.cwiseProduct((var.array() + cfg_.brn.eps).rsqrt().matrix());
}

void BrnMlp::input_brn_eval(const nn::Matrix& x, int first, nn::Matrix& y) const {
  if (!cfg_.batch_renorm) {
    y = x;
    return;
  }
  const int n = static_cast<int>(x.cols());
  const Unit& u = units_[0];
  const RowMapC mean(&stats_[u.mean + first], n), beta(&params_[u.beta + first], n);
  const nn::RowVector scale = input_brn_scale(first, n);
  y = (((x.rowwise() - mean).array().rowwise() * scale.array()).rowwise() + beta.array()).matrix();
}

void BrnMlp::input_brn_eval_grad(const nn::Matrix& dy, int first, nn::Matrix& dx) const {
  if (!cfg_.batch_renorm) {
    dx = dy;
    return;
  }
  const nn::RowVector scale = input_brn_scale(first, static_cast<int>(dy.cols()));
  dx = (dy.array().rowwise() * scale.array()).matrix();
}

void BrnMlp::prefix_eval(const nn::Matrix& s, nn::Matrix& z) const {
  const int k = static_cast<int>(s.cols());
  if (layers_.size() < 2 || k <= 0 || k >= cfg_.in)
    throw std::invalid_argument("BrnMlp::prefix_eval: needs a hidden layer and 0 < s.cols() < in");
  nn::Matrix xs;
  input_brn_eval(s, 0, xs);
  const Layer& L = layers_[0];
  const Eigen::Map<const nn::Matrix> W(&params_[L.w], L.out, L.in);
  z.noalias() = xs * W.leftCols(k).transpose();
  z.rowwise() += RowMapC(&params_[L.b], L.out);
}

void BrnMlp::forward_eval_suffix(const nn::Matrix& z, const nn::Matrix& a, nn::Matrix& y,
                                 BrnTape& t) const {
  const int k = cfg_.in - static_cast<int>(a.cols());
  const Layer& L = layers_[0];
  if (layers_.size() < 2 || k <= 0 || z.rows() != a.rows() || z.cols() != L.out)
    throw std::invalid_argument("BrnMlp::forward_eval_suffix: z or a do not fit this network");
  prepare_tape(Mode::kEval, t);
  t.split = k;
  input_brn_eval(a, k, t.post[0]);
  const Eigen::Map<const nn::Matrix> W(&params_[L.w], L.out, L.in);
  t.post[1] = z;
  t.post[1].noalias() += t.post[0] * W.rightCols(cfg_.in - k).transpose();
  forward_hidden(Mode::kEval, t, y);
}

void BrnMlp::input_grad_suffix(const BrnTape& t, const nn::Matrix& dy, nn::Matrix& da) {
  if (t.split <= 0 || t.mode != Mode::kEval)
    throw std::invalid_argument("BrnMlp::input_grad_suffix: needs a forward_eval_suffix tape");
  backward_impl(t, dy, nullptr, false, &gbuf_c_);
  const Layer& L = layers_[0];
  const Eigen::Map<const nn::Matrix> W(&params_[L.w], L.out, L.in);
  gbuf_a_.noalias() = gbuf_c_ * W.rightCols(cfg_.in - t.split);
  input_brn_eval_grad(gbuf_a_, t.split, da);
}

void BrnMlp::brn_backward(std::size_t ui, const BrnTape& t, const nn::Matrix& dy, nn::Matrix& dz,
                          bool param_grads) {
  const Unit& u = units_[ui];
  const int B = static_cast<int>(dy.rows()), F = u.width;
  const nn::Matrix& xn = t.xn[ui];
  const RowMapC inv(t.inv_sigma[ui].data(), F), r(t.r[ui].data(), F), d(t.d[ui].data(), F);
  const RowMapC g(&params_[u.g], F);
  if (param_grads) {  // y = g (r xn + d) + beta
    const nn::RowVector sum_dy = dy.colwise().sum();
    const nn::RowVector sum_dy_xn = dy.cwiseProduct(xn).colwise().sum();
    RowMap(&grads_[u.g], F) += r.cwiseProduct(sum_dy_xn) + d.cwiseProduct(sum_dy);
    RowMap(&grads_[u.beta], F) += sum_dy;
  }
  if (t.mode == Mode::kEval) {  // affine in z: no coupling between rows
    const nn::RowVector s = g.cwiseProduct(inv);
    dz = (dy.array().rowwise() * s.array()).matrix();
    return;
  }
  // through the batch mean and variance (Ioffe & Szegedy 2015, section 3; r, d constants)
  const nn::RowVector rg = r.cwiseProduct(g);
  const nn::Matrix dxn = (dy.array().rowwise() * rg.array()).matrix();
  const nn::RowVector m1 = dxn.colwise().sum() / float(B);
  const nn::RowVector m2 = dxn.cwiseProduct(xn).colwise().sum() / float(B);
  dz = (((dxn.rowwise() - m1) - (xn.array().rowwise() * m2.array()).matrix()).array().rowwise() *
        inv.array())
           .matrix();
}

void BrnMlp::backward_impl(const BrnTape& t, const nn::Matrix& dy, nn::Matrix* dx, bool param_grads,
                           nn::Matrix* d_first) {
  const std::size_t nl = layers_.size();
  const bool fits = t.post.size() == nl && t.post[0].cols() == cfg_.in - t.split &&
                    dy.rows() == t.post[0].rows() && dy.cols() == cfg_.out &&
                    (t.split == 0 || d_first != nullptr);
  if (!fits) throw std::invalid_argument("BrnMlp::backward: dy or the tape do not fit this net");
  const float* p = params_.data();
  float* g = grads_.data();
  const nn::Matrix* d_out = &dy;
  nn::Matrix* bufs[2] = {&gbuf_a_, &gbuf_b_};
  for (std::size_t l = nl; l-- > 0;) {
    if (l == 0 && d_first) {
      *d_first = *d_out;
      return;
    }
    const Layer& L = layers_[l];
    const bool last = l == 0 && !cfg_.batch_renorm;
    nn::Matrix* d_in = last ? dx : bufs[l % 2];
    if (d_in == nullptr && !param_grads) return;
    if (param_grads) {
      nn::linear_backward(t.post[l], *d_out, p + L.w, g + L.w, g + L.b, d_in);
    } else {  // dL/dx = dy W only
      d_in->noalias() = *d_out * Eigen::Map<const nn::Matrix>(p + L.w, L.out, L.in);
    }
    if (l == 0) break;
    const std::size_t h = l - 1;                     // through hidden layer h's activation and BRN
    if (cfg_.activation == nn::Activation::kRelu) {  // the common case, inline
      const float* z = t.pre[h].data();
      float* dp = d_in->data();
      for (Eigen::Index k = 0; k < d_in->size(); ++k) dp[k] = z[k] > 0.f ? dp[k] : 0.f;
    } else {
      nn::activation_backward(cfg_.activation, t.pre[h], t.post[l], *d_in, *d_in);
    }
    if (cfg_.batch_renorm) {
      brn_backward(l, t, *d_in, gbuf_c_, param_grads);
      d_out = &gbuf_c_;
    } else {
      d_out = d_in;
    }
  }
  // through the input BRN (its parameter gradients are needed even without dx)
  if (cfg_.batch_renorm) brn_backward(0, t, gbuf_a_, dx != nullptr ? *dx : gbuf_b_, param_grads);
}

void BrnMlp::backward(const BrnTape& t, const nn::Matrix& dy, nn::Matrix* dx) {
  backward_impl(t, dy, dx, true);
}

void BrnMlp::input_grad(const BrnTape& t, const nn::Matrix& dy, nn::Matrix& dx) {
  backward_impl(t, dy, &dx, false);
}

void BrnMlp::update_stats(const BrnTape& t) {
  if (t.mode != Mode::kTrain)
    throw std::invalid_argument("BrnMlp::update_stats: the tape is from an evaluation pass");
  const float m = cfg_.brn.momentum;
  for (std::size_t ui = 0; ui < units_.size(); ++ui) {
    const Unit& u = units_[ui];
    for (int j = 0; j < u.width; ++j) {
      float& rm = stats_[u.mean + j];
      float& rv = stats_[u.var + j];
      rm = m * rm + (1 - m) * t.mean[ui][j];
      rv = m * rv + (1 - m) * t.var[ui][j];
    }
  }
  ++stat_steps_;
}

void BrnMlp::polyak_from(const BrnMlp& src, float tau) {
  if (!(tau >= 0.f && tau <= 1.f))
    throw std::invalid_argument("BrnMlp::polyak_from: tau must lie in [0, 1]");
  if (src.params_.size() != params_.size() || src.stats_.size() != stats_.size())
    throw std::invalid_argument("BrnMlp::polyak_from: the networks' shapes differ");
  const float keep = 1.f - tau;
  for (std::size_t i = 0; i < params_.size(); ++i)
    params_[i] = keep * params_[i] + tau * src.params_[i];
  for (std::size_t i = 0; i < stats_.size(); ++i)
    stats_[i] = keep * stats_[i] + tau * src.stats_[i];
  stat_steps_ = src.stat_steps_;
}

void BrnMlp::save(std::ostream& os) const {
  nn::io::Writer w(os);
  w.header(kMagic, kVersion);
  w.i32(cfg_.in);
  w.i32(cfg_.out);
  w.i32(static_cast<std::int32_t>(cfg_.hidden.size()));
  for (int h : cfg_.hidden) w.i32(h);
  w.i32(static_cast<std::int32_t>(cfg_.activation));
  w.i32(cfg_.batch_renorm ? 1 : 0);
  for (float v : {cfg_.brn.momentum, cfg_.brn.r_max, cfg_.brn.d_max, cfg_.brn.eps, cfg_.out_gain})
    w.f32(v);
  w.i64(cfg_.brn.warmup_steps);
  w.i64(stat_steps_);
  w.u64(params_.size());
  w.floats(params_.data(), params_.size());
  w.floats(stats_.data(), stats_.size());
}

BrnMlp BrnMlp::load(std::istream& is, const std::string& what) {
  nn::io::Reader r(is, what);
  r.header(kMagic, kVersion);
  BrnMlp m;
  BrnMlpConfig& c = m.cfg_;
  auto width = [&](const char* field) {
    const std::int32_t v = r.i32(field);
    if (v <= 0 || v > (1 << 24)) r.fail(std::string("bad ") + field + " " + std::to_string(v));
    return static_cast<int>(v);
  };
  c.in = width("in");
  c.out = width("out");
  const std::int32_t nh = r.i32("hidden count");
  if (nh < 0 || nh > 1024) r.fail("bad hidden count " + std::to_string(nh));
  c.hidden.clear();
  for (std::int32_t i = 0; i < nh; ++i) c.hidden.push_back(width("hidden width"));
  const std::int32_t act = r.i32("activation");
  if (act < 0 || act > static_cast<std::int32_t>(nn::Activation::kSilu))
    r.fail("bad activation " + std::to_string(act));
  c.activation = static_cast<nn::Activation>(act);
  c.batch_renorm = r.i32("batch_renorm") != 0;
  for (float* v : {&c.brn.momentum, &c.brn.r_max, &c.brn.d_max, &c.brn.eps, &c.out_gain})
    *v = r.f32("BRN settings");
  c.brn.warmup_steps = r.i64("warmup_steps");
  const std::int64_t steps = r.i64("stat steps");
  m.build_layout();
  m.stat_steps_ = steps;
  const std::uint64_t n = r.u64("parameter count");
  if (n != m.params_.size())
    r.fail("parameter count " + std::to_string(n) + " does not match the config (" +
           std::to_string(m.params_.size()) + ")");
  r.floats(m.params_.data(), m.params_.size(), "parameters");
  r.floats(m.stats_.data(), m.stats_.size(), "running statistics");
  return m;
}

}  // namespace sinew::rl::qflex
