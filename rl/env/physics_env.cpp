// SPDX-License-Identifier: Apache-2.0
#include "rl/env/physics_env.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "engine/forward.h"
#include "engine/kinematics.h"
#include "engine/model_io.h"

namespace sinew::rl {

std::string find_model_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::string tried = path;
  if (fs::exists(path)) return path;
  if (fs::path(path).is_relative()) {
    if (const char* home = std::getenv("SINEW_HOME")) {
      const fs::path p = fs::path(home) / path;
      if (fs::exists(p)) return p.string();
      tried += ", " + p.string();
    }
#ifdef SINEW_SOURCE_DIR
    const fs::path p = fs::path(SINEW_SOURCE_DIR) / path;
    if (fs::exists(p)) return p.string();
    tried += ", " + p.string();
#endif
  }
  throw std::runtime_error("model file not found (tried " + tried + ")");
}

PhysicsEnv::PhysicsEnv(const std::string& model_path, int num_envs, std::uint64_t seed,
                       int frame_skip, const ModelVariant& variant)
    : Env(num_envs, seed),
      model_(load_model_variant(model_path, variant)),
      mv_(model_.view()),
      data_(model_, num_envs),
      frame_skip_(frame_skip) {
  if (frame_skip < 1) throw std::invalid_argument("frame_skip must be >= 1");
}

void PhysicsEnv::init_actions() {
  const int nu = model_.size.nu;
  spec_.act_dim = nu;
  spec_.act_low.resize(nu);
  spec_.act_high.resize(nu);
  for (int u = 0; u < nu; ++u) {
    const bool lim = model_.actuator_ctrllimited[u];
    spec_.act_low[u] = lim ? static_cast<float>(model_.actuator_ctrlrange[2 * u]) : -1.f;
    spec_.act_high[u] = lim ? static_cast<float>(model_.actuator_ctrlrange[2 * u + 1]) : 1.f;
  }
  spec_.control_dt = frame_skip_ * model_.opt.timestep;
}

bool PhysicsEnv::act_world(int w, const float* action, Rng& rng) {
  (void)rng;
  WorldData<double> d = data_.world(w);
  for (int u = 0; u < model_.size.nu; ++u) d.ctrl[u] = action[u];
  for (int s = 0; s < frame_skip_; ++s) {
    sinew::step(mv_, d);
    if (*d.flag != kFlagNone) {
      *d.flag = kFlagNone;
      return false;
    }
  }
  refresh(w);
  return true;
}

void PhysicsEnv::refresh(int w) {
  WorldData<double> d = data_.world(w);
  kinematics(mv_, d);
}

void PhysicsEnv::refresh_reset(int w) {
  WorldData<double> d = data_.world(w);
  forward(mv_, d);
}

int PhysicsEnv::body_id(const std::string& name) const {
  for (int b = 0; b < model_.size.nbody; ++b)
    if (model_.body_name[b] == name) return b;
  throw std::invalid_argument(model_.source + ": no body named '" + name + "'");
}

int PhysicsEnv::joint_id(const std::string& name) const {
  for (int j = 0; j < model_.size.njnt; ++j)
    if (model_.jnt_name[j] == name) return j;
  throw std::invalid_argument(model_.source + ": no joint named '" + name + "'");
}

int PhysicsEnv::write_muscle_obs(int w, float* o) const {
  const WorldData<double> d = world(w);
  int k = 0;
  for (int u = 0; u < model_.size.nu; ++u) {
    const double lo = model_.actuator_lengthrange[2 * u],
                 hi = model_.actuator_lengthrange[2 * u + 1];
    const double width = std::max(hi - lo, 1e-6);
    o[k++] = static_cast<float>((d.actuator_length[u] - lo) / width);
    o[k++] = static_cast<float>(d.actuator_velocity[u] / width);
    o[k++] = static_cast<float>(std::clamp(d.actuator_force[u] / 1000, -10.0, 10.0));
  }
  return k;
}

}  // namespace sinew::rl
