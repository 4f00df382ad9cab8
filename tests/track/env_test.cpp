// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Task "track" (rl/track/track_env.h) on MS-Human-700-Locomotion with walking_gait.npz: the
// reference is coupling-consistent and walks at the clip's speed; reference-state
// initialisation reproduces the reference frame (zero errors); early termination fires when the
// bodies drift from the reference; observations are finite and of the declared size; the
// adversarial reward records error vectors and trains its discriminator; a free-root backflip
// on the full model starts on its reference, and a root mismatch is refused.
#include "rl/env/env.h"

#include <doctest/doctest.h>

#include <cmath>

#include "engine/coupling.h"
#include "rl/track/track_env.h"

using namespace sinew;
using namespace sinew::track;

namespace {

std::unique_ptr<rl::Env> make(nlohmann::json params, int n, std::uint64_t seed = 1) {
  return rl::make_env("track", params, n, seed);
}

TrackEnv& as_track(rl::Env& e) { return dynamic_cast<TrackEnv&>(e); }

}  // namespace

TEST_CASE("reference on Locomotion: couplings hold, walks at the clip's speed") {
  auto env = make({{"episode_steps", 60}}, 1);
  TrackEnv& te = as_track(*env);
  const Reference& r = te.reference();
  CHECK(r.nq == 36);
  CHECK(r.dt == doctest::Approx(0.02));
  CHECK(r.period == doctest::Approx(1.17).epsilon(1e-6));
  const ModelView<double> mv = te.model().view();
  for (int f = 0; f < r.nframe; ++f) CHECK(coupling_residual(mv, r.qpos_at(f)) < 1e-12);
  // pelvis_tx (qpos 2) advances by about 1.038 m/s (walking_gait.npz's velocity)
  const double v = (r.qpos_at(r.nframe - 1)[2] - r.qpos_at(0)[2]) / ((r.nframe - 1) * r.dt);
  CHECK(v == doctest::Approx(1.03).epsilon(0.03));
  // cycles are chained by the clip's own displacement: two periods are exactly 117 frames
  // (2 x 1.17 s); the pose repeats and the root has advanced by 2 x 1.2049 m, at every phase
  REQUIRE(r.nframe > 117);
  const double adv = r.qpos_at(117)[2] - r.qpos_at(0)[2];
  CHECK(adv == doctest::Approx(2 * 1.2049).epsilon(1e-3));
  const double side = r.qpos_at(117)[0] - r.qpos_at(0)[0];  // pelvis_tz: lateral drift
  double worst = 0;
  for (int f = 0; f + 117 < r.nframe; ++f)
    for (int i = 0; i < r.nq; ++i) {
      const double expect = i == 2 ? adv : (i == 0 ? side : 0.0);
      worst = std::max(worst, std::fabs(r.qpos_at(f + 117)[i] - r.qpos_at(f)[i] - expect));
    }
  CHECK(worst < 1e-9);
}

TEST_CASE("reference-state initialisation reproduces the reference frame") {
  auto env = make({{"episode_steps", 60}}, 6, 3);
  TrackEnv& te = as_track(*env);
  env->reset();
  const Reference& r = te.reference();
  bool some_nonzero_start = false;
  for (int w = 0; w < 6; ++w) {
    const int f = te.start_frame(w);
    some_nonzero_start |= f > 0;
    const WorldData<double> d = te.world_state(w);
    for (int i = 0; i < r.nq; ++i) CHECK(d.qpos[i] == r.qpos_at(f)[i]);
    for (int i = 0; i < r.nv; ++i) CHECK(d.qvel[i] == r.qvel_at(f)[i]);
    for (int i = 0; i < 3 * r.nbody; ++i) CHECK(d.xpos[i] == doctest::Approx(r.xpos_at(f)[i]));
    const FrameErrors& e = te.errors(w);
    CHECK(e.joint_deg == 0);
    CHECK(e.body_mm < 1e-9);
    CHECK(e.root_mm < 1e-9);
    CHECK(e.root_deg < 1e-6);
  }
  CHECK(some_nonzero_start);
  // evaluation mode starts at phase 0
  te.set_eval_mode(true);
  env->reset();
  for (int w = 0; w < 6; ++w) CHECK(te.start_frame(w) == 0);
  // evaluation from random phases (sinew eval --random-start): uniform over the first cycle
  te.set_eval_mode(true, true);
  env->reset();
  int nonzero = 0;
  for (int w = 0; w < 6; ++w) nonzero += te.start_frame(w) > 0;
  CHECK(nonzero > 0);
  te.set_eval_mode(true);
  env->reset();
  // observations: declared size, finite
  CHECK(env->obs().size() == std::size_t(6) * env->spec().obs_dim);
  for (float o : env->obs()) CHECK(std::isfinite(o));
  CHECK(env->spec().act_dim == 100);
}

TEST_CASE("the first observation of an episode describes the reset state, not the world's past") {
  // Evaluation mode starts every episode at phase 0 with no noise, so two resets must give the
  // same observation whatever happened in between. Until 2026-12-04 a reset recomputed only the
  // poses: the muscle lengths, velocities and forces of the first observation were zeros after
  // the first reset and the previous episode's last values after an auto-reset (a policy trained
  // on the latter collapsed within 10 actions in evaluation).
  auto env = make({{"episode_steps", 40}}, 2, 5);
  TrackEnv& te = as_track(*env);
  te.set_eval_mode(true);
  env->reset();
  const std::vector<float> first = env->obs();
  std::vector<float> act(std::size_t(2) * env->spec().act_dim, 0.7f);
  for (int t = 0; t < 5; ++t) env->step(act.data());
  env->reset();
  const std::vector<float>& again = env->obs();
  REQUIRE(again.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(again[i] == doctest::Approx(first[i]));
  // the muscle features are those of a forward pass at the reference frame: tendon lengths in
  // their range (not 0 for every muscle), and passive forces only
  const WorldData<double> d = te.world_state(0);
  const Model& m = te.model();
  int in_range = 0;
  for (int u = 0; u < m.size.nu; ++u) {
    const double lo = m.actuator_lengthrange[2 * u], hi = m.actuator_lengthrange[2 * u + 1];
    in_range += d.actuator_length[u] > lo - 0.05 * (hi - lo) &&
                d.actuator_length[u] < hi + 0.05 * (hi - lo);
    CHECK(d.actuator_force[u] <= 1e-9);  // muscles pull (force <= 0), no activation yet
  }
  CHECK(in_range == m.size.nu);
}

TEST_CASE("early termination fires when the bodies drift from the reference") {
  auto env = make({{"episode_steps", 100}, {"termination_distance", 0.03}}, 2);
  TrackEnv& te = as_track(*env);
  te.set_eval_mode(true);
  env->set_auto_reset(false);
  env->reset();
  const std::vector<float> zero(2 * env->spec().act_dim, 0.f);
  int steps = 0;
  while (!env->finished(0) && steps < 100) {
    env->step(zero.data());
    ++steps;
  }
  INFO("terminated after " << steps << " actions");
  CHECK(env->terminated()[0]);
  CHECK(steps < 100);
  CHECK(te.errors(0).body_mm > 30);
  const EpisodeMetrics& m = te.episode_metrics(0);
  CHECK(m.terminated);
  CHECK(m.steps == steps);
  CHECK(m.fraction_tracked() == doctest::Approx(double(steps) / 100));
  const auto done = env->take_finished();
  REQUIRE(!done.empty());
  CHECK(done[0].score == doctest::Approx(m.fraction_tracked()));
  CHECK(!done[0].success);
  // a lenient threshold keeps the episode going
  auto lenient = make({{"episode_steps", 5}, {"termination_distance", 10.0}}, 1);
  lenient->reset();
  for (int t = 0; t < 4; ++t) {
    lenient->step(zero.data());
    CHECK(!lenient->terminated()[0]);
  }
}

TEST_CASE("exp reward is at most the weight sum; adversarial reward trains its discriminator") {
  auto env = make({{"episode_steps", 20}}, 2);
  env->reset();
  const std::vector<float> half(2 * env->spec().act_dim, 0.1f);
  env->step(half.data());
  for (float r : env->reward()) {
    CHECK(r > 0);
    CHECK(r <= 1.0f + 1e-6f);
  }
  CHECK(rl::find_reward_model(*env) == nullptr);

  auto adv = make({{"episode_steps", 20},
                   {"reward", "adversarial"},
                   {"discriminator", {{"hidden", {32, 32}}, {"batch", 64}, {"steps", 2}}}},
                  2);
  TrackEnv& te = as_track(*adv);
  rl::RewardModel* rm = rl::find_reward_model(*adv);
  REQUIRE(rm != nullptr);
  adv->reset();
  for (int t = 0; t < 5; ++t) adv->step(half.data());
  for (float r : adv->reward()) CHECK(std::isfinite(r));
  CHECK(te.feature_dim() == 3 + 3 + 14 + 36 + 6 + 14);
  const auto stats = rm->update();
  bool rows_ok = false;
  for (const auto& [k, v] : stats)
    if (k == "disc_rows") rows_ok = v == 10;
  CHECK(rows_ok);
  CHECK(te.discriminator().norm_count() == 10);
}

TEST_CASE("a backflip retargeted with a free root is tracked on MS-Human-700 with a free root") {
  const nlohmann::json params = {{"model", "models/ms_human_700.json"},
                                 {"free_root", true},
                                 {"clip", "models/motions/deepmimic/retargeted/backflip_full.json"},
                                 {"episode_steps", 20}};
  auto env = make(params, 2, 5);
  TrackEnv& te = as_track(*env);
  const Model& m = te.model();
  REQUIRE(m.jnt_type[0] == kJointFree);
  CHECK(m.size.nq == 85 + 1);  // 3 slides + 3 hinges -> one free joint (7 coordinates)
  CHECK(env->spec().act_dim == 700);
  te.set_eval_mode(true);
  env->reset();
  const Reference& r = te.reference();
  const WorldData<double> d = te.world_state(0);
  for (int i = 0; i < r.nq; ++i) CHECK(d.qpos[i] == r.qpos_at(0)[i]);
  CHECK(te.errors(0).body_mm < 1e-9);
  CHECK(te.errors(0).root_deg < 1e-6);
  for (float o : env->obs()) CHECK(std::isfinite(o));
  // the root must match the clip's: a clear message either way
  nlohmann::json wrong = params;
  wrong["free_root"] = false;
  try {
    make(wrong, 1);
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("free_root") != std::string::npos);
  }
  try {
    make({{"free_root", true}, {"episode_steps", 5}}, 1);  // the walking gait on the own root
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("--free-root") != std::string::npos);
  }
}
