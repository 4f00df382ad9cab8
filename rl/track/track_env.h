// SPDX-License-Identifier: Apache-2.0
// Task "track" (issue 5, items 3-5; docs/tracking.md): a muscle-driven model follows a reference
// motion (rl/track/reference.h) in N worlds at once.
//   reset: reference-state initialisation at a uniformly random frame of the first cycle
//          (evaluation: frame 0), qpos and qvel of the reference, zero activation
//   action: the excitations of all muscles (clipped to [0, 1])
//   termination: the mean distance of the tracked bodies from their reference positions exceeds
//          `termination_distance` (m); truncation after `episode_steps` actions
//   reward: "exp" (hand-weighted exponential kernels, DeepMimic style) or "adversarial" (a
//          discriminator scores the normalised tracking-error vector, rl/track/discriminator.h),
//          plus optional effort / power penalties and an alive bonus
//   score: fraction of the episode tracked; success: tracked to the end
// Observation layout (B tracked bodies other than the root, K future offsets):
//   qpos without the horizontal root slides (nq - 2), qvel / 10 (nv), tracked body positions
//   relative to the root in the heading frame (3B), activations (na), per muscle length
//   normalised to its length range, velocity / range width, force / 1000 N clipped to +-10 (3nu),
//   per future offset k: reference qpos - qpos without the horizontal slides (nq - 2), reference
//   root - root horizontally in the heading frame (2), reference - simulated root-relative body
//   positions in the heading frame (3B); then sin and cos of the cycle phase and the fraction
//   of the episode elapsed (3).
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "rl/config_reader.h"
#include "rl/env/physics_env.h"
#include "rl/motion/clip.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/track/discriminator.h"
#include "rl/track/reference.h"
#include "rl/track/track_metrics.h"

namespace sinew::track {

// Exponential-kernel tracking reward: sum_i weight_i * exp(-scale_i * e_i) with
//   e_pose = sum over independent hinges of (q - q_ref)^2            (rad^2)
//   e_vel  = sum over independent hinges of (qd - qd_ref)^2          (rad^2/s^2)
//   e_body = sum over tracked non-root bodies of |root-relative position error|^2  (m^2)
//   e_root = |root position error|^2 + (root orientation error angle)^2 / 10      (m^2, rad^2)
struct ExpRewardConfig {
  double w_pose = 0.5, w_vel = 0.1, w_body = 0.2, w_root = 0.2;
  double k_pose = 2, k_vel = 0.1, k_body = 40, k_root = 20;
};
double exp_reward(const ExpRewardConfig& c, double e_pose, double e_vel, double e_body,
                  double e_root);

class TrackEnv final : public rl::PhysicsEnv,
                       public rl::RewardModelProvider,
                       public rl::RewardModel {
 public:
  TrackEnv(rl::ConfigReader& p, int n, std::uint64_t seed);

  // Evaluation: every episode starts at reference frame 0 without noise.
  // Evaluation: no initial noise, start at phase 0 (or, with random_start, uniform over the first
  // cycle as in training).
  void set_eval_mode(bool on, bool random_start = false) {
    eval_mode_ = on;
    eval_random_start_ = random_start;
  }
  const Reference& reference() const { return ref_; }
  const TrackSelection& selection() const { return sel_; }
  int start_frame(int w) const { return ws_[w].start; }
  // Reference frame world w's state is compared with now (start + actions taken).
  int current_frame(int w) const { return ws_[w].start + ws_[w].t; }
  bool reference_qpos(int w, double* qpos) const override {
    const int f = std::min(current_frame(w), ref_.nframe - 1);
    std::copy_n(ref_.qpos_at(f), ref_.nq, qpos);
    return true;
  }
  // The current episode's metrics (after an episode ends without auto-reset: that episode's).
  const EpisodeMetrics& episode_metrics(int w) const { return ws_[w].metrics; }
  // Errors of world w's state against its current reference frame (computed after each action;
  // call refresh_errors after changing the state by hand).
  const FrameErrors& errors(int w) const { return ws_[w].err; }
  const std::vector<double>& error_features(int w) const { return ws_[w].delta; }
  void refresh_errors(int w);
  int feature_dim() const { return feature_dim_; }
  bool adversarial() const { return adversarial_; }
  Discriminator& discriminator() { return disc_; }

  // RewardModelProvider / RewardModel (adversarial reward only)
  rl::RewardModel* reward_model() override { return adversarial_ ? this : nullptr; }
  std::vector<std::pair<std::string, double>> update() override;
  void save(std::ostream& os) const override { disc_.save(os); }
  void load(std::istream& is, const std::string& what) override { disc_.load(is, what); }

 protected:
  void reset_world(int w, rl::Rng& rng) override;
  bool act_world(int w, const float* action, rl::Rng& rng) override;
  void observe_world(int w, float* obs) const override;
  float reward_world(int w, const float* action) const override;
  bool terminated_world(int w) const override { return ws_[w].deviated; }
  double score_world(int w) const override { return ws_[w].metrics.fraction_tracked(); }
  bool success_world(int w) const override {
    return !ws_[w].deviated && ws_[w].t >= spec_.max_episode_steps;
  }

 private:
  struct WorldState {
    int start = 0, t = 0;
    bool deviated = false;
    FrameErrors err;
    double e_pose = 0, e_vel = 0, e_body = 0, e_root = 0, body_dev_m = 0;
    std::vector<double> delta;  // raw tracking-error features [feature_dim]
    EpisodeMetrics metrics;
    std::vector<float> recorded;  // adversarial: error vectors since the last update
  };
  double heading(const double* xquat_root) const;

  Reference ref_;
  TrackSelection sel_;
  motion::RootLayout root_;
  std::vector<int> obs_qpos_;   // qpos addresses observed (all but the horizontal root slides)
  std::vector<int> horiz_;      // the two horizontal root slide axes (world x/y components)
  std::vector<int> root_dofs_;  // qvel addresses of the root body's joints
  std::vector<int> offsets_;
  int cycle_frames_ = 1, feature_dim_ = 0;
  double termination_distance_ = 0.15, init_noise_ = 0;
  double alive_bonus_ = 0, effort_weight_ = 0, power_weight_ = 0;
  bool random_start_ = true, eval_mode_ = false, eval_random_start_ = false, adversarial_ = false;
  ExpRewardConfig exp_;
  Discriminator disc_;
  rl::Rng disc_rng_;
  std::vector<WorldState> ws_;
};

std::unique_ptr<rl::Env> make_track_env(rl::ConfigReader& params, int n, std::uint64_t seed);

}  // namespace sinew::track
