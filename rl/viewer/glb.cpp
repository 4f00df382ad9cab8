// SPDX-License-Identifier: Apache-2.0
#include "rl/viewer/glb.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace sinew::viewer {

namespace {

constexpr std::uint32_t kMagic = 0x46546C67;      // "glTF"
constexpr std::uint32_t kChunkJson = 0x4E4F534A;  // "JSON"
constexpr std::uint32_t kChunkBin = 0x004E4942;   // "BIN\0"

void put_u32(std::string& s, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // GLB is little-endian, as every machine Sinew targets
  s.append(b, 4);
}

std::uint32_t get_u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

const char* type_name(int ncomp) {
  switch (ncomp) {
    case 1:
      return "SCALAR";
    case 2:
      return "VEC2";
    case 3:
      return "VEC3";
    default:
      return "VEC4";
  }
}

}  // namespace

GltfBuilder::GltfBuilder() {
  doc_ = {{"asset", {{"version", "2.0"}, {"generator", "sinew export"}}},
          {"buffers", nlohmann::json::array()},
          {"bufferViews", nlohmann::json::array()},
          {"accessors", nlohmann::json::array()}};
}

int GltfBuilder::add(const char* key, nlohmann::json item) {
  nlohmann::json& arr = doc_[key];
  if (arr.is_null()) arr = nlohmann::json::array();
  arr.push_back(std::move(item));
  return static_cast<int>(arr.size()) - 1;
}

int GltfBuilder::add_view(const void* data, std::size_t bytes, int target) {
  while (bin_.size() % 4) bin_.push_back('\0');
  nlohmann::json v = {{"buffer", 0}, {"byteOffset", bin_.size()}, {"byteLength", bytes}};
  if (target) v["target"] = target;
  bin_.append(static_cast<const char*>(data), bytes);
  return add("bufferViews", std::move(v));
}

int GltfBuilder::add_floats(const float* data, int count, int ncomp, bool bounds, int target) {
  const int view = add_view(data, sizeof(float) * static_cast<std::size_t>(count) * ncomp, target);
  nlohmann::json a = {{"bufferView", view},
                      {"componentType", kGltfFloat},
                      {"count", count},
                      {"type", type_name(ncomp)}};
  if (bounds && count > 0) {
    std::vector<float> lo(ncomp, std::numeric_limits<float>::max());
    std::vector<float> hi(ncomp, std::numeric_limits<float>::lowest());
    for (int i = 0; i < count; ++i)
      for (int k = 0; k < ncomp; ++k) {
        lo[k] = std::min(lo[k], data[static_cast<std::size_t>(i) * ncomp + k]);
        hi[k] = std::max(hi[k], data[static_cast<std::size_t>(i) * ncomp + k]);
      }
    a["min"] = lo;
    a["max"] = hi;
  }
  return add("accessors", std::move(a));
}

int GltfBuilder::add_uints(const std::uint32_t* data, int count, int target) {
  std::uint32_t top = 0;
  for (int i = 0; i < count; ++i) top = std::max(top, data[i]);
  int view;
  int type;
  if (top < 65535) {  // 65535 is the primitive-restart value, not allowed as an index
    std::vector<std::uint16_t> s(data, data + count);
    view = add_view(s.data(), 2 * s.size(), target);
    type = kGltfUnsignedShort;
  } else {
    view = add_view(data, 4 * static_cast<std::size_t>(count), target);
    type = kGltfUnsignedInt;
  }
  return add("accessors",
             {{"bufferView", view}, {"componentType", type}, {"count", count}, {"type", "SCALAR"}});
}

std::string GltfBuilder::glb() const {
  nlohmann::json doc = doc_;
  doc["buffers"] = nlohmann::json::array({{{"byteLength", bin_.size()}}});
  std::string json = doc.dump();
  while (json.size() % 4) json.push_back(' ');
  std::string bin = bin_;
  while (bin.size() % 4) bin.push_back('\0');
  std::string out;
  out.reserve(12 + 8 + json.size() + 8 + bin.size());
  put_u32(out, kMagic);
  put_u32(out, 2);
  put_u32(out, static_cast<std::uint32_t>(12 + 8 + json.size() + 8 + bin.size()));
  put_u32(out, static_cast<std::uint32_t>(json.size()));
  put_u32(out, kChunkJson);
  out += json;
  put_u32(out, static_cast<std::uint32_t>(bin.size()));
  put_u32(out, kChunkBin);
  out += bin;
  return out;
}

Glb parse_glb(const std::string& bytes, const std::string& where) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(where + ": " + what); };
  if (bytes.size() < 20) fail("too short for a GLB file (" + std::to_string(bytes.size()) + " B)");
  if (get_u32(bytes, 0) != kMagic) fail("not a GLB file (magic is not 'glTF')");
  if (get_u32(bytes, 4) != 2) fail("GLB version " + std::to_string(get_u32(bytes, 4)) + ", not 2");
  if (get_u32(bytes, 8) != bytes.size())
    fail("header length " + std::to_string(get_u32(bytes, 8)) + " != file size " +
         std::to_string(bytes.size()));
  Glb g;
  std::size_t at = 12;
  int chunk = 0;
  while (at < bytes.size()) {
    if (at + 8 > bytes.size()) fail("truncated chunk header at byte " + std::to_string(at));
    const std::uint32_t len = get_u32(bytes, at), type = get_u32(bytes, at + 4);
    if (len % 4) fail("chunk " + std::to_string(chunk) + " length is not a multiple of 4");
    if (at + 8 + len > bytes.size()) fail("chunk " + std::to_string(chunk) + " runs past the end");
    const std::string body = bytes.substr(at + 8, len);
    if (chunk == 0) {
      if (type != kChunkJson) fail("first chunk is not JSON");
      try {
        g.json = nlohmann::json::parse(body);
      } catch (const std::exception& e) {
        fail(std::string("JSON chunk: ") + e.what());
      }
    } else if (chunk == 1 && type == kChunkBin) {
      g.bin = body;
    }
    at += 8 + len;
    ++chunk;
  }
  if (chunk == 0) fail("no JSON chunk");
  return g;
}

}  // namespace sinew::viewer
