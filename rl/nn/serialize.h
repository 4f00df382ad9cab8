// SPDX-License-Identifier: Apache-2.0
// Binary reading and writing for the network and optimizer files: little-endian PODs, an 8-byte
// magic and a version, with errors that name the source and the field being read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>

namespace sinew::nn::io {

class Writer {
 public:
  explicit Writer(std::ostream& os) : os_(os) {}
  void bytes(const void* p, std::size_t n);
  void u32(std::uint32_t v) { bytes(&v, sizeof v); }
  void i32(std::int32_t v) { bytes(&v, sizeof v); }
  void i64(std::int64_t v) { bytes(&v, sizeof v); }
  void u64(std::uint64_t v) { bytes(&v, sizeof v); }
  void f32(float v) { bytes(&v, sizeof v); }
  void floats(const float* p, std::size_t n) { bytes(p, n * sizeof(float)); }
  // magic (exactly 8 characters) followed by the u32 version
  void header(const char* magic, std::uint32_t version);

 private:
  std::ostream& os_;
};

// Every read throws std::runtime_error("<what>: <message> (<field>)") on a short read.
class Reader {
 public:
  Reader(std::istream& is, std::string what) : is_(is), what_(std::move(what)) {}
  void bytes(void* p, std::size_t n, const char* field);
  std::uint32_t u32(const char* field);
  std::int32_t i32(const char* field);
  std::int64_t i64(const char* field);
  std::uint64_t u64(const char* field);
  float f32(const char* field);
  void floats(float* p, std::size_t n, const char* field) { bytes(p, n * sizeof(float), field); }
  // Checks the 8-byte magic and that the version is `version` (the only one readable).
  void header(const char* magic, std::uint32_t version);
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::istream& is_;
  std::string what_;
};

}  // namespace sinew::nn::io
