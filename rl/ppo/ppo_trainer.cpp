// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/ppo_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "rl/nn/matrix.h"
#include "rl/ppo/binary_io.h"
#include "rl/ppo/gae.h"
#include "rl/ppo/ppo_loss.h"

namespace sinew::rl {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Stream seeds derived from the run seed: one family per purpose.
constexpr std::size_t kEpisodeWindow = 100;
constexpr std::uint64_t kActStream = 0xAC7100ull, kShuffleStream = 0x5A0FF1Eull,
                        kFlowStream = 0xF10E5ull;

}  // namespace

RewardModel* find_reward_model(Env& env) {
  auto* p = dynamic_cast<RewardModelProvider*>(&env);
  return p ? p->reward_model() : nullptr;
}

PpoTrainer::PpoTrainer(const TrainConfig& cfg)
    : cfg_(cfg),
      pool_(std::make_unique<cpu::ThreadPool>(cfg.threads)),
      env_(make_env(cfg.task, cfg.env_params, cfg.num_envs, cfg.seed)),
      shuffle_rng_(cfg.seed, kShuffleStream),
      flow_rng_(cfg.seed, kFlowStream) {
  nn::set_num_threads(pool_->size());
  env_->set_pool(pool_.get());
  const EnvSpec& s = env_->spec();
  agent_ = Agent(cfg.agent, s.obs_dim, s.act_dim, cfg.seed);
  nn::AdamConfig ac;
  ac.weight_decay = cfg.ppo.weight_decay;
  opt_policy_ = nn::Adam(agent_.policy.num_params(), ac);
  opt_value_ = nn::Adam(agent_.value.num_params(), ac);
  opt_log_std_ = nn::Adam(agent_.log_std.size(), nn::AdamConfig{});
  for (int w = 0; w < cfg.num_envs; ++w) act_rng_.emplace_back(cfg.seed ^ kActStream, w);
  reward_model_ = find_reward_model(*env_);
  env_->set_training_samples(samples_);  // the first episodes are training episodes too
  env_->reset();
  adaptive_lr_ = cfg.ppo.lr;
  if (cfg.ppo.flow.enabled)
    flow_ = std::make_unique<FlowExplorer>(s.obs_dim, s.act_dim, s.act_low, s.act_high,
                                           cfg.ppo.flow, cfg.ppo.gamma, cfg.seed);
}

PpoTrainer::~PpoTrainer() = default;

ActionBounds PpoTrainer::action_bounds() const {
  if (!cfg_.ppo.loss.clipped_likelihood) return {};
  return {env_->spec().act_low.data(), env_->spec().act_high.data()};
}

long long PpoTrainer::samples_per_iteration() const {
  return static_cast<long long>(cfg_.num_envs) * cfg_.ppo.rollout_steps;
}

float PpoTrainer::current_lr() const {
  if (cfg_.ppo.lr_schedule == "constant") return cfg_.ppo.lr;
  if (cfg_.ppo.lr_schedule == "adaptive") return adaptive_lr_;
  const double frac = 1.0 - double(samples_) / double(cfg_.total_samples);
  return static_cast<float>(cfg_.ppo.lr * std::max(frac, 0.0));
}

void PpoTrainer::collect(IterationStats& st) {
  const int T = cfg_.ppo.rollout_steps, N = cfg_.num_envs;
  const int O = env_->spec().obs_dim, A = env_->spec().act_dim;
  obs_.resize(static_cast<Eigen::Index>(T) * N, O);
  act_.resize(static_cast<Eigen::Index>(T) * N, A);
  const std::size_t TN = static_cast<std::size_t>(T) * N;
  logp_.assign(TN, 0.f);
  val_.assign(TN, 0.f);
  next_val_.assign(TN, 0.f);
  rew_.assign(TN, 0.f);
  term_.assign(TN, 0);
  trunc_.assign(TN, 0);
  nn::Matrix x, mean, v, a, xf, vf, exec, x_next;
  agent_.normalize(env_->obs().data(), N, !first_obs_counted_, x);
  first_obs_counted_ = true;
  double ret_sum = 0, len_sum = 0, score_sum = 0, success = 0;
  for (int t = 0; t < T; ++t) {
    auto t0 = Clock::now();
    agent_.mean_actions(x, mean);
    agent_.values(x, v);
    agent_.sample(mean, act_rng_, a, logp_.data() + static_cast<std::size_t>(t) * N,
                  action_bounds());
    obs_.middleRows(static_cast<Eigen::Index>(t) * N, N) = x;
    act_.middleRows(static_cast<Eigen::Index>(t) * N, N) = a;
    for (int n = 0; n < N; ++n) val_[static_cast<std::size_t>(t) * N + n] = v(n, 0);
    if (t > 0)  // V(s_t) is the successor value of step t-1 where that episode goes on
      for (int n = 0; n < N; ++n) {
        const std::size_t i = static_cast<std::size_t>(t - 1) * N + n;
        if (!term_[i] && !trunc_[i]) next_val_[i] = v(n, 0);
      }
    if (flow_) flow_->transport(x, a, exec);  // PPO + flow: the env executes the transported a
    st.t_infer += since(t0);
    t0 = Clock::now();
    env_->step(flow_ ? exec.data() : a.data());
    st.t_sim += since(t0);
    t0 = Clock::now();
    const std::size_t row = static_cast<std::size_t>(t) * N;
    std::vector<int> truncated;
    for (int n = 0; n < N; ++n) {
      rew_[row + n] = env_->reward()[n];
      term_[row + n] = env_->terminated()[n];
      trunc_[row + n] = env_->truncated()[n];
      if (trunc_[row + n]) truncated.push_back(n);
    }
    if (!truncated.empty()) {  // bootstrap values of the final observations
      nn::Matrix raw(static_cast<Eigen::Index>(truncated.size()), O);
      for (std::size_t k = 0; k < truncated.size(); ++k)
        std::copy_n(env_->final_obs().data() + static_cast<std::size_t>(truncated[k]) * O, O,
                    &raw(static_cast<Eigen::Index>(k), 0));
      agent_.normalize(raw.data(), static_cast<int>(truncated.size()), false, xf);
      agent_.values(xf, vf);
      for (std::size_t k = 0; k < truncated.size(); ++k)
        next_val_[row + truncated[k]] = vf(static_cast<Eigen::Index>(k), 0);
    }
    agent_.normalize(env_->obs().data(), N, true, x);
    if (flow_) {  // (s, executed a, r, s' or the final observation, terminated) for the critics
      x_next = x;
      for (std::size_t k = 0; k < truncated.size(); ++k)
        x_next.row(truncated[k]) = xf.row(static_cast<Eigen::Index>(k));
      // obs_ is row-major: rows t*N .. t*N+N-1 are contiguous
      flow_->add(N, obs_.data() + row * static_cast<std::size_t>(O), exec.data(), rew_.data() + row,
                 x_next.data(), term_.data() + row);
    }
    st.t_infer += since(t0);
  }
  // successor values of the last step
  auto t0 = Clock::now();
  agent_.values(x, v);
  for (int n = 0; n < N; ++n) {
    const std::size_t i = static_cast<std::size_t>(T - 1) * N + n;
    if (!term_[i] && !trunc_[i]) next_val_[i] = v(n, 0);
  }
  st.t_infer += since(t0);
  for (const EpisodeResult& e : env_->take_finished()) {
    ++st.episodes;
    recent_.push_back(e);
    if (recent_.size() > kEpisodeWindow) recent_.pop_front();
  }
  for (const EpisodeResult& e : recent_) {
    ret_sum += e.ret;
    len_sum += e.length;
    score_sum += e.score;
    success += e.success;
  }
  if (!recent_.empty()) {
    const double n = double(recent_.size());
    st.return_mean = ret_sum / n;
    st.length_mean = len_sum / n;
    st.score_mean = score_sum / n;
    st.success_rate = success / n;
  }
  adv_.assign(TN, 0.f);
  ret_.assign(TN, 0.f);
  compute_gae(T, N, rew_.data(), val_.data(), next_val_.data(), term_.data(), trunc_.data(),
              cfg_.ppo.gamma, cfg_.ppo.lambda, adv_.data(), ret_.data());
}

namespace {

// L2 norm of several gradient buffers together, and their joint scaling to max_norm.
double joint_clip(std::vector<std::pair<float*, std::size_t>> bufs, float max_norm) {
  double sq = 0;
  for (auto& [p, n] : bufs)
    for (std::size_t i = 0; i < n; ++i) sq += double(p[i]) * p[i];
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && norm > max_norm) {
    const float s = static_cast<float>(max_norm / (norm + 1e-12));
    for (auto& [p, n] : bufs)
      for (std::size_t i = 0; i < n; ++i) p[i] *= s;
  }
  return norm;
}

}  // namespace

void PpoTrainer::update(IterationStats& st) {
  const PpoConfig& pc = cfg_.ppo;
  const int B = static_cast<int>(obs_.rows()), A = env_->spec().act_dim;
  const int nmb = pc.minibatches;
  std::vector<int> idx(B);
  nn::Matrix x, mean, v, d_mean, d_v_mat, a;
  nn::MlpTape tape_p, tape_v;
  std::vector<float> logp_old, adv, ret, v_old, v_pred, d_v;
  float lr = current_lr();
  double lr_sum = 0;
  int nruns = 0;
  for (int epoch = 0; epoch < pc.epochs; ++epoch) {
    std::iota(idx.begin(), idx.end(), 0);
    for (int i = B - 1; i > 0; --i)  // Fisher-Yates with the run's shuffle stream
      std::swap(idx[i], idx[static_cast<int>(shuffle_rng_.uniform() * (i + 1))]);
    double epoch_kl = 0;
    int epoch_mb = 0;
    for (int mb = 0; mb < nmb; ++mb) {
      const int b0 = static_cast<int>(static_cast<long long>(B) * mb / nmb);
      const int b1 = static_cast<int>(static_cast<long long>(B) * (mb + 1) / nmb);
      const int M = b1 - b0;
      x.resize(M, obs_.cols());
      a.resize(M, A);
      logp_old.resize(M);
      adv.resize(M);
      ret.resize(M);
      v_old.resize(M);
      for (int k = 0; k < M; ++k) {
        const int i = idx[b0 + k];
        x.row(k) = obs_.row(i);
        a.row(k) = act_.row(i);
        logp_old[k] = logp_[i];
        adv[k] = adv_[i];
        ret[k] = ret_[i];
        v_old[k] = val_[i];
      }
      if (pc.adv_norm && M > 1) {
        double m = 0, s2 = 0;
        for (float e : adv) m += e;
        m /= M;
        for (float e : adv) s2 += (e - m) * (e - m);
        const double sd = std::sqrt(s2 / (M - 1)) + 1e-8;
        for (float& e : adv) e = static_cast<float>((e - m) / sd);
      }
      agent_.policy.forward(x, mean, &tape_p);
      agent_.value.forward(x, v, &tape_v);
      v_pred.resize(M);
      for (int k = 0; k < M; ++k) v_pred[k] = v(k, 0);
      d_mean.resize(M, A);
      d_v.resize(M);
      agent_.policy.zero_grad();
      agent_.value.zero_grad();
      std::fill(agent_.log_std_grad.begin(), agent_.log_std_grad.end(), 0.f);
      const PpoLossStats ls =
          ppo_loss(pc.loss, M, A, mean.data(), agent_.log_std.data(), a.data(), logp_old.data(),
                   adv.data(), v_pred.data(), v_old.data(), ret.data(), d_mean.data(),
                   agent_.log_std_grad.data(), d_v.data(), action_bounds());
      const EnvSpec& es = env_->spec();
      const double lb = bound_loss(M, A, mean.data(), es.act_low.data(), es.act_high.data(),
                                   pc.loss.bound_coef, pc.loss.bound_margin, d_mean.data());
      st.loss.bound += lb;
      st.loss.total += lb;
      d_v_mat = Eigen::Map<const nn::Matrix>(d_v.data(), M, 1);
      agent_.policy.backward(tape_p, d_mean);
      agent_.value.backward(tape_v, d_v_mat);
      // the policy (with its log std) and the value network are clipped separately: value
      // gradients scale with the returns and would otherwise starve the policy
      const double gn = joint_clip({{agent_.policy.grads(), agent_.policy.num_params()},
                                    {agent_.log_std_grad.data(), agent_.log_std_grad.size()}},
                                   pc.max_grad_norm);
      st.value_grad_norm +=
          joint_clip({{agent_.value.grads(), agent_.value.num_params()}}, pc.max_grad_norm);
      lr_sum += lr;
      opt_policy_.step(agent_.policy.params(), agent_.policy.grads(), lr);
      opt_value_.step(agent_.value.params(), agent_.value.grads(), lr);
      opt_log_std_.step(agent_.log_std.data(), agent_.log_std_grad.data(), lr);
      for (float& l : agent_.log_std) l = std::clamp(l, pc.min_log_std, pc.max_log_std);
      st.loss.total += ls.total;
      st.loss.policy += ls.policy;
      st.loss.value += ls.value;
      st.loss.entropy += ls.entropy;
      st.loss.approx_kl += ls.approx_kl;
      adapt_lr(ls.approx_kl);  // the next minibatch's rate (adaptive schedule)
      lr = current_lr();
      st.loss.clip_frac += ls.clip_frac;
      st.grad_norm += gn;
      ++nruns;
      epoch_kl += ls.approx_kl;
      ++epoch_mb;
    }
    st.epochs_run = epoch + 1;
    if (pc.target_kl > 0 && epoch_kl / std::max(epoch_mb, 1) > pc.target_kl) break;
  }
  st.lr = nruns > 0 ? static_cast<float>(lr_sum / nruns) : lr;  // mean rate of the minibatches
  if (nruns > 0) {
    const double inv = 1.0 / nruns;
    st.loss.total *= inv;
    st.loss.bound *= inv;
    st.loss.policy *= inv;
    st.loss.value *= inv;
    st.loss.entropy *= inv;
    st.loss.approx_kl *= inv;
    st.loss.clip_frac *= inv;
    st.grad_norm *= inv;
    st.value_grad_norm *= inv;
  }
  // explained variance of the value targets by the collection-time predictions
  double rm = 0, rv = 0, ev = 0;
  for (int i = 0; i < B; ++i) rm += ret_[i];
  rm /= B;
  for (int i = 0; i < B; ++i) {
    rv += (ret_[i] - rm) * (ret_[i] - rm);
    ev += (ret_[i] - val_[i]) * (ret_[i] - val_[i]);
  }
  st.value_r2 = rv > 0 ? 1.0 - ev / rv : 0.0;
  double ls = 0;
  for (float l : agent_.log_std) ls += l;
  st.log_std_mean = ls / std::max<std::size_t>(agent_.log_std.size(), 1);
}

void PpoTrainer::adapt_lr(double approx_kl) {
  const PpoConfig& pc = cfg_.ppo;
  if (pc.lr_schedule != "adaptive") return;
  // the KL-adaptive rule of rl_games' continuous PPO (Makoviychuk et al. 2021, Isaac Gym)
  if (approx_kl > 2.0 * pc.desired_kl)
    adaptive_lr_ = std::max(adaptive_lr_ / 1.5f, pc.lr_min);
  else if (approx_kl < 0.5 * pc.desired_kl)
    adaptive_lr_ = std::min(adaptive_lr_ * 1.5f, pc.lr_max);
}

IterationStats PpoTrainer::iterate() {
  IterationStats st;
  env_->set_training_samples(samples_);
  collect(st);
  if (reward_model_) {  // the learned reward trains on this rollout (counted as update time)
    const auto t1 = Clock::now();
    st.reward_model = reward_model_->update();
    st.t_update += since(t1);
  }
  const auto t0 = Clock::now();
  update(st);
  if (flow_) st.flow = flow_->update(agent_, static_cast<int>(samples_per_iteration()), flow_rng_);
  st.t_update += since(t0);
  samples_ += samples_per_iteration();
  ++iteration_;
  st.iteration = iteration_;
  st.samples = samples_;
  st.flagged = env_->flagged_count();
  return st;
}

std::string PpoTrainer::flow_state() const {
  if (!flow_) return {};
  std::ostringstream os;
  flow_->save(os);
  return os.str();
}

void PpoTrainer::save_checkpoint(const std::string& path) const {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(tmp + ": cannot write the checkpoint");
    write_magic(f, "SNWCKPT", 1);
    write_string(f, to_json(cfg_).dump());
    write_pod(f, samples_);
    write_pod(f, iteration_);
    agent_.save(f);
    opt_policy_.save(f);
    opt_value_.save(f);
    opt_log_std_.save(f);
    if (cfg_.ppo.lr_schedule == "adaptive") {
      write_magic(f, "SNWADLR", 1);
      write_pod(f, adaptive_lr_);
    }
    if (flow_) {
      write_magic(f, "SNWFLOWS", 1);
      write_string(f, flow_state());
    }
    if (reward_model_) {
      std::ostringstream rm;
      reward_model_->save(rm);
      write_magic(f, "SNWRWDM", 1);
      write_string(f, rm.str());
    }
    f.flush();
    if (!f) throw std::runtime_error(tmp + ": write failed (disk full?)");
  }
  fs::rename(tmp, path);  // atomic on POSIX: the old checkpoint stays valid until this point
}

Checkpoint read_checkpoint(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the checkpoint");
  read_magic(f, "SNWCKPT", 1, path);
  Checkpoint c;
  const std::string cfg_text = read_string(f, path, "config");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(cfg_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": corrupt config section (" + e.what() + ")");
  }
  c.config = parse_train_config(doc, path + " (config)");
  c.samples = read_pod<long long>(f, path, "sample count");
  c.iteration = read_pod<long long>(f, path, "iteration");
  c.agent = Agent::load(f, path);
  c.opt_policy = nn::Adam::load(f, path + " (policy optimiser)");
  c.opt_value = nn::Adam::load(f, path + " (value optimiser)");
  c.opt_log_std = nn::Adam::load(f, path + " (log-std optimiser)");
  // optional sections: the adaptive learning rate (SNWADLR), the reward model (SNWRWDM)
  while (f.peek() != std::ifstream::traits_type::eof()) {
    char tag[8] = {};
    if (!f.read(tag, 8)) throw std::runtime_error(path + ": truncated optional section");
    f.seekg(-8, std::ios::cur);
    if (std::string(tag, 7) == "SNWADLR") {
      read_magic(f, "SNWADLR", 1, path);
      c.adaptive_lr = read_pod<float>(f, path, "adaptive learning rate");
    } else if (std::string(tag, 8) == "SNWFLOWS") {
      read_magic(f, "SNWFLOWS", 1, path);
      c.flow_state = read_string(f, path, "flow exploration");
    } else if (std::string(tag, 7) == "SNWRWDM") {
      read_magic(f, "SNWRWDM", 1, path);
      c.reward_model_state = read_string(f, path, "reward model");
    } else {
      throw std::runtime_error(path + ": unknown checkpoint section '" + std::string(tag, 7) + "'");
    }
  }
  return c;
}

void PpoTrainer::load_checkpoint(const std::string& path) {
  Checkpoint c = read_checkpoint(path);
  Agent& a = c.agent;
  if (a.obs_dim() != env_->spec().obs_dim || a.act_dim() != env_->spec().act_dim)
    throw std::runtime_error(path + ": the checkpoint's networks (" + std::to_string(a.obs_dim()) +
                             " -> " + std::to_string(a.act_dim()) + ") do not fit task '" +
                             cfg_.task + "'");
  if (a.policy.num_params() != agent_.policy.num_params() ||
      a.value.num_params() != agent_.value.num_params())
    throw std::runtime_error(path + ": the checkpoint's network shapes differ from the config's");
  agent_ = std::move(c.agent);
  opt_policy_ = std::move(c.opt_policy);
  opt_value_ = std::move(c.opt_value);
  opt_log_std_ = std::move(c.opt_log_std);
  samples_ = c.samples;
  iteration_ = c.iteration;
  if (c.adaptive_lr > 0) adaptive_lr_ = c.adaptive_lr;
  if (flow_ && !c.flow_state.empty()) {
    std::istringstream fs(c.flow_state);
    const EnvSpec& s = env_->spec();
    flow_ = std::make_unique<FlowExplorer>(FlowExplorer::load(
        fs, path + " (flow exploration)", cfg_.ppo.flow, s.act_low, s.act_high, cfg_.ppo.gamma));
  }
  // fresh episodes and streams for the resumed part, derived from the seed and the iteration
  const std::uint64_t s =
      cfg_.seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(iteration_);
  env_ = make_env(cfg_.task, cfg_.env_params, cfg_.num_envs, s);
  env_->set_pool(pool_.get());
  reward_model_ = find_reward_model(*env_);
  if (reward_model_ && !c.reward_model_state.empty()) {
    std::istringstream rm(c.reward_model_state);
    reward_model_->load(rm, path + " (reward model)");
  }
  env_->set_training_samples(samples_);  // the resumed part's first episodes: its curriculum
  env_->reset();
  first_obs_counted_ = false;
  for (int w = 0; w < cfg_.num_envs; ++w) act_rng_[w] = Rng(s ^ kActStream, w);
  shuffle_rng_ = Rng(s, kShuffleStream);
  flow_rng_ = Rng(s, kFlowStream);
}

}  // namespace sinew::rl
