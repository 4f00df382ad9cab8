// SPDX-License-Identifier: Apache-2.0
#include "rl/track/discriminator.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "rl/config_reader.h"
#include "rl/ppo/binary_io.h"

namespace sinew::track {

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapW = Eigen::Map<RowMat>;
using CMapW = Eigen::Map<const RowMat>;

double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

DiscriminatorConfig parse_discriminator_config(const nlohmann::json& j, const std::string& where) {
  rl::ConfigReader r(j, where);
  DiscriminatorConfig c;
  c.hidden = r.get<std::vector<int>>("hidden", c.hidden);
  c.activation = r.get<std::string>("activation", c.activation);
  c.lr = r.get<double>("lr", c.lr, 0.0, 1.0);
  c.grad_penalty = r.get<double>("grad_penalty", c.grad_penalty, 0.0, 1e6);
  c.logit_weight_decay = r.get<double>("logit_weight_decay", c.logit_weight_decay, 0.0, 1e6);
  c.reward_scale = r.get<double>("reward_scale", c.reward_scale, 0.0, 1e6);
  c.batch = r.get<int>("batch", c.batch, 2, 1 << 20);
  c.steps = r.get<int>("steps", c.steps, 0, 10000);
  c.replay_size = r.get<int>("replay_size", c.replay_size, 0, 1 << 24);
  c.replay_add = r.get<int>("replay_add", c.replay_add, 0, 1 << 24);
  c.norm_floor = r.get<double>("norm_floor", c.norm_floor, 1e-12, 1e6);
  r.finish();
  if (c.activation != "relu" && c.activation != "tanh")
    throw std::invalid_argument(where + "/activation: '" + c.activation + "' (known: relu, tanh)");
  if (c.hidden.empty()) throw std::invalid_argument(where + "/hidden: needs at least one layer");
  for (int h : c.hidden)
    if (h < 1) throw std::invalid_argument(where + "/hidden: widths must be >= 1");
  return c;
}

nlohmann::json to_json(const DiscriminatorConfig& c) {
  return {{"hidden", c.hidden},
          {"activation", c.activation},
          {"lr", c.lr},
          {"grad_penalty", c.grad_penalty},
          {"logit_weight_decay", c.logit_weight_decay},
          {"reward_scale", c.reward_scale},
          {"batch", c.batch},
          {"steps", c.steps},
          {"replay_size", c.replay_size},
          {"replay_add", c.replay_add},
          {"norm_floor", c.norm_floor}};
}

// Forward values of a batch: Z[l], A[l] for the hidden layers l = 1..L-1 (A[0] = X).
struct Discriminator::Tape {
  std::vector<Eigen::MatrixXd> Z, A;
  Eigen::VectorXd d;  // logits
};

int Discriminator::width(int l) const {
  if (l == 0) return dim_;
  if (l == layers()) return 1;
  return cfg_.hidden[l - 1];
}

Discriminator::Discriminator(int dim, const DiscriminatorConfig& cfg, std::uint64_t seed)
    : dim_(dim), cfg_(cfg) {
  if (dim < 1) throw std::invalid_argument("discriminator: input dimension must be >= 1");
  std::size_t n = 0;
  for (int l = 1; l <= layers(); ++l) {
    w_off_.push_back(n);
    n += static_cast<std::size_t>(width(l)) * width(l - 1);
    b_off_.push_back(n);
    n += width(l);
  }
  params_.assign(n, 0.0);
  // uniform(+-sqrt(6 / (fan_in + fan_out))) (Glorot); biases 0
  rl::Rng rng(seed, 0xD15Cull);
  for (int l = 1; l <= layers(); ++l) {
    const double a = std::sqrt(6.0 / (width(l) + width(l - 1)));
    double* w = params_.data() + w_off_[l - 1];
    for (std::size_t i = 0; i < static_cast<std::size_t>(width(l)) * width(l - 1); ++i)
      w[i] = rng.uniform(-a, a);
  }
  adam_m_.assign(n, 0.0);
  adam_v_.assign(n, 0.0);
  // 1 until the first samples arrive (they then replace it: the count is 0), so the first
  // rollout's error vectors are not divided by the floor
  mean_abs_.assign(dim, 1.0);
  replay_.assign(static_cast<std::size_t>(cfg.replay_size) * dim, 0.f);
}

void Discriminator::normalize(const double* delta, double* x) const {
  for (int j = 0; j < dim_; ++j) x[j] = delta[j] / std::max(mean_abs_[j], cfg_.norm_floor);
}

void Discriminator::forward(const Eigen::MatrixXd& X, Tape& t) const {
  const int L = layers();
  const bool relu = cfg_.activation == "relu";
  t.Z.assign(L, Eigen::MatrixXd());
  t.A.assign(L, Eigen::MatrixXd());
  t.A[0] = X;
  for (int l = 1; l < L; ++l) {
    CMapW W(params_.data() + w_off_[l - 1], width(l), width(l - 1));
    Eigen::Map<const Eigen::RowVectorXd> b(params_.data() + b_off_[l - 1], width(l));
    t.Z[l] = (t.A[l - 1] * W.transpose()).rowwise() + b;
    t.A[l] = relu ? t.Z[l].cwiseMax(0.0) : Eigen::MatrixXd(t.Z[l].array().tanh());
  }
  CMapW w(params_.data() + w_off_[L - 1], 1, width(L - 1));
  t.d = (t.A[L - 1] * w.transpose()).col(0).array() + params_[b_off_[L - 1]];
}

Eigen::VectorXd Discriminator::logits(const Eigen::MatrixXd& X) const {
  Tape t;
  forward(X, t);
  return t.d;
}

namespace {

// sigma'(z) and sigma''(z) of the hidden activation, elementwise.
Eigen::MatrixXd act_d1(const Eigen::MatrixXd& Z, const Eigen::MatrixXd& A, bool relu) {
  if (relu) return (Z.array() > 0).cast<double>().matrix();
  return (1.0 - A.array().square()).matrix();
}
Eigen::MatrixXd act_d2(const Eigen::MatrixXd& A, bool relu) {
  if (relu) return Eigen::MatrixXd::Zero(A.rows(), A.cols());
  return (-2.0 * A.array() * (1.0 - A.array().square())).matrix();
}

}  // namespace

Eigen::MatrixXd Discriminator::input_grad(const Eigen::MatrixXd& X) const {
  Tape t;
  forward(X, t);
  const int L = layers();
  const bool relu = cfg_.activation == "relu";
  Eigen::MatrixXd delta = Eigen::MatrixXd::Ones(X.rows(), 1);  // dD/dz_L
  for (int l = L; l >= 1; --l) {
    CMapW W(params_.data() + w_off_[l - 1], width(l), width(l - 1));
    Eigen::MatrixXd u = delta * W;  // dD/da_{l-1}
    if (l == 1) return u;
    delta = act_d1(t.Z[l - 1], t.A[l - 1], relu).cwiseProduct(u);
  }
  return Eigen::MatrixXd();
}

double Discriminator::reward_from_logit(double d, double scale) {
  const double p = sigmoid(d);
  return -std::log(std::max(1.0 - p, 1e-4)) * scale;
}

double Discriminator::reward(const double* delta) const {
  Eigen::MatrixXd x(1, dim_);
  normalize(delta, x.data());
  return reward_from_logit(logits(x)(0), cfg_.reward_scale);
}

// Rows: 0 = the zero positive, 1..M = the negatives. c_i = dL/dD_i (BCE part), s_i = weight of
// |g_i|^2 in L (penalty part). The penalty's parameter gradient is the reverse pass through the
// input-gradient computation g = W_1^T delta_1, delta_l = sigma'(z_l) (W_{l+1}^T delta_{l+1}),
// delta_L = 1, whose z-adjoints are then carried down the forward graph with the BCE's.
DiscriminatorStats Discriminator::loss_and_grad(const Eigen::MatrixXd& Xneg,
                                                std::vector<double>& grad,
                                                double bce_weight) const {
  const int M = static_cast<int>(Xneg.rows()), L = layers();
  const bool relu = cfg_.activation == "relu";
  Eigen::MatrixXd X(M + 1, dim_);
  X.row(0).setZero();
  X.bottomRows(M) = Xneg;
  Tape t;
  forward(X, t);
  DiscriminatorStats st;
  Eigen::VectorXd c(M + 1), s(M + 1);
  st.bce_pos = softplus(-t.d(0));
  c(0) = bce_weight * 0.5 * (sigmoid(t.d(0)) - 1.0);
  s(0) = cfg_.grad_penalty * 0.5;
  st.d_zero = sigmoid(t.d(0));
  for (int i = 1; i <= M; ++i) {
    st.bce_neg += softplus(t.d(i)) / M;
    st.d_neg += sigmoid(t.d(i)) / M;
    c(i) = bce_weight * 0.5 * sigmoid(t.d(i)) / M;
    s(i) = cfg_.grad_penalty * 0.5 / M;
  }
  // input-gradient pass: D1[l] = sigma'(Z_l), U[l] = W_{l+1}^T delta_{l+1}, Dl[l] = delta_l
  std::vector<Eigen::MatrixXd> D1(L), U(L), Dl(L + 1);
  Dl[L] = Eigen::MatrixXd::Ones(M + 1, 1);
  for (int l = L - 1; l >= 1; --l) {
    CMapW W(params_.data() + w_off_[l], width(l + 1), width(l));
    U[l] = Dl[l + 1] * W;
    D1[l] = act_d1(t.Z[l], t.A[l], relu);
    Dl[l] = D1[l].cwiseProduct(U[l]);
  }
  CMapW W1(params_.data() + w_off_[0], width(1), width(0));
  const Eigen::MatrixXd G = Dl[1] * W1;  // [M+1][dim]
  const Eigen::VectorXd g2 = G.rowwise().squaredNorm();
  st.grad_penalty = 0.5 * (g2(0) + (M > 0 ? g2.tail(M).mean() : 0.0));
  st.loss = bce_weight * 0.5 * (st.bce_pos + st.bce_neg) + cfg_.grad_penalty * st.grad_penalty;

  grad.assign(params_.size(), 0.0);
  auto gW = [&](int l) { return MapW(grad.data() + w_off_[l - 1], width(l), width(l - 1)); };
  auto gb = [&](int l) {
    return Eigen::Map<Eigen::RowVectorXd>(grad.data() + b_off_[l - 1], width(l));
  };
  // reverse pass of the penalty through the input-gradient computation
  std::vector<Eigen::MatrixXd> Zbar(L);
  const Eigen::MatrixXd Gbar = (2.0 * s).asDiagonal() * G;
  gW(1) += Dl[1].transpose() * Gbar;
  Eigen::MatrixXd Dbar = Gbar * W1.transpose();  // adjoint of delta_1
  for (int l = 1; l <= L - 1; ++l) {
    const Eigen::MatrixXd Ubar = D1[l].cwiseProduct(Dbar);
    Zbar[l] = act_d2(t.A[l], relu).cwiseProduct(U[l]).cwiseProduct(Dbar);
    gW(l + 1) += Dl[l + 1].transpose() * Ubar;
    if (l + 1 < L) {
      CMapW W(params_.data() + w_off_[l], width(l + 1), width(l));
      Dbar = Ubar * W.transpose();
    }
  }
  // forward-graph backprop of the BCE and of the penalty's z-adjoints
  CMapW wL(params_.data() + w_off_[L - 1], 1, width(L - 1));
  gW(L) += c.transpose() * t.A[L - 1];
  gb(L)(0) += c.sum();
  Eigen::MatrixXd Abar = c * wL;  // adjoint of A_{L-1}
  for (int l = L - 1; l >= 1; --l) {
    Zbar[l] += act_d1(t.Z[l], t.A[l], relu).cwiseProduct(Abar);
    gW(l) += Zbar[l].transpose() * t.A[l - 1];
    gb(l) += Zbar[l].colwise().sum();
    if (l > 1) {
      CMapW W(params_.data() + w_off_[l - 1], width(l), width(l - 1));
      Abar = Zbar[l] * W;
    }
  }
  // weight decay of the logit layer
  const double wd = cfg_.logit_weight_decay;
  gW(L) += wd * wL;
  st.loss += 0.5 * wd * wL.squaredNorm();
  return st;
}

void Discriminator::adam_step(const std::vector<double>& grad) {
  constexpr double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  ++adam_t_;
  const double c1 = 1 - std::pow(b1, double(adam_t_)), c2 = 1 - std::pow(b2, double(adam_t_));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    adam_m_[i] = b1 * adam_m_[i] + (1 - b1) * grad[i];
    adam_v_[i] = b2 * adam_v_[i] + (1 - b2) * grad[i] * grad[i];
    params_[i] -= cfg_.lr * (adam_m_[i] / c1) / (std::sqrt(adam_v_[i] / c2) + eps);
  }
}

void Discriminator::update_normalizer(const std::vector<float>& raw, std::size_t rows) {
  if (rows == 0) return;
  std::vector<double> sum(dim_, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (int j = 0; j < dim_; ++j) sum[j] += std::fabs(double(raw[r * dim_ + j]));
  const double n0 = norm_count_, n1 = double(rows), n = n0 + n1;
  for (int j = 0; j < dim_; ++j) mean_abs_[j] = (mean_abs_[j] * n0 + sum[j]) / n;
  norm_count_ = n;
}

void Discriminator::sample_rows(const float* raw, std::size_t rows, int count, rl::Rng& rng,
                                double* out) const {
  std::vector<double> tmp(dim_);
  for (int k = 0; k < count; ++k) {
    const std::size_t r = std::min(rows - 1, static_cast<std::size_t>(rng.uniform() * rows));
    for (int j = 0; j < dim_; ++j) tmp[j] = raw[r * dim_ + j];
    normalize(tmp.data(), out + static_cast<std::size_t>(k) * dim_);
  }
}

DiscriminatorStats Discriminator::update(const std::vector<float>& raw, std::size_t rows,
                                         rl::Rng& rng) {
  DiscriminatorStats mean;
  if (rows == 0) return mean;
  update_normalizer(raw, rows);
  std::vector<double> grad;
  for (int step = 0; step < cfg_.steps; ++step) {
    const int B = cfg_.batch;
    const int from_replay = replay_rows_ > 0 ? B / 2 : 0;
    RowMat Xr(B, dim_);  // half fresh, half replayed negatives
    sample_rows(raw.data(), rows, B - from_replay, rng, Xr.data());
    if (from_replay > 0)
      sample_rows(replay_.data(), replay_rows_, from_replay, rng,
                  Xr.data() + static_cast<std::size_t>(B - from_replay) * dim_);
    const Eigen::MatrixXd X = Xr;
    const DiscriminatorStats st = loss_and_grad(X, grad);
    adam_step(grad);
    const double w = 1.0 / cfg_.steps;
    mean.loss += w * st.loss;
    mean.bce_pos += w * st.bce_pos;
    mean.bce_neg += w * st.bce_neg;
    mean.grad_penalty += w * st.grad_penalty;
    mean.d_zero += w * st.d_zero;
    mean.d_neg += w * st.d_neg;
  }
  // the replay receives a random subset of this rollout's error vectors
  const std::size_t cap = static_cast<std::size_t>(cfg_.replay_size);
  for (int k = 0; cap > 0 && k < cfg_.replay_add; ++k) {
    const std::size_t r = std::min(rows - 1, static_cast<std::size_t>(rng.uniform() * rows));
    std::copy_n(raw.data() + r * dim_, dim_, replay_.data() + replay_next_ * dim_);
    replay_next_ = (replay_next_ + 1) % cap;
    replay_rows_ = std::min(replay_rows_ + 1, cap);
  }
  return mean;
}

void Discriminator::save(std::ostream& os) const {
  rl::write_magic(os, "SNWDISC", 1);
  rl::write_string(os, to_json(cfg_).dump());
  rl::write_pod(os, static_cast<std::int32_t>(dim_));
  rl::write_pod(os, static_cast<std::uint64_t>(params_.size()));
  rl::write_array(os, params_.data(), params_.size());
  rl::write_array(os, adam_m_.data(), adam_m_.size());
  rl::write_array(os, adam_v_.data(), adam_v_.size());
  rl::write_pod(os, adam_t_);
  rl::write_array(os, mean_abs_.data(), mean_abs_.size());
  rl::write_pod(os, norm_count_);
}

void Discriminator::load(std::istream& is, const std::string& what) {
  rl::read_magic(is, "SNWDISC", 1, what);
  const std::string cfg_text = rl::read_string(is, what, "discriminator config");
  const DiscriminatorConfig cfg =
      parse_discriminator_config(nlohmann::json::parse(cfg_text), what + " (discriminator config)");
  const int dim = rl::read_pod<std::int32_t>(is, what, "discriminator input size");
  const auto n = rl::read_pod<std::uint64_t>(is, what, "discriminator parameter count");
  Discriminator d(dim, cfg, 0);
  if (dim != dim_ || n != d.params_.size() || n != params_.size())
    throw std::runtime_error(what + ": the discriminator in the checkpoint (" +
                             std::to_string(dim) + " inputs, " + std::to_string(n) +
                             " parameters) does not fit this task's (" + std::to_string(dim_) +
                             " inputs, " + std::to_string(params_.size()) + " parameters)");
  rl::read_array(is, d.params_.data(), n, what, "discriminator parameters");
  rl::read_array(is, d.adam_m_.data(), n, what, "discriminator Adam m");
  rl::read_array(is, d.adam_v_.data(), n, what, "discriminator Adam v");
  d.adam_t_ = rl::read_pod<long long>(is, what, "discriminator Adam t");
  rl::read_array(is, d.mean_abs_.data(), d.mean_abs_.size(), what, "discriminator mean |Delta|");
  d.norm_count_ = rl::read_pod<double>(is, what, "discriminator sample count");
  *this = std::move(d);
}

}  // namespace sinew::track
