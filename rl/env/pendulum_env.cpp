// SPDX-License-Identifier: Apache-2.0
// Task "pendulum": torque-driven swing-up (models/pendulum_swingup.json: 1 kg, 1 m rod, 2 N m
// motor, gravity torque up to 4.9 N m). theta = 0 is upright. Observation (cos theta,
// sin theta, theta_dot / 8); reward -(theta^2 + 0.1 theta_dot^2 + 0.001 u^2) with theta wrapped
// to [-pi, pi] (the classic swing-up cost); episodes of 200 actions of 0.05 s; start uniform in
// theta in [-pi, pi], theta_dot in [-1, 1]. Score: the return; success: upright at the end
// (|theta| < 0.2 rad, |theta_dot| < 1 rad/s); score: |theta| at the end (rad).
#include <cmath>

#include "rl/config_reader.h"
#include "rl/env/physics_env.h"
#include "rl/env/tasks.h"

namespace sinew::rl {

namespace {

double wrap_angle(double a) { return std::remainder(a, 2 * M_PI); }

class PendulumEnv final : public PhysicsEnv {
 public:
  PendulumEnv(ConfigReader& p, int n, std::uint64_t seed)
      : PhysicsEnv(p.get<std::string>("model", "models/pendulum_swingup.json"), n, seed,
                   p.get<int>("frame_skip", 5, 1, 1000)) {
    init_actions();
    spec_.name = "pendulum";
    spec_.obs_dim = 3;
    spec_.max_episode_steps = p.get<int>("episode_steps", 200, 1, 1000000);
    spec_.score_name = "final_abs_angle_rad";
    spec_.score_lower_is_better = true;
    if (model_.size.nq != 1 || model_.size.nu != 1)
      throw std::invalid_argument(model_.source + ": the pendulum task needs nq = nu = 1");
    init_buffers();
  }

 protected:
  void reset_world(int w, Rng& rng) override {
    WorldData<double> d = world(w);
    data_.reset(model_, w);
    d.qpos[0] = rng.uniform(-M_PI, M_PI);
    d.qvel[0] = rng.uniform(-1, 1);
  }
  void observe_world(int w, float* obs) const override {
    const WorldData<double> d = world(w);
    obs[0] = static_cast<float>(std::cos(d.qpos[0]));
    obs[1] = static_cast<float>(std::sin(d.qpos[0]));
    obs[2] = static_cast<float>(d.qvel[0] / 8);
  }
  float reward_world(int w, const float* a) const override {
    const WorldData<double> d = world(w);
    const double th = wrap_angle(d.qpos[0]), v = d.qvel[0];
    return static_cast<float>(-(th * th + 0.1 * v * v + 0.001 * a[0] * a[0]));
  }
  bool terminated_world(int) const override { return false; }
  double score_world(int w) const override { return std::fabs(wrap_angle(world(w).qpos[0])); }
  bool success_world(int w) const override {
    const WorldData<double> d = world(w);
    return std::fabs(wrap_angle(d.qpos[0])) < 0.2 && std::fabs(d.qvel[0]) < 1;
  }
};

}  // namespace

std::unique_ptr<Env> make_pendulum_env(ConfigReader& params, int n, std::uint64_t seed) {
  return std::make_unique<PendulumEnv>(params, n, seed);
}

}  // namespace sinew::rl
