// SPDX-License-Identifier: Apache-2.0
// STL (binary and ASCII) and Wavefront OBJ readers for the MJCF importer. STL vertices are
// merged when their float32 bits are equal (as MuJoCo's STL decoder does), in order of first
// appearance; OBJ files are read with tinyobjloader as MuJoCo reads them.
#include <tiny_obj_loader.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "engine/mjcf/mesh.h"

namespace sinew::mjcf {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

class VertexMerger {
 public:
  explicit VertexMerger(RawMesh* m) : m_(m) {}
  int add(const float v[3]) {
    uint32_t k[3];
    std::memcpy(k, v, sizeof k);
    auto key = std::make_tuple(k[0], k[1], k[2]);
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    const int id = static_cast<int>(m_->vert.size() / 3);
    index_.emplace(key, id);
    m_->vert.insert(m_->vert.end(), v, v + 3);
    return id;
  }

 private:
  RawMesh* m_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, int> index_;
};

void check_vertex(const float v[3], const std::string& path) {
  for (int i = 0; i < 3; ++i)
    if (!std::isfinite(v[i]) || std::fabs(v[i]) > 1073741824.0f)
      throw std::runtime_error("mesh file '" + path + "': vertex coordinate out of bounds");
}

RawMesh read_stl_binary(const std::string& bytes, const std::string& path) {
  uint32_t nface = 0;
  std::memcpy(&nface, bytes.data() + 80, 4);
  RawMesh m;
  VertexMerger merge(&m);
  m.face.resize(3 * static_cast<size_t>(nface));
  for (uint32_t f = 0; f < nface; ++f) {
    const char* rec = bytes.data() + 84 + 50 * static_cast<size_t>(f);
    for (int j = 0; j < 3; ++j) {
      float v[3];
      std::memcpy(v, rec + 12 * (j + 1), sizeof v);
      check_vertex(v, path);
      m.face[3 * f + j] = merge.add(v);
    }
  }
  return m;
}

RawMesh read_stl_ascii(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::string word;
  RawMesh m;
  VertexMerger merge(&m);
  int corner = 0;
  while (in >> word) {
    if (word != "vertex") continue;
    float v[3];
    for (int i = 0; i < 3; ++i) {
      std::string s;
      if (!(in >> s)) throw std::runtime_error("mesh file '" + path + "': truncated ASCII STL");
      char* end = nullptr;
      v[i] = std::strtof(s.c_str(), &end);
      if (*end) throw std::runtime_error("mesh file '" + path + "': bad number '" + s + "'");
    }
    check_vertex(v, path);
    m.face.push_back(merge.add(v));
    ++corner;
  }
  if (corner == 0 || corner % 3)
    throw std::runtime_error("mesh file '" + path + "': not a valid STL file (binary or ASCII)");
  return m;
}

// OBJ through tinyobjloader with its default configuration (polygons triangulated: quads
// split along the shorter diagonal, larger polygons by ear clipping), keeping all vertices and
// the faces of the first shape only, as MuJoCo's OBJ decoder does
// (plugin/obj_decoder/obj_decoder.cc).
RawMesh read_obj(const std::string& text, const std::string& path) {
  tinyobj::ObjReader reader;
  reader.ParseFromString(text, std::string());
  if (!reader.Valid())
    throw std::runtime_error("mesh file '" + path + "': cannot parse OBJ: " + reader.Error());
  RawMesh m;
  const tinyobj::attrib_t& attrib = reader.GetAttrib();
  m.vert.assign(attrib.vertices.begin(), attrib.vertices.end());
  for (size_t i = 0; i + 2 < m.vert.size(); i += 3) check_vertex(&m.vert[i], path);
  if (!reader.GetShapes().empty()) {
    const tinyobj::mesh_t& mesh = reader.GetShapes()[0].mesh;
    size_t idx = 0;
    for (const auto nfv : mesh.num_face_vertices) {
      const int n = static_cast<int>(nfv);
      if (n < 3 || n > 4)
        throw std::runtime_error("mesh file '" + path +
                                 "': only triangles and quads are supported");
      for (int k : {0, 1, 2}) m.face.push_back(mesh.indices[idx + k].vertex_index);
      if (n == 4)
        for (int k : {0, 2, 3}) m.face.push_back(mesh.indices[idx + k].vertex_index);
      idx += static_cast<size_t>(n);
    }
  }
  return m;
}

}  // namespace

RawMesh read_mesh_file(const std::string& path, const std::string& content_type) {
  std::string type = content_type;
  const std::string lp = lower(path);
  if (type.empty()) {
    if (ends_with(lp, ".stl")) type = "model/stl";
    if (ends_with(lp, ".obj")) type = "model/obj";
  }
  if (type != "model/stl" && type != "model/obj")
    throw std::runtime_error("mesh file '" + path + "': unsupported mesh type" +
                             (content_type.empty() ? std::string(" (expected .stl or .obj)")
                                                   : " '" + content_type + "'") +
                             "");
  std::ifstream f(path, std::ios::binary);
  if (!f)
    throw std::runtime_error("cannot open mesh file '" + path + "' (" + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  RawMesh m;
  if (type == "model/obj") {
    m = read_obj(bytes, path);
  } else {
    uint32_t n = 0;
    if (bytes.size() >= 84) std::memcpy(&n, bytes.data() + 80, 4);
    if (bytes.size() >= 84 && 84 + 50 * static_cast<uint64_t>(n) == bytes.size() && n > 0)
      m = read_stl_binary(bytes, path);
    else
      m = read_stl_ascii(bytes, path);
  }
  if (m.vert.size() < 12)
    throw std::runtime_error("mesh file '" + path + "': fewer than 4 vertices");
  if (m.face.empty()) throw std::runtime_error("mesh file '" + path + "': no faces");
  return m;
}

}  // namespace sinew::mjcf
