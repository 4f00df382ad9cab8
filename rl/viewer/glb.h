// SPDX-License-Identifier: Apache-2.0
// glTF 2.0 binary container (.glb, glTF 2.0 specification section 4.4 "GLB File Format"): a
// builder that collects the JSON document and one binary buffer (the BIN chunk) and writes them
// framed as a GLB, and a reader that checks the framing and returns both chunks. The JSON is
// nlohmann-json, already a Sinew dependency; the framing is a 12-byte header and two chunks.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sinew::viewer {

// glTF constants (componentType, bufferView target, primitive mode).
enum GltfConst : int {
  kGltfUnsignedShort = 5123,
  kGltfUnsignedInt = 5125,
  kGltfFloat = 5126,
  kGltfArrayBuffer = 34962,
  kGltfElementArrayBuffer = 34963,
  kGltfModeLines = 1,
  kGltfModeTriangles = 4,
};

// A glTF document with one buffer under construction. Accessors are appended with their data;
// every bufferView starts at a multiple of 4 bytes (the specification's alignment rule).
class GltfBuilder {
 public:
  GltfBuilder();
  nlohmann::json& doc() { return doc_; }
  // Appends `bytes` bytes as a new bufferView (target 0: none) and returns its index.
  int add_view(const void* data, std::size_t bytes, int target);
  // FLOAT accessor of `count` elements of `ncomp` components (1 SCALAR, 2 VEC2, 3 VEC3, 4 VEC4)
  // in its own bufferView; min/max per component when `bounds` (required for POSITION and
  // animation inputs). Returns the accessor index.
  int add_floats(const float* data, int count, int ncomp, bool bounds, int target);
  // Unsigned integer SCALAR accessor (UNSIGNED_SHORT when every value < 65535, else
  // UNSIGNED_INT); target kGltfElementArrayBuffer for indices, 0 for plain data.
  int add_uints(const std::uint32_t* data, int count, int target);
  // Appends `item` to the top-level array `key` ("nodes", "meshes" ...) and returns its index.
  int add(const char* key, nlohmann::json item);
  std::size_t bin_bytes() const { return bin_.size(); }
  // The GLB file: header, JSON chunk (space padded), BIN chunk (zero padded).
  std::string glb() const;

 private:
  nlohmann::json doc_;
  std::string bin_;
};

// The two chunks of a GLB file.
struct Glb {
  nlohmann::json json;
  std::string bin;
};

// Parses a GLB file's bytes; throws std::runtime_error naming `where` and what is wrong (magic,
// version, length, chunk types or lengths, JSON syntax).
Glb parse_glb(const std::string& bytes, const std::string& where);

}  // namespace sinew::viewer
