// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/qflex: the source policy's reparameterised gradient against finite differences; the replay
// ring buffer; config parsing (defaults, unknown keys); the Qflex trainer on a few hundred
// pendulum samples with tiny networks: actions inside the env's bounds, bitwise determinism for a
// seed and thread count, and checkpoint save/load (atomic file, same state after reload).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "rl/qflex/qflex_trainer.h"
#include "rl/qflex/replay.h"
#include "rl/qflex/source_policy.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::rl;
using namespace sinew::rl::qflex;
using sinew::nn::Matrix;
using namespace sinew::nn::test;
using nlohmann::json;

namespace {

TrainConfig tiny_base(std::uint64_t seed) {
  return parse_train_config(
      {{"task", "pendulum"}, {"num_envs", 4}, {"total_samples", 400}, {"seed", seed}}, "tiny");
}

QflexConfig tiny_qflex() {
  return parse_qflex_config({{"critic_hidden", {16, 16}},
                             {"policy_hidden", {16}},
                             {"velocity_hidden", {16}},
                             {"batch_size", 32},
                             {"warmup_samples", 100},
                             {"updates_per_step", 1.5},
                             {"policy_delay", 2},
                             {"ascent_steps", 3},
                             {"flow_steps", 4},
                             {"entropy_coef", 0.5},
                             {"auto_entropy", true},
                             {"iteration_samples", 100}},
                            "tiny/qflex");
}

bool same_params(const BrnMlp& a, const BrnMlp& b) {
  return a.num_params() == b.num_params() &&
         std::equal(a.params(), a.params() + a.num_params(), b.params());
}

}  // namespace

TEST_CASE("source policy: reparameterised gradient matches finite differences") {
  BrnMlpConfig net;
  net.hidden = {8};
  net.activation = sinew::nn::Activation::kTanh;
  SourcePolicy pol(3, 2, net, 5, -3.f, 1.f);
  // larger output weights than the init so that means and log stds vary
  for (std::size_t i = 0; i < pol.net.num_params(); ++i) pol.net.params()[i] *= 8.f;
  const Matrix s = random_matrix(6, 3, 6), eps = random_matrix(6, 2, 7, 2.f);
  const Matrix r = random_matrix(6, 2, 8);
  Matrix a;
  pol.sample(s, eps, a, Mode::kEval);
  CHECK(a.cwiseAbs().maxCoeff() < 1.f);
  pol.backward(r);
  std::vector<float> g(pol.net.grads(), pol.net.grads() + pol.net.num_params());
  auto loss = [&] {
    Matrix aa;
    pol.sample(s, eps, aa, Mode::kEval);
    return LossEval{weighted_sum(aa, r), 0};
  };
  const FdReport rep =
      check_gradient(pol.net.params(), g.data(), g.size(), 1e-3f, 1e-3, 2e-2, loss);
  MESSAGE("worst " << rep.worst << " over " << rep.checked);
  CHECK(rep.worst <= 1.0);
}

TEST_CASE("replay buffer: ring overwrite and uniform sampling") {
  ReplayBuffer rb(5, 2, 1);
  for (int k = 0; k < 7; ++k) {  // 7 rows into 5 slots: rows 0 and 1 are overwritten
    const float o[2] = {float(k), float(-k)}, a = float(10 + k), r = float(k), n[2] = {0, 0};
    const std::uint8_t t = k % 2;
    rb.add(1, o, &a, &r, n, &t);
  }
  CHECK(rb.size() == 5);
  Rng rng(1, 0);
  ReplayBatch b;
  rb.sample(500, rng, b);
  int seen[7] = {};
  for (int i = 0; i < 500; ++i) {
    const int k = static_cast<int>(b.obs(i, 0));
    CHECK(b.act(i, 0) == 10 + k);
    CHECK(b.reward[i] == k);
    CHECK(b.terminated[i] == k % 2);
    ++seen[k];
  }
  CHECK(seen[0] == 0);
  CHECK(seen[1] == 0);
  for (int k = 2; k < 7; ++k) CHECK(seen[k] > 60);
  std::stringstream ss;
  rb.save(ss);
  const ReplayBuffer back = ReplayBuffer::load(ss, "memory");
  Rng r1(2, 0), r2(2, 0);
  ReplayBatch b1, b2;
  rb.sample(20, r1, b1);
  back.sample(20, r2, b2);
  CHECK((b1.obs.array() == b2.obs.array()).all());
}

TEST_CASE("qflex config: defaults, round trip and errors") {
  const QflexConfig d = parse_qflex_config(json(), "none");
  CHECK(d.ascent_steps == 20);
  CHECK(d.ascent_eta == doctest::Approx(1e-2));
  CHECK(d.flow_steps == 20);
  CHECK(d.critic_hidden == std::vector<int>{256, 256, 256});
  CHECK(d.beta1 == doctest::Approx(0.5));
  const QflexConfig t = tiny_qflex();
  CHECK(to_json(parse_qflex_config(to_json(t), "round")) == to_json(t));
  CHECK_THROWS_AS(parse_qflex_config({{"ascent_step", 3}}, "typo"), std::invalid_argument);
  CHECK_THROWS_AS(parse_qflex_config({{"activation", "sigmoid"}}, "act"), std::invalid_argument);
  CHECK_THROWS_AS(parse_qflex_config({{"min_log_std", 1}, {"max_log_std", 0}}, "std"),
                  std::invalid_argument);
}

TEST_CASE("qflex trainer: bounded actions, determinism, checkpoints") {
  QflexTrainer a(tiny_base(3), tiny_qflex()), b(tiny_base(3), tiny_qflex());
  while (!a.done()) a.iterate();
  QflexStats last;
  while (!b.done()) last = b.iterate();
  CHECK(a.samples() == 400);
  CHECK(last.updates == 114);  // env steps 25..100 (samples >= 100) x 1.5 updates
  CHECK(a.replay().size() == 400);
  CHECK(std::isfinite(last.critic_loss));
  CHECK(std::isfinite(last.flow_loss));
  CHECK(same_params(a.state().critic.q[0], b.state().critic.q[0]));
  CHECK(same_params(a.state().source.net, b.state().source.net));
  CHECK(same_params(a.state().velocity.net, b.state().velocity.net));
  QflexTrainer other(tiny_base(4), tiny_qflex());
  while (!other.done()) other.iterate();
  CHECK(!same_params(a.state().critic.q[0], other.state().critic.q[0]));

  // deterministic actions lie inside the pendulum's control range [-2, 2]
  const PolicyFn pol = a.deterministic_policy();
  std::vector<float> obs = {1, 0, 0, -1, 0, 0.5f, 0, 1, -2}, act(3);
  pol(obs, act);
  for (float u : act) CHECK(std::fabs(u) <= 2.f);

  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_qflex_trainer_test.ckpt").string();
  a.save_checkpoint(path);
  CHECK(!std::filesystem::exists(path + ".tmp"));
  QflexTrainer c(tiny_base(3), tiny_qflex());
  c.load_checkpoint(path);
  CHECK(c.samples() == a.samples());
  CHECK(c.state().updates == a.state().updates);
  CHECK(same_params(c.state().critic.q[1], a.state().critic.q[1]));
  CHECK(same_params(c.state().velocity.net, a.state().velocity.net));
  CHECK(c.state().opt_source.steps() == a.state().opt_source.steps());
  CHECK(c.state().log_alpha == a.state().log_alpha);
  CHECK(a.state().log_alpha != doctest::Approx(std::log(0.5)));  // tuned
  CHECK(c.replay().size() == a.replay().size());
  std::vector<float> act_c(3);
  c.deterministic_policy()(obs, act_c);
  CHECK(act_c == act);
  // evaluation loads the networks without the replay buffer (gigabytes at |A| = 702)
  QflexConfig small = tiny_qflex();
  small.buffer_size = 1;
  QflexTrainer e(tiny_base(3), small);
  e.load_checkpoint(path, false);
  CHECK(e.replay().size() == 0);
  CHECK(same_params(e.state().critic.q[1], a.state().critic.q[1]));
  std::vector<float> act_e(3);
  e.deterministic_policy()(obs, act_e);
  CHECK(act_e == act);
  TrainConfig base;
  QflexConfig q;
  read_qflex_checkpoint_config(path, base, q);
  CHECK(base.num_envs == 4);
  CHECK(q.policy_delay == 2);
  std::filesystem::remove(path);
  CHECK_THROWS_AS(c.load_checkpoint(path), std::runtime_error);
}

TEST_CASE("qflex trainer with target critics: they trail the critics and survive checkpoints") {
  QflexConfig q = tiny_qflex();
  q.target_tau = 0.05f;
  QflexTrainer a(tiny_base(5), q);
  CHECK(same_params(a.state().target.q[0], a.state().critic.q[0]));  // start as copies
  while (!a.done()) a.iterate();
  const BrnMlp &on = a.state().critic.q[0], &tg = a.state().target.q[0];
  REQUIRE(tg.num_params() == on.num_params());
  CHECK(!same_params(tg, on));  // averaged, not copied
  CHECK(tg.stat_steps() == on.stat_steps());
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_qflex_target_test.ckpt").string();
  a.save_checkpoint(path);
  QflexTrainer b(tiny_base(5), q);
  b.load_checkpoint(path);
  CHECK(same_params(b.state().target.q[1], a.state().target.q[1]));
  // a checkpoint without target critics resumes with them starting at the critics
  QflexTrainer plain(tiny_base(5), tiny_qflex());
  while (!plain.done()) plain.iterate();
  plain.save_checkpoint(path);
  QflexTrainer c(tiny_base(5), q);
  c.load_checkpoint(path);
  CHECK(same_params(c.state().target.q[0], plain.state().critic.q[0]));
  std::filesystem::remove(path);
}

TEST_CASE("qflex trainer with averaged acting copies: evaluation acts with them") {
  const std::vector<float> obs = {0.3f, -0.2f, 0.5f, 1.f, 0.f, 0.f};  // two pendulum states
  auto policy_out = [&](const PolicyFn& p) {
    std::vector<float> a;
    p(obs, a);
    return a;
  };
  // tau = 1: the copies follow the live source and velocity networks exactly
  QflexConfig one = tiny_qflex();
  one.policy_avg_tau = 1.f;
  QflexTrainer f(tiny_base(6), one);
  while (!f.done()) f.iterate();
  CHECK(same_params(f.state().avg_source.net, f.state().source.net));
  CHECK(same_params(f.state().avg_velocity.net, f.state().velocity.net));
  CHECK(policy_out(f.deterministic_policy()) == policy_out(f.deterministic_policy(true)));
  // tau = 0.05: they trail, and the deterministic policy uses them unless asked for the live ones
  QflexConfig q = tiny_qflex();
  q.policy_avg_tau = 0.05f;
  QflexTrainer a(tiny_base(6), q);
  CHECK(same_params(a.state().avg_source.net, a.state().source.net));  // start as copies
  while (!a.done()) a.iterate();
  CHECK(!same_params(a.state().avg_source.net, a.state().source.net));
  CHECK(!same_params(a.state().avg_velocity.net, a.state().velocity.net));
  const std::vector<float> avg = policy_out(a.deterministic_policy());
  const std::vector<float> live = policy_out(a.deterministic_policy(true));
  CHECK(avg != live);
  // the live networks, once set to the copies, act as the averaged policy did
  QflexTrainer swap(tiny_base(6), q);
  while (!swap.done()) swap.iterate();
  swap.state().source = swap.state().avg_source;
  swap.state().velocity = swap.state().avg_velocity;
  CHECK(policy_out(swap.deterministic_policy(true)) == avg);
  // stochastic evaluation: one stream per world, reproducible for a seed, another seed differs
  const std::vector<float> s1 = policy_out(a.stochastic_policy(2, 9));
  CHECK(policy_out(a.stochastic_policy(2, 9)) == s1);
  CHECK(policy_out(a.stochastic_policy(2, 10)) != s1);
  CHECK(policy_out(a.stochastic_policy(2, 9, true)) != s1);  // the live networks
  CHECK_THROWS_AS(policy_out(a.stochastic_policy(3, 9)), std::invalid_argument);
  // checkpoints keep the copies; a checkpoint without them resumes with copies of the networks
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_qflex_avg_test.ckpt").string();
  a.save_checkpoint(path);
  QflexTrainer b(tiny_base(6), q);
  b.load_checkpoint(path);
  CHECK(same_params(b.state().avg_source.net, a.state().avg_source.net));
  CHECK(policy_out(b.deterministic_policy()) == avg);
  // ... and a config without copies reads past them to the replay buffer
  QflexTrainer d(tiny_base(6), tiny_qflex());
  d.load_checkpoint(path);
  CHECK(same_params(d.state().source.net, a.state().source.net));
  CHECK(d.replay().size() == a.replay().size());
  CHECK(policy_out(d.deterministic_policy()) == live);
  QflexTrainer plain(tiny_base(6), tiny_qflex());
  while (!plain.done()) plain.iterate();
  plain.save_checkpoint(path);
  TrainConfig longer = tiny_base(6);
  longer.total_samples = 600;
  QflexTrainer c(longer, q);
  c.load_checkpoint(path);
  CHECK(same_params(c.state().avg_source.net, plain.state().source.net));
  CHECK(same_params(c.state().avg_velocity.net, plain.state().velocity.net));
  c.iterate();  // the copies go on trailing the resumed networks
  CHECK(!same_params(c.state().avg_source.net, plain.state().source.net));
  CHECK(!same_params(c.state().avg_source.net, c.state().source.net));
  std::filesystem::remove(path);
}

TEST_CASE("training config: \"algo\": \"qflex\" with a \"qflex\" section") {
  const json doc = {{"algo", "qflex"}, {"task", "pendulum"}, {"qflex", {{"ascent_steps", 7}}}};
  const TrainConfig c = parse_train_config(doc, "cfg");
  CHECK(c.algo == "qflex");
  CHECK(parse_qflex_config(c.qflex, "cfg/qflex").ascent_steps == 7);
  const TrainConfig again = parse_train_config(to_json(c), "again");
  CHECK(to_json(again) == to_json(c));
  CHECK(parse_train_config({{"task", "pendulum"}}, "ppo").algo == "ppo");
  CHECK(!to_json(parse_train_config(json::object(), "ppo")).contains("qflex"));
  CHECK_THROWS_AS(parse_train_config({{"algo", "sac"}}, "bad"), std::invalid_argument);
  for (const char* path : {"rl/configs/pendulum_qflex.json", "rl/configs/arm26_reach_qflex.json"})
    if (std::filesystem::exists(path)) {
      CAPTURE(path);
      const TrainConfig f = load_train_config(path);
      CHECK(f.algo == "qflex");
      CHECK_NOTHROW(parse_qflex_config(f.qflex, path));
    }
}
