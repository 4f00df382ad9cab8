// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/qflex_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl::qflex {

namespace {

// Adds the wall time of its scope to `total` (seconds).
struct ScopeTimer {
  explicit ScopeTimer(double& total) : total_(total) {}
  ~ScopeTimer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  double& total_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

constexpr std::size_t kEpisodeWindow = 100;  // episodes behind the logged means
// stream families derived from the run seed
constexpr std::uint64_t kActStream = 0x0AC7F10Eull, kUpdateStream = 0x0FD47Eull;
constexpr const char* kMagic = "SNWQFLEX";
constexpr std::uint32_t kVersion = 1;

void fill_normal(nn::Matrix& m, int rows, int cols, Rng& rng) {
  m.resize(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(rng.normal());
}

// The configs section: {"train": ..., "qflex": ...}.
void read_configs(std::istream& f, const std::string& path, TrainConfig& base, QflexConfig& cfg) {
  read_magic(f, kMagic, kVersion, path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(read_string(f, path, "config"));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": corrupt config section (" + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("train") || !doc.contains("qflex"))
    throw std::runtime_error(path + ": the config section lacks \"train\" or \"qflex\"");
  base = parse_train_config(doc.at("train"), path + " (config)");
  cfg = parse_qflex_config(doc.at("qflex"), path + " (config)/qflex");
}

}  // namespace

QflexTrainer::QflexTrainer(const TrainConfig& base, const QflexConfig& cfg)
    : base_(base),
      cfg_(cfg),
      pool_(std::make_unique<cpu::ThreadPool>(base.threads)),
      env_(make_env(base.task, base.env_params, base.num_envs, base.seed)),
      update_rng_(base.seed, kUpdateStream) {
  nn::set_num_threads(pool_->size());
  env_->set_pool(pool_.get());
  const int O = env_->spec().obs_dim, A = env_->spec().act_dim;
  const std::uint64_t s = base.seed;
  st_.critic = TwinCritic(O, A, net_config(cfg, cfg.critic_hidden, cfg.critic_batch_renorm), s);
  if (cfg.target_tau > 0) st_.target = st_.critic;
  st_.source = SourcePolicy(O, A, net_config(cfg, cfg.policy_hidden, cfg.actor_batch_renorm),
                            s * 3 + 1, cfg.min_log_std, cfg.max_log_std);
  st_.velocity =
      VelocityField(O, A, net_config(cfg, cfg.velocity_hidden, cfg.actor_batch_renorm), s * 3 + 2);
  nn::AdamConfig ac;
  ac.beta1 = cfg.beta1;
  ac.beta2 = cfg.beta2;
  st_.opt_q1 = nn::Adam(st_.critic.q[0].num_params(), ac);
  st_.opt_q2 = nn::Adam(st_.critic.q[1].num_params(), ac);
  st_.opt_source = nn::Adam(st_.source.net.num_params(), ac);
  st_.opt_velocity = nn::Adam(st_.velocity.net.num_params(), ac);
  st_.opt_alpha = nn::Adam(1, ac);
  st_.log_alpha = cfg.entropy_coef > 0 ? std::log(cfg.entropy_coef) : 0.f;
  replay_ = ReplayBuffer(static_cast<long>(std::min(cfg.buffer_size, base.total_samples)), O, A);
  for (int w = 0; w < base.num_envs; ++w) act_rng_.emplace_back(base.seed ^ kActStream, w);
  if (cfg.policy_avg_tau > 0) {
    st_.avg_source = st_.source;
    st_.avg_velocity = st_.velocity;
  }
  env_->set_training_samples(st_.samples);  // the first episodes are training episodes too
  env_->reset();
}

QflexTrainer::~QflexTrainer() = default;

void QflexTrainer::act(const nn::Matrix& obs, std::vector<Rng>* rngs, nn::Matrix& a,
                       bool averaged) {
  averaged = averaged && cfg_.policy_avg_tau > 0;
  SourcePolicy& source = averaged ? st_.avg_source : st_.source;
  VelocityField& velocity = averaged ? st_.avg_velocity : st_.velocity;
  const int B = static_cast<int>(obs.rows()), A = env_->spec().act_dim;
  nn::Matrix a0;
  if (rngs != nullptr) {
    eps_.resize(B, A);
    for (int i = 0; i < B; ++i)
      for (int j = 0; j < A; ++j) eps_(i, j) = static_cast<float>((*rngs)[i].normal());
    source.sample(obs, eps_, a0, Mode::kEval);
  } else {
    source.mean_action(obs, a0);
  }
  if (cfg_.flow) {
    const float clip = cfg_.velocity_clip > 0 ? cfg_.velocity_clip : float(cfg_.flow_steps);
    velocity.integrate(obs, a0, cfg_.flow_steps, clip, a);
  } else {
    a = a0;
  }
  a = a.cwiseMax(-1.f).cwiseMin(1.f);
}

void QflexTrainer::to_env(const nn::Matrix& a, std::vector<float>& out) const {
  const EnvSpec& sp = env_->spec();
  const int A = sp.act_dim;
  out.resize(static_cast<std::size_t>(a.rows()) * A);
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < A; ++j)  // [-1, 1] -> [low, high]; muscles: 0.5 a + 0.5
      out[static_cast<std::size_t>(i) * A + j] =
          sp.act_low[j] + 0.5f * (a(i, j) + 1.f) * (sp.act_high[j] - sp.act_low[j]);
}

PolicyFn QflexTrainer::deterministic_policy(bool live) {
  return [this, live](const std::vector<float>& obs, std::vector<float>& actions) {
    const int O = env_->spec().obs_dim;
    const int rows = static_cast<int>(obs.size() / O);
    const nn::Matrix x = Eigen::Map<const nn::Matrix>(obs.data(), rows, O);
    nn::Matrix a;
    act(x, nullptr, a, !live);
    to_env(a, actions);
  };
}

PolicyFn QflexTrainer::stochastic_policy(int nworld, std::uint64_t seed, bool live) {
  auto rngs = std::make_shared<std::vector<Rng>>();
  for (int w = 0; w < nworld; ++w) rngs->emplace_back(seed ^ kActStream, w);
  return [this, rngs, live](const std::vector<float>& obs, std::vector<float>& actions) {
    const int O = env_->spec().obs_dim;
    const int rows = static_cast<int>(obs.size() / O);
    if (rows != static_cast<int>(rngs->size()))
      throw std::invalid_argument("QflexTrainer::stochastic_policy: " + std::to_string(rows) +
                                  " observation rows for " + std::to_string(rngs->size()) +
                                  " random streams");
    const nn::Matrix x = Eigen::Map<const nn::Matrix>(obs.data(), rows, O);
    nn::Matrix a;
    act(x, rngs.get(), a, !live);
    to_env(a, actions);
  };
}

void QflexTrainer::env_step(QflexStats& s) {
  const int N = base_.num_envs, O = env_->spec().obs_dim, A = env_->spec().act_dim;
  obs_ = Eigen::Map<const nn::Matrix>(env_->obs().data(), N, O);
  {
    ScopeTimer timer(s.t_act);
    if (st_.samples < cfg_.warmup_samples) {  // uniform random actions
      act_.resize(N, A);
      for (int i = 0; i < N; ++i)
        for (int j = 0; j < A; ++j) act_(i, j) = static_cast<float>(act_rng_[i].uniform(-1, 1));
    } else {
      act(obs_, &act_rng_, act_);
    }
    to_env(act_, env_act_);
  }
  {
    ScopeTimer timer(s.t_sim);
    env_->step(env_act_.data());
  }
  // s' of the same episode: the final observation where an episode ended (auto-reset)
  next_obs_ = env_->obs();
  term_.assign(env_->terminated().begin(), env_->terminated().end());
  for (int w = 0; w < N; ++w)
    if (env_->terminated()[w] || env_->truncated()[w])
      std::copy_n(env_->final_obs().data() + static_cast<std::size_t>(w) * O, O,
                  next_obs_.data() + static_cast<std::size_t>(w) * O);
  replay_.add(N, obs_.data(), act_.data(), env_->reward().data(), next_obs_.data(), term_.data());
  st_.samples += N;
  for (const EpisodeResult& e : env_->take_finished()) {
    ++s.episodes;
    recent_.push_back(e);
    if (recent_.size() > kEpisodeWindow) recent_.pop_front();
  }
  if (st_.samples < cfg_.warmup_samples) return;
  ScopeTimer timer(s.t_update);
  for (st_.update_credit += cfg_.updates_per_step; st_.update_credit >= 1.0;
       st_.update_credit -= 1.0)
    update(s);
}

void QflexTrainer::update(QflexStats& s) {
  const int B = cfg_.batch_size, A = env_->spec().act_dim;
  const float lr = cfg_.lr;
  replay_.sample(B, update_rng_, batch_);
  // 1. critics (CrossQ): a' from the source policy at s'
  fill_normal(eps_, B, A, update_rng_);
  st_.source.sample(batch_.next_obs, eps_, a_next_, Mode::kEval);
  const TdStats td = st_.critic.td_grad(
      batch_.obs, batch_.act, batch_.reward.data(), batch_.terminated.data(), batch_.next_obs,
      a_next_, cfg_.gamma, true, cfg_.target_tau > 0 ? &st_.target : nullptr);
  st_.opt_q1.step(st_.critic.q[0].params(), st_.critic.q[0].grads(), lr);
  st_.opt_q2.step(st_.critic.q[1].params(), st_.critic.q[1].grads(), lr);
  if (cfg_.target_tau > 0) st_.target.polyak_from(st_.critic, cfg_.target_tau);
  ++st_.updates;
  ++s.updates;
  s.critic_loss += td.loss;
  s.q_mean += td.q_mean;
  s.target_mean += td.target_mean;
  if (st_.updates % cfg_.policy_delay != 0) return;
  update_source(s);
  if (!cfg_.flow) return;
  std::vector<float> min_q;
  // 3. velocity field on (s', a0, a1): a1 = N truncated ascent steps on min Q(s', .)
  fill_normal(eps_, B, A, update_rng_);
  st_.source.sample(batch_.next_obs, eps_, a0_, Mode::kEval);
  st_.critic.fix_states(batch_.next_obs);  // the N ascent steps pay for s' once
  const ActionGradFn grad = [&](const nn::Matrix& a, nn::Matrix& g) {
    st_.critic.min_q_action_grad_fixed(a, min_q, g);
  };
  const AscentStats as = ascend(grad, a0_, cfg_.ascent_steps, cfg_.ascent_eta, a1_);
  s.flow_loss += st_.velocity.flow_matching_grad(batch_.next_obs, a0_, a1_, update_rng_,
                                                 cfg_.actor_batch_renorm);
  st_.opt_velocity.step(st_.velocity.net.params(), st_.velocity.net.grads(), lr);
  if (cfg_.policy_avg_tau > 0)
    st_.avg_velocity.net.polyak_from(st_.velocity.net, cfg_.policy_avg_tau);
  s.ascent_grad_norm += as.grad_norm_mean;
  s.ascent_truncated += as.truncated;
  s.ascent_shift += ((a1_ - a0_).rowwise().norm()).mean();
}

void QflexTrainer::update_source(QflexStats& s) {
  // 2. source policy: minimise mean_i (alpha log pi(a_i|s_i) - min Q(s_i, a_i)),
  // a_i = tanh(mu + sigma eps) (reparameterised; alpha = 0 in the published method)
  const int B = cfg_.batch_size, A = env_->spec().act_dim;
  std::vector<float> min_q, logp;
  fill_normal(eps_, B, A, update_rng_);
  st_.source.sample(batch_.obs, eps_, a_src_, cfg_.actor_batch_renorm ? Mode::kTrain : Mode::kEval);
  st_.critic.min_q_action_grad(batch_.obs, a_src_, min_q, grad_);
  grad_ *= -1.f / static_cast<float>(B);
  const float alpha = cfg_.auto_entropy ? std::exp(st_.log_alpha) : cfg_.entropy_coef;
  st_.source.log_prob(logp);
  st_.source.backward(grad_, alpha / static_cast<float>(B));
  st_.opt_source.step(st_.source.net.params(), st_.source.net.grads(), cfg_.lr);
  if (cfg_.policy_avg_tau > 0) st_.avg_source.net.polyak_from(st_.source.net, cfg_.policy_avg_tau);
  double mq = 0, lp = 0;
  for (int i = 0; i < B; ++i) {
    mq += min_q[i];
    lp += logp[i];
  }
  if (cfg_.auto_entropy) {  // Haarnoja et al. 2018b, eq. 18, as a loss in log alpha
    const float g = static_cast<float>(-(lp / B + cfg_.target_entropy_per_dim * A));
    st_.opt_alpha.step(&st_.log_alpha, &g, cfg_.lr);
  }
  s.policy_min_q += mq / B;
  s.entropy -= lp / B;
  s.alpha += alpha;
  s.log_std_mean += st_.source.log_std_mean();
}

QflexStats QflexTrainer::iterate() {
  QflexStats s;
  const long long target = st_.samples + cfg_.iteration_samples;
  const long long updates0 = st_.updates;
  env_->set_training_samples(st_.samples);
  while (st_.samples < target && !done()) env_step(s);
  ++st_.iteration;
  s.iteration = st_.iteration;
  s.samples = st_.samples;
  s.flagged = env_->flagged_count();
  for (const EpisodeResult& e : recent_) {
    const double n = double(recent_.size());
    s.return_mean += e.ret / n;
    s.length_mean += e.length / n;
    s.score_mean += e.score / n;
    s.success_rate += (e.success ? 1.0 : 0.0) / n;
  }
  const double nu = double(st_.updates - updates0);
  const double np = std::floor(double(st_.updates) / cfg_.policy_delay) -
                    std::floor(double(updates0) / cfg_.policy_delay);
  if (nu > 0) {
    s.critic_loss /= nu;
    s.q_mean /= nu;
    s.target_mean /= nu;
  }
  if (np > 0) {
    for (double* v : {&s.policy_min_q, &s.log_std_mean, &s.flow_loss, &s.ascent_grad_norm,
                      &s.ascent_truncated, &s.ascent_shift, &s.alpha, &s.entropy})
      *v /= np;
  }
  s.updates = st_.updates;
  return s;
}

void QflexTrainer::save_checkpoint(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(tmp + ": cannot write the checkpoint");
    write_magic(f, kMagic, kVersion);
    write_string(f, nlohmann::json{{"train", to_json(base_)}, {"qflex", to_json(cfg_)}}.dump());
    write_pod(f, st_.samples);
    write_pod(f, st_.iteration);
    write_pod(f, st_.updates);
    write_pod(f, st_.update_credit);
    st_.critic.save(f);
    st_.source.save(f);
    st_.velocity.save(f);
    for (const nn::Adam* o :
         {&st_.opt_q1, &st_.opt_q2, &st_.opt_source, &st_.opt_velocity, &st_.opt_alpha})
      o->save(f);
    write_pod(f, st_.log_alpha);
    if (cfg_.target_tau > 0) st_.target.save(f);  // the stored config says whether it is there
    if (cfg_.policy_avg_tau > 0) {                // so does it for the averaged copies
      st_.avg_source.save(f);
      st_.avg_velocity.save(f);
    }
    write_pod(f, static_cast<std::uint8_t>(cfg_.checkpoint_replay ? 1 : 0));
    if (cfg_.checkpoint_replay) replay_.save(f);
    f.flush();
    if (!f) throw std::runtime_error(tmp + ": write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);  // atomic on POSIX
}

bool is_qflex_checkpoint(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[8] = {}, want[8] = {};
  std::memcpy(want, kMagic, std::min<std::size_t>(std::strlen(kMagic), 8));
  return f.read(magic, 8) && std::memcmp(magic, want, 8) == 0;
}

void read_qflex_checkpoint_config(const std::string& path, TrainConfig& base, QflexConfig& cfg) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the checkpoint");
  read_configs(f, path, base, cfg);
}

void QflexTrainer::load_checkpoint(const std::string& path, bool with_replay) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the checkpoint");
  TrainConfig base;
  QflexConfig cfg;
  read_configs(f, path, base, cfg);
  if (base.task != base_.task) throw std::runtime_error(path + ": checkpoint of another task");
  QflexState st;
  st.samples = read_pod<long long>(f, path, "sample count");
  st.iteration = read_pod<long long>(f, path, "iteration");
  st.updates = read_pod<long long>(f, path, "update count");
  st.update_credit = read_pod<double>(f, path, "update credit");
  st.critic = TwinCritic::load(f, path);
  st.source = SourcePolicy::load(f, path);
  st.velocity = VelocityField::load(f, path);
  const char* names[5] = {" (critic 1 optimiser)", " (critic 2 optimiser)", " (source optimiser)",
                          " (velocity optimiser)", " (alpha optimiser)"};
  nn::Adam* opts[5] = {&st.opt_q1, &st.opt_q2, &st.opt_source, &st.opt_velocity, &st.opt_alpha};
  for (int k = 0; k < 5; ++k) *opts[k] = nn::Adam::load(f, path + names[k]);
  st.log_alpha = read_pod<float>(f, path, "log alpha");
  if (cfg.target_tau > 0) st.target = TwinCritic::load(f, path + " (target critics)");
  // a run resumed with target critics that its checkpoint lacks starts them at the critics
  if (cfg_.target_tau > 0 && !(cfg.target_tau > 0)) st.target = st.critic;
  if (cfg.policy_avg_tau > 0) {
    st.avg_source = SourcePolicy::load(f, path + " (averaged source policy)");
    st.avg_velocity = VelocityField::load(f, path + " (averaged velocity field)");
  } else if (cfg_.policy_avg_tau > 0) {  // ... and averaged copies: they start at the networks
    st.avg_source = st.source;
    st.avg_velocity = st.velocity;
  }
  const bool fits =
      st.critic.q[0].num_params() == st_.critic.q[0].num_params() &&
      st.source.net.num_params() == st_.source.net.num_params() &&
      st.velocity.net.num_params() == st_.velocity.net.num_params() &&
      st.critic.obs_dim() == env_->spec().obs_dim && st.critic.act_dim() == env_->spec().act_dim &&
      (!(cfg_.target_tau > 0) || st.target.q[0].num_params() == st.critic.q[0].num_params()) &&
      (!(cfg_.policy_avg_tau > 0) ||
       (st.avg_source.net.num_params() == st.source.net.num_params() &&
        st.avg_velocity.net.num_params() == st.velocity.net.num_params()));
  if (!fits)
    throw std::runtime_error(path + ": the checkpoint's networks differ from the config's");
  if (read_pod<std::uint8_t>(f, path, "replay flag") != 0 && with_replay) {
    replay_ = ReplayBuffer();  // free the empty buffer first: both at once need twice the memory
    replay_ = ReplayBuffer::load(f, path);
    if (replay_.obs_dim() != env_->spec().obs_dim || replay_.act_dim() != env_->spec().act_dim)
      throw std::runtime_error(path + ": the replay buffer does not fit the task");
  }
  st_ = std::move(st);
  // fresh episodes and streams for the resumed part, derived from the seed and the iteration
  const std::uint64_t s =
      base_.seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(st_.iteration);
  env_ = make_env(base_.task, base_.env_params, base_.num_envs, s);
  env_->set_pool(pool_.get());
  env_->set_training_samples(st_.samples);  // the resumed part's first episodes: its curriculum
  env_->reset();
  for (int w = 0; w < base_.num_envs; ++w) act_rng_[w] = Rng(s ^ kActStream, w);
  update_rng_ = Rng(s, kUpdateStream);
  recent_.clear();
}

}  // namespace sinew::rl::qflex
