// SPDX-License-Identifier: Apache-2.0
// Sinew JSON model format v1, file side: reading a model file (JSON syntax errors with line and
// column, duplicate keys) and the writer (every value explicit, so a document reloads to
// identical arrays). Validation of a parsed document is in model_io.cpp.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/mjcf/mjcf_import.h"
#include "engine/model_io.h"
#include "muscle/muscle_model.h"

namespace sinew {

using nlohmann::json;

namespace {

const char* kJointTypes[] = {"free", "ball", "slide", "hinge"};  // indexed by JointType

std::string token(const std::string& key) {  // RFC 6901 escaping
  std::string t;
  for (char c : key) t += c == '~' ? "~0" : (c == '/' ? "~1" : std::string(1, c));
  return t;
}

// Parser callback rejecting duplicate keys in an object (JSON parsers silently keep the last
// one, which would hide a copy-paste error). Tracks the JSON pointer of the value being parsed.
struct DuplicateKeyCheck {
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    size_t index = 0;
  };
  std::string file;
  std::vector<Frame> stack;

  void element_done() {
    if (!stack.empty() && !stack.back().object) ++stack.back().index;
  }
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    using E = json::parse_event_t;
    if (event == E::object_start || event == E::array_start) {
      stack.push_back({event == E::object_start, {}, "", 0});
    } else if (event == E::object_end || event == E::array_end) {
      stack.pop_back();
      element_done();
    } else if (event == E::value) {
      element_done();
    } else if (event == E::key) {
      Frame& top = stack.back();
      top.key = parsed.get<std::string>();
      if (!top.keys.insert(top.key).second) {
        std::string p;
        for (const Frame& f : stack) p += "/" + (f.object ? token(f.key) : std::to_string(f.index));
        throw ModelError(file + ": " + p + ": duplicate key (JSON would keep only the last)");
      }
    }
    return true;
  }
};

std::string lower_extension(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

template <typename J>
J vec(const double* p, int n) {
  J a = J::array();
  for (int i = 0; i < n; ++i) a.push_back(p[i]);
  return a;
}

template <typename J>
J named(const std::string& name) {
  J o = J::object();
  if (!name.empty()) o["name"] = name;
  return o;
}

template <typename J>
J joint_doc(const Model& m, int j) {
  J o = named<J>(m.jnt_name[j]);
  const int t = m.jnt_type[j], qa = m.jnt_qposadr[j], da = m.jnt_dofadr[j];
  o["type"] = kJointTypes[t];
  const bool scalar = t == kJointHinge || t == kJointSlide;
  if (t != kJointFree) o["pos"] = vec<J>(&m.jnt_pos[3 * j], 3);
  if (scalar) o["axis"] = vec<J>(&m.jnt_axis[3 * j], 3);
  const double* range = &m.jnt_range[2 * j];
  if (t != kJointFree && (m.jnt_limited[j] || range[0] != 0 || range[1] != 0)) {
    o["range"] = vec<J>(range, 2);
    o["limited"] = m.jnt_limited[j] != 0;
  }
  for (int k = 1; k < joint_nv(t); ++k)
    if (m.dof_damping[da + k] != m.dof_damping[da] || m.dof_armature[da + k] != m.dof_armature[da])
      throw ModelError(m.source + ": joint " + std::to_string(j) +
                       ": damping and armature differ between its dofs; format v1 stores them "
                       "per joint");
  o["damping"] = m.dof_damping[da];
  o["armature"] = m.dof_armature[da];
  o["stiffness"] = m.jnt_stiffness[j];
  if (scalar) {
    o["ref"] = m.qpos0[qa];
    o["springref"] = m.qpos_spring[qa];
  }
  o["solref"] = vec<J>(&m.jnt_solref[2 * j], 2);
  o["solimp"] = vec<J>(&m.jnt_solimp[5 * j], 5);
  o["margin"] = m.jnt_margin[j];
  return o;
}

template <typename J>
J geom_doc(const Model& m, int g) {
  static const std::map<int, std::pair<const char*, int>> kTypes = {
      {kGeomPlane, {"plane", 3}},        {kGeomSphere, {"sphere", 1}},
      {kGeomCapsule, {"capsule", 2}},    {kGeomBox, {"box", 3}},
      {kGeomCylinder, {"cylinder", 2}},  {kGeomMesh, {"mesh", 3}},
      {kGeomEllipsoid, {"ellipsoid", 3}}};
  J o = named<J>(m.geom_name[g]);
  const auto it = kTypes.find(m.geom_type[g]);
  if (it == kTypes.end())
    throw ModelError(m.source + ": geom " + std::to_string(g) + ": type " +
                     std::to_string(m.geom_type[g]) + " has no name in format v1");
  const auto& t = it->second;
  o["type"] = t.first;
  if (t.second > 0) o["size"] = vec<J>(&m.geom_size[3 * g], t.second);
  if (m.geom_type[g] == kGeomMesh) o["mesh"] = m.mesh_name.at(m.geom_dataid[g]);
  o["pos"] = vec<J>(&m.geom_pos[3 * g], 3);
  o["quat"] = vec<J>(&m.geom_quat[4 * g], 4);
  o["contype"] = m.geom_contype[g];
  o["conaffinity"] = m.geom_conaffinity[g];
  o["condim"] = m.geom_condim[g];
  o["friction"] = vec<J>(&m.geom_friction[3 * g], 3);
  o["solref"] = vec<J>(&m.geom_solref[2 * g], 2);
  o["solimp"] = vec<J>(&m.geom_solimp[5 * g], 5);
  o["margin"] = m.geom_margin[g];
  return o;
}

template <typename J>
J body_doc(const Model& m, int b) {
  J o = b == 0 ? J::object() : named<J>(m.body_name[b]);
  if (b > 0) {
    o["pos"] = vec<J>(&m.body_pos[3 * b], 3);
    o["quat"] = vec<J>(&m.body_quat[4 * b], 4);
    o["inertial"] = {{"mass", m.body_mass[b]},
                     {"pos", vec<J>(&m.body_ipos[3 * b], 3)},
                     {"quat", vec<J>(&m.body_iquat[4 * b], 4)},
                     {"diaginertia", vec<J>(&m.body_inertia[3 * b], 3)}};
    o["joints"] = J::array();
    for (int j = m.body_jntadr[b]; j < m.body_jntadr[b] + m.body_jntnum[b]; ++j)
      o["joints"].push_back(joint_doc<J>(m, j));
  }
  o["geoms"] = J::array();
  for (int g = m.body_geomadr[b]; g < m.body_geomadr[b] + m.body_geomnum[b]; ++g)
    o["geoms"].push_back(geom_doc<J>(m, g));
  o["sites"] = J::array();
  for (int s = 0; s < m.size.nsite; ++s) {
    if (m.site_bodyid[s] != b) continue;
    J so = named<J>(m.site_name[s]);
    so["pos"] = vec<J>(&m.site_pos[3 * s], 3);
    so["quat"] = vec<J>(&m.site_quat[4 * s], 4);
    o["sites"].push_back(so);
  }
  o["bodies"] = J::array();
  for (int c = b + 1; c < m.size.nbody; ++c)
    if (m.body_parent[c] == b) o["bodies"].push_back(body_doc<J>(m, c));
  return o;
}

// Name of element `id` of a kind, for a reference from the top-level sections (format v1 refers
// to elements by name).
std::string ref_name(const Model& m, const std::vector<std::string>& names, int id,
                     const char* kind, const std::string& from) {
  if (id < 0 || id >= static_cast<int>(names.size()) || names[id].empty())
    throw ModelError(m.source + ": " + from + " refers to " + kind + " " + std::to_string(id) +
                     ", which has no name; format v1 refers to elements by name");
  return names[id];
}

const char* enum_name(const Model& m, int value,
                      std::initializer_list<std::pair<int, const char*>> t,
                      const std::string& what) {
  for (const auto& e : t)
    if (e.first == value) return e.second;
  throw ModelError(m.source + ": " + what + " " + std::to_string(value) +
                   " has no name in format v1");
}

// The "tendons", "actuators", "equalities" and "contact_excludes" sections (written only when
// the model has them).
template <typename J>
void physics_docs(const Model& m, J& doc) {
  const Sizes& s = m.size;
  auto name_of = [](const std::vector<std::string>& v, int i) {
    return i < static_cast<int>(v.size()) ? v[i] : std::string();
  };
  if (s.ntendon > 0) doc["tendons"] = J::array();
  for (int t = 0; t < s.ntendon; ++t) {
    const std::string from = "tendon " + std::to_string(t);
    J o = named<J>(name_of(m.tendon_name, t));
    J path = J::array();
    bool fixed = true;
    for (int w = m.tendon_adr[t]; w < m.tendon_adr[t] + m.tendon_num[t]; ++w) {
      const int id = m.wrap_objid[w];
      const double prm = m.wrap_prm[w];
      J e = J::object();
      switch (m.wrap_type[w]) {
        case kWrapJoint:
          e["joint"] = ref_name(m, m.jnt_name, id, "joint", from);
          e["coef"] = prm;
          break;
        case kWrapPulley:
          e["pulley"] = prm;
          break;
        case kWrapSite:
          e["site"] = ref_name(m, m.site_name, id, "site", from);
          break;
        case kWrapSphere:
        case kWrapCylinder:
          e["geom"] = ref_name(m, m.geom_name, id, "geom", from);
          if (prm >= 0)
            e["sidesite"] = ref_name(m, m.site_name, static_cast<int>(prm), "site", from);
          break;
        default:
          throw ModelError(m.source + ": " + from + ": wrap type " +
                           std::to_string(m.wrap_type[w]) + " has no name in format v1");
      }
      fixed = fixed && m.wrap_type[w] == kWrapJoint;
      path.push_back(e);
    }
    o["type"] = fixed ? "fixed" : "spatial";
    o["path"] = path;
    o["limited"] = m.tendon_limited[t] != 0;
    o["range"] = vec<J>(&m.tendon_range[2 * t], 2);
    o["stiffness"] = m.tendon_stiffness[t];
    o["damping"] = m.tendon_damping[t];
    o["springlength"] = m.tendon_lengthspring[t];
    o["solref"] = vec<J>(&m.tendon_solref[2 * t], 2);
    o["solimp"] = vec<J>(&m.tendon_solimp[5 * t], 5);
    doc["tendons"].push_back(o);
  }
  if (s.nu > 0) doc["actuators"] = J::array();
  for (int u = 0; u < s.nu; ++u) {
    const std::string from = "actuator " + std::to_string(u);
    J o = named<J>(name_of(m.actuator_name, u));
    const int id = m.actuator_trnid[u];
    if (m.actuator_trntype[u] == kTrnJoint)
      o["joint"] = ref_name(m, m.jnt_name, id, "joint", from);
    else if (m.actuator_trntype[u] == kTrnTendon)
      o["tendon"] = ref_name(m, m.tendon_name, id, "tendon", from);
    else
      throw ModelError(m.source + ": " + from + ": transmission type " +
                       std::to_string(m.actuator_trntype[u]) + " has no name in format v1");
    o["gear"] = m.actuator_gear[u];
    o["dyntype"] = enum_name(m, m.actuator_dyntype[u], {{kDynNone, "none"}, {kDynMuscle, "muscle"}},
                             from + ": dyntype");
    o["gaintype"] =
        enum_name(m, m.actuator_gaintype[u], {{kGainFixed, "fixed"}, {kGainMuscle, "muscle"}},
                  from + ": gaintype");
    o["biastype"] =
        enum_name(m, m.actuator_biastype[u],
                  {{kBiasNone, "none"}, {kBiasAffine, "affine"}, {kBiasMuscle, "muscle"}},
                  from + ": biastype");
    o["dynprm"] = vec<J>(&m.actuator_dynprm[kNumActPrm * u], kNumActPrm);
    o["gainprm"] = vec<J>(&m.actuator_gainprm[kNumActPrm * u], kNumActPrm);
    o["biasprm"] = vec<J>(&m.actuator_biasprm[kNumActPrm * u], kNumActPrm);
    o["ctrlrange"] = vec<J>(&m.actuator_ctrlrange[2 * u], 2);
    o["ctrllimited"] = m.actuator_ctrllimited[u] != 0;
    o["forcerange"] = vec<J>(&m.actuator_forcerange[2 * u], 2);
    o["forcelimited"] = m.actuator_forcelimited[u] != 0;
    o["lengthrange"] = vec<J>(&m.actuator_lengthrange[2 * u], 2);
    if (m.actuator_dyntype[u] == kDynMuscle || m.actuator_gaintype[u] == kGainMuscle) {
      const MuscleModelInfo* info = muscle_model_info(m.actuator_model[u]);
      if (!info)
        throw ModelError(m.source + ": " + from + ": unknown muscle model id " +
                         std::to_string(m.actuator_model[u]));
      o["muscle_model"] = info->name;
    }
    doc["actuators"].push_back(o);
  }
  if (s.neq > 0) doc["equalities"] = J::array();
  for (int e = 0; e < s.neq; ++e) {
    const std::string from = "equality " + std::to_string(e);
    if (m.eq_type[e] != kEqJoint)
      throw ModelError(m.source + ": " + from + ": type " + std::to_string(m.eq_type[e]) +
                       " has no name in format v1");
    J o = named<J>(name_of(m.eq_name, e));
    o["type"] = "joint";
    o["joint1"] = ref_name(m, m.jnt_name, m.eq_obj1id[e], "joint", from);
    if (m.eq_obj2id[e] >= 0) o["joint2"] = ref_name(m, m.jnt_name, m.eq_obj2id[e], "joint", from);
    o["polycoef"] = vec<J>(&m.eq_data[kNumEqData * e], kNumEqData);
    o["solref"] = vec<J>(&m.eq_solref[2 * e], 2);
    o["solimp"] = vec<J>(&m.eq_solimp[5 * e], 5);
    o["active"] = m.eq_active[e] != 0;
    doc["equalities"].push_back(o);
  }
  if (s.nexclude > 0) doc["contact_excludes"] = J::array();
  for (int e = 0; e < s.nexclude; ++e) {
    const std::string from = "contact exclude " + std::to_string(e);
    doc["contact_excludes"].push_back(
        {{"body1", ref_name(m, m.body_name, m.exclude_body1[e], "body", from)},
         {"body2", ref_name(m, m.body_name, m.exclude_body2[e], "body", from)}});
  }
}

template <typename J>
J document(const Model& m) {
  const Options& opt = m.opt;
  J disable = J::array();
  const std::pair<int, const char*> bits[] = {{kDisableContact, "contact"},
                                              {kDisableLimit, "limit"},
                                              {kDisableGravity, "gravity"},
                                              {kDisableDamping, "damping"},
                                              {kDisableWarmstart, "warmstart"}};
  for (const auto& b : bits)
    if (opt.disableflags & b.first) disable.push_back(b.second);
  J doc = J::object();
  doc["format"] = "sinew-model";
  doc["version"] = kModelFormatVersion;
  doc["name"] = m.name;
  doc["option"] = {{"timestep", opt.timestep},
                   {"gravity", vec<J>(opt.gravity, 3)},
                   {"integrator", opt.integrator == kIntegratorRK4 ? "rk4" : "euler"},
                   {"cone", "pyramidal"},
                   {"jacobian", opt.jacobian == kJacobianDense    ? "dense"
                                : opt.jacobian == kJacobianSparse ? "sparse"
                                                                  : "auto"},
                   {"iterations", opt.iterations},
                   {"tolerance", opt.tolerance},
                   {"impratio", opt.impratio},
                   {"disable", disable},
                   {"nconmax_pair", opt.nconmax_pair},
                   {"nconmax", opt.nconmax},
                   {"energy", opt.energy}};
  doc["meshes"] = J::array();
  for (int i = 0; i < m.size.nmesh; ++i) {
    J verts = J::array();
    for (int v = m.mesh_vertadr[i]; v < m.mesh_vertadr[i] + m.mesh_vertnum[i]; ++v)
      verts.push_back(vec<J>(&m.mesh_vert[3 * v], 3));
    J mesh = {{"name", m.mesh_name[i]}, {"vertices", verts}};
    if (i < static_cast<int>(m.mesh_file.size()) && !m.mesh_file[i].empty())
      mesh["file"] = m.mesh_file[i];
    doc["meshes"].push_back(mesh);
  }
  doc["worldbody"] = body_doc<J>(m, 0);
  physics_docs<J>(m, doc);
  doc["keyframes"] = J::array();
  for (int k = 0; k < m.size.nkey; ++k) {
    J kf = named<J>(k < static_cast<int>(m.key_name.size()) ? m.key_name[k] : "");
    kf["time"] = m.key_time[k];
    kf["qpos"] = vec<J>(&m.key_qpos[static_cast<size_t>(k) * m.size.nq], m.size.nq);
    kf["qvel"] = vec<J>(&m.key_qvel[static_cast<size_t>(k) * m.size.nv], m.size.nv);
    if (m.size.na > 0)
      kf["act"] = vec<J>(&m.key_act[static_cast<size_t>(k) * m.size.na], m.size.na);
    if (m.size.nu > 0)
      kf["ctrl"] = vec<J>(&m.key_ctrl[static_cast<size_t>(k) * m.size.nu], m.size.nu);
    doc["keyframes"].push_back(kf);
  }
  return doc;
}

}  // namespace

Model load_model(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".xml" || ext == ".mjcf") {
    try {
      return load_mjcf(path);
    } catch (const ModelError&) {
      throw;
    } catch (const std::exception& e) {
      throw ModelError(e.what());
    }
  }
  if (ext != ".json")
    throw ModelError(path + ": unsupported model file extension \"" + ext +
                     "\"; expected a Sinew JSON model (.json)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path + ": cannot open the model file (" + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  json doc;
  try {
    DuplicateKeyCheck dup{path, {}};
    doc = json::parse(ss.str(), std::ref(dup));
  } catch (const json::parse_error& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line L, column C: ..."
    std::string w = e.what();
    const size_t p = w.find("parse error");
    w = p == std::string::npos ? w : w.substr(p);
    throw ModelError(path + ": invalid JSON: " + w);
  } catch (const json::exception& e) {
    // e.g. "[json.exception.out_of_range.406] number overflow parsing '1e999'": locate the literal
    std::string w = e.what();
    const size_t close = w.find(']');
    if (close != std::string::npos) w = w.substr(close + 2);
    std::string where;
    const size_t q0 = w.find('\''), q1 = w.rfind('\'');
    if (q0 != std::string::npos && q1 > q0) {
      const std::string text = ss.str();
      const size_t pos = text.find(w.substr(q0 + 1, q1 - q0 - 1));
      if (pos != std::string::npos) {
        const size_t line = 1 + std::count(text.begin(), text.begin() + pos, '\n');
        const size_t bol = text.rfind('\n', pos);
        const size_t col = pos - (bol == std::string::npos ? 0 : bol + 1) + 1;
        where = " at line " + std::to_string(line) + ", column " + std::to_string(col);
      }
    }
    throw ModelError(path + ": invalid JSON" + where + ": " + w + " (numbers must be finite)");
  }
  Model m = load_model_json(doc, path);
  if (m.name.empty()) m.name = file_stem(path);
  return m;
}

json model_to_json(const Model& m) { return document<json>(m); }

void save_model_json(const Model& m, const std::string& path) {
  const std::string text = document<nlohmann::ordered_json>(m).dump(1) + "\n";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ModelError(path + ": cannot write (" + std::strerror(errno) + ")");
    out << text;
    if (!out.flush()) throw ModelError(path + ": write failed (" + std::strerror(errno) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw ModelError(path + ": cannot replace the file (" + std::strerror(errno) + ")");
}

}  // namespace sinew
