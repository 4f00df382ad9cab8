// SPDX-License-Identifier: Apache-2.0
#include "rl/viewer/export.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "engine/data.h"
#include "engine/kinematics.h"
#include "muscle/tendon.h"
#include "rl/viewer/glb.h"
#include "rl/viewer/meshes.h"

namespace sinew::viewer {

using nlohmann::json;

void activation_color(double a, float rgb[3]) {
  if (!(a >= 0)) {  // unknown (also NaN)
    rgb[0] = 0.62f, rgb[1] = 0.55f, rgb[2] = 0.55f;
    return;
  }
  const float t = static_cast<float>(std::min(a, 1.0));
  rgb[0] = 0.15f + 0.85f * t;
  rgb[1] = 0.35f * (1 - t) + 0.08f * t;
  rgb[2] = 1.0f * (1 - t) + 0.05f * t;
}

namespace {

std::string name_or(const std::vector<std::string>& names, int i, const char* kind) {
  return i < static_cast<int>(names.size()) && !names[i].empty()
             ? names[i]
             : std::string(kind) + std::to_string(i);
}

// Node names that survive three.js's sanitizing (no [ ] . : / or spaces) and are unique, so that
// animation tracks bound by name find their node.
class NodeNames {
 public:
  std::string operator()(const std::string& want) {
    std::string n = want;
    for (char& c : n)
      if (c == '[' || c == ']' || c == '.' || c == ':' || c == '/' || c == ' ') c = '_';
    std::string u = n;
    for (int k = 2; !used_.insert(u).second; ++k) u = n + "_" + std::to_string(k);
    return u;
  }

 private:
  std::set<std::string> used_;
};

// glTF [x y z w] from Sinew's [w x y z].
json gltf_quat(const double* q) { return {q[1], q[2], q[3], q[0]}; }

// The geometry drawn for each geom (-1: not drawn) and the distinct geometries.
struct GeomPlan {
  std::vector<int> geom_shape;  // [ngeom] index into shapes, -1 not drawn
  std::vector<TriMesh> shapes;  // distinct geometries
  std::vector<std::string> shape_name;
};

GeomPlan plan_geoms(const Model& m, const std::string& model_path, const ExportOptions& opt,
                    ExportReport& rep) {
  const Sizes& s = m.size;
  GeomPlan plan;
  plan.geom_shape.assign(s.ngeom, -1);
  std::set<int> wrap_geoms;  // tendon wrapping surfaces, not part of the body's look
  for (int w = 0; w < s.nwrap; ++w)
    if (m.wrap_type[w] == kWrapSphere || m.wrap_type[w] == kWrapCylinder)
      wrap_geoms.insert(m.wrap_objid[w]);
  std::map<int, int> mesh_shape;  // mesh id -> shape (-1: failed)
  int drawn_meshes = 0;
  for (int g = 0; g < s.ngeom; ++g) {
    if (m.geom_type[g] != kGeomMesh) continue;
    const int mesh = m.geom_dataid[g];
    auto it = mesh_shape.find(mesh);
    if (it == mesh_shape.end()) {
      const std::string file = mesh < static_cast<int>(m.mesh_file.size()) ? m.mesh_file[mesh] : "";
      const std::string path = find_mesh_file(model_path, file, opt.mesh_dir);
      TriMesh t;
      std::string why = file.empty() ? "the model names no mesh file" : "file not found";
      int id = -1;
      if (!path.empty() && load_visual_mesh(m, mesh, path, &t, &why)) {
        cluster_simplify(t, opt.simplify);
        id = static_cast<int>(plan.shapes.size());
        plan.shapes.push_back(std::move(t));
        plan.shape_name.push_back(name_or(m.mesh_name, mesh, "mesh"));
      } else {
        rep.warnings.push_back("mesh '" + name_or(m.mesh_name, mesh, "mesh") + "' (" + file +
                               ") not drawn: " + why);
      }
      it = mesh_shape.emplace(mesh, id).first;
    }
    plan.geom_shape[g] = it->second;
    if (it->second >= 0) ++drawn_meshes;
  }
  const bool prims = opt.primitives > 0 || (opt.primitives < 0 && drawn_meshes == 0);
  if (prims) {
    std::map<std::vector<double>, int> seen;  // type + size -> shape
    for (int g = 0; g < s.ngeom; ++g) {
      const int type = m.geom_type[g];
      if (type == kGeomMesh || type == kGeomPlane || wrap_geoms.count(g)) continue;
      const std::vector<double> key = {static_cast<double>(type), m.geom_size[3 * g],
                                       m.geom_size[3 * g + 1], m.geom_size[3 * g + 2]};
      auto it = seen.find(key);
      if (it == seen.end()) {
        TriMesh t = primitive_mesh(type, &m.geom_size[3 * g]);
        if (t.nface() == 0) continue;
        it = seen.emplace(key, static_cast<int>(plan.shapes.size())).first;
        plan.shapes.push_back(std::move(t));
        plan.shape_name.push_back(name_or(m.geom_name, g, "geom"));
      }
      plan.geom_shape[g] = it->second;
    }
  }
  return plan;
}

// Path points of the drawn tendons: point k is d.wrap_xpos[6 * wrap[k] + off[k]]; segments join
// consecutive points of one branch (a pulley ends a branch).
struct MusclePlan {
  std::vector<int> tendon;                // drawn tendons
  std::vector<int> wrap, off, owner;      // per point: wrap entry, 0 or 3, index into tendon
  std::vector<std::uint32_t> segments;    // point pairs
  std::vector<std::vector<int>> act_adr;  // per drawn tendon: act indices of its actuators
};

MusclePlan plan_muscles(const Model& m) {
  const Sizes& s = m.size;
  MusclePlan p;
  std::vector<std::vector<int>> tendon_act(s.ntendon);
  for (int u = 0; u < s.nu; ++u)
    if (m.actuator_trntype[u] == kTrnTendon && m.actuator_actadr[u] >= 0)
      tendon_act[m.actuator_trnid[u]].push_back(m.actuator_actadr[u]);
  for (int t = 0; t < s.ntendon; ++t) {
    const int adr = m.tendon_adr[t], num = m.tendon_num[t];
    if (num < 2 || m.wrap_type[adr] == kWrapJoint) continue;
    const int id = static_cast<int>(p.tendon.size());
    p.tendon.push_back(t);
    p.act_adr.push_back(tendon_act[t]);
    int prev = -1;  // previous point of the branch
    auto add_point = [&](int w, int off) {
      const int k = static_cast<int>(p.wrap.size());
      p.wrap.push_back(w), p.off.push_back(off), p.owner.push_back(id);
      if (prev >= 0)
        p.segments.insert(p.segments.end(),
                          {static_cast<std::uint32_t>(prev), static_cast<std::uint32_t>(k)});
      prev = k;
    };
    for (int w = adr; w < adr + num; ++w) {
      if (m.wrap_type[w] == kWrapSite) {
        add_point(w, 0);
      } else if (m.wrap_type[w] == kWrapSphere || m.wrap_type[w] == kWrapCylinder) {
        add_point(w, 0);
        add_point(w, 3);
      } else {
        prev = -1;  // pulley
      }
    }
  }
  return p;
}

// Per-frame world poses of the drawn bodies ([T][nb][3], [T][nb][4] in glTF order x y z w, sign
// kept continuous) and, when `mp` is given, the muscle points [T][np][3].
void body_frames(const Model& m, const std::vector<double>& qpos, int T,
                 const std::vector<int>& bodies, const MusclePlan* mp, std::vector<float>& pos,
                 std::vector<float>& rot, std::vector<float>* points) {
  const int nq = m.size.nq, nb = static_cast<int>(bodies.size());
  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  pos.assign(static_cast<std::size_t>(T) * nb * 3, 0.0f);
  rot.assign(static_cast<std::size_t>(T) * nb * 4, 0.0f);
  const int np = mp ? static_cast<int>(mp->wrap.size()) : 0;
  if (points) points->assign(static_cast<std::size_t>(T) * np * 3, 0.0f);
  for (int f = 0; f < T; ++f) {
    std::copy(qpos.begin() + static_cast<std::ptrdiff_t>(f) * nq,
              qpos.begin() + static_cast<std::ptrdiff_t>(f + 1) * nq, d.qpos);
    kinematics(mv, d);
    if (mp) {
      all_geom_site_poses(mv, d);
      tendon(mv, d);
      for (int k = 0; k < np; ++k)
        for (int c = 0; c < 3; ++c)
          (*points)[(static_cast<std::size_t>(f) * np + k) * 3 + c] =
              static_cast<float>(d.wrap_xpos[6 * mp->wrap[k] + mp->off[k] + c]);
    }
    for (int i = 0; i < nb; ++i) {
      const int b = bodies[i];
      float* p = &pos[(static_cast<std::size_t>(f) * nb + i) * 3];
      float* q = &rot[(static_cast<std::size_t>(f) * nb + i) * 4];
      for (int c = 0; c < 3; ++c) p[c] = static_cast<float>(d.xpos[3 * b + c]);
      const double* x = d.xquat + 4 * b;
      double qq[4] = {x[1], x[2], x[3], x[0]};
      const double n = std::sqrt(qq[0] * qq[0] + qq[1] * qq[1] + qq[2] * qq[2] + qq[3] * qq[3]);
      if (f > 0) {  // same hemisphere as the previous frame: LINEAR takes the short way
        const float* prev = q - static_cast<std::ptrdiff_t>(nb) * 4;
        double dot = 0;
        for (int c = 0; c < 4; ++c) dot += prev[c] * qq[c];
        if (dot < 0)
          for (double& c : qq) c = -c;
      }
      for (int c = 0; c < 4; ++c) q[c] = static_cast<float>(qq[c] / n);
    }
  }
}

void check_frames(const Model& m, const Frames& fr) {
  const int T = fr.nframe(), nq = m.size.nq, na = m.size.na;
  if (T < 1) throw std::runtime_error("export: no frames");
  for (int f = 1; f < T; ++f)
    if (!(fr.time[f] > fr.time[f - 1]))
      throw std::runtime_error("export: frame times are not increasing at frame " +
                               std::to_string(f));
  auto size_is = [&](const std::vector<double>& v, int n, const char* what) {
    if (v.size() != static_cast<std::size_t>(T) * n)
      throw std::runtime_error(std::string("export: ") + what + " has " + std::to_string(v.size()) +
                               " numbers, expected " + std::to_string(T) + " frames x " +
                               std::to_string(n));
  };
  size_is(fr.qpos, nq, "qpos");
  if (!fr.act.empty()) size_is(fr.act, na, "act");
  if (!fr.ref_qpos.empty()) size_is(fr.ref_qpos, nq, "ref_qpos");
}

// Bounding box of the drawn geoms at frame 0 (centres +- bounding radii), for the ghost offset.
void frame0_box(const Model& m, const std::vector<double>& qpos, const GeomPlan& gp, double lo[3],
                double hi[3]) {
  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  std::copy(qpos.begin(), qpos.begin() + m.size.nq, d.qpos);
  kinematics(mv, d);
  all_geom_site_poses(mv, d);
  for (int k = 0; k < 3; ++k) lo[k] = 0, hi[k] = 0;
  bool any = false;
  for (int g = 0; g < m.size.ngeom; ++g) {
    if (gp.geom_shape[g] < 0) continue;
    for (int k = 0; k < 3; ++k) {
      const double c = d.geom_xpos[3 * g + k], r = m.geom_rbound[g];
      lo[k] = any ? std::min(lo[k], c - r) : c - r;
      hi[k] = any ? std::max(hi[k], c + r) : c + r;
    }
    any = true;
  }
}

int add_material(GltfBuilder& gb, const char* name, const float rgba[4], bool blend, bool unlit) {
  json mat = {{"name", name},
              {"pbrMetallicRoughness",
               {{"baseColorFactor", {rgba[0], rgba[1], rgba[2], rgba[3]}},
                {"metallicFactor", 0.0},
                {"roughnessFactor", 0.75}}}};
  if (blend) mat["alphaMode"] = "BLEND";
  if (unlit) mat["extensions"] = {{"KHR_materials_unlit", json::object()}};
  return gb.add("materials", std::move(mat));
}

void add_child(GltfBuilder& gb, int parent, int child) {
  json& n = gb.doc()["nodes"][parent];
  if (!n.contains("children")) n["children"] = json::array();
  n["children"].push_back(child);
}

}  // namespace

std::string export_glb(const Model& m, const std::string& model_path, const Frames& fr,
                       const ExportOptions& opt, ExportReport* report) {
  check_frames(m, fr);
  ExportReport local;
  ExportReport& rep = report ? *report : local;
  rep = ExportReport();
  const Sizes& s = m.size;
  const int T = fr.nframe();
  rep.nframe = T;
  const GeomPlan gp = plan_geoms(m, model_path, opt, rep);
  std::vector<int> bodies, geoms;
  for (int b = 0; b < s.nbody; ++b) {
    bool drawn = false;
    for (int g = m.body_geomadr[b]; g < m.body_geomadr[b] + m.body_geomnum[b]; ++g)
      if (g >= 0 && gp.geom_shape[g] >= 0) drawn = true, geoms.push_back(g);
    if (drawn) bodies.push_back(b);
  }
  const int nb = static_cast<int>(bodies.size());
  rep.nbody = nb;
  rep.ngeom = static_cast<int>(geoms.size());
  rep.nmesh = static_cast<int>(gp.shapes.size());

  GltfBuilder gb;
  const float bone[4] = {0.90f, 0.87f, 0.80f, 1.0f}, ghost_rgba[4] = {0.45f, 0.70f, 1.0f, 0.35f};
  const float white[4] = {1, 1, 1, 1};
  const int mat_bone = add_material(gb, "bone", bone, false, false);
  const int mat_ghost = add_material(gb, "reference (ghost)", ghost_rgba, true, false);
  const int mat_muscle = add_material(gb, "muscle", white, false, true);
  gb.doc()["extensionsUsed"] = {"KHR_materials_unlit"};

  // distinct geometries: accessors shared by the body's mesh and the ghost's mesh
  struct ShapeAcc {
    int pos = -1, normal = -1, index = -1, mesh = -1, ghost = -1;
  };
  std::vector<ShapeAcc> sa(gp.shapes.size());
  std::size_t before = gb.bin_bytes();
  for (std::size_t i = 0; i < gp.shapes.size(); ++i) {
    const TriMesh& t = gp.shapes[i];
    sa[i].pos = gb.add_floats(t.pos.data(), t.nvert(), 3, true, kGltfArrayBuffer);
    sa[i].normal = gb.add_floats(t.normal.data(), t.nvert(), 3, false, kGltfArrayBuffer);
    sa[i].index = gb.add_uints(t.face.data(), 3 * t.nface(), kGltfElementArrayBuffer);
    rep.ntriangle += t.nface();
    rep.nvertex += t.nvert();
  }
  rep.mesh_bytes = gb.bin_bytes() - before;
  auto mesh_of = [&](int shape, bool ghost) {
    int& id = ghost ? sa[shape].ghost : sa[shape].mesh;
    if (id < 0) {
      json prim = {{"attributes", {{"POSITION", sa[shape].pos}, {"NORMAL", sa[shape].normal}}},
                   {"indices", sa[shape].index},
                   {"material", ghost ? mat_ghost : mat_bone},
                   {"mode", kGltfModeTriangles}};
      id = gb.add("meshes", {{"name", gp.shape_name[shape] + (ghost ? " (ghost)" : "")},
                             {"primitives", json::array({prim})}});
    }
    return id;
  };

  // per-frame poses (and muscle paths)
  MusclePlan mp;
  if (opt.muscles) mp = plan_muscles(m);
  const bool muscles = !mp.tendon.empty();
  std::vector<float> bpos, brot, pts, gpos, grot;
  body_frames(m, fr.qpos, T, bodies, muscles ? &mp : nullptr, bpos, brot, &pts);
  const bool ghost = opt.ghost && !fr.ref_qpos.empty() && nb > 0;
  if (ghost) body_frames(m, fr.ref_qpos, T, bodies, nullptr, gpos, grot, nullptr);
  double offset = opt.ghost_offset;
  if (ghost && !(offset > 0)) {
    double lo[3], hi[3];
    frame0_box(m, fr.qpos, gp, lo, hi);
    const double ext = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
    offset = std::max(1.2 * (hi[1] - lo[1]), 0.5 * ext);
  }
  rep.ghost = ghost;
  rep.ghost_offset = ghost ? offset : 0;

  // scene: root (Z-up -> Y-up) > model group > bodies > geoms; ghost group; muscles
  const double h = std::sqrt(0.5);
  NodeNames names;
  const int root = gb.add("nodes", {{"name", names("sinew")}, {"rotation", {-h, 0.0, 0.0, h}}});
  gb.doc()["scene"] = 0;
  gb.doc()["scenes"] = json::array({{{"name", "scene"}, {"nodes", {root}}}});
  auto add_bodies = [&](const char* group_name, bool is_ghost, const std::vector<float>& P,
                        const std::vector<float>& R) {
    json gn = {{"name", names(group_name)}};
    if (is_ghost) gn["translation"] = {0.0, offset, 0.0};
    const int group = gb.add("nodes", std::move(gn));
    add_child(gb, root, group);
    std::vector<int> nodes;
    for (int i = 0; i < nb; ++i) {
      const int b = bodies[i];
      const float* p = &P[3 * i];
      const float* q = &R[4 * i];
      const int node =
          gb.add("nodes",
                 {{"name", names((is_ghost ? "ref_" : "body_") + name_or(m.body_name, b, "body"))},
                  {"translation", {p[0], p[1], p[2]}},
                  {"rotation", {q[0], q[1], q[2], q[3]}}});
      add_child(gb, group, node);
      nodes.push_back(node);
      for (int g = m.body_geomadr[b]; g < m.body_geomadr[b] + m.body_geomnum[b]; ++g) {
        if (g < 0 || gp.geom_shape[g] < 0) continue;
        const int gn2 = gb.add(
            "nodes",
            {{"name", names((is_ghost ? "ref_geom_" : "geom_") + name_or(m.geom_name, g, "geom"))},
             {"translation", {m.geom_pos[3 * g], m.geom_pos[3 * g + 1], m.geom_pos[3 * g + 2]}},
             {"rotation", gltf_quat(&m.geom_quat[4 * g])},
             {"mesh", mesh_of(gp.geom_shape[g], is_ghost)}});
        add_child(gb, node, gn2);
      }
    }
    return nodes;
  };
  const std::vector<int> body_nodes = add_bodies("model", false, bpos, brot);
  std::vector<int> ghost_nodes;
  if (ghost) ghost_nodes = add_bodies("reference", true, gpos, grot);

  // animation: one sampler per body and path (translation, rotation), LINEAR, shared times
  before = gb.bin_bytes();
  const std::vector<float> times(fr.time.begin(), fr.time.end());
  const int input = gb.add_floats(times.data(), T, 1, true, 0);
  if (nb > 0) {
    json samplers = json::array(), channels = json::array();
    auto animate = [&](const std::vector<int>& nodes, const std::vector<float>& P,
                       const std::vector<float>& R) {
      std::vector<float> track(static_cast<std::size_t>(T) * 4);
      for (int i = 0; i < nb; ++i) {
        for (int f = 0; f < T; ++f)
          for (int c = 0; c < 3; ++c)
            track[static_cast<std::size_t>(f) * 3 + c] =
                P[(static_cast<std::size_t>(f) * nb + i) * 3 + c];
        const int out_t = gb.add_floats(track.data(), T, 3, false, 0);
        for (int f = 0; f < T; ++f)
          for (int c = 0; c < 4; ++c)
            track[static_cast<std::size_t>(f) * 4 + c] =
                R[(static_cast<std::size_t>(f) * nb + i) * 4 + c];
        const int out_r = gb.add_floats(track.data(), T, 4, false, 0);
        for (const auto& [out, path] : {std::pair<int, const char*>{out_t, "translation"},
                                        std::pair<int, const char*>{out_r, "rotation"}}) {
          samplers.push_back({{"input", input}, {"output", out}, {"interpolation", "LINEAR"}});
          channels.push_back(
              {{"sampler", samplers.size() - 1}, {"target", {{"node", nodes[i]}, {"path", path}}}});
        }
      }
    };
    animate(body_nodes, bpos, brot);
    if (ghost) animate(ghost_nodes, gpos, grot);
    gb.add("animations", {{"name", "motion"}, {"samplers", samplers}, {"channels", channels}});
  }
  rep.animation_bytes = gb.bin_bytes() - before;

  // muscles: frame 0 as a LINES mesh, every frame in accessors named by the node's extras
  before = gb.bin_bytes();
  if (muscles) {
    const int np = static_cast<int>(mp.wrap.size()), nt = static_cast<int>(mp.tendon.size());
    rep.nmuscle = nt;
    rep.nmuscle_point = np;
    std::vector<float> act;  // [T][nt], -1 where unknown
    const bool has_act = !fr.act.empty();
    rep.activations = has_act;
    if (has_act) {
      act.assign(static_cast<std::size_t>(T) * nt, -1.0f);
      for (int f = 0; f < T; ++f)
        for (int k = 0; k < nt; ++k)
          for (int adr : mp.act_adr[k])
            act[static_cast<std::size_t>(f) * nt + k] =
                std::max(act[static_cast<std::size_t>(f) * nt + k],
                         static_cast<float>(fr.act[static_cast<std::size_t>(f) * s.na + adr]));
    }
    std::vector<float> color(static_cast<std::size_t>(np) * 3);
    for (int k = 0; k < np; ++k) {
      const double a = has_act ? act[mp.owner[k]] : -1.0;
      activation_color(a, &color[3 * static_cast<std::size_t>(k)]);
    }
    std::vector<std::uint32_t> owner(mp.owner.begin(), mp.owner.end());
    const int pos0 = gb.add_floats(pts.data(), np, 3, true, kGltfArrayBuffer);
    const int col0 = gb.add_floats(color.data(), np, 3, false, kGltfArrayBuffer);
    const int idx = gb.add_uints(mp.segments.data(), static_cast<int>(mp.segments.size()),
                                 kGltfElementArrayBuffer);
    const int all = gb.add_floats(pts.data(), T * np, 3, false, 0);
    const int own = gb.add_uints(owner.data(), np, 0);
    json info = {{"frames", T},
                 {"points", np},
                 {"times", input},
                 {"positions", all},
                 {"point_tendon", own},
                 {"activation", has_act ? gb.add_floats(act.data(), T * nt, 1, false, 0) : -1}};
    json tendon_names = json::array();
    for (int t : mp.tendon) tendon_names.push_back(name_or(m.tendon_name, t, "tendon"));
    info["tendons"] = tendon_names;
    const int mesh = gb.add(
        "meshes",
        {{"name", "muscles"},
         {"primitives", json::array({{{"attributes", {{"POSITION", pos0}, {"COLOR_0", col0}}},
                                      {"indices", idx},
                                      {"material", mat_muscle},
                                      {"mode", kGltfModeLines}}})}});
    const int node =
        gb.add("nodes",
               {{"name", names("muscles")}, {"mesh", mesh}, {"extras", {{"sinew_muscles", info}}}});
    add_child(gb, root, node);
  }
  rep.muscle_bytes = gb.bin_bytes() - before;

  json extras = {{"model", model_path},
                 {"frames", T},
                 {"duration", fr.time.back() - fr.time.front()},
                 {"bodies", nb},
                 {"ghost_offset", rep.ghost_offset},
                 {"activations", rep.activations},
                 {"up", "Sinew is Z-up; node 'sinew' turns it to glTF's +Y"}};
  gb.doc()["nodes"][root]["extras"] = {{"sinew", extras}};
  std::string out = gb.glb();
  rep.glb_bytes = out.size();
  return out;
}

}  // namespace sinew::viewer
