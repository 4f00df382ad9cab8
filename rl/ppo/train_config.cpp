// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/train_config.h"

#include <fstream>
#include <stdexcept>

#include "rl/config_reader.h"

namespace sinew::rl {

namespace {

AgentConfig parse_agent(const nlohmann::json& j, const std::string& where) {
  ConfigReader r(j, where);
  AgentConfig a;
  a.policy_hidden = r.get("policy_hidden", a.policy_hidden);
  a.value_hidden = r.get("value_hidden", a.value_hidden);
  for (int w : a.policy_hidden)
    if (w < 1) throw std::invalid_argument(where + "/policy_hidden: widths must be >= 1");
  for (int w : a.value_hidden)
    if (w < 1) throw std::invalid_argument(where + "/value_hidden: widths must be >= 1");
  a.activation = r.get("activation", a.activation);
  a.layer_norm = r.get("layer_norm", a.layer_norm);
  a.init_log_std = r.get("init_log_std", a.init_log_std, -20.f, 5.f);
  a.policy_out_gain = r.get("policy_out_gain", a.policy_out_gain, 0.f, 100.f);
  a.obs_norm = r.get("obs_norm", a.obs_norm);
  a.obs_clip = r.get("obs_clip", a.obs_clip, 0.f, 1e6f);
  r.finish();
  return a;
}

PpoConfig parse_ppo(const nlohmann::json& j, const std::string& where) {
  ConfigReader r(j, where);
  PpoConfig p;
  p.rollout_steps = r.get("rollout_steps", p.rollout_steps, 1, 1 << 20);
  p.epochs = r.get("epochs", p.epochs, 1, 1000);
  p.minibatches = r.get("minibatches", p.minibatches, 1, 1 << 20);
  p.lr = r.get("lr", p.lr, 0.f, 1.f);
  p.lr_schedule = r.get("lr_schedule", p.lr_schedule);
  if (p.lr_schedule != "linear" && p.lr_schedule != "constant" && p.lr_schedule != "adaptive")
    throw std::invalid_argument(where +
                                "/lr_schedule: expected \"linear\", \"constant\" or \"adaptive\"");
  p.desired_kl = r.get("desired_kl", p.desired_kl, 1e-9f, 1e3f);
  p.lr_min = r.get("lr_min", p.lr_min, 0.f, 1.f);
  p.lr_max = r.get("lr_max", p.lr_max, 0.f, 1.f);
  if (p.lr_min > p.lr_max) throw std::invalid_argument(where + ": lr_min > lr_max");
  p.gamma = r.get("gamma", p.gamma, 0.f, 1.f);
  p.lambda = r.get("lambda", p.lambda, 0.f, 1.f);
  p.loss.clip = r.get("clip", p.loss.clip, 0.f, 10.f);
  p.loss.value_clip = r.get("value_clip", p.loss.value_clip, 0.f, 1e9f);
  p.loss.value_coef = r.get("value_coef", p.loss.value_coef, 0.f, 1e3f);
  p.loss.entropy_coef = r.get("entropy_coef", p.loss.entropy_coef, -1.f, 1.f);
  p.loss.bound_coef = r.get("bound_coef", p.loss.bound_coef, 0.f, 1e6f);
  p.loss.bound_margin = r.get("bound_margin", p.loss.bound_margin, 0.f, 1e3f);
  p.loss.clipped_likelihood = r.get("clipped_likelihood", p.loss.clipped_likelihood);
  p.max_grad_norm = r.get("max_grad_norm", p.max_grad_norm, 0.f, 1e9f);
  p.adv_norm = r.get("adv_norm", p.adv_norm);
  p.target_kl = r.get("target_kl", p.target_kl, 0.f, 1e3f);
  p.weight_decay = r.get("weight_decay", p.weight_decay, 0.f, 1.f);
  p.min_log_std = r.get("min_log_std", p.min_log_std, -20.f, 5.f);
  p.max_log_std = r.get("max_log_std", p.max_log_std, -20.f, 5.f);
  if (p.min_log_std > p.max_log_std)
    throw std::invalid_argument(where + ": min_log_std > max_log_std");
  p.flow = parse_flow_explore_config(r.sub("flow"), where + "/flow");
  if (p.flow.enabled && p.loss.clipped_likelihood)
    throw std::invalid_argument(where +
                                "/clipped_likelihood: not with flow exploration (the PPO action "
                                "is then the flow's source sample, which is not clipped)");
  r.finish();
  return p;
}

}  // namespace

TrainConfig parse_train_config(const nlohmann::json& doc, const std::string& source) {
  ConfigReader r(doc, source);
  TrainConfig c;
  c.algo = r.get("algo", c.algo);
  if (c.algo != "ppo" && c.algo != "qflex")
    throw std::invalid_argument(source + "/algo: expected \"ppo\" or \"qflex\"");
  const nlohmann::json& q = r.sub("qflex");
  if (!q.is_null()) c.qflex = q;
  c.task = r.get("task", c.task);
  const nlohmann::json& env = r.sub("env");
  if (!env.is_null() && !env.is_object())
    throw std::invalid_argument(source + "/env: expected an object of task parameters");
  c.env_params = env.is_null() ? nlohmann::json::object() : env;
  c.num_envs = r.get("num_envs", c.num_envs, 1, 1 << 20);
  c.total_samples = r.get("total_samples", c.total_samples, 1LL, 1LL << 50);
  c.seed = r.get("seed", c.seed);
  c.threads = r.get("threads", c.threads, 0, 1024);
  c.checkpoint_every = r.get("checkpoint_every", c.checkpoint_every, 1, 1 << 30);
  c.eval_episodes = r.get("eval_episodes", c.eval_episodes, 0, 1 << 20);
  c.agent = parse_agent(r.sub("agent"), source + "/agent");
  c.ppo = parse_ppo(r.sub("ppo"), source + "/ppo");
  r.finish();
  const long long batch = static_cast<long long>(c.num_envs) * c.ppo.rollout_steps;
  if (batch < c.ppo.minibatches)
    throw std::invalid_argument(source + ": num_envs * ppo.rollout_steps (" +
                                std::to_string(batch) + ") is smaller than ppo.minibatches");
  return c;
}

TrainConfig load_train_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open the training config");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(f);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
  }
  return parse_train_config(doc, path);
}

namespace {

nlohmann::json ppo_to_json(const TrainConfig& c) {
  const AgentConfig& a = c.agent;
  const PpoConfig& p = c.ppo;
  return {{"task", c.task},
          {"env", c.env_params},
          {"num_envs", c.num_envs},
          {"total_samples", c.total_samples},
          {"seed", c.seed},
          {"threads", c.threads},
          {"checkpoint_every", c.checkpoint_every},
          {"eval_episodes", c.eval_episodes},
          {"agent",
           {{"policy_hidden", a.policy_hidden},
            {"value_hidden", a.value_hidden},
            {"activation", a.activation},
            {"layer_norm", a.layer_norm},
            {"init_log_std", a.init_log_std},
            {"policy_out_gain", a.policy_out_gain},
            {"obs_norm", a.obs_norm},
            {"obs_clip", a.obs_clip}}},
          {"ppo",
           {{"rollout_steps", p.rollout_steps},
            {"epochs", p.epochs},
            {"minibatches", p.minibatches},
            {"lr", p.lr},
            {"lr_schedule", p.lr_schedule},
            {"desired_kl", p.desired_kl},
            {"lr_min", p.lr_min},
            {"lr_max", p.lr_max},
            {"gamma", p.gamma},
            {"lambda", p.lambda},
            {"clip", p.loss.clip},
            {"value_clip", p.loss.value_clip},
            {"value_coef", p.loss.value_coef},
            {"entropy_coef", p.loss.entropy_coef},
            {"bound_coef", p.loss.bound_coef},
            {"bound_margin", p.loss.bound_margin},
            {"clipped_likelihood", p.loss.clipped_likelihood},
            {"max_grad_norm", p.max_grad_norm},
            {"adv_norm", p.adv_norm},
            {"target_kl", p.target_kl},
            {"weight_decay", p.weight_decay},
            {"min_log_std", p.min_log_std},
            {"max_log_std", p.max_log_std},
            {"flow", to_json(p.flow)}}}};
}

}  // namespace

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j = ppo_to_json(c);
  j["algo"] = c.algo;
  if (c.algo == "qflex") j["qflex"] = c.qflex;  // the section as given (rl/qflex fills defaults)
  return j;
}

}  // namespace sinew::rl
