// SPDX-License-Identifier: Apache-2.0
#include "rl/viewer/meshes.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include "engine/mjcf/mesh.h"

namespace sinew::viewer {

namespace fs = std::filesystem;

void compute_normals(TriMesh& t) {
  t.normal.assign(t.pos.size(), 0.0f);
  for (int f = 0; f < t.nface(); ++f) {
    const std::uint32_t* i = &t.face[3 * f];
    const float* a = &t.pos[3 * i[0]];
    const float* b = &t.pos[3 * i[1]];
    const float* c = &t.pos[3 * i[2]];
    const float u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const float v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const float n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                        u[0] * v[1] - u[1] * v[0]};  // length = 2 * area: area weighting
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) t.normal[3 * i[j] + k] += n[k];
  }
  for (int v = 0; v < t.nvert(); ++v) {
    float* n = &t.normal[3 * v];
    const float len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (len > 0) {
      for (int k = 0; k < 3; ++k) n[k] /= len;
    } else {
      n[0] = 0, n[1] = 0, n[2] = 1;
    }
  }
}

namespace {

// Unit sphere in rings x segments, each vertex then mapped by `place(nx, ny, nz, pos, normal)`.
template <typename F>
void add_sphere_grid(TriMesh& t, int rings, int seg, F&& place) {
  const int base = t.nvert();
  for (int r = 0; r <= rings; ++r) {
    const double th = M_PI * r / rings;  // from +z down to -z
    for (int s = 0; s <= seg; ++s) {
      const double ph = 2 * M_PI * s / seg;
      const double n[3] = {std::sin(th) * std::cos(ph), std::sin(th) * std::sin(ph), std::cos(th)};
      float p[3], nn[3];
      place(n, p, nn);
      t.pos.insert(t.pos.end(), p, p + 3);
      t.normal.insert(t.normal.end(), nn, nn + 3);
    }
  }
  for (int r = 0; r < rings; ++r)
    for (int s = 0; s < seg; ++s) {
      const std::uint32_t a = base + r * (seg + 1) + s, b = a + seg + 1;
      t.face.insert(t.face.end(), {a, b, a + 1, a + 1, b, b + 1});
    }
}

void add_quad(TriMesh& t, const float* p0, const float* p1, const float* p2, const float* p3,
              const float* n) {
  const std::uint32_t base = t.nvert();
  for (const float* p : {p0, p1, p2, p3}) {
    t.pos.insert(t.pos.end(), p, p + 3);
    t.normal.insert(t.normal.end(), n, n + 3);
  }
  t.face.insert(t.face.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
}

TriMesh box_mesh(const double* h) {
  TriMesh t;
  for (int axis = 0; axis < 3; ++axis)
    for (int sign = -1; sign <= 1; sign += 2) {
      const int u = (axis + 1) % 3, v = (axis + 2) % 3;
      float n[3] = {0, 0, 0};
      n[axis] = static_cast<float>(sign);
      float c[4][3];
      const int su[4] = {-1, 1, 1, -1}, sv[4] = {-1, -1, 1, 1};
      for (int k = 0; k < 4; ++k) {
        c[k][axis] = static_cast<float>(sign * h[axis]);
        c[k][u] = static_cast<float>(su[k] * h[u]);
        c[k][v] = static_cast<float>(sv[k] * sign * h[v]);  // counter-clockwise from outside
      }
      add_quad(t, c[0], c[1], c[2], c[3], n);
    }
  return t;
}

}  // namespace

TriMesh primitive_mesh(int type, const double* size, int seg) {
  const int rings = std::max(4, seg / 2);
  TriMesh t;
  switch (type) {
    case kGeomSphere:
    case kGeomEllipsoid: {
      const double r[3] = {size[0], type == kGeomSphere ? size[0] : size[1],
                           type == kGeomSphere ? size[0] : size[2]};
      add_sphere_grid(t, rings, seg, [&](const double* n, float* p, float* nn) {
        double m[3], len = 0;
        for (int k = 0; k < 3; ++k) {
          p[k] = static_cast<float>(r[k] * n[k]);
          m[k] = n[k] / std::max(r[k], 1e-9);  // ellipsoid normal ~ gradient
          len += m[k] * m[k];
        }
        len = std::sqrt(len);
        for (int k = 0; k < 3; ++k) nn[k] = static_cast<float>(m[k] / len);
      });
      break;
    }
    case kGeomCapsule: {
      const double r = size[0], h = size[1];
      add_sphere_grid(t, rings + 1, seg, [&](const double* n, float* p, float* nn) {
        // the equator ring is duplicated into the two hemispheres' rims: z shifts by +-h
        for (int k = 0; k < 3; ++k) nn[k] = static_cast<float>(n[k]);
        p[0] = static_cast<float>(r * n[0]), p[1] = static_cast<float>(r * n[1]);
        p[2] = static_cast<float>(r * n[2] + (n[2] >= 0 ? h : -h));
      });
      break;
    }
    case kGeomCylinder: {
      const double r = size[0], h = size[1];
      const std::uint32_t base = 0;
      for (int s = 0; s <= seg; ++s) {  // side
        const double ph = 2 * M_PI * s / seg, c = std::cos(ph), sn = std::sin(ph);
        for (double z : {-h, h}) {
          t.pos.insert(t.pos.end(), {static_cast<float>(r * c), static_cast<float>(r * sn),
                                     static_cast<float>(z)});
          t.normal.insert(t.normal.end(), {static_cast<float>(c), static_cast<float>(sn), 0.0f});
        }
      }
      for (int s = 0; s < seg; ++s) {
        const std::uint32_t a = base + 2 * s;
        t.face.insert(t.face.end(), {a, a + 2, a + 1, a + 1, a + 2, a + 3});
      }
      for (int cap = -1; cap <= 1; cap += 2) {  // caps: a centre and a fan
        const std::uint32_t centre = t.nvert();
        t.pos.insert(t.pos.end(), {0.0f, 0.0f, static_cast<float>(cap * h)});
        t.normal.insert(t.normal.end(), {0.0f, 0.0f, static_cast<float>(cap)});
        for (int s = 0; s < seg; ++s) {
          const double ph = 2 * M_PI * s / seg;
          t.pos.insert(t.pos.end(),
                       {static_cast<float>(r * std::cos(ph)), static_cast<float>(r * std::sin(ph)),
                        static_cast<float>(cap * h)});
          t.normal.insert(t.normal.end(), {0.0f, 0.0f, static_cast<float>(cap)});
        }
        for (int s = 0; s < seg; ++s) {
          const std::uint32_t a = centre + 1 + s, b = centre + 1 + (s + 1) % seg;
          if (cap > 0)
            t.face.insert(t.face.end(), {centre, a, b});
          else
            t.face.insert(t.face.end(), {centre, b, a});
        }
      }
      break;
    }
    case kGeomBox:
      t = box_mesh(size);
      break;
    default:
      break;
  }
  return t;
}

std::string find_mesh_file(const std::string& model_path, const std::string& file,
                           const std::string& mesh_dir) {
  if (file.empty()) return "";
  const fs::path rel(file);
  if (rel.is_absolute()) return fs::exists(rel) ? file : "";
  if (!mesh_dir.empty()) {
    const fs::path p = fs::path(mesh_dir) / rel;
    return fs::exists(p) ? p.string() : "";
  }
  const fs::path dir = fs::path(model_path).parent_path();
  if (fs::exists(dir / rel)) return (dir / rel).string();
  std::error_code ec;
  const fs::path src = dir / "src";
  if (!fs::is_directory(src, ec)) return "";
  std::vector<fs::path> subdirs;
  for (const fs::directory_entry& e : fs::directory_iterator(src, ec))
    if (e.is_directory()) subdirs.push_back(e.path());
  std::sort(subdirs.begin(), subdirs.end());
  // the directory named like the model (ms_human_700_locomotion -> ms_human_700) first
  const std::string stem = fs::path(model_path).stem().string();
  std::stable_sort(subdirs.begin(), subdirs.end(), [&](const fs::path& a, const fs::path& b) {
    const bool ma = stem.rfind(a.filename().string(), 0) == 0;
    const bool mb = stem.rfind(b.filename().string(), 0) == 0;
    return ma && !mb;
  });
  for (const fs::path& d : subdirs)
    if (fs::exists(d / rel)) return (d / rel).string();
  return "";
}

namespace {

void bbox(const double* v, std::size_t n, double lo[3], double hi[3]) {
  for (int k = 0; k < 3; ++k) lo[k] = 1e300, hi[k] = -1e300;
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], v[3 * i + k]);
      hi[k] = std::max(hi[k], v[3 * i + k]);
    }
}

// Largest difference between the processed hull and the stored vertices: element-wise when both
// list the same number of points (same input, same qhull order), else between bounding boxes.
double hull_mismatch(const mjcf::ProcessedMesh& p, const double* sv, int n) {
  if (p.hull.size() == 3 * static_cast<std::size_t>(n)) {
    double e = 0;
    for (std::size_t i = 0; i < p.hull.size(); ++i) e = std::max(e, std::fabs(p.hull[i] - sv[i]));
    return e;
  }
  double lo[3], hi[3], lo2[3], hi2[3];
  bbox(p.vert.data(), p.vert.size() / 3, lo, hi);
  bbox(sv, n, lo2, hi2);
  double e = 0;
  for (int k = 0; k < 3; ++k)
    e = std::max({e, std::fabs(lo[k] - lo2[k]), std::fabs(hi[k] - hi2[k])});
  return e;
}

}  // namespace

bool load_visual_mesh(const Model& m, int mesh, const std::string& path, TriMesh* out,
                      std::string* why) {
  mjcf::RawMesh raw;
  try {
    raw = mjcf::read_mesh_file(path, "");
  } catch (const std::exception& e) {
    *why = e.what();
    return false;
  }
  const int n = m.mesh_vertnum[mesh];
  const double* sv = m.mesh_vert.data() + 3 * static_cast<std::size_t>(m.mesh_vertadr[mesh]);
  double slo[3], shi[3];
  bbox(sv, n, slo, shi);
  const double size = std::max({shi[0] - slo[0], shi[1] - slo[1], shi[2] - slo[2]});
  double best = 1e300;
  for (bool legacy : {true, false}) {
    const double one[3] = {1, 1, 1};
    mjcf::ProcessedMesh p;
    try {
      p = mjcf::process_mesh(raw, one, legacy);
      double lo[3], hi[3];
      bbox(p.vert.data(), p.vert.size() / 3, lo, hi);
      double s[3];
      for (int k = 0; k < 3; ++k) s[k] = (shi[k] - slo[k]) / std::max(hi[k] - lo[k], 1e-12);
      if (std::fabs(s[1] - s[0]) > 1e-3 * s[0] || std::fabs(s[2] - s[0]) > 1e-3 * s[0]) {
        best = std::min(best, size);  // not a uniform scale of this processing
        continue;
      }
      if (std::fabs(s[0] - 1) > 1e-6) {
        const double sc[3] = {s[0], s[0], s[0]};
        p = mjcf::process_mesh(raw, sc, legacy);
      }
    } catch (const std::exception& e) {
      *why = e.what();
      continue;
    }
    const double err = hull_mismatch(p, sv, n);
    best = std::min(best, err);
    if (err <= 1e-6 + 1e-5 * size) {
      out->pos.assign(p.vert.begin(), p.vert.end());
      out->face.assign(raw.face.begin(), raw.face.end());
      compute_normals(*out);
      return true;
    }
  }
  if (best < 1e300)
    *why = "the file's processed vertices do not reproduce the model's (off by " +
           std::to_string(best) + " m; non-uniform scale?)";
  return false;
}

void cluster_simplify(TriMesh& t, double cell) {
  if (cell <= 0 || t.nvert() == 0) return;
  struct Acc {
    double p[3] = {0, 0, 0};
    int n = 0;
  };
  std::unordered_map<std::int64_t, int> ids;
  std::vector<Acc> acc;
  std::vector<std::uint32_t> remap(t.nvert());
  for (int v = 0; v < t.nvert(); ++v) {
    std::int64_t key = 0;
    for (int k = 0; k < 3; ++k)
      key = key * 2097152 + (static_cast<std::int64_t>(std::floor(t.pos[3 * v + k] / cell)) &
                             0x1FFFFF);  // 21 bits per axis
    auto it = ids.find(key);
    int id;
    if (it == ids.end()) {
      id = static_cast<int>(acc.size());
      ids.emplace(key, id);
      acc.emplace_back();
    } else {
      id = it->second;
    }
    for (int k = 0; k < 3; ++k) acc[id].p[k] += t.pos[3 * v + k];
    ++acc[id].n;
    remap[v] = static_cast<std::uint32_t>(id);
  }
  TriMesh s;
  for (const Acc& a : acc)
    for (int k = 0; k < 3; ++k) s.pos.push_back(static_cast<float>(a.p[k] / a.n));
  for (int f = 0; f < t.nface(); ++f) {
    const std::uint32_t a = remap[t.face[3 * f]], b = remap[t.face[3 * f + 1]],
                        c = remap[t.face[3 * f + 2]];
    if (a != b && b != c && a != c) s.face.insert(s.face.end(), {a, b, c});
  }
  compute_normals(s);
  t = std::move(s);
}

}  // namespace sinew::viewer
