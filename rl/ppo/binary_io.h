// SPDX-License-Identifier: Apache-2.0
// Little helpers for the versioned binary files of rl/ (checkpoints): tagged sections with a
// magic string and a version, plain-old-data values and arrays; every read failure names the
// file and the field.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>

namespace sinew::rl {

template <typename T>
void write_pod(std::ostream& os, const T& v) {
  os.write(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
void write_array(std::ostream& os, const T* p, std::size_t n) {
  os.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n * sizeof(T)));
}
template <typename T>
T read_pod(std::istream& is, const std::string& what, const char* field) {
  T v{};
  if (!is.read(reinterpret_cast<char*>(&v), sizeof(T)))
    throw std::runtime_error(what + ": truncated file while reading " + field);
  return v;
}
template <typename T>
void read_array(std::istream& is, T* p, std::size_t n, const std::string& what, const char* field) {
  if (!is.read(reinterpret_cast<char*>(p), static_cast<std::streamsize>(n * sizeof(T))))
    throw std::runtime_error(what + ": truncated file while reading " + field);
}
inline void write_string(std::ostream& os, const std::string& s) {
  write_pod(os, static_cast<std::uint64_t>(s.size()));
  os.write(s.data(), static_cast<std::streamsize>(s.size()));
}
inline std::string read_string(std::istream& is, const std::string& what, const char* field) {
  const auto n = read_pod<std::uint64_t>(is, what, field);
  if (n > (1ull << 30)) throw std::runtime_error(what + ": implausible length of " + field);
  std::string s(n, '\0');
  if (n && !is.read(&s[0], static_cast<std::streamsize>(n)))
    throw std::runtime_error(what + ": truncated file while reading " + field);
  return s;
}
// An 8-byte magic (tag padded with '\0') followed by a uint32 version.
inline void write_magic(std::ostream& os, const char* tag, std::uint32_t version) {
  char m[8] = {};
  std::memcpy(m, tag, std::min<std::size_t>(std::strlen(tag), 8));
  os.write(m, 8);
  write_pod(os, version);
}
inline void read_magic(std::istream& is, const char* tag, std::uint32_t version,
                       const std::string& what) {
  char m[8] = {}, want[8] = {};
  std::memcpy(want, tag, std::min<std::size_t>(std::strlen(tag), 8));
  if (!is.read(m, 8)) throw std::runtime_error(what + ": truncated file while reading " + tag);
  if (std::memcmp(m, want, 8) != 0)
    throw std::runtime_error(what + ": not a " + tag + " section (wrong magic)");
  const auto v = read_pod<std::uint32_t>(is, what, "version");
  if (v != version)
    throw std::runtime_error(what + ": " + tag + " version " + std::to_string(v) +
                             " is not supported (this build reads version " +
                             std::to_string(version) + ")");
}

}  // namespace sinew::rl
