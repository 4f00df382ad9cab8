// SPDX-License-Identifier: Apache-2.0
#include "rl/track/track_env.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/core/quat.h"
#include "engine/coupling.h"
#include "rl/motion/clip_ops.h"
#include "rl/motion/retarget.h"

namespace sinew::track {

namespace {

using Vec3d = Vec3<double>;
using Quatd = Quat<double>;

constexpr std::uint64_t kDiscStream = 0xAD0D15Cull;

// v turned by -yaw about z (world -> heading frame), x y only.
void to_heading(double yaw, double x, double y, float* out) {
  const double c = std::cos(yaw), s = std::sin(yaw);
  out[0] = static_cast<float>(c * x + s * y);
  out[1] = static_cast<float>(-s * x + c * y);
}

}  // namespace

double exp_reward(const ExpRewardConfig& c, double e_pose, double e_vel, double e_body,
                  double e_root) {
  return c.w_pose * std::exp(-c.k_pose * e_pose) + c.w_vel * std::exp(-c.k_vel * e_vel) +
         c.w_body * std::exp(-c.k_body * e_body) + c.w_root * std::exp(-c.k_root * e_root);
}

TrackEnv::TrackEnv(rl::ConfigReader& p, int n, std::uint64_t seed)
    : PhysicsEnv(p.get<std::string>("model", "models/ms_human_700_locomotion.json"), n, seed,
                 p.get<int>("frame_skip", 10, 1, 1000),
                 rl::ModelVariant{p.get<bool>("free_root", false), 1}),
      disc_rng_(seed, kDiscStream) {
  init_actions();
  spec_.name = "track";
  spec_.max_episode_steps = p.get<int>("episode_steps", 150, 1, 1000000);
  spec_.score_name = "fraction_tracked";
  const std::string clip = p.get<std::string>("clip", "models/motions/msgym/walking_gait.npz");
  const std::string clip_model = p.get<std::string>("clip_model", "models/ms_human_700.json");
  offsets_ = p.get<std::vector<int>>("future_offsets", {1, 2, 5});
  for (int k : offsets_)
    if (k < 0 || k > 10000)
      throw std::invalid_argument(p.where() + "/future_offsets: offsets must be in [0, 10000]");
  termination_distance_ = p.get<double>("termination_distance", 0.15, 0.0, 1e3);
  random_start_ = p.get<bool>("random_start", true);
  init_noise_ = p.get<double>("init_noise", 0.0, 0.0, 1.0);
  alive_bonus_ = p.get<double>("alive_bonus", 0.0);
  effort_weight_ = p.get<double>("effort_weight", 0.0, 0.0, 1e6);
  power_weight_ = p.get<double>("power_weight", 0.0, 0.0, 1e6);
  const std::string reward = p.get<std::string>("reward", "exp");
  if (reward != "exp" && reward != "adversarial")
    throw std::invalid_argument(p.where() + "/reward: '" + reward + "' (known: exp, adversarial)");
  adversarial_ = reward == "adversarial";
  {
    rl::ConfigReader e(p.sub("exp"), p.where() + "/exp");
    exp_.w_pose = e.get<double>("w_pose", exp_.w_pose);
    exp_.w_vel = e.get<double>("w_vel", exp_.w_vel);
    exp_.w_body = e.get<double>("w_body", exp_.w_body);
    exp_.w_root = e.get<double>("w_root", exp_.w_root);
    exp_.k_pose = e.get<double>("k_pose", exp_.k_pose);
    exp_.k_vel = e.get<double>("k_vel", exp_.k_vel);
    exp_.k_body = e.get<double>("k_body", exp_.k_body);
    exp_.k_root = e.get<double>("k_root", exp_.k_root);
    e.finish();
  }
  const DiscriminatorConfig dcfg =
      parse_discriminator_config(p.sub("discriminator"), p.where() + "/discriminator");

  sel_ = default_selection(model_);
  root_ = motion::model_root_layout(model_);
  horiz_ = motion::horizontal_position_axes(root_);
  if (horiz_.size() != 2)
    throw std::invalid_argument(model_.source + ": the root needs two horizontal position axes");
  for (int i = 0; i < model_.size.nq; ++i)
    if (i != root_.pos[horiz_[0]] && i != root_.pos[horiz_[1]]) obs_qpos_.push_back(i);
  for (int j = 0; j < model_.size.njnt; ++j)
    if (model_.jnt_bodyid[j] == sel_.root_body)
      for (int k = 0; k < joint_nv(model_.jnt_type[j]); ++k)
        root_dofs_.push_back(model_.jnt_dofadr[j] + k);

  // the reference: one cycle of start frames + an episode + the farthest future offset
  const double dt = spec_.control_dt;
  const int max_off = offsets_.empty() ? 0 : *std::max_element(offsets_.begin(), offsets_.end());
  const motion::Clip named = load_named_clip(clip, clip_model);
  const bool free_model = model_.size.njnt > 0 && model_.jnt_type[0] == kJointFree;
  if ((named.model_root == "free") != free_model)
    throw std::invalid_argument(
        p.where() + "/clip: " + clip +
        (named.model_root == "free"
             ? " was retargeted onto the model with a free root (--free-root); set "
               "\"free_root\": true"
             : " is on the model's own root joints; \"free_root\": true needs a clip "
               "retargeted with --free-root"));
  const double period = named.loop ? motion::cycle_period(named) : named.duration();
  cycle_frames_ = std::max(1, static_cast<int>(std::floor(period / dt + 1e-9)));
  if (!named.loop) cycle_frames_ = 1;  // a clip that does not loop starts at its beginning
  ref_ = reference_from_model_clip(model_, named, dt,
                                   cycle_frames_ + spec_.max_episode_steps + max_off + 2);

  const int nb = static_cast<int>(sel_.bodies.size()) - 1,
            nh = static_cast<int>(sel_.hinge_qpos.size());
  feature_dim_ = 3 + 3 + nh + 3 * nb + static_cast<int>(root_dofs_.size()) + nh;
  const int nq = model_.size.nq, nv = model_.size.nv;
  spec_.obs_dim = (nq - 2) + nv + 3 * nb + model_.size.na + 3 * model_.size.nu +
                  static_cast<int>(offsets_.size()) * ((nq - 2) + 2 + 3 * nb) + 3;
  if (adversarial_) disc_ = Discriminator(feature_dim_, dcfg, seed);
  ws_.resize(n);
  for (WorldState& s : ws_) s.delta.assign(feature_dim_, 0.0);
  init_buffers();
}

double TrackEnv::heading(const double* xquat_root) const {
  const Vec3d f = rotate(Quatd::load(xquat_root), root_.forward);
  return std::atan2(f.y, f.x);
}

void TrackEnv::reset_world(int w, rl::Rng& rng) {
  WorldState& s = ws_[w];
  data_.reset(model_, w);
  s.start = (eval_mode_ ? eval_random_start_ : random_start_)
                ? std::min(cycle_frames_ - 1, static_cast<int>(rng.uniform() * cycle_frames_))
                : 0;
  s.t = 0;
  s.deviated = false;
  s.metrics = EpisodeMetrics{};
  s.metrics.episode_steps = spec_.max_episode_steps;
  WorldData<double> d = world(w);
  std::copy_n(ref_.qpos_at(s.start), model_.size.nq, d.qpos);
  std::copy_n(ref_.qvel_at(s.start), model_.size.nv, d.qvel);
  if (!eval_mode_ && init_noise_ > 0) {
    for (int q : sel_.hinge_qpos) d.qpos[q] += init_noise_ * rng.normal();
    project_couplings(mv_, d.qpos);
  }
  refresh_reset(w);
  refresh_errors(w);
}

void TrackEnv::refresh_errors(int w) {
  WorldState& s = ws_[w];
  const WorldData<double> d = world(w);
  const int f = std::min(s.start + s.t, ref_.nframe - 1);
  const double *rq = ref_.qpos_at(f), *rv = ref_.qvel_at(f), *rx = ref_.xpos_at(f),
               *rr = ref_.xquat_at(f);
  s.err = frame_errors(sel_, d.qpos, d.xpos, d.xquat, rq, rx, rr);
  s.body_dev_m = s.err.body_mean_m();
  // the raw error features (reference - simulation) and the exp-reward sums
  double* x = s.delta.data();
  const int rb = sel_.root_body;
  const Vec3d r = Vec3d(d.xpos[3 * rb], d.xpos[3 * rb + 1], d.xpos[3 * rb + 2]);
  const Vec3d rref = Vec3d(rx[3 * rb], rx[3 * rb + 1], rx[3 * rb + 2]);
  const Vec3d dr = rref - r;
  const Vec3d drot = quat_sub(Quatd::load(rr + 4 * rb), Quatd::load(d.xquat + 4 * rb));
  int k = 0;
  for (int i = 0; i < 3; ++i) x[k++] = dr[i];
  for (int i = 0; i < 3; ++i) x[k++] = drot[i];
  s.e_pose = 0;
  for (int q : sel_.hinge_qpos) {
    x[k++] = rq[q] - d.qpos[q];
    s.e_pose += (rq[q] - d.qpos[q]) * (rq[q] - d.qpos[q]);
  }
  s.e_body = 0;
  for (int b : sel_.bodies) {
    if (b == rb) continue;
    for (int i = 0; i < 3; ++i) {
      const double e = (rx[3 * b + i] - rref[i]) - (d.xpos[3 * b + i] - r[i]);
      x[k++] = e;
      s.e_body += e * e;
    }
  }
  for (int v : root_dofs_) x[k++] = rv[v] - d.qvel[v];
  s.e_vel = 0;
  for (int v : sel_.hinge_dof) {
    x[k++] = rv[v] - d.qvel[v];
    s.e_vel += (rv[v] - d.qvel[v]) * (rv[v] - d.qvel[v]);
  }
  s.e_root = norm2(dr) + norm2(drot) / 10;
}

bool TrackEnv::act_world(int w, const float* action, rl::Rng& rng) {
  const bool ok = PhysicsEnv::act_world(w, action, rng);
  WorldState& s = ws_[w];
  ++s.t;
  refresh_errors(w);
  s.deviated = !ok || s.body_dev_m > termination_distance_;
  s.metrics.add(s.err);
  s.metrics.terminated = s.deviated;
  if (adversarial_ && ok) {
    constexpr std::size_t kMaxRecorded = 4096;  // rows per world between updates
    if (s.recorded.size() < kMaxRecorded * feature_dim_)
      s.recorded.insert(s.recorded.end(), s.delta.begin(), s.delta.end());
  }
  return ok;
}

float TrackEnv::reward_world(int w, const float* a) const {
  const WorldState& s = ws_[w];
  double r = alive_bonus_;
  r += adversarial_ ? disc_.reward(s.delta.data())
                    : exp_reward(exp_, s.e_pose, s.e_vel, s.e_body, s.e_root);
  if (effort_weight_ > 0) {
    double e = 0;
    for (int u = 0; u < spec_.act_dim; ++u) e += double(a[u]) * a[u];
    r -= effort_weight_ * e / spec_.act_dim;
  }
  if (power_weight_ > 0) {  // total mechanical power of the actuators, kW
    const WorldData<double> d = world(w);
    double pw = 0;
    for (int u = 0; u < model_.size.nu; ++u)
      pw += std::fabs(d.actuator_force[u] * d.actuator_velocity[u]);
    r -= power_weight_ * pw / 1000;
  }
  return static_cast<float>(r);
}

void TrackEnv::observe_world(int w, float* o) const {
  const WorldState& s = ws_[w];
  const WorldData<double> d = world(w);
  const int rb = sel_.root_body;
  const double yaw = heading(d.xquat + 4 * rb);
  const double c = std::cos(yaw), sn = std::sin(yaw);
  const double* r = d.xpos + 3 * rb;
  int k = 0;
  for (int q : obs_qpos_) o[k++] = static_cast<float>(d.qpos[q]);
  for (int v = 0; v < model_.size.nv; ++v) o[k++] = static_cast<float>(d.qvel[v] / 10);
  for (int b : sel_.bodies) {
    if (b == rb) continue;
    to_heading(yaw, d.xpos[3 * b] - r[0], d.xpos[3 * b + 1] - r[1], o + k);
    o[k + 2] = static_cast<float>(d.xpos[3 * b + 2] - r[2]);
    k += 3;
  }
  for (int i = 0; i < model_.size.na; ++i) o[k++] = static_cast<float>(d.act[i]);
  k += write_muscle_obs(w, o + k);
  for (int off : offsets_) {
    const int f = std::min(s.start + s.t + off, ref_.nframe - 1);
    const double *rq = ref_.qpos_at(f), *rx = ref_.xpos_at(f);
    for (int q : obs_qpos_) o[k++] = static_cast<float>(rq[q] - d.qpos[q]);
    to_heading(yaw, rx[3 * rb] - r[0], rx[3 * rb + 1] - r[1], o + k);
    k += 2;
    for (int b : sel_.bodies) {
      if (b == rb) continue;
      double e[3];
      for (int i = 0; i < 3; ++i)
        e[i] = (rx[3 * b + i] - rx[3 * rb + i]) - (d.xpos[3 * b + i] - r[i]);
      o[k++] = static_cast<float>(c * e[0] + sn * e[1]);
      o[k++] = static_cast<float>(-sn * e[0] + c * e[1]);
      o[k++] = static_cast<float>(e[2]);
    }
  }
  const double phase = 2 * M_PI * std::fmod((s.start + s.t) * ref_.dt / ref_.period, 1.0);
  o[k++] = static_cast<float>(std::sin(phase));
  o[k++] = static_cast<float>(std::cos(phase));
  o[k++] = static_cast<float>(double(s.t) / spec_.max_episode_steps);
}

std::vector<std::pair<std::string, double>> TrackEnv::update() {
  std::vector<float> raw;
  for (WorldState& s : ws_) {
    raw.insert(raw.end(), s.recorded.begin(), s.recorded.end());
    s.recorded.clear();
  }
  const std::size_t rows = raw.size() / feature_dim_;
  const DiscriminatorStats st = disc_.update(raw, rows, disc_rng_);
  return {{"disc_loss", st.loss},
          {"disc_grad_penalty", st.grad_penalty},
          {"disc_d_zero", st.d_zero},
          {"disc_d_neg", st.d_neg},
          {"disc_rows", double(rows)}};
}

std::unique_ptr<rl::Env> make_track_env(rl::ConfigReader& params, int n, std::uint64_t seed) {
  return std::make_unique<TrackEnv>(params, n, seed);
}

}  // namespace sinew::track
