// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/nn/optim.h: two Adam steps against values worked out by hand, decoupled weight decay,
// gradient-norm clipping, and the optimizer state surviving save/load.
#include "rl/nn/optim.h"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sinew::nn;

TEST_CASE("Adam: two steps worked out by hand") {
  // lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8. Parameter 0 starts at 1 with gradients 0.5, -0.25:
  //   t=1: m = 0.05, v = 2.5e-4, m_hat = 0.5, v_hat = 0.25 -> p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
  //        = 0.900000002
  //   t=2: m = 0.045 - 0.025 = 0.02, v = 2.4975e-4 + 6.25e-5 = 3.1225e-4,
  //        m_hat = 0.02 / 0.19 = 0.1052632, v_hat = 3.1225e-4 / 1.999e-3 = 0.1562031
  //        -> p = 0.9 - 0.1 * 0.1052632 / 0.3952254 = 0.8733663
  // Parameter 1 starts at -2 with gradients -3, 1: -1.9000000003, then -1.8599781.
  Adam adam(2, AdamConfig{});
  std::vector<float> p{1.0f, -2.0f};
  const float g1[2] = {0.5f, -3.0f}, g2[2] = {-0.25f, 1.0f};
  adam.step(p.data(), g1, 0.1f);
  CHECK(adam.steps() == 1);
  CHECK(p[0] == doctest::Approx(0.900000002).epsilon(1e-6));
  CHECK(p[1] == doctest::Approx(-1.9000000003).epsilon(1e-6));
  adam.step(p.data(), g2, 0.1f);
  CHECK(adam.steps() == 2);
  CHECK(p[0] == doctest::Approx(0.8733662987).epsilon(1e-6));
  CHECK(p[1] == doctest::Approx(-1.8599781433).epsilon(1e-6));
}

TEST_CASE("AdamW: decay is decoupled from the moments") {
  AdamConfig cfg;
  cfg.weight_decay = 0.5f;
  SUBCASE("zero gradient: pure decay by (1 - lr * wd) per step") {
    Adam adam(1, cfg);
    float p = 2.0f;
    const float g = 0.0f;
    adam.step(&p, &g, 0.1f);
    CHECK(p == doctest::Approx(1.9));
    adam.step(&p, &g, 0.1f);
    CHECK(p == doctest::Approx(1.805));
  }
  SUBCASE("with a gradient: decayed parameter minus the plain Adam step") {
    Adam plain(1, AdamConfig{}), decayed(1, cfg);
    float a = 2.0f, b = 2.0f;
    for (float g : {0.3f, -0.7f, 0.1f}) {
      const float before = b;
      plain.step(&a, &g, 0.05f);
      const float adam_delta = a - before;  // a and b agree before each step only at the start,
      decayed.step(&b, &g, 0.05f);          // so compare the increments
      CHECK(b == doctest::Approx(before * (1 - 0.05f * 0.5f) + adam_delta).epsilon(1e-6));
      a = b;
    }
  }
}

TEST_CASE("clip_grad_norm scales to the maximum norm and returns the norm before clipping") {
  float g[2] = {3.0f, 4.0f};
  CHECK(clip_grad_norm(g, 2, 10.0f) == doctest::Approx(5.0));
  CHECK(g[0] == 3.0f);
  CHECK(g[1] == 4.0f);
  CHECK(clip_grad_norm(g, 2, 1.0f) == doctest::Approx(5.0));
  CHECK(g[0] == doctest::Approx(0.6));
  CHECK(g[1] == doctest::Approx(0.8));
  float z[3] = {0, 0, 0};
  CHECK(clip_grad_norm(z, 3, 1.0f) == 0.0f);
  CHECK(z[0] == 0.0f);
}

TEST_CASE("Adam state survives save/load: continuing gives the same parameters") {
  AdamConfig cfg;
  cfg.weight_decay = 0.01f;
  cfg.beta2 = 0.99f;
  Adam a(3, cfg);
  std::vector<float> p{0.5f, -1.0f, 2.0f};
  const float g[3] = {0.1f, -0.2f, 0.3f};
  a.step(p.data(), g, 0.01f);
  std::stringstream ss;
  a.save(ss);
  Adam b = Adam::load(ss, "adam.bin");
  CHECK(b.size() == 3);
  CHECK(b.steps() == 1);
  std::vector<float> q = p;
  a.step(p.data(), g, 0.01f);
  b.step(q.data(), g, 0.01f);
  CHECK(p == q);

  SUBCASE("truncated and wrong-magic files are errors naming the source") {
    const std::string bytes = ss.str();
    std::istringstream cut(bytes.substr(0, bytes.size() - 3));
    try {
      Adam::load(cut, "adam.bin");
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("adam.bin") != std::string::npos);
      CHECK(std::string(e.what()).find("second moments") != std::string::npos);
    }
    std::istringstream wrong(std::string("SNWMLP\0\0\1\0\0\0", 12));
    CHECK_THROWS_WITH_AS(Adam::load(wrong, "x"), doctest::Contains("wrong magic"),
                         std::runtime_error);
  }
}
