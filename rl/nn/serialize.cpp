// SPDX-License-Identifier: Apache-2.0
#include "rl/nn/serialize.h"

#include <algorithm>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

namespace sinew::nn::io {

namespace {
constexpr std::size_t kMagicSize = 8;
}

void Writer::bytes(const void* p, std::size_t n) {
  os_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  if (!os_) throw std::runtime_error("nn: write failed");
}

void Writer::header(const char* magic, std::uint32_t version) {
  char m[kMagicSize] = {};
  std::memcpy(m, magic, std::min(kMagicSize, std::strlen(magic)));
  bytes(m, kMagicSize);
  u32(version);
}

void Reader::fail(const std::string& message) const {
  throw std::runtime_error(what_ + ": " + message);
}

void Reader::bytes(void* p, std::size_t n, const char* field) {
  is_.read(static_cast<char*>(p), static_cast<std::streamsize>(n));
  if (static_cast<std::size_t>(is_.gcount()) != n)
    fail(std::string("truncated file while reading ") + field);
}

#define SINEW_NN_READ(name, type)        \
  type Reader::name(const char* field) { \
    type v;                              \
    bytes(&v, sizeof v, field);          \
    return v;                            \
  }
SINEW_NN_READ(u32, std::uint32_t)
SINEW_NN_READ(i32, std::int32_t)
SINEW_NN_READ(i64, std::int64_t)
SINEW_NN_READ(u64, std::uint64_t)
SINEW_NN_READ(f32, float)
#undef SINEW_NN_READ

void Reader::header(const char* magic, std::uint32_t version) {
  char want[kMagicSize] = {}, got[kMagicSize] = {};
  std::memcpy(want, magic, std::min(kMagicSize, std::strlen(magic)));
  bytes(got, kMagicSize, "magic");
  if (std::memcmp(want, got, kMagicSize) != 0)
    fail(std::string("wrong magic (not a ") + magic + " file)");
  const std::uint32_t v = u32("version");
  if (v != version)
    fail("unsupported version " + std::to_string(v) + " (this build reads version " +
         std::to_string(version) + ")");
}

}  // namespace sinew::nn::io
