// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/env: the batched environment contract on the pendulum (time limit, final observation,
// auto-reset, episode records, masked reset, action clipping, reproducibility whatever the thread
// count), the arm26_reach observation layout and reachable targets, the locomotion_stand start
// state, its zero-excitation fall and its static feed-forward, and make_env's errors.
#include "rl/env/env.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/coupling.h"
#include "engine/cpu/thread_pool.h"
#include "engine/data.h"
#include "engine/kinematics.h"
#include "rl/env/physics_env.h"
#include "rl/env/rng.h"
#include "tests/rl/stand_test_util.h"

using namespace sinew;
using namespace sinew::rl;
using nlohmann::json;

namespace {

constexpr double kTwoPi = 6.283185307179586;

double angle_of(const float* pendulum_obs) {
  return std::atan2(double(pendulum_obs[1]), double(pendulum_obs[0]));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument)";
}

}  // namespace

TEST_CASE("pendulum env: time limit, final observation, auto-reset, episode records") {
  const int N = 4;
  auto env = make_env("pendulum", json::object(), N, 11);
  const EnvSpec& spec = env->spec();
  REQUIRE(spec.max_episode_steps == 200);
  REQUIRE(spec.obs_dim == 3);
  REQUIRE(spec.act_dim == 1);
  CHECK(spec.act_low[0] == -2.f);
  CHECK(spec.act_high[0] == 2.f);
  env->reset();
  const std::vector<float> zero(N, 0.f);
  for (int episode = 0; episode < 2; ++episode) {
    std::vector<double> ret(N, 0.0);
    std::vector<float> prev;
    for (int t = 1; t <= 200; ++t) {
      prev = env->obs();
      env->step(zero.data());
      for (int w = 0; w < N; ++w) ret[w] += env->reward()[w];
      if (t < 200) {
        for (int w = 0; w < N; ++w) {
          INFO("episode " << episode << " step " << t << " world " << w);
          REQUIRE(env->terminated()[w] == 0);
          REQUIRE(env->truncated()[w] == 0);
        }
        if (t == 199) CHECK(env->take_finished().empty());
      }
    }
    // step 200 of every world: truncated, not terminated
    for (int w = 0; w < N; ++w) {
      INFO("episode " << episode << " world " << w);
      CHECK(env->terminated()[w] == 0);
      CHECK(env->truncated()[w] == 1);
      const float* fin = env->final_obs().data() + 3 * w;
      const float* now = env->obs().data() + 3 * w;
      const float* before = prev.data() + 3 * w;
      // the final observation is a state of the pendulum (a unit (cos, sin) vector)...
      CHECK(std::hypot(fin[0], fin[1]) == doctest::Approx(1.0).epsilon(1e-6));
      // ...the one reached from the previous observation in 0.05 s (trapezoidal estimate)...
      const double dtheta = std::remainder(angle_of(fin) - angle_of(before), kTwoPi);
      const double predicted = 0.05 * 8 * (double(fin[2]) + before[2]) / 2;
      CHECK(std::fabs(dtheta - predicted) < 0.02);
      // ...and not the new episode's first observation, which starts at |theta_dot| <= 1
      CHECK((fin[0] != now[0] || fin[1] != now[1]));
      CHECK(std::fabs(now[2] * 8) <= 1.0 + 1e-6);
    }
    const std::vector<EpisodeResult> done = env->take_finished();
    REQUIRE(done.size() == N);
    for (int w = 0; w < N; ++w) {
      CHECK(done[w].world == w);
      CHECK(done[w].length == 200);
      CHECK(done[w].truncated);
      CHECK(done[w].ret == doctest::Approx(ret[w]).epsilon(1e-6));
      // score: |theta| at the end, read from the final observation
      CHECK(done[w].score ==
            doctest::Approx(std::fabs(angle_of(env->final_obs().data() + 3 * w))).epsilon(1e-5));
    }
    CHECK(env->take_finished().empty());
  }
}

TEST_CASE("pendulum env: reset(mask) resets only the masked worlds") {
  const int N = 4;
  auto env = make_env("pendulum", json::object(), N, 12);
  env->reset();
  Rng rng(1, 0);
  std::vector<float> act(N);
  for (int t = 0; t < 10; ++t) {
    for (float& a : act) a = static_cast<float>(rng.uniform(-2, 2));
    env->step(act.data());
  }
  const std::vector<float> before = env->obs();
  env->reset({1, 0, 1, 0});
  for (int w = 0; w < N; ++w)
    for (int k = 0; k < 3; ++k) {
      INFO("world " << w << " obs " << k);
      if (w % 2)
        CHECK(env->obs()[3 * w + k] == before[3 * w + k]);
      else if (k < 2)
        CHECK(env->obs()[3 * w + k] != before[3 * w + k]);
    }
  // the step counters: worlds 1 and 3 are 10 steps into their episodes, 0 and 2 restarted
  std::fill(act.begin(), act.end(), 0.f);
  for (int t = 11; t <= 210; ++t) {
    env->step(act.data());
    const std::vector<std::uint8_t>& tr = env->truncated();
    if (t == 200)
      CHECK(tr == std::vector<std::uint8_t>{0, 1, 0, 1});
    else if (t == 210)
      CHECK(tr == std::vector<std::uint8_t>{1, 0, 1, 0});
    else
      REQUIRE(tr == std::vector<std::uint8_t>{0, 0, 0, 0});
  }
  CHECK_THROWS_AS(env->reset({1, 0}), std::invalid_argument);
}

TEST_CASE("pendulum env: NaN and out-of-range actions are clipped") {
  const int N = 3;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto a = make_env("pendulum", json::object(), N, 13);
  auto b = make_env("pendulum", json::object(), N, 13);
  a->reset();
  b->reset();
  // NaN acts as the lower bound, out-of-range values as the nearest bound
  const std::vector<float> wild{nan, 50.f, -1e30f}, tame{-2.f, 2.f, -2.f};
  for (int t = 0; t < 60; ++t) {
    a->step(wild.data());
    b->step(tame.data());
    for (int i = 0; i < 3 * N; ++i) REQUIRE(std::isfinite(a->obs()[i]));
    for (int w = 0; w < N; ++w) REQUIRE(std::isfinite(a->reward()[w]));
    REQUIRE(a->obs() == b->obs());
    REQUIRE(a->reward() == b->reward());
  }
  // the clipped torque is also what the reward's effort term sees: -0.001 * 2^2 at most
  CHECK(a->flagged_count() == 0);
}

TEST_CASE("pendulum env: bitwise reproducible with 1 or 2 threads; seeds matter") {
  const int N = 5;  // uneven chunks on two threads
  cpu::ThreadPool one(1), two(2);
  auto a = make_env("pendulum", json::object(), N, 21);
  auto b = make_env("pendulum", json::object(), N, 21);
  auto c = make_env("pendulum", json::object(), N, 22);
  a->set_pool(&one);
  b->set_pool(&two);
  a->reset();
  b->reset();
  c->reset();
  CHECK(a->obs() == b->obs());
  CHECK(a->obs() != c->obs());
  Rng rng(8, 0);
  std::vector<float> act(N);
  int truncations = 0;
  for (int t = 0; t < 300; ++t) {
    for (float& x : act) x = static_cast<float>(rng.uniform(-3, 3));
    a->step(act.data());
    b->step(act.data());
    REQUIRE(a->obs() == b->obs());
    REQUIRE(a->reward() == b->reward());
    REQUIRE(a->truncated() == b->truncated());
    REQUIRE(a->final_obs() == b->final_obs());
    for (int w = 0; w < N; ++w) truncations += a->truncated()[w];
  }
  CHECK(truncations == N);  // the auto-reset at step 200 was part of the comparison
}

TEST_CASE("arm26_reach env: observation layout, reachable targets, distance score") {
  const int N = 16;
  auto env = make_env("arm26_reach", json::object(), N, 3);
  const EnvSpec& spec = env->spec();
  REQUIRE(spec.obs_dim == 23);
  REQUIRE(spec.act_dim == 6);
  for (int u = 0; u < 6; ++u) {
    CHECK(spec.act_low[u] == 0.f);
    CHECK(spec.act_high[u] == 1.f);
  }
  const double qmax = 2.0943951023931953;  // both joints: [0, 120 deg]
  // forward kinematics of the arm: upper arm 0.5 m, forearm 0.5 m (hand at (1, 0) at q = 0)
  auto fk = [](double q1, double q2, double* xy) {
    xy[0] = 0.5 * std::cos(q1) + 0.5 * std::cos(q1 + q2);
    xy[1] = 0.5 * std::sin(q1) + 0.5 * std::sin(q1 + q2);
  };
  double hand0[2];
  fk(0, 0, hand0);
  CHECK(hand0[0] == 1.0);
  CHECK(hand0[1] == 0.0);

  env->set_auto_reset(false);
  env->reset();
  const std::vector<float> zero(static_cast<std::size_t>(N) * 6, 0.f);
  double worst_excess = 0, worst_fk = 0;
  for (int t = 0; t <= 50; ++t) {
    if (t > 0) env->step(zero.data());
    for (int w = 0; w < N; ++w) {
      const float* o = env->obs().data() + static_cast<std::size_t>(w) * 23;
      INFO("step " << t << " world " << w);
      // the hand is where the joint angles put it
      double h[2];
      fk(o[0], o[1], h);
      worst_fk = std::max({worst_fk, std::fabs(h[0] - o[10]), std::fabs(h[1] - o[11])});
      CHECK(o[10] == doctest::Approx(h[0]).epsilon(1e-5));
      CHECK(o[11] == doctest::Approx(h[1]).epsilon(1e-5));
      // difference = target - hand
      CHECK(o[14] == doctest::Approx(o[12] - o[10]).epsilon(1e-6));
      CHECK(o[15] == doctest::Approx(o[13] - o[11]).epsilon(1e-6));
      // the target is reachable: the inverse kinematics (elbow-left branch) lands in the ranges
      const double dist = std::hypot(o[12], o[13]);
      REQUIRE(dist >= 0.5 - 1e-5);
      REQUIRE(dist <= 1.0 + 1e-5);
      const double q2 = 2 * std::acos(std::min(dist, 1.0));
      const double q1 = std::atan2(o[13], o[12]) - q2 / 2;
      CHECK(q1 >= -1e-4);
      CHECK(q1 <= qmax + 1e-4);
      // zero excitation: the joints stay within their ranges (soft limits: 0.05 rad)
      for (int j = 0; j < 2; ++j) {
        CHECK(o[j] >= -0.05);
        CHECK(o[j] <= qmax + 0.05);
        worst_excess = std::max({worst_excess, -double(o[j]), double(o[j]) - qmax});
      }
      if (t > 0)  // reward = -10 |target - hand| (effort weight 0 by default)
        CHECK(env->reward()[w] == doctest::Approx(-10 * std::hypot(o[14], o[15])).epsilon(1e-5));
    }
  }
  const std::vector<EpisodeResult> done = env->take_finished();
  REQUIRE(done.size() == N);
  for (const EpisodeResult& e : done) {
    const float* o = env->obs().data() + static_cast<std::size_t>(e.world) * 23;
    CHECK(e.length == 50);
    CHECK(e.score == doctest::Approx(std::hypot(o[14], o[15])).epsilon(1e-5));
    CHECK(e.success == (e.score < 0.03));
  }
  MESSAGE("arm26 zero excitation: largest joint-range excess "
          << worst_excess << " rad; largest |hand - fk(q)| " << worst_fk << " m");
}

TEST_CASE("locomotion_stand env: start state and the zero-excitation fall") {
  const int N = 4;
  const auto t0 = std::chrono::steady_clock::now();
  auto env = make_env("locomotion_stand", json::object(), N, 4);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  const int nq = m.size.nq, nv = m.size.nv, na = m.size.na, nu = m.size.nu;
  REQUIRE(env->spec().obs_dim == (nq - 2) + nv + na + 3 * nu);
  REQUIRE(env->spec().act_dim == nu);
  auto joint = [&](const std::string& name) {
    const auto it = std::find(m.jnt_name.begin(), m.jnt_name.end(), name);
    REQUIRE(it != m.jnt_name.end());
    return static_cast<int>(it - m.jnt_name.begin());
  };
  // World directions of the three root slides, by finite differences of the pelvis position
  // through the engine's kinematics (independent of how the env finds them): MS-Human-700's
  // pelvis frame is turned 90 deg about x, so pelvis_ty is the vertical one.
  const int pelvis = m.jnt_bodyid[joint("pelvis_tx")];
  REQUIRE(m.body_parent[pelvis] == 0);
  const std::vector<int> slides = {joint("pelvis_tx"), joint("pelvis_ty"), joint("pelvis_tz")};
  Data<double> probe(m, 1);
  const ModelView<double> mv = m.view();
  auto pelvis_pos = [&](int slide, double dq) {
    probe.reset_keyframe(m, 0, 0);
    WorldData<double> d = probe.world(0);
    if (slide >= 0) d.qpos[m.jnt_qposadr[slide]] += dq;
    kinematics(mv, d);
    return std::array<double, 3>{d.xpos[3 * pelvis], d.xpos[3 * pelvis + 1],
                                 d.xpos[3 * pelvis + 2]};
  };
  const std::array<double, 3> p0 = pelvis_pos(-1, 0);
  std::vector<std::array<double, 3>> axis;
  int vertical = -1;
  for (int k = 0; k < 3; ++k) {
    const std::array<double, 3> p1 = pelvis_pos(slides[k], 1e-3);
    axis.push_back({(p1[0] - p0[0]) / 1e-3, (p1[1] - p0[1]) / 1e-3, (p1[2] - p0[2]) / 1e-3});
    if (std::fabs(axis[k][2]) > 0.5) vertical = k;
  }
  REQUIRE(vertical == 1);  // pelvis_ty
  CHECK(p0[2] > 0.75);
  // the observation drops the horizontal slides from qpos (keeping the height), then holds qvel/10
  auto obs_q = [&](int q) {
    int k = q;
    for (int s : {0, 2}) k -= q > m.jnt_qposadr[slides[s]];
    return k;
  };
  const int qv = m.jnt_qposadr[slides[vertical]];

  env->set_auto_reset(false);
  env->reset();
  const int O = env->spec().obs_dim;
  std::vector<double> vx(N);
  for (int w = 0; w < N; ++w) {
    const float* o = env->obs().data() + static_cast<std::size_t>(w) * O;
    INFO("world " << w);
    CHECK(o[obs_q(qv)] == doctest::Approx(m.key_qpos[qv]));  // the height slide is observed
    double v[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k)
      for (int c = 0; c < 3; ++c) v[c] += 10.0 * o[(nq - 2) + m.jnt_dofadr[slides[k]]] * axis[k][c];
    CHECK(std::hypot(v[0], v[1]) == doctest::Approx(0.5).epsilon(1e-4));  // horizontal push
    CHECK(std::fabs(v[2]) < 1e-6);                                        // nothing vertical
    vx[w] = v[0];
  }
  // different worlds start in different directions
  CHECK(vx[0] != vx[1]);

  const std::vector<float> zero(static_cast<std::size_t>(N) * nu, 0.f);
  env->step(zero.data());
  for (int w = 0; w < N; ++w) CHECK(env->terminated()[w] == 0);
  int steps = 1;
  for (; steps < 250; ++steps) {
    bool all = true;
    for (int w = 0; w < N; ++w) all = all && env->finished(w);
    if (all) break;
    env->step(zero.data());
  }
  std::vector<EpisodeResult> done = env->take_finished();
  int fell = 0;
  std::string lengths;
  for (const EpisodeResult& e : done) {
    fell += !e.truncated && e.length < 250;
    lengths += " " + std::to_string(e.length);
    CHECK(!e.success);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("locomotion_stand, zero excitation: episode lengths" << lengths << " (of 250); " << secs
                                                               << " s in all");
  CHECK(fell >= 3);
  CHECK(env->flagged_count() == 0);
}

namespace {

// locomotion_stand: resets every world and returns each one's root speed from its first
// observation.
std::vector<double> reset_speeds(Env& env, int nq) {
  env.reset();
  return test::root_speeds(env, nq);
}

}  // namespace

TEST_CASE("locomotion_stand env: push-speed curriculum over training samples") {
  const int N = 2;
  auto env = make_env("locomotion_stand",
                      json{{"root_speed_start", 0.1}, {"root_speed_ramp_samples", 1000}}, N, 5);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  auto speeds = [&] { return reset_speeds(*env, m.size.nq); };
  for (double s : speeds()) CHECK(s == doctest::Approx(0.5).epsilon(1e-4));  // not training: full
  const std::pair<long long, double> ramp[] = {{0, 0.1}, {500, 0.3}, {1000, 0.5}, {5000, 0.5}};
  for (const auto& [samples, want] : ramp) {
    env->set_training_samples(samples);
    for (double s : speeds()) CHECK(s == doctest::Approx(want).epsilon(1e-4));
  }
}

TEST_CASE("locomotion_stand env: uniform training pushes, fixed evaluation push") {
  const int N = 16;
  auto env = make_env("locomotion_stand", json{{"root_speed_uniform", true}}, N, 9);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
  REQUIRE(pe != nullptr);
  const int nq = pe->model().size.nq;
  auto speeds = [&] { return reset_speeds(*env, nq); };
  for (double s : speeds()) CHECK(s == doctest::Approx(0.5).epsilon(1e-4));  // evaluation
  env->set_training_samples(0);
  const std::vector<double> t = speeds();
  for (double s : t) {
    CHECK(s >= 0.0);
    CHECK(s <= 0.5 + 1e-6);
  }
  // 16 uniform draws: all above 0.2 or all below 0.3 has probability 2 * 0.6^16 < 1e-3
  CHECK(*std::min_element(t.begin(), t.end()) < 0.2);
  CHECK(*std::max_element(t.begin(), t.end()) > 0.3);
}

TEST_CASE("locomotion_stand env: root_speed_power draws the harder training pushes more often") {
  const int N = 64;
  auto mean_speed = [&](double power) {
    auto env = make_env("locomotion_stand",
                        json{{"root_speed_uniform", true}, {"root_speed_power", power}}, N, 9);
    const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
    REQUIRE(pe != nullptr);
    env->set_training_samples(0);
    const std::vector<double> v = reset_speeds(*env, pe->model().size.nq);
    double sum = 0;
    for (double s : v) {
      CHECK(s >= 0.0);
      CHECK(s <= 0.5 + 1e-6);
      sum += s;
    }
    return sum / N;
  };
  // E[0.5 u^p] = 0.5 / (p + 1); 64 draws: standard errors 0.018 (p = 1), 0.015 (p = 0.5)
  const double uniform = mean_speed(1.0), harder = mean_speed(0.5);
  CHECK(uniform == doctest::Approx(0.25).epsilon(0.2));
  CHECK(harder == doctest::Approx(1.0 / 3.0).epsilon(0.15));
  CHECK(harder > uniform);
  CHECK_THROWS_AS(make_env("locomotion_stand", json{{"root_speed_power", 0.5}}, 1, 9),
                  std::invalid_argument);  // a fixed push speed has nothing to skew
}

TEST_CASE("locomotion_stand env: a fixed push direction in the world frame") {
  // the pelvis frame is the world frame turned 90 deg about x: the pelvis_tx slide moves along
  // world +x (forward), pelvis_tz along world -y (the body's right)
  const std::pair<double, std::array<double, 2>> cases[] = {
      {0.0, {0.5, 0.0}}, {90.0, {0.0, -0.5}}, {180.0, {-0.5, 0.0}}, {270.0, {0.0, 0.5}}};
  for (const auto& [deg, want] : cases) {
    auto env = make_env("locomotion_stand", json{{"push_direction_deg", deg}}, 3, 4);
    const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
    REQUIRE(pe != nullptr);
    const Model& m = pe->model();
    env->reset();
    const int O = env->spec().obs_dim, nq = m.size.nq;
    auto dof = [&](const char* name) {
      const auto it = std::find(m.jnt_name.begin(), m.jnt_name.end(), name);
      REQUIRE(it != m.jnt_name.end());
      return m.jnt_dofadr[static_cast<std::size_t>(it - m.jnt_name.begin())];
    };
    const int tx = dof("pelvis_tx"), tz = dof("pelvis_tz");
    for (int w = 0; w < env->num_envs(); ++w) {
      const float* v = env->obs().data() + static_cast<std::size_t>(w) * O + (nq - 2);
      CAPTURE(deg);
      CHECK(10.0 * v[tx] == doctest::Approx(want[0]).epsilon(1e-5).scale(1.0));
      CHECK(10.0 * v[tz] == doctest::Approx(want[1]).epsilon(1e-5).scale(1.0));
    }
  }
  CHECK_THROWS_WITH_AS(make_env("locomotion_stand", json{{"push_direction_deg", 400.0}}, 1, 1),
                       doctest::Contains("push_direction_deg"), std::invalid_argument);
}

TEST_CASE(
    "locomotion_stand env: reward terms measured against the leaned start, effort after "
    "feedback") {
  // no noise, no push: after one zero action the body is still at its (leaned) start pose, so
  // the posture and upright terms are near zero (against the keyframe the 4 deg lean alone would
  // cost (4 / 30)^2 = 0.018 in the upright term)
  const json lean{{"joint_noise", 0.0},   {"root_speed", 0.0},    {"static_feedforward", true},
                  {"lean_deg", 4},        {"effort_weight", 0.0}, {"posture_weight", 1.0},
                  {"upright_weight", 1.0}};
  auto env = make_env("locomotion_stand", lean, 1, 3);
  env->reset();
  std::vector<float> zero(env->spec().act_dim, 0.f);
  env->step(zero.data());
  MESSAGE("leaned start, one zero action: reward " << env->reward()[0]);
  CHECK(env->reward()[0] > 0.998f);

  // effort only: without feedback the excitation of a zero action is a*, the start activation
  // (observed); with feedback on a noisy start it is the controller's output, not a*
  const json effort{{"joint_noise", 0.05},  {"root_speed", 0.0},    {"static_feedforward", true},
                    {"lean_deg", 4},        {"effort_weight", 1.0}, {"posture_weight", 0.0},
                    {"upright_weight", 0.0}};
  json fbp = effort;
  fbp.update(json{{"feedback_kp", 300}, {"feedback_kd", 30}});
  auto ff = make_env("locomotion_stand", effort, 1, 4);
  auto fb = make_env("locomotion_stand", fbp, 1, 4);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(ff.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  ff->reset();
  fb->reset();
  const float* act = ff->obs().data() + (m.size.nq - 2) + m.size.nv;
  double mean_sq = 0;
  for (int u = 0; u < m.size.nu; ++u) mean_sq += double(act[u]) * act[u] / m.size.nu;
  ff->step(zero.data());
  fb->step(zero.data());
  MESSAGE("effort term: feed-forward " << 1 - ff->reward()[0] << ", with feedback "
                                       << 1 - fb->reward()[0]);
  CHECK(1.0 - ff->reward()[0] == doctest::Approx(mean_sq).epsilon(1e-4));
  CHECK(std::fabs(ff->reward()[0] - fb->reward()[0]) > 1e-4);
}

TEST_CASE("locomotion_stand env: target-posture actions drive the balance controller's targets") {
  const json fb{{"joint_noise", 0.05},     {"root_speed", 0.2},     {"static_feedforward", true},
                {"lean_deg", 4},           {"feedback_kp", 300},    {"feedback_kd", 30},
                {"feedback_com_kp", 1000}, {"feedback_com_kd", 200}};
  json tgt = fb;
  tgt["feedback_target_scale"] = 0.3;
  auto plain = make_env("locomotion_stand", fb, 1, 8);
  auto env = make_env("locomotion_stand", tgt, 1, 8);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(env.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  // one action per feedback joint: ankle, subtalar, knee and 3 hip hinges per leg, in model order
  REQUIRE(env->spec().act_dim == 12);
  CHECK(env->spec().act_low[0] == -1.f);
  CHECK(env->spec().act_high[0] == 1.f);
  // the right knee's action index: feedback joints are the independent (not coupling-driven)
  // non-root hinges matching the joint list, in model order
  std::vector<char> driven(m.size.njnt, 0);
  for (int e = 0; e < m.size.neq; ++e)
    if (is_coupling(m.eq_active.data(), m.eq_type.data(), e)) driven[m.eq_obj1id[e]] = 1;
  const char* fb_joints[] = {"ankle_angle", "subtalar",      "knee_angle",
                             "hip_flexion", "hip_adduction", "hip_rotation"};
  int knee_k = -1, k = 0, knee_j = -1;
  for (int j = 0; j < m.size.njnt; ++j) {
    const std::string& name = m.jnt_name[j];
    if (m.jnt_type[j] != kJointHinge || driven[j] || m.jnt_bodyid[j] == m.jnt_bodyid[0] ||
        std::none_of(std::begin(fb_joints), std::end(fb_joints),
                     [&](const char* f) { return name.find(f) != std::string::npos; }))
      continue;
    if (name == "knee_angle_r") knee_k = k, knee_j = j;
    ++k;
  }
  REQUIRE(k == 12);
  REQUIRE(knee_k >= 0);
  // zero target offsets: the same run as the excitation-action controller with zero action
  plain->reset();
  env->reset();
  std::vector<float> zero_u(plain->spec().act_dim, 0.f), zero_t(12, 0.f);
  for (int t = 0; t < 10; ++t) {
    plain->step(zero_u.data());
    env->step(zero_t.data());
    CHECK(env->reward()[0] == doctest::Approx(plain->reward()[0]).epsilon(1e-6));
  }
  // the right knee's target raised by 0.3 rad (flexion): the knee flexes beyond the zero-action run
  const int qk = m.jnt_qposadr[knee_j];
  auto knee_after = [&](float a) {
    auto e = make_env("locomotion_stand", tgt, 1, 8);
    e->reset();
    std::vector<float> act(12, 0.f);
    act[knee_k] = a;
    for (int t = 0; t < 10; ++t) e->step(act.data());
    return dynamic_cast<const PhysicsEnv&>(*e).world_state(0).qpos[qk];
  };
  const double k0 = knee_after(0.f), k1 = knee_after(1.f);
  MESSAGE("right knee after 0.2 s: " << k0 << " rad at zero target offset, " << k1
                                     << " rad with +0.3 rad");
  CHECK(k1 - k0 > 0.05);

  json bad = tgt;
  for (const char* key : {"feedback_kp", "feedback_kd", "feedback_com_kp", "feedback_com_kd"})
    bad.erase(key);
  CHECK_THROWS_WITH_AS(make_env("locomotion_stand", bad, 1, 1),
                       doctest::Contains("feedback_target_scale"), std::invalid_argument);
}

TEST_CASE("locomotion_stand env: static feed-forward holds the start longer than no excitation") {
  // no noise and no push, so that every world is the same and only the feed-forward differs
  const json quiet{{"joint_noise", 0.0}, {"root_speed", 0.0}};
  json with_ff = quiet;
  with_ff["static_feedforward"] = true;
  auto plain = make_env("locomotion_stand", quiet, 1, 6);
  auto ff = make_env("locomotion_stand", with_ff, 1, 6);
  const auto* pe = dynamic_cast<const PhysicsEnv*>(ff.get());
  REQUIRE(pe != nullptr);
  const Model& m = pe->model();
  const int nq = m.size.nq, nv = m.size.nv, nu = m.size.nu;
  // the action is a correction to a*: bounds [-a*, 1 - a*]; episodes start activated at a*
  ff->reset();
  const float* act = ff->obs().data() + (nq - 2) + nv;
  double mean = 0;
  for (int u = 0; u < nu; ++u) {
    INFO("actuator " << u);
    const float a = -ff->spec().act_low[u];
    CHECK(a >= 0.f);
    CHECK(a <= 1.f);
    CHECK(ff->spec().act_high[u] == doctest::Approx(1.0 - a));
    CHECK(act[m.actuator_actadr[u]] == doctest::Approx(a));
    mean += a / nu;
  }
  CHECK(mean > 0.01);  // some muscles are needed to hold the pose
  // it starts settled onto the ground: lower than the keyframe, by less than 5 cm
  // qpos 1 is pelvis_ty (vertical); the observation drops qpos 0 (pelvis_tz, horizontal)
  const double h0 = m.key_qpos[1], h = ff->obs()[0];
  CHECK(h < h0);
  CHECK(h > h0 - 0.05);
  auto upright_steps = [&](Env& env) {
    env.set_auto_reset(false);
    env.reset();
    const std::vector<float> zero(static_cast<std::size_t>(nu), 0.f);
    int steps = 0;
    while (!env.finished(0) && steps < 250) env.step(zero.data()), ++steps;
    return steps;
  };
  const int n_plain = upright_steps(*plain), n_ff = upright_steps(*ff);
  MESSAGE("zero action upright for " << n_plain << " actions without, " << n_ff
                                     << " with the static feed-forward");
  CHECK(n_ff >= n_plain + n_plain / 2);
}

TEST_CASE("make_env: unknown task and unknown parameters name the culprit") {
  const std::string task = error_of([] { make_env("pendulumm", json::object(), 2, 1); });
  CHECK(task.find("pendulumm") != std::string::npos);
  CHECK(task.find("arm26_reach") != std::string::npos);  // the known tasks are listed
  const std::string key = error_of([] {
    make_env("pendulum", json{{"episode_steps", 10}, {"bogus_key", 1}}, 2, 1);
  });
  CHECK(key.find("bogus_key") != std::string::npos);
  const std::string type = error_of([] {
    make_env("arm26_reach", json{{"dist_weight", "ten"}}, 2, 1);
  });
  CHECK(type.find("dist_weight") != std::string::npos);
  CHECK_THROWS_AS(make_env("pendulum", json::object(), 0, 1), std::invalid_argument);
  // a known parameter takes effect
  auto env = make_env("pendulum", json{{"episode_steps", 10}}, 2, 1);
  env->reset();
  const float zero[2] = {0.f, 0.f};
  for (int t = 0; t < 10; ++t) env->step(zero);
  CHECK(env->truncated()[0] == 1);
  CHECK(env->truncated()[1] == 1);
}
