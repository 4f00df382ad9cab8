// SPDX-License-Identifier: Apache-2.0
// Reader of the binary golden files written by tools/oracle/state_golden.py
// (tests/data/README.md): <name>.bin holds little-endian float64 ("f8") and int32 ("i4") arrays
// in C order; <name>.json is the index {"arrays": {name: {"offset", "dtype", "shape"}}, ...}.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace sinew::testutil {

class GoldenBin {
 public:
  // Reads <stem>.json and <stem>.bin; throws std::runtime_error naming the file on failure.
  explicit GoldenBin(const std::string& stem) {
    std::ifstream ij(stem + ".json");
    if (!ij) throw std::runtime_error(stem + ".json: cannot open");
    index_ = nlohmann::json::parse(ij);
    std::ifstream ib(stem + ".bin", std::ios::binary);
    if (!ib) throw std::runtime_error(stem + ".bin: cannot open");
    blob_.assign(std::istreambuf_iterator<char>(ib), std::istreambuf_iterator<char>());
    stem_ = stem;
  }
  const nlohmann::json& index() const { return index_; }
  bool has(const std::string& name) const { return index_["arrays"].contains(name); }
  std::vector<int64_t> shape(const std::string& name) const {
    return entry(name)["shape"].get<std::vector<int64_t>>();
  }
  // All entries of an array, flattened in C order.
  std::vector<double> f8(const std::string& name) const { return read<double>(name, "f8"); }
  std::vector<int32_t> i4(const std::string& name) const { return read<int32_t>(name, "i4"); }

 private:
  const nlohmann::json& entry(const std::string& name) const {
    if (!has(name)) throw std::runtime_error(stem_ + ".json: no array '" + name + "'");
    return index_["arrays"][name];
  }
  template <typename V>
  std::vector<V> read(const std::string& name, const char* dtype) const {
    const nlohmann::json& e = entry(name);
    if (e["dtype"] != dtype)
      throw std::runtime_error(stem_ + ".json: array '" + name + "' is not " + dtype);
    size_t n = 1;
    for (int64_t s : e["shape"].get<std::vector<int64_t>>()) n *= static_cast<size_t>(s);
    const size_t off = e["offset"].get<size_t>();
    if (off + n * sizeof(V) > blob_.size())
      throw std::runtime_error(stem_ + ".bin: array '" + name + "' runs past the end");
    std::vector<V> out(n);
    if (n) std::memcpy(out.data(), blob_.data() + off, n * sizeof(V));
    return out;
  }
  std::string stem_;
  nlohmann::json index_;
  std::vector<char> blob_;
};

}  // namespace sinew::testutil
