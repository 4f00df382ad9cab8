// SPDX-License-Identifier: Apache-2.0
// The batched environment API (ARCHITECTURE.md §6): N worlds stepped together; reset(mask),
// step(actions) -> observations, rewards, terminated, truncated; episode limit and auto-reset
// done by the base class (the tasks only say how one world resets, acts, is observed and scored);
// one random stream per world, so a run is reproducible whatever the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/cpu/thread_pool.h"
#include "rl/env/rng.h"

namespace sinew::rl {

struct EnvSpec {
  std::string name;
  int obs_dim = 0;
  int act_dim = 0;
  // Actions are clipped to [act_low, act_high] per dimension before they act (muscle
  // excitations: [0, 1]); the policy itself is an unbounded Gaussian.
  std::vector<float> act_low, act_high;
  double control_dt = 0;      // simulated seconds per action
  int max_episode_steps = 0;  // truncation limit (time limit), in actions
  std::string score_name;     // what score_world() measures, e.g. "final_distance_m"
  bool score_lower_is_better = false;
  // What a zero action does (the evaluation baseline's name): "zero-exc." unless the task adds a
  // feed-forward to the action.
  std::string zero_action_name = "zero-exc.";
};

// One completed episode (for logs and evaluation).
struct EpisodeResult {
  int world = 0;
  double ret = 0;    // undiscounted return
  int length = 0;    // actions taken
  double score = 0;  // task metric at the end of the episode
  bool success = false;
  bool truncated = false;  // ended by the time limit rather than by termination
};

class Env {
 public:
  Env(int num_envs, std::uint64_t seed);
  virtual ~Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  const EnvSpec& spec() const { return spec_; }
  int num_envs() const { return n_; }

  // Resets the worlds with mask[w] != 0 (every world when mask is empty) and writes their
  // first observation into obs().
  void reset(const std::vector<std::uint8_t>& mask = {});
  // Applies actions ([N][act_dim], row-major), advances every live world by one control step and
  // fills obs(), reward(), terminated(), truncated(). With auto-reset (the default) a world whose
  // episode ended is reset at once: obs() then holds the new episode's first observation and
  // final_obs() the last observation of the ended one (needed to bootstrap on truncation).
  // Without auto-reset (evaluation) an ended world is frozen and reports done again.
  void step(const float* actions);

  const std::vector<float>& obs() const { return obs_; }                       // [N][obs_dim]
  const std::vector<float>& final_obs() const { return final_obs_; }           // [N][obs_dim]
  const std::vector<float>& reward() const { return reward_; }                 // [N]
  const std::vector<std::uint8_t>& terminated() const { return terminated_; }  // [N]
  const std::vector<std::uint8_t>& truncated() const { return truncated_; }    // [N]

  void set_auto_reset(bool on) { auto_reset_ = on; }
  // With auto-reset off: whether world w's episode has ended.
  bool finished(int w) const { return frozen_[w] != 0; }
  // Episodes completed since the last call, in world order.
  std::vector<EpisodeResult> take_finished();
  // Worlds whose physics diverged (flagged and reset by the engine) since construction.
  long flagged_count() const { return flagged_total_; }

  // Threads used for the per-world work (shared with the networks' thread setting).
  void set_pool(cpu::ThreadPool* pool) { pool_ = pool; }

  // Training progress in environment samples so far (the trainer calls it before each rollout,
  // also after a resume), for tasks with a curriculum. An environment that never hears of it
  // (evaluation) runs the full task. Default: ignored.
  virtual void set_training_samples(long long samples) { (void)samples; }

 protected:
  // Task hooks, called concurrently for different worlds (never twice for one world at a time).
  virtual void reset_world(int w, Rng& rng) = 0;
  // Applies the clipped action and advances the physics by one control step; returns false if
  // the physics diverged (the world is then terminated).
  virtual bool act_world(int w, const float* action, Rng& rng) = 0;
  virtual void observe_world(int w, float* obs) const = 0;
  virtual float reward_world(int w, const float* action) const = 0;
  virtual bool terminated_world(int w) const = 0;
  virtual double score_world(int w) const {
    (void)w;
    return 0;
  }
  virtual bool success_world(int w) const {
    (void)w;
    return false;
  }

  // Call from the derived constructor once spec_ is complete: sizes the buffers.
  void init_buffers();
  EnvSpec spec_;

 private:
  void step_world(int w, const float* action, float* clipped);
  int n_;
  std::uint64_t seed_;
  std::vector<Rng> rng_;
  std::vector<float> obs_, final_obs_, reward_, clipped_;
  std::vector<std::uint8_t> terminated_, truncated_, frozen_, flagged_, ended_;
  std::vector<int> t_;
  std::vector<double> ret_;
  std::vector<EpisodeResult> ended_result_, finished_;
  long flagged_total_ = 0;
  bool auto_reset_ = true;
  cpu::ThreadPool* pool_ = nullptr;
};

// Builds a task by name ("pendulum", "arm26_reach", "locomotion_stand"); `params` is the task's
// JSON object from the training config (unknown keys are an error naming the key). Throws
// std::invalid_argument for an unknown task.
std::unique_ptr<Env> make_env(const std::string& task, const nlohmann::json& params, int num_envs,
                              std::uint64_t seed);
// The task names make_env knows, with a one-line description each.
std::vector<std::pair<std::string, std::string>> env_catalog();

}  // namespace sinew::rl
