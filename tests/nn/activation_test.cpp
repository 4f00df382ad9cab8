// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/nn/activation.h: each activation's derivative against a central difference in double
// (h = 1e-6, tolerance 1e-8), the float versions against the double ones, and the name parser.
#include "rl/nn/activation.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "rl/nn/mlp.h"

using namespace sinew::nn;

namespace {
constexpr Activation kAll[] = {Activation::kTanh, Activation::kRelu, Activation::kElu,
                               Activation::kSilu};
}

TEST_CASE("activation derivatives match central differences (double)") {
  for (Activation a : kAll) {
    const std::string name = activation_name(a);
    CAPTURE(name);
    double worst = 0;
    for (double z = -4.05; z < 4.0; z += 0.1) {  // the grid never hits the ReLU/ELU kink at 0
      const double h = 1e-6;
      const double fd = (activate(a, z + h) - activate(a, z - h)) / (2 * h);
      const double an = activate_grad(a, z, activate(a, z));
      worst = std::max(worst, std::fabs(fd - an));
    }
    CHECK(worst < 1e-8);
  }
}

TEST_CASE("activation values at known points") {
  CHECK(activate(Activation::kTanh, 0.5) == doctest::Approx(0.46211715726000974).epsilon(1e-15));
  CHECK(activate(Activation::kRelu, -2.0) == 0.0);
  CHECK(activate(Activation::kRelu, 2.0) == 2.0);
  CHECK(activate(Activation::kElu, -1.0) == doctest::Approx(std::exp(-1.0) - 1.0).epsilon(1e-15));
  CHECK(activate(Activation::kSilu, 1.0) == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(activate_grad(Activation::kSilu, 0.0, 0.0) == doctest::Approx(0.5));
  CHECK(activate_grad(Activation::kElu, -1.0, activate(Activation::kElu, -1.0)) ==
        doctest::Approx(std::exp(-1.0)));
}

TEST_CASE("float activations agree with double") {
  for (Activation a : kAll) {
    const std::string name = activation_name(a);
    CAPTURE(name);
    for (float z = -6.0f; z <= 6.0f; z += 0.37f) {
      const double zd = z;
      const float y = activate(a, z);
      CHECK(std::fabs(y - activate(a, zd)) <= 1e-6 * (1 + std::fabs(zd)));
      CHECK(std::fabs(activate_grad(a, z, y) - activate_grad(a, zd, activate(a, zd))) <= 1e-6);
    }
  }
}

TEST_CASE("activation names round trip; unknown names are an error") {
  for (Activation a : kAll) CHECK(parse_activation(activation_name(a)) == a);
  try {
    parse_activation("gelu");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("gelu") != std::string::npos);
  }
}
