// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/ppo/normalizer.h: the running mean and variance after batches of different sizes equal the
// statistics of all rows at once; normalize() scales and clips; save/load round trip; a
// truncated or foreign stream is an error.
#include "rl/ppo/normalizer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rl/env/rng.h"

using namespace sinew::rl;

namespace {

constexpr int kDim = 4;

// Rows of very different scales and offsets per feature (feature 3 is constant).
std::vector<float> random_rows(int rows, Rng& rng) {
  std::vector<float> x(static_cast<std::size_t>(rows) * kDim);
  for (int r = 0; r < rows; ++r) {
    float* row = &x[static_cast<std::size_t>(r) * kDim];
    row[0] = static_cast<float>(rng.normal());
    row[1] = static_cast<float>(1000 + 50 * rng.normal());
    row[2] = static_cast<float>(rng.uniform(-1e-3, 1e-3));
    row[3] = 7.f;
  }
  return x;
}

// A normaliser fed with batches of 1, 3, 17, 64, 2 and 100 rows; `all` collects every row.
RunningNorm fed_norm(std::vector<float>& all) {
  Rng rng(3, 0);
  RunningNorm norm(kDim, 5.f);
  for (int rows : {1, 3, 17, 64, 2, 100}) {
    const std::vector<float> x = random_rows(rows, rng);
    norm.update(x.data(), rows);
    all.insert(all.end(), x.begin(), x.end());
  }
  norm.update(all.data(), 0);  // an empty batch changes nothing
  return norm;
}

}  // namespace

TEST_CASE("RunningNorm: batched updates equal the statistics of all rows") {
  std::vector<float> all;
  const RunningNorm norm = fed_norm(all);
  const int rows = static_cast<int>(all.size() / kDim);
  REQUIRE(rows == 187);
  CHECK(norm.count() == 187);
  for (int j = 0; j < kDim; ++j) {
    double m = 0, v = 0;
    for (int r = 0; r < rows; ++r) m += all[static_cast<std::size_t>(r) * kDim + j];
    m /= rows;
    for (int r = 0; r < rows; ++r) {
      const double e = all[static_cast<std::size_t>(r) * kDim + j] - m;
      v += e * e;
    }
    v /= rows;  // population variance
    INFO("feature " << j);
    CHECK(norm.mean()[j] == doctest::Approx(m).epsilon(1e-9));
    if (j == 3)
      CHECK(std::fabs(norm.var()[j]) < 1e-20);
    else
      CHECK(norm.var()[j] == doctest::Approx(v).epsilon(1e-9));
  }
}

TEST_CASE("RunningNorm: normalize scales, clips, and is the identity before any update") {
  RunningNorm fresh(2, 3.f);
  const float x[4] = {0.5f, -2.f, 10.f, -10.f};
  float y[4];
  fresh.normalize(x, 2, y);
  CHECK(y[0] == doctest::Approx(0.5f));
  CHECK(y[1] == doctest::Approx(-2.f));
  CHECK(y[2] == 3.f);  // clipped to +-3
  CHECK(y[3] == -3.f);

  std::vector<float> all;
  const RunningNorm norm = fed_norm(all);
  // one row at mean + sigma per feature, one far outside
  std::vector<float> in(2 * kDim), out(2 * kDim);
  for (int j = 0; j < kDim; ++j) {
    const double sd = std::sqrt(norm.var()[j] + 1e-8);
    in[j] = static_cast<float>(norm.mean()[j] + sd);
    in[kDim + j] = static_cast<float>(norm.mean()[j] - 100 * sd - 1);
  }
  norm.normalize(in.data(), 2, out.data());
  CHECK(out[0] == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(out[1] == doctest::Approx(1.0).epsilon(1e-3));  // mean 1000: float rounding of the row
  CHECK(out[2] == doctest::Approx(1.0).epsilon(1e-4));
  for (int j = 0; j < kDim; ++j) CHECK(out[kDim + j] == -5.f);
  // out may alias the input
  std::vector<float> alias = in;
  norm.normalize(alias.data(), 2, alias.data());
  CHECK(alias == out);
}

TEST_CASE("RunningNorm: save/load round trip") {
  std::vector<float> all;
  const RunningNorm norm = fed_norm(all);
  std::stringstream ss;
  norm.save(ss);
  const RunningNorm back = RunningNorm::load(ss, "memory");
  CHECK(back.dim() == kDim);
  CHECK(back.count() == norm.count());
  CHECK(back.mean() == norm.mean());
  CHECK(back.var() == norm.var());
  // same eps and clip: identical outputs, including clipped ones
  std::vector<float> a(all.size()), b(all.size());
  for (float& v : all) v *= 3.f;
  norm.normalize(all.data(), static_cast<int>(all.size() / kDim), a.data());
  back.normalize(all.data(), static_cast<int>(all.size() / kDim), b.data());
  CHECK(a == b);
}

TEST_CASE("RunningNorm: truncated or foreign streams are errors") {
  std::vector<float> all;
  const RunningNorm norm = fed_norm(all);
  std::stringstream ss;
  norm.save(ss);
  const std::string bytes = ss.str();
  for (std::size_t keep :
       {std::size_t(0), std::size_t(5), std::size_t(12), bytes.size() / 2, bytes.size() - 1}) {
    INFO("kept " << keep << " of " << bytes.size() << " bytes");
    std::istringstream cut(bytes.substr(0, keep));
    try {
      RunningNorm::load(cut, "cut.bin");
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("cut.bin") != std::string::npos);
    }
  }
  std::string bad = bytes;
  bad[0] = 'X';
  std::istringstream foreign(bad);
  CHECK_THROWS_AS(RunningNorm::load(foreign, "foreign.bin"), std::runtime_error);
}
