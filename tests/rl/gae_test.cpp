// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/ppo/gae.h: compute_gae against a naive forward-sum reference on random rollouts with
// terminations and truncations, hand-computed three-step cases for the plain, terminated and
// truncated paths, and no advantage flowing back across an episode boundary.
#include "rl/ppo/gae.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rl/env/rng.h"

using namespace sinew::rl;

namespace {

struct Rollout {
  int T = 0, N = 0;
  std::vector<float> reward, value, next_value;
  std::vector<std::uint8_t> terminated, truncated;
};

struct GaeOut {
  std::vector<float> adv, ret;
};

GaeOut run_gae(const Rollout& r, float gamma, float lambda) {
  const std::size_t TN = static_cast<std::size_t>(r.T) * r.N;
  GaeOut o{std::vector<float>(TN, -1e30f), std::vector<float>(TN, -1e30f)};
  compute_gae(r.T, r.N, r.reward.data(), r.value.data(), r.next_value.data(), r.terminated.data(),
              r.truncated.data(), gamma, lambda, o.adv.data(), o.ret.data());
  return o;
}

// The definition written out: A_t = sum_k (gamma lambda)^k delta_{t+k}, the sum running forward
// from t and stopping after the first step that ends an episode (or at the end of the rollout);
// delta_s = r_s + gamma * (terminated_s ? 0 : next_value_s) - V_s.
double reference_advantage(const Rollout& r, int t, int n, double gamma, double lambda) {
  double sum = 0, weight = 1;
  for (int s = t; s < r.T; ++s) {
    const std::size_t i = static_cast<std::size_t>(s) * r.N + n;
    const double successor = r.terminated[i] ? 0.0 : double(r.next_value[i]);
    const double delta = double(r.reward[i]) + gamma * successor - double(r.value[i]);
    sum += weight * delta;
    if (r.terminated[i] || r.truncated[i]) break;
    weight *= gamma * lambda;
  }
  return sum;
}

// One world, three steps: r = (1, 2, 3), V = (0.5, 1, 1.5), next_value = (1, 1.5, 2).
Rollout three_steps() {
  Rollout r;
  r.T = 3;
  r.N = 1;
  r.reward = {1.f, 2.f, 3.f};
  r.value = {0.5f, 1.f, 1.5f};
  r.next_value = {1.f, 1.5f, 2.f};
  r.terminated = {0, 0, 0};
  r.truncated = {0, 0, 0};
  return r;
}

constexpr float kGamma = 0.9f, kLambda = 0.8f;  // gamma * lambda = 0.72

}  // namespace

TEST_CASE("GAE: random rollouts with terminations and truncations match the forward sums") {
  Rng rng(2024, 0);
  for (int trial = 0; trial < 20; ++trial) {
    Rollout r;
    r.T = 17;
    r.N = 5;
    const std::size_t TN = static_cast<std::size_t>(r.T) * r.N;
    r.reward.resize(TN);
    r.value.resize(TN);
    r.next_value.resize(TN);
    r.terminated.assign(TN, 0);
    r.truncated.assign(TN, 0);
    for (std::size_t i = 0; i < TN; ++i) {
      r.reward[i] = static_cast<float>(rng.uniform(-2, 2));
      r.value[i] = static_cast<float>(rng.uniform(-5, 5));
      r.next_value[i] = static_cast<float>(rng.uniform(-5, 5));
      const double u = rng.uniform();
      r.terminated[i] = u < 0.12;
      r.truncated[i] = u >= 0.12 && u < 0.24;
      // a terminated step's successor value must not matter
      if (r.terminated[i]) r.next_value[i] = 1e6f;
    }
    // the last step of the rollout: world 0 terminates there, world 1 is truncated there,
    // world 2 runs on (bootstrapped from next_value)
    const std::size_t last = static_cast<std::size_t>(r.T - 1) * r.N;
    r.terminated[last + 0] = 1;
    r.truncated[last + 0] = 0;
    r.next_value[last + 0] = -1e6f;
    r.terminated[last + 1] = 0;
    r.truncated[last + 1] = 1;
    r.terminated[last + 2] = 0;
    r.truncated[last + 2] = 0;
    int nterm = 0, ntrunc = 0;
    for (std::size_t i = 0; i < TN; ++i) {
      nterm += r.terminated[i];
      ntrunc += r.truncated[i];
    }
    REQUIRE(nterm >= 2);
    REQUIRE(ntrunc >= 2);

    const float gamma = trial % 2 ? 0.99f : 0.9f, lambda = trial % 3 ? 0.95f : 0.5f;
    const GaeOut o = run_gae(r, gamma, lambda);
    for (int t = 0; t < r.T; ++t)
      for (int n = 0; n < r.N; ++n) {
        const std::size_t i = static_cast<std::size_t>(t) * r.N + n;
        const double want = reference_advantage(r, t, n, gamma, lambda);
        INFO("trial " << trial << " t " << t << " n " << n);
        CHECK(o.adv[i] == doctest::Approx(want).epsilon(1e-5).scale(1.0));
        CHECK(o.ret[i] == doctest::Approx(want + r.value[i]).epsilon(1e-5).scale(1.0));
      }
  }
}

TEST_CASE("GAE: three steps by hand") {
  // gamma 0.9, lambda 0.8.
  SUBCASE("plain: bootstrap at the end of the rollout") {
    // delta = (1 + 0.9 * 1 - 0.5, 2 + 0.9 * 1.5 - 1, 3 + 0.9 * 2 - 1.5) = (1.4, 2.35, 3.3)
    // A2 = 3.3, A1 = 2.35 + 0.72 * 3.3 = 4.726, A0 = 1.4 + 0.72 * 4.726 = 4.80272
    const GaeOut o = run_gae(three_steps(), kGamma, kLambda);
    CHECK(o.adv[0] == doctest::Approx(4.80272));
    CHECK(o.adv[1] == doctest::Approx(4.726));
    CHECK(o.adv[2] == doctest::Approx(3.3));
    CHECK(o.ret[0] == doctest::Approx(5.30272));
    CHECK(o.ret[1] == doctest::Approx(5.726));
    CHECK(o.ret[2] == doctest::Approx(4.8));
  }
  SUBCASE("terminated at the last step: no successor value") {
    // delta2 = 3 - 1.5 = 1.5 (next_value 2 is ignored); A1 = 2.35 + 0.72 * 1.5 = 3.43,
    // A0 = 1.4 + 0.72 * 3.43 = 3.8696
    Rollout r = three_steps();
    r.terminated[2] = 1;
    const GaeOut o = run_gae(r, kGamma, kLambda);
    CHECK(o.adv[2] == doctest::Approx(1.5));
    CHECK(o.adv[1] == doctest::Approx(3.43));
    CHECK(o.adv[0] == doctest::Approx(3.8696));
    CHECK(o.ret[2] == doctest::Approx(3.0));
  }
  SUBCASE("terminated in the middle") {
    // step 1 terminates: next_value 99 is ignored, delta1 = 2 - 1 = 1, A1 = 1 (nothing flows
    // back from step 2, which belongs to the next episode), A0 = 1.4 + 0.72 = 2.12, A2 = 3.3
    Rollout r = three_steps();
    r.terminated[1] = 1;
    r.next_value[1] = 99.f;
    const GaeOut o = run_gae(r, kGamma, kLambda);
    CHECK(o.adv[0] == doctest::Approx(2.12));
    CHECK(o.adv[1] == doctest::Approx(1.0));
    CHECK(o.adv[2] == doctest::Approx(3.3));
  }
  SUBCASE("truncated in the middle: bootstrap from the final observation's value") {
    // step 1 hits the time limit; V(final obs) = 4 (not V(s_2) = 1.5, which is the next
    // episode's first state): delta1 = 2 + 0.9 * 4 - 1 = 4.6, A1 = 4.6,
    // A0 = 1.4 + 0.72 * 4.6 = 4.712, A2 = 3.3
    Rollout r = three_steps();
    r.truncated[1] = 1;
    r.next_value[1] = 4.f;
    const GaeOut o = run_gae(r, kGamma, kLambda);
    CHECK(o.adv[0] == doctest::Approx(4.712));
    CHECK(o.adv[1] == doctest::Approx(4.6));
    CHECK(o.adv[2] == doctest::Approx(3.3));
    CHECK(o.ret[1] == doctest::Approx(5.6));
  }
}

TEST_CASE("GAE: nothing leaks back across an episode boundary") {
  for (int kind = 0; kind < 2; ++kind) {
    INFO((kind == 0 ? "terminated" : "truncated") << " at t = 1");
    Rollout a = three_steps();
    (kind == 0 ? a.terminated : a.truncated)[1] = 1;
    Rollout b = a;
    b.reward[2] += 10.f;  // the next episode changes...
    b.value[2] -= 3.f;
    b.next_value[2] += 7.f;
    const GaeOut oa = run_gae(a, kGamma, kLambda), ob = run_gae(b, kGamma, kLambda);
    CHECK(oa.adv[0] == ob.adv[0]);  // ...and the ended one does not notice
    CHECK(oa.adv[1] == ob.adv[1]);
    CHECK(oa.ret[0] == ob.ret[0]);
    CHECK(oa.adv[2] != ob.adv[2]);
    // worlds are independent too: a second world with other data leaves the first unchanged
    Rollout two = a;
    two.N = 2;
    two.reward = {a.reward[0], -5.f, a.reward[1], 6.f, a.reward[2], 7.f};
    two.value = {a.value[0], 2.f, a.value[1], -1.f, a.value[2], 0.f};
    two.next_value = {a.next_value[0], 3.f, a.next_value[1], 1.f, a.next_value[2], 8.f};
    two.terminated = {a.terminated[0], 0, a.terminated[1], 0, a.terminated[2], 0};
    two.truncated = {a.truncated[0], 0, a.truncated[1], 0, a.truncated[2], 0};
    const GaeOut o2 = run_gae(two, kGamma, kLambda);
    for (int t = 0; t < 3; ++t) CHECK(o2.adv[2 * t] == oa.adv[t]);
  }
}
