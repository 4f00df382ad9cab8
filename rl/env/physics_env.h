// SPDX-License-Identifier: Apache-2.0
// Base of the tasks that run on the Sinew engine: one Model, one Data batch (double precision,
// one world per environment), actions written into ctrl (clipped to each actuator's ctrlrange),
// `frame_skip` physics steps per action. A world whose physics diverges is flagged by the engine,
// reset by it, and ends its episode as terminated.
#pragma once

#include <string>

#include "engine/data.h"
#include "engine/model.h"
#include "rl/env/env.h"
#include "rl/env/model_variants.h"

namespace sinew::rl {

// Finds a model file: `path` as given, else relative to $SINEW_HOME, else to the source tree the
// binary was built from (so `models/arm26.json` works from any directory). Throws naming the
// places tried.
std::string find_model_file(const std::string& path);

class PhysicsEnv : public Env {
 public:
  // `variant`: free root (acrobatic clips retargeted with `sinew retarget --free-root`) or
  // muscles split into fibres (rl/env/model_variants.h).
  PhysicsEnv(const std::string& model_path, int num_envs, std::uint64_t seed, int frame_skip,
             const ModelVariant& variant = {});
  const Model& model() const { return model_; }
  int frame_skip() const { return frame_skip_; }
  // World w's state (read-only use: recording, metrics).
  WorldData<double> world_state(int w) const { return data_.world(w); }
  // The reference pose world w should be in now (tasks that track a motion); false otherwise.
  virtual bool reference_qpos(int w, double* qpos) const {
    (void)w;
    (void)qpos;
    return false;
  }

 protected:
  bool act_world(int w, const float* action, Rng& rng) override;
  // Sets spec_.act_dim/act_low/act_high from the actuators and control_dt from frame_skip.
  void init_actions();
  // Recomputes the body, geom and site poses of world w from its qpos (the engine's step leaves
  // them at the start of the last physics step); act_world() does it after stepping, tasks call
  // it after changing qpos outside a step. Muscle lengths and forces stay those of the last
  // physics step.
  void refresh(int w);
  // After a reset: the whole forward pass at the new state (poses, tendon and muscle lengths,
  // velocities and forces, contacts), so that the first observation of an episode describes the
  // reset state and not the end of the world's previous episode (or zeros).
  void refresh_reset(int w);
  // Muscle state of world w into o (3 nu floats): per actuator its length normalised to the
  // length range, velocity / range width and force / 1000 N (clamped to +-10). Returns 3 nu.
  int write_muscle_obs(int w, float* o) const;
  WorldData<double> world(int w) const { return data_.world(w); }
  int body_id(const std::string& name) const;
  int joint_id(const std::string& name) const;

  Model model_;
  ModelView<double> mv_;
  Data<double> data_;
  int frame_skip_;
};

}  // namespace sinew::rl
