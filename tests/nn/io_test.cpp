// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Mlp::save / Mlp::load: a round trip gives bitwise-equal outputs; truncated files, a wrong magic
// and a wrong version are std::runtime_error naming the source and the field.
#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "rl/nn/mlp.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::nn;

namespace {

std::string saved_bytes(const Mlp& net) {
  std::ostringstream os;
  net.save(os);
  return os.str();
}

std::string load_error(const std::string& bytes) {
  std::istringstream is(bytes);
  try {
    Mlp::load(is, "policy.snw");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("save/load round trip") {
  MlpConfig c;
  c.in = 6;
  c.hidden = {16, 12, 8};
  c.out = 4;
  c.activation = Activation::kSilu;
  c.layer_norm = true;
  c.out_gain = 0.01f;
  Mlp net(c, 5);
  const std::string bytes = saved_bytes(net);
  std::istringstream is(bytes);
  Mlp back = Mlp::load(is, "memory");
  CHECK(same_shape(back.config(), c));
  CHECK(back.config().out_gain == c.out_gain);
  REQUIRE(back.num_params() == net.num_params());
  const Matrix x = test::random_matrix(9, 6, 1);
  Matrix y0, y1;
  net.forward(x, y0);
  back.forward(x, y1);
  CHECK((y0.array() == y1.array()).all());
  CHECK(saved_bytes(back) == bytes);
}

TEST_CASE("corrupt files are clear errors") {
  MlpConfig c;
  c.in = 3;
  c.hidden = {4};
  c.out = 2;
  const std::string bytes = saved_bytes(Mlp(c, 1));

  SUBCASE("truncated anywhere") {
    for (std::size_t len : {std::size_t{0}, std::size_t{5}, std::size_t{10}, std::size_t{14},
                            std::size_t{30}, bytes.size() - 1}) {
      CAPTURE(len);
      const std::string msg = load_error(bytes.substr(0, len));
      CHECK(msg.find("policy.snw") != std::string::npos);
      CHECK(msg.find("truncated") != std::string::npos);
    }
    CHECK(load_error(bytes.substr(0, 5)).find("magic") != std::string::npos);
    CHECK(load_error(bytes.substr(0, 10)).find("version") != std::string::npos);
    CHECK(load_error(bytes.substr(0, 14)).find("reading in") != std::string::npos);
    CHECK(load_error(bytes.substr(0, bytes.size() - 1)).find("parameters") != std::string::npos);
  }
  SUBCASE("wrong magic") {
    std::string b = bytes;
    b[0] = 'X';
    const std::string msg = load_error(b);
    CHECK(msg.find("policy.snw") != std::string::npos);
    CHECK(msg.find("wrong magic") != std::string::npos);
  }
  SUBCASE("wrong version") {
    std::string b = bytes;
    b[8] = 9;
    const std::string msg = load_error(b);
    CHECK(msg.find("policy.snw") != std::string::npos);
    CHECK(msg.find("unsupported version 9") != std::string::npos);
  }
  SUBCASE("inconsistent config") {
    std::string b = bytes;
    b[12] = 0;  // in = 0
    CHECK(load_error(b).find("bad in 0") != std::string::npos);
  }
}
