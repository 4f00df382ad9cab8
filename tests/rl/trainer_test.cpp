// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/ppo/train_config.h, ppo_trainer.h, evaluate.h: config defaults and errors naming the key;
// a tiny PPO run on the pendulum that is bitwise reproducible; checkpoints that round-trip,
// reject truncated and foreign files, are written atomically and resume training; evaluation
// returning one full-length episode per world.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "rl/ppo/evaluate.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/ppo/train_config.h"

using namespace sinew;
using namespace sinew::rl;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string config_error(const json& doc) {
  try {
    parse_train_config(doc, "cfg.json");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument)";
}

// 4 pendulums, 16 steps per rollout, 2 minibatches, 2 epochs, one hidden layer of 16.
TrainConfig tiny_config(std::uint64_t seed = 3) {
  const json doc = {{"task", "pendulum"},
                    {"num_envs", 4},
                    {"total_samples", 1000},
                    {"seed", seed},
                    {"threads", 2},
                    {"agent", {{"policy_hidden", {16}}, {"value_hidden", {16}}}},
                    {"ppo", {{"rollout_steps", 16}, {"minibatches", 2}, {"epochs", 2}}}};
  return parse_train_config(doc, "tiny");
}

bool same_floats(const float* a, const float* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(float)) == 0;
}

bool same_agent(const Agent& a, const Agent& b) {
  return a.policy.num_params() == b.policy.num_params() &&
         a.value.num_params() == b.value.num_params() &&
         same_floats(a.policy.params(), b.policy.params(), a.policy.num_params()) &&
         same_floats(a.value.params(), b.value.params(), a.value.num_params()) &&
         a.log_std == b.log_std && a.norm.mean() == b.norm.mean() && a.norm.var() == b.norm.var() &&
         a.norm.count() == b.norm.count();
}

// A scratch directory removed at the end of the scope.
struct TempDir {
  fs::path path;
  TempDir() {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = fs::temp_directory_path() / ("sinew_rl_trainer_test_" + std::to_string(stamp));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string runtime_error_of(const std::string& path) {
  try {
    read_checkpoint(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no std::runtime_error)";
}

}  // namespace

TEST_CASE("parse_train_config: defaults, values, errors naming the key") {
  const TrainConfig d = parse_train_config(json::object(), "cfg.json");
  CHECK(d.task == "pendulum");
  CHECK(d.num_envs == 64);
  CHECK(d.total_samples == 1000000);
  CHECK(d.seed == 1);
  CHECK(d.agent.policy_hidden == std::vector<int>{256, 256});
  CHECK(d.agent.value_hidden == std::vector<int>{256, 256});
  CHECK(d.agent.init_log_std == -0.5f);
  CHECK(d.agent.obs_norm);
  CHECK(d.ppo.rollout_steps == 64);
  CHECK(d.ppo.epochs == 10);
  CHECK(d.ppo.minibatches == 8);
  CHECK(d.ppo.lr == 3e-4f);
  CHECK(d.ppo.gamma == 0.99f);
  CHECK(d.ppo.lambda == 0.95f);
  CHECK(d.ppo.loss.clip == 0.2f);
  CHECK(d.ppo.loss.value_coef == 0.5f);
  CHECK(d.ppo.lr_schedule == "linear");

  const TrainConfig c = parse_train_config(
      {{"num_envs", 8}, {"ppo", {{"gamma", 0.9}, {"clip", 0.1}}}, {"env", {{"x", 1}}}}, "c");
  CHECK(c.num_envs == 8);
  CHECK(c.ppo.gamma == 0.9f);
  CHECK(c.ppo.loss.clip == 0.1f);
  CHECK(c.ppo.epochs == 10);
  CHECK(c.env_params == json{{"x", 1}});  // passed through to make_env, which checks the keys
  // to_json writes every key back: parsing it again gives the same configuration
  const TrainConfig again = parse_train_config(to_json(c), "again");
  CHECK(to_json(again) == to_json(c));

  CHECK(config_error({{"bogus", 1}}).find("cfg.json/bogus") != std::string::npos);
  CHECK(config_error({{"ppo", {{"bogus", 1}}}}).find("/ppo/bogus") != std::string::npos);
  CHECK(config_error({{"agent", {{"bogus", 1}}}}).find("/agent/bogus") != std::string::npos);
  CHECK(config_error({{"ppo", {{"gamma", 1.5}}}}).find("/ppo/gamma") != std::string::npos);
  CHECK(config_error({{"num_envs", 0}}).find("/num_envs") != std::string::npos);
  CHECK(config_error({{"num_envs", "many"}}).find("/num_envs") != std::string::npos);
  CHECK(config_error({{"ppo", {{"lr_schedule", "cosine"}}}}).find("lr_schedule") !=
        std::string::npos);
  CHECK(config_error({{"num_envs", 2}, {"ppo", {{"rollout_steps", 2}, {"minibatches", 5}}}})
            .find("minibatches") != std::string::npos);
}

TEST_CASE("PpoTrainer: two runs with one config are identical") {
  PpoTrainer a(tiny_config()), b(tiny_config()), other(tiny_config(4));
  const std::vector<float> initial(a.agent().policy.params(),
                                   a.agent().policy.params() + a.agent().policy.num_params());
  CHECK(a.samples_per_iteration() == 64);
  for (int it = 1; it <= 2; ++it) {
    const IterationStats sa = a.iterate(), sb = b.iterate(), so = other.iterate();
    INFO("iteration " << it);
    CHECK(sa.iteration == it);
    CHECK(sa.samples == 64 * it);
    CHECK(sa.epochs_run == 2);
    CHECK(std::isfinite(sa.loss.total));
    CHECK(sa.loss.total == sb.loss.total);
    CHECK(sa.loss.policy == sb.loss.policy);
    CHECK(sa.loss.value == sb.loss.value);
    CHECK(sa.loss.entropy == sb.loss.entropy);
    CHECK(sa.loss.approx_kl == sb.loss.approx_kl);
    CHECK(sa.loss.clip_frac == sb.loss.clip_frac);
    CHECK(sa.grad_norm == sb.grad_norm);
    CHECK(sa.value_grad_norm == sb.value_grad_norm);
    CHECK(sa.value_r2 == sb.value_r2);
    CHECK(sa.log_std_mean == sb.log_std_mean);
    CHECK(sa.lr == sb.lr);
    CHECK(sa.loss.value != so.loss.value);  // another seed is another run
  }
  CHECK(same_agent(a.agent(), b.agent()));
  CHECK(!same_agent(a.agent(), other.agent()));
  // and training moved the parameters
  CHECK(!same_floats(initial.data(), a.agent().policy.params(), initial.size()));
}

TEST_CASE("PpoTrainer: checkpoints round-trip, reject damaged files and resume") {
  TempDir dir;
  const std::string path = (dir.path / "run.ckpt").string();
  PpoTrainer t(tiny_config());
  t.iterate();
  t.iterate();
  t.save_checkpoint(path);
  CHECK(fs::exists(path));
  CHECK(!fs::exists(path + ".tmp"));  // written to a temporary file, then renamed

  const Checkpoint c = read_checkpoint(path);
  CHECK(c.samples == 128);
  CHECK(c.iteration == 2);
  CHECK(same_agent(c.agent, t.agent()));
  CHECK(c.agent.norm.count() > 0);
  CHECK(c.opt_policy.steps() == 2 * 2 * 2);  // iterations x epochs x minibatches
  CHECK(to_json(c.config) == to_json(t.config()));

  // saving over an existing checkpoint replaces it
  t.iterate();
  t.save_checkpoint(path);
  CHECK(read_checkpoint(path).iteration == 3);
  CHECK(!fs::exists(path + ".tmp"));

  SUBCASE("truncated to half its size") {
    const std::string bytes = read_bytes(path);
    const std::string cut = (dir.path / "cut.ckpt").string();
    write_bytes(cut, bytes.substr(0, bytes.size() / 2));
    const std::string msg = runtime_error_of(cut);
    CHECK(msg.find(cut) != std::string::npos);
    CHECK(msg.find("truncated") != std::string::npos);
  }
  SUBCASE("wrong magic") {
    std::string bytes = read_bytes(path);
    bytes[0] = 'X';
    const std::string bad = (dir.path / "bad.ckpt").string();
    write_bytes(bad, bytes);
    const std::string msg = runtime_error_of(bad);
    CHECK(msg.find(bad) != std::string::npos);
    CHECK(msg.find("magic") != std::string::npos);
  }
  SUBCASE("missing file") {
    CHECK(runtime_error_of((dir.path / "none.ckpt").string()).find("none.ckpt") !=
          std::string::npos);
  }
  SUBCASE("load into a fresh trainer and continue") {
    PpoTrainer fresh(tiny_config());
    CHECK(fresh.samples() == 0);
    CHECK(!same_agent(fresh.agent(), t.agent()));
    fresh.load_checkpoint(path);
    CHECK(fresh.samples() == 192);
    CHECK(fresh.iteration() == 3);
    CHECK(same_agent(fresh.agent(), t.agent()));
    const IterationStats st = fresh.iterate();
    CHECK(st.iteration == 4);
    CHECK(st.samples == 256);
    CHECK(fresh.samples() == 256);
    CHECK(std::isfinite(st.loss.total));
    CHECK(!same_agent(fresh.agent(), t.agent()));
  }
  SUBCASE("a checkpoint of other network shapes is refused") {
    TrainConfig wide = tiny_config();
    wide.agent.policy_hidden = {32};
    PpoTrainer w(wide);
    CHECK_THROWS_AS(w.load_checkpoint(path), std::runtime_error);
  }
}

TEST_CASE("PpoTrainer: the adaptive learning rate follows the KL and survives a checkpoint") {
  TempDir dir;
  const std::string path = (dir.path / "adaptive.ckpt").string();
  auto run = [&](float desired_kl) {
    TrainConfig c = tiny_config();
    c.ppo.lr_schedule = "adaptive";
    c.ppo.desired_kl = desired_kl;
    c.ppo.lr_min = 1e-5f;
    c.ppo.lr_max = 1e-3f;
    PpoTrainer t(c);
    IterationStats st;
    for (int i = 0; i < 3; ++i) st = t.iterate();
    t.save_checkpoint(path);
    return st;
  };
  // a KL target far above what the updates reach: the rate grows by 1.5 per minibatch to lr_max
  // (3e-4 -> 1e-3 within the first iteration's 4 minibatches)
  const IterationStats up = run(1e3f);
  CHECK(up.lr == doctest::Approx(1e-3f));
  CHECK(read_checkpoint(path).adaptive_lr == doctest::Approx(1e-3f));
  // a KL target far below them: it shrinks to lr_min
  const IterationStats down = run(1e-9f);
  CHECK(down.lr < 3e-4f / 1.5f / 1.5f);
  const Checkpoint c = read_checkpoint(path);
  CHECK(c.adaptive_lr >= 1e-5f);
  CHECK(c.adaptive_lr < 3e-4f / 1.5f);
  // a resumed run continues from the saved rate
  TrainConfig cfg = c.config;
  PpoTrainer resumed(cfg);
  resumed.load_checkpoint(path);
  CHECK(resumed.iterate().lr == doctest::Approx(c.adaptive_lr));
  CHECK(config_error({{"ppo", {{"lr_schedule", "cosine"}}}}).find("lr_schedule") !=
        std::string::npos);
}

TEST_CASE("evaluate: one full episode per world, deterministic") {
  PpoTrainer t(tiny_config());
  t.iterate();
  const int N = 6;
  auto env = make_env("pendulum", json::object(), N, 99);
  const EvalSummary s = evaluate(*env, deterministic_policy(t.agent()));
  REQUIRE(s.episodes.size() == N);
  double ret = 0;
  for (int w = 0; w < N; ++w) {
    CHECK(s.episodes[w].world == w);
    CHECK(s.episodes[w].length == 200);
    CHECK(s.episodes[w].truncated);
    ret += s.episodes[w].ret / N;
  }
  CHECK(s.return_mean == doctest::Approx(ret));
  CHECK(s.length_mean == doctest::Approx(200));
  // the same policy on the same worlds (a second env of the same seed) gives the same
  // episodes; another policy does not
  auto twin = make_env("pendulum", json::object(), N, 99);
  const EvalSummary again = evaluate(*twin, deterministic_policy(t.agent()));
  for (int w = 0; w < N; ++w) CHECK(again.episodes[w].ret == s.episodes[w].ret);
  const EvalSummary push = evaluate(*env, constant_policy(1, 2.f));
  CHECK(push.return_mean != s.return_mean);
  CHECK(push.episodes.size() == N);
  // the stochastic policy: reproducible for a seed, different from the mean and between seeds,
  // and it needs one random stream per world
  auto sto = [&](std::uint64_t seed) {
    auto e = make_env("pendulum", json::object(), N, 99);
    return evaluate(*e, stochastic_policy(t.agent(), N, seed));
  };
  const EvalSummary s1 = sto(5), s1b = sto(5), s2 = sto(6);
  for (int w = 0; w < N; ++w) CHECK(s1.episodes[w].ret == s1b.episodes[w].ret);
  CHECK(s1.return_mean != s.return_mean);
  CHECK(s1.return_mean != s2.return_mean);
  auto e3 = make_env("pendulum", json::object(), N + 1, 99);
  CHECK_THROWS_AS(evaluate(*e3, stochastic_policy(t.agent(), N, 5)), std::invalid_argument);
}

TEST_CASE("clipped_gaussian_mean: E[clip(X, lo, hi)] against numerical integration") {
  for (double mu : {-0.7, -0.1, 0.0, 0.3, 0.95, 1.6})
    for (double sigma : {0.05, 0.37, 1.0}) {
      // midpoint rule over +-10 sigma
      const int n = 200000;
      double sum = 0;
      for (int i = 0; i < n; ++i) {
        const double z = -10 + 20 * (i + 0.5) / n;
        const double x = mu + sigma * z;
        sum += std::min(std::max(x, 0.0), 1.0) * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI) *
               (20.0 / n);
      }
      INFO("mu " << mu << " sigma " << sigma);
      CHECK(clipped_gaussian_mean(mu, sigma, 0, 1) == doctest::Approx(sum).epsilon(1e-6));
    }
  CHECK(clipped_gaussian_mean(-0.3, 0, 0, 1) == 0);  // sigma 0: clip(mu)
  CHECK(clipped_gaussian_mean(0.4, 0, 0, 1) == doctest::Approx(0.4));
  CHECK(clipped_gaussian_mean(50, 1, 0, 1) == doctest::Approx(1));
}
