// SPDX-License-Identifier: Apache-2.0
// Task "arm26_reach" (issue 4, task b): the arm26 model (2 hinges in the horizontal plane,
// 6 muscles) moves its hand to a target. The hand is the point 0.5 m along the forearm's x axis
// from the elbow, i.e. the distal end of the forearm capsule (`hand_offset`). Each episode
// starts at joint angles uniform in the joint ranges at rest with zero activation, and draws a
// target as the hand position at independent joint angles uniform in the ranges. Episodes last
// 1 s (50 actions of 0.02 s = 4 physics steps of 0.005 s). Reward per action:
// -dist_weight * |hand - target| - effort_weight * mean(excitation^2). Score: the hand-target
// distance at the end of the episode (m); success: below 3 cm.
// Observation (23): qpos (2), qvel (2), activations (6), hand xy, target xy, target - hand xy,
// muscle forces / 100 N (6), the fraction of the episode left. With `fibres` k > 1 every muscle
// is split into k parallel fibres of 1/k the force (rl/env/model_variants.h): 6k actions, and the
// activations and forces of all fibres in the observation.
#include <cmath>

#include "rl/config_reader.h"
#include "rl/env/physics_env.h"
#include "rl/env/tasks.h"

namespace sinew::rl {

namespace {

class Arm26ReachEnv final : public PhysicsEnv {
 public:
  Arm26ReachEnv(ConfigReader& p, int n, std::uint64_t seed)
      : PhysicsEnv(p.get<std::string>("model", "models/arm26.json"), n, seed,
                   p.get<int>("frame_skip", 4, 1, 1000),
                   ModelVariant{false, p.get<int>("fibres", 1, 1, 10000)}) {
    init_actions();
    spec_.name = "arm26_reach";
    spec_.max_episode_steps = p.get<int>("episode_steps", 50, 1, 1000000);
    spec_.score_name = "final_distance_m";
    spec_.score_lower_is_better = true;
    dist_weight_ = p.get<double>("dist_weight", 10.0);
    effort_weight_ = p.get<double>("effort_weight", 0.0);
    success_radius_ = p.get<double>("success_radius", 0.03);
    const std::vector<double> off = p.get<std::vector<double>>("hand_offset", {0.5, 0, 0});
    if (off.size() != 3) throw std::invalid_argument("env.params/hand_offset: expected 3 numbers");
    for (int i = 0; i < 3; ++i) hand_offset_[i] = off[i];
    const int j_sh = joint_id(p.get<std::string>("shoulder_joint", "shoulder"));
    const int j_el = joint_id(p.get<std::string>("elbow_joint", "elbow"));
    hand_body_ = model_.jnt_bodyid[j_el];
    for (int j : {j_sh, j_el})
      if (model_.jnt_type[j] != kJointHinge || !model_.jnt_limited[j])
        throw std::invalid_argument(model_.source + ": joint '" + model_.jnt_name[j] +
                                    "' must be a limited hinge");
    joints_[0] = j_sh;
    joints_[1] = j_el;
    if (model_.size.nq != 2)
      throw std::invalid_argument(model_.source + ": arm26_reach expects exactly 2 joints");
    spec_.obs_dim = 2 + 2 + model_.size.na + 6 + model_.size.nu + 1;
    targets_.assign(2 * static_cast<std::size_t>(n), 0.0);
    init_buffers();
  }

 protected:
  void hand(int w, double out[3]) const {
    const WorldData<double> d = world(w);
    const double* p = d.xpos + 3 * hand_body_;
    const double* R = d.xmat + 9 * hand_body_;
    for (int i = 0; i < 3; ++i)
      out[i] = p[i] + R[3 * i] * hand_offset_[0] + R[3 * i + 1] * hand_offset_[1] +
               R[3 * i + 2] * hand_offset_[2];
  }
  double distance(int w) const {
    double h[3];
    hand(w, h);
    return std::hypot(h[0] - targets_[2 * w], h[1] - targets_[2 * w + 1]);
  }
  void random_angles(Rng& rng, double* q) const {
    for (int i = 0; i < 2; ++i) {
      const double* r = model_.jnt_range.data() + 2 * joints_[i];
      q[model_.jnt_qposadr[joints_[i]]] = rng.uniform(r[0], r[1]);
    }
  }
  void reset_world(int w, Rng& rng) override {
    data_.reset(model_, w);
    WorldData<double> d = world(w);
    // the target first: the hand at random joint angles
    random_angles(rng, d.qpos);
    refresh(w);
    double h[3];
    hand(w, h);
    targets_[2 * w] = h[0];
    targets_[2 * w + 1] = h[1];
    random_angles(rng, d.qpos);
    refresh_reset(w);
  }
  void observe_world(int w, float* o) const override {
    const WorldData<double> d = world(w);
    double h[3];
    hand(w, h);
    const double tx = targets_[2 * w], ty = targets_[2 * w + 1];
    int k = 0;
    for (int i = 0; i < 2; ++i) o[k++] = static_cast<float>(d.qpos[i]);
    for (int i = 0; i < 2; ++i) o[k++] = static_cast<float>(d.qvel[i]);
    for (int i = 0; i < model_.size.na; ++i) o[k++] = static_cast<float>(d.act[i]);
    o[k++] = static_cast<float>(h[0]);
    o[k++] = static_cast<float>(h[1]);
    o[k++] = static_cast<float>(tx);
    o[k++] = static_cast<float>(ty);
    o[k++] = static_cast<float>(tx - h[0]);
    o[k++] = static_cast<float>(ty - h[1]);
    for (int u = 0; u < model_.size.nu; ++u)
      o[k++] = static_cast<float>(d.actuator_force[u] / 100.0);
    o[k++] = static_cast<float>(1.0 - *d.time / (spec_.max_episode_steps * spec_.control_dt));
  }
  float reward_world(int w, const float* a) const override {
    double effort = 0;
    for (int u = 0; u < spec_.act_dim; ++u) effort += double(a[u]) * a[u];
    effort /= spec_.act_dim;
    return static_cast<float>(-dist_weight_ * distance(w) - effort_weight_ * effort);
  }
  bool terminated_world(int) const override { return false; }
  double score_world(int w) const override { return distance(w); }
  bool success_world(int w) const override { return distance(w) < success_radius_; }

 private:
  double dist_weight_ = 10, effort_weight_ = 0, success_radius_ = 0.03;
  double hand_offset_[3] = {0.5, 0, 0};
  int hand_body_ = -1, joints_[2] = {-1, -1};
  std::vector<double> targets_;
};

}  // namespace

std::unique_ptr<Env> make_arm26_reach_env(ConfigReader& params, int n, std::uint64_t seed) {
  return std::make_unique<Arm26ReachEnv>(params, n, seed);
}

}  // namespace sinew::rl
