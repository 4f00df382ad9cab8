// SPDX-License-Identifier: Apache-2.0
// Task "locomotion_stand" (issue 4, task c): MS-Human-700-Locomotion (legs: 36 dofs, 100
// muscles) starts from its standing keyframe with N(0, joint_noise) added to every independent
// leg hinge (not the root, not a joint that a coupling drives; the couplings are then projected)
// and a horizontal root velocity of `root_speed` in a uniformly random direction, and must stay
// upright: pelvis height > min_height and |pelvis tilt|, |pelvis list| < max_tilt_deg. Episodes
// last 5 s (250 actions of 0.02 s = 10 physics steps of 0.002 s). Reward per action:
// alive_bonus - effort_weight * mean(excitation^2) - posture_weight * mean((q - q_ref)^2) over the
// leg hinges - upright_weight * (((tilt - tilt_ref) / max_tilt)^2 + ((list - list_ref) /
// max_tilt)^2) (pelvis; a dense signal before the tilt termination, which ends most failed
// episodes); q_ref is the keyframe, or the start pose with feed-forward (below). Score: seconds
// upright; success: upright for the whole episode. Observation: qpos without the two horizontal
// root slides (found from their world axes), qvel / 10, activations, muscle lengths normalised to
// their length range, muscle velocities / length-range width, muscle forces / 1000 N (clipped to
// +-10). Curriculum (optional): with root_speed_ramp_samples = S > 0 the push speed of training
// episodes grows linearly from root_speed_start to root_speed over the first S training samples
// (the trainer reports its sample count, Env::set_training_samples); evaluation, which does not,
// always pushes at root_speed. With root_speed_uniform = true each training episode's push speed
// is drawn uniformly from [0, that speed] instead (every push up to the hardest stays in the
// batch, so what was learnt on small pushes is not forgotten as the speed rises); evaluation still
// pushes at exactly root_speed. push_direction_deg = D >= 0 fixes the push direction at D degrees
// in the world frame (0 = +x, where the keyframe faces; 90 = +y, its left; 180 = backward) for
// per-direction evaluations; the default -1 draws it uniformly.
// Feed-forward (optional, static_feedforward = true): the static-optimisation activations a* that
// hold the keyframe still (muscle/static_activation.h) become the excitation of a zero action
// (excitation = clip(a* + action), the action bounds shifted by -a*) and every episode starts
// with its muscles activated at a*. The policy then learns a correction to a posture-holding
// pattern instead of finding one from zero; the effort term penalises the excitation a* + action
// (after the feedback below, when there is one), and the posture and upright terms measure against
// the settled start pose instead of the keyframe.
// Lean (optional, lean_deg = L, needs static_feedforward): the reference pose is the keyframe
// pitched forward by L degrees about the ankles (pelvis tilt -L, ankles +L: feet stay flat), so
// that the centre of mass lies ahead of the ankles, where the strong plantarflexors hold it (the
// keyframe's is only 1 cm ahead, where a backward sway can only be caught by the weak
// dorsiflexors, which lift the forefoot instead; docs/training.md).
// Feedback (optional, feedback_* gains, needs static_feedforward): a fixed balance controller
// (rl/env/balance_feedback.h) maps the excitation a* + action to the nearest one that also
// produces posture, ankle-strategy and hip-strategy torques; the policy learns on top of it.
// Target-posture actions (optional, feedback_target_scale = s > 0, needs feedback): the action
// has one entry in [-1, 1] per feedback joint instead of one per muscle, the excitation before
// the controller is a*, and the controller's posture target of joint k is q*_k + s action_k (the
// policy commands joint angles; the fixed muscle layer realises them; MASS's split, Lee et al.
// 2019). Taking a step is then a few joint targets instead of a pattern over 100 muscles.
#include <algorithm>
#include <cmath>
#include <memory>

#include "engine/coupling.h"
#include "muscle/static_activation.h"
#include "rl/config_reader.h"
#include "rl/env/balance_feedback.h"
#include "rl/env/physics_env.h"
#include "rl/env/tasks.h"
#include "rl/motion/retarget.h"

namespace sinew::rl {

namespace {

class StandEnv final : public PhysicsEnv {
 public:
  StandEnv(ConfigReader& p, int n, std::uint64_t seed)
      : PhysicsEnv(p.get<std::string>("model", "models/ms_human_700_locomotion.json"), n, seed,
                   p.get<int>("frame_skip", 10, 1, 1000)) {
    init_actions();
    spec_.name = "locomotion_stand";
    spec_.max_episode_steps = p.get<int>("episode_steps", 250, 1, 1000000);
    spec_.score_name = "seconds_upright";
    keyframe_ = p.get<int>("keyframe", 0, 0, 1 << 20);
    if (keyframe_ >= model_.size.nkey)
      throw std::invalid_argument(model_.source + ": env.params/keyframe " +
                                  std::to_string(keyframe_) + " does not exist (model has " +
                                  std::to_string(model_.size.nkey) + ")");
    joint_noise_ = p.get<double>("joint_noise", 0.05, 0.0, 1.0);
    root_speed_ = p.get<double>("root_speed", 0.5, 0.0, 10.0);
    speed_start_ = p.get<double>("root_speed_start", 0.0, 0.0, 10.0);
    ramp_samples_ = p.get<double>("root_speed_ramp_samples", 0.0, 0.0, 1e12);
    push_uniform_ = p.get<bool>("root_speed_uniform", false);
    push_power_ = p.get<double>("root_speed_power", 1.0, 0.05, 20.0);
    if (push_power_ != 1.0 && !push_uniform_)
      throw std::invalid_argument(model_.source +
                                  ": env.params/root_speed_power applies to random push speeds; "
                                  "set root_speed_uniform to true");
    push_dir_ = p.get<double>("push_direction_deg", -1.0, -1.0, 360.0);
    min_height_ = p.get<double>("min_height", 0.75);
    max_tilt_ = p.get<double>("max_tilt_deg", 30.0, 0.0, 180.0) * M_PI / 180;
    alive_bonus_ = p.get<double>("alive_bonus", 1.0);
    effort_weight_ = p.get<double>("effort_weight", 0.05);
    posture_weight_ = p.get<double>("posture_weight", 0.2);
    upright_weight_ = p.get<double>("upright_weight", 1.0, 0.0, 1e6);
    pelvis_ = body_id(p.get<std::string>("pelvis_body", "pelvis"));
    tilt_ = model_.jnt_qposadr[joint_id("pelvis_tilt")];
    list_ = model_.jnt_qposadr[joint_id("pelvis_list")];
    find_horizontal_slides();
    find_free_hinges();
    const int nq = model_.size.nq, nv = model_.size.nv, nu = model_.size.nu;
    spec_.obs_dim = (nq - 2) + nv + model_.size.na + 3 * nu;
    lean_ = p.get<double>("lean_deg", 0.0, -20.0, 20.0) * M_PI / 180;
    const bool ff = p.get<bool>("static_feedforward", false);
    if (ff) init_feedforward();
    const BalanceFeedbackParams fb = read_balance_feedback(p);
    if ((fb.enabled() || lean_ != 0) && !ff)
      throw std::invalid_argument(model_.source +
                                  ": env.params lean_deg and feedback_* need static_feedforward");
    if (fb.enabled())
      feedback_ = std::make_unique<BalanceFeedback>(model_, start_qpos_, ff_,
                                                    joint_id("pelvis_list"), free_hinges_, fb, n);
    target_scale_ = p.get<double>("feedback_target_scale", 0.0, 0.0, 3.0);
    if (target_scale_ > 0) {  // the policy moves the feedback's posture targets
      if (!feedback_)
        throw std::invalid_argument(model_.source +
                                    ": env.params/feedback_target_scale needs feedback_* gains");
      const int k = feedback_->num_joints();
      spec_.act_dim = k;
      spec_.act_low.assign(k, -1.f);
      spec_.act_high.assign(k, 1.f);
      spec_.zero_action_name = "feedback";
    }
    init_buffers();
  }

 protected:
  // The leg hinges that noise and the posture term apply to: hinges of non-root bodies that no
  // active coupling drives.
  void find_free_hinges() {
    std::vector<char> driven(model_.size.njnt, 0);
    for (int e = 0; e < model_.size.neq; ++e)
      if (is_coupling(model_.eq_active.data(), model_.eq_type.data(), e))
        driven[model_.eq_obj1id[e]] = 1;
    for (int j = 0; j < model_.size.njnt; ++j)
      if (model_.jnt_type[j] == kJointHinge && model_.jnt_bodyid[j] != pelvis_ && !driven[j])
        free_hinges_.push_back(model_.jnt_qposadr[j]);
    if (free_hinges_.empty())
      throw std::invalid_argument(model_.source + ": no independent leg hinge found");
  }
  // The two root slides whose world axes are horizontal. MS-Human-700's pelvis frame is turned
  // +90 deg about x (OpenSim's y-up convention), so its pelvis_ty slides along world z (height)
  // and pelvis_tx / pelvis_tz along world x / -y; the axes are taken from the model, not names.
  void find_horizontal_slides() {
    root_ = motion::model_root_layout(model_);
    const motion::RootLayout& r = root_;
    const std::vector<int> horiz = motion::horizontal_position_axes(r);
    for (int k = 0; k < 3; ++k)
      if (r.pos[k] >= 0 && r.vel[k] >= 0 && std::find(horiz.begin(), horiz.end(), k) == horiz.end())
        vert_q_ = r.pos[k], vert_v_ = r.vel[k];
    for (int k : horiz) {
      if (r.vel[k] < 0) continue;
      horiz_q_.push_back(r.pos[k]);
      horiz_v_.push_back(r.vel[k]);
      horiz_axis_.push_back(r.pos_axis[k]);
    }
    if (horiz_q_.size() != 2)
      throw std::invalid_argument(model_.source +
                                  ": locomotion_stand needs a root with two horizontal slides");
  }
  // Static optimisation at the keyframe settled onto the ground (it floats a few mm above it),
  // counting the accelerations of the root and of the independent leg hinges (the coupled knee
  // dofs follow their constraints). Episodes then start from the settled pose.
  void init_feedforward() {
    if (vert_q_ < 0)
      throw std::invalid_argument(model_.source +
                                  ": static_feedforward needs a vertical root slide");
    const std::size_t nq = model_.size.nq;
    std::vector<double> key(model_.key_qpos.begin() + keyframe_ * nq,
                            model_.key_qpos.begin() + (keyframe_ + 1) * nq);
    if (lean_ != 0) {  // pitched forward about the ankles, feet flat
      key[tilt_] -= lean_;
      for (int j = 0; j < model_.size.njnt; ++j)
        if (model_.jnt_type[j] == kJointHinge &&
            model_.jnt_name[j].find("ankle_angle") != std::string::npos)
          key[model_.jnt_qposadr[j]] += lean_;
    }
    StaticActivationOptions opt;
    opt.settle_qpos = vert_q_;
    opt.settle_dof = vert_v_;
    opt.dof_weight.assign(model_.size.nv, 0.0);
    for (int k = 0; k < 3; ++k) {
      if (root_.vel[k] >= 0) opt.dof_weight[root_.vel[k]] = 1;
      if (root_.hinge[k] >= 0) opt.dof_weight[root_.hinge[k]] = 1;
    }
    for (int j = 0; j < model_.size.njnt; ++j)
      if (std::find(free_hinges_.begin(), free_hinges_.end(), model_.jnt_qposadr[j]) !=
          free_hinges_.end())
        opt.dof_weight[model_.jnt_dofadr[j]] = 1;
    const StaticActivationResult r = static_activation(model_, key, opt);
    ff_.assign(r.act.begin(), r.act.end());
    exc_.assign(static_cast<std::size_t>(num_envs()) * ff_.size(), 0.f);
    spec_.zero_action_name = "feed-fwd";
    start_qpos_ = r.qpos;

    for (int u = 0; u < spec_.act_dim; ++u) {
      spec_.act_low[u] -= ff_[u];
      spec_.act_high[u] -= ff_[u];
    }
  }
  bool act_world(int w, const float* action, Rng& rng) override {
    if (ff_.empty()) return PhysicsEnv::act_world(w, action, rng);
    thread_local std::vector<float> x;
    thread_local std::vector<double> offset;
    x.resize(ff_.size());
    if (target_scale_ > 0) {  // excitation a*, posture targets q* + scale * action
      std::copy(ff_.begin(), ff_.end(), x.begin());
      offset.resize(spec_.act_dim);
      for (int k = 0; k < spec_.act_dim; ++k) offset[k] = target_scale_ * action[k];
      feedback_->apply(w, world(w), spec_.control_dt, x.data(), offset.data());
    } else {
      for (std::size_t u = 0; u < ff_.size(); ++u) x[u] = ff_[u] + action[u];
      if (feedback_) feedback_->apply(w, world(w), spec_.control_dt, x.data());
    }
    std::copy(x.begin(), x.end(), exc_.begin() + static_cast<std::ptrdiff_t>(w) * x.size());
    return PhysicsEnv::act_world(w, x.data(), rng);
  }
  void reset_world(int w, Rng& rng) override {
    data_.reset_keyframe(model_, keyframe_, w);
    WorldData<double> d = world(w);
    if (!start_qpos_.empty()) std::copy(start_qpos_.begin(), start_qpos_.end(), d.qpos);
    if (!ff_.empty()) set_activation(model_, d, ff_.data());
    for (int q : free_hinges_) d.qpos[q] += joint_noise_ * rng.normal();
    project_couplings(mv_, d.qpos);
    // a world-frame horizontal velocity of root_speed in a uniform direction, expressed on the
    // (orthogonal, horizontal) slide axes
    double a = rng.uniform(0, 2 * M_PI);  // drawn even when fixed: same RNG stream either way
    if (push_dir_ >= 0) a = push_dir_ * M_PI / 180;
    double speed = push_speed();
    if (push_uniform_ && samples_ >= 0) {
      const double u = rng.uniform(0, 1);
      speed *= push_power_ == 1.0 ? u : std::pow(u, push_power_);  // power < 1: harder pushes
    }
    const double vx = speed * std::cos(a), vy = speed * std::sin(a);
    for (int k = 0; k < 2; ++k) d.qvel[horiz_v_[k]] = vx * horiz_axis_[k].x + vy * horiz_axis_[k].y;
    refresh_reset(w);
    if (feedback_) feedback_->reset(w);
  }
  void observe_world(int w, float* o) const override {
    const WorldData<double> d = world(w);
    int k = 0;
    for (int i = 0; i < model_.size.nq; ++i)
      if (i != horiz_q_[0] && i != horiz_q_[1]) o[k++] = static_cast<float>(d.qpos[i]);
    for (int i = 0; i < model_.size.nv; ++i) o[k++] = static_cast<float>(d.qvel[i] / 10);
    for (int i = 0; i < model_.size.na; ++i) o[k++] = static_cast<float>(d.act[i]);
    k += write_muscle_obs(w, o + k);
  }
  float reward_world(int w, const float* a) const override {
    const WorldData<double> d = world(w);
    double effort = 0, posture = 0;
    const float* exc = ff_.empty() ? a : exc_.data() + static_cast<std::size_t>(w) * ff_.size();
    const int nu = model_.size.nu;
    for (int u = 0; u < nu; ++u) effort += double(exc[u]) * exc[u];
    const double* key = posture_reference();
    for (int q : free_hinges_) posture += (d.qpos[q] - key[q]) * (d.qpos[q] - key[q]);
    // pelvis tilt and list off the reference relative to their termination bound: 1 at the bound
    const double ut = (d.qpos[tilt_] - key[tilt_]) / max_tilt_,
                 ul = (d.qpos[list_] - key[list_]) / max_tilt_;
    return static_cast<float>(alive_bonus_ - effort_weight_ * effort / nu -
                              posture_weight_ * posture / free_hinges_.size() -
                              upright_weight_ * (ut * ut + ul * ul));
  }
  // The pose the posture and upright terms measure against: the settled (and leaned) start pose
  // with feed-forward, else the keyframe.
  const double* posture_reference() const {
    if (!start_qpos_.empty()) return start_qpos_.data();
    return model_.key_qpos.data() + static_cast<std::size_t>(keyframe_) * model_.size.nq;
  }
  bool upright(int w) const {
    const WorldData<double> d = world(w);
    return d.xpos[3 * pelvis_ + 2] > min_height_ && std::fabs(d.qpos[tilt_]) < max_tilt_ &&
           std::fabs(d.qpos[list_]) < max_tilt_;
  }
  bool terminated_world(int w) const override { return !upright(w); }

 public:
  void set_training_samples(long long samples) override { samples_ = double(samples); }
  // The push speed of the next reset: root_speed, or on the curriculum ramp during training.
  double push_speed() const {
    if (!(ramp_samples_ > 0) || samples_ < 0 || samples_ >= ramp_samples_) return root_speed_;
    return speed_start_ + (root_speed_ - speed_start_) * samples_ / ramp_samples_;
  }

 protected:
  double score_world(int w) const override { return *world(w).time - model_.key_time[keyframe_]; }
  bool success_world(int w) const override {
    return upright(w) && score_world(w) >= spec_.max_episode_steps * spec_.control_dt - 1e-9;
  }

 private:
  int keyframe_ = 0, pelvis_ = -1, tilt_ = -1, list_ = -1;
  std::vector<int> horiz_q_, horiz_v_;     // qpos / qvel addresses of the horizontal root slides
  std::vector<motion::Vec3d> horiz_axis_;  // their world axes
  motion::RootLayout root_;                // the root joint layout (find_horizontal_slides)
  double push_dir_ = -1;  // degrees in the world frame (0 = +x, forward); < 0: uniform
  double joint_noise_ = 0.05, root_speed_ = 0.5, min_height_ = 0.75, max_tilt_ = 0.5236;
  double alive_bonus_ = 1, effort_weight_ = 0.05, posture_weight_ = 0.2, upright_weight_ = 1;
  double speed_start_ = 0, ramp_samples_ = 0;
  bool push_uniform_ = false;  // training pushes uniform in [0, push_speed()]
  double push_power_ = 1;      // ... or push_speed() u^power (u uniform; 0.5: P(> v/2) = 3/4)
  double samples_ = -1;        // training samples so far; < 0: not training (evaluation)
  std::vector<int> free_hinges_;
  std::vector<float> ff_;           // feed-forward excitation per actuator; empty: none
  std::vector<float> exc_;          // with feed-forward: each world's last excitation (nu each)
  std::vector<double> start_qpos_;  // the settled keyframe (with feed-forward); empty: the keyframe
  int vert_q_ = -1, vert_v_ = -1;   // qpos / qvel address of the vertical root slide
  double lean_ = 0;                 // forward lean of the reference pose (rad)
  double target_scale_ = 0;         // > 0: actions are posture-target offsets (rad per unit)
  std::unique_ptr<BalanceFeedback> feedback_;  // balance controller; null: none
};

}  // namespace

std::unique_ptr<Env> make_stand_env(ConfigReader& params, int n, std::uint64_t seed) {
  return std::make_unique<StandEnv>(params, n, seed);
}

}  // namespace sinew::rl
