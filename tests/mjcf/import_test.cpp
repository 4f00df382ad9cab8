// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// MJCF importer against MuJoCo's compiler (tests/data/mjcf_compiled_golden.json, written by
// tools/oracle/mjcf_sizes_golden.py): sizes, body tree, masses and full inertia tensors in the
// body frame (1e-6 relative; MS-Human-700's rib bodies get theirs from MuJoCo's legacy mesh
// inertia), joints, geoms, sites, tendons and wraps, actuators, equalities, keyframes, options.
// The models are read from models/src (copied from ../shared/data/models); the test skips when that
// folder is absent.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/mjcf/mjcf_import.h"
#include "engine/model_io.h"

using namespace sinew;
using nlohmann::json;

namespace {

const char* kModels = "models/src/";

bool have_models() {
  if (std::filesystem::exists(kModels)) return true;
  MESSAGE("skipped: " << kModels << " not found (MJCF models are read from the shared data)");
  return false;
}

const json& golden() {
  static json g = [] {
    std::ifstream in("tests/data/mjcf_compiled_golden.json");
    REQUIRE_MESSAGE(in.good(), "tests/data/mjcf_compiled_golden.json missing");
    return json::parse(in);
  }();
  return g;
}

// ||a - b||_inf <= tol * max(||b||_inf, floor)
double rel_err(const std::vector<double>& a, const std::vector<double>& b, double floor) {
  double e = 0, n = floor;
  for (size_t i = 0; i < b.size(); ++i) {
    e = std::max(e, std::fabs(a[i] - b[i]));
    n = std::max(n, std::fabs(b[i]));
  }
  return e / n;
}

void close(const std::vector<double>& a, const json& b, double tol, double floor,
           const char* what) {
  const std::vector<double> ref = b.get<std::vector<double>>();
  REQUIRE_MESSAGE(a.size() == ref.size(), std::string(what));
  const double e = rel_err(a, ref, floor);
  CHECK_MESSAGE(e <= tol, std::string(what) << ": relative error " << e);
}

void same(const std::vector<int>& a, const json& b, const char* what) {
  CHECK_MESSAGE(a == b.get<std::vector<int>>(), std::string(what));
}

std::vector<std::string> enum_names(const std::vector<int>& v,
                                    const std::map<int, std::string>& n) {
  std::vector<std::string> out;
  for (int x : v) out.push_back(n.count(x) ? n.at(x) : "?");
  return out;
}

// Body inertia tensors in the body frame, R diag(I) R^T, as the golden file stores them.
std::vector<double> inertia_full(const Model& m) {
  std::vector<double> out;
  for (int b = 0; b < m.size.nbody; ++b) {
    const double* q = &m.body_iquat[4 * b];
    const Eigen::Matrix3d R = Eigen::Quaterniond(q[0], q[1], q[2], q[3]).toRotationMatrix();
    const double* d = &m.body_inertia[3 * b];
    const Eigen::Matrix3d I = R * Eigen::Vector3d(d[0], d[1], d[2]).asDiagonal() * R.transpose();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) out.push_back(I(i, j));
  }
  return out;
}

void compare(const std::string& key) {
  const json& g = golden()["models"][key];
  const std::string path = kModels + g["path"].get<std::string>();
  CAPTURE(path);
  MjcfImportResult res = import_mjcf(path);
  const Model& m = res.model;
  const Sizes& s = m.size;
  const json& z = g["sizes"];
  CHECK(s.nbody == z["nbody"]);
  CHECK(s.njnt == z["njnt"]);
  CHECK(s.nq == z["nq"]);
  CHECK(s.nv == z["nv"]);
  CHECK(s.ngeom == z["ngeom"]);
  CHECK(s.nsite == z["nsite"]);
  CHECK(s.nmesh == z["nmesh"]);
  CHECK(s.ntendon == z["ntendon"]);
  CHECK(s.nwrap == z["nwrap"]);
  CHECK(s.nu == z["nu"]);
  CHECK(s.na == z["na"]);
  CHECK(s.neq == z["neq"]);
  CHECK(s.nexclude == z["nexclude"]);
  CHECK(s.nkey == z["nkey"]);
  if (s.nbody != z["nbody"] || s.njnt != z["njnt"] || s.ngeom != z["ngeom"]) return;
  CHECK(m.body_name == g["body_name"].get<std::vector<std::string>>());
  same(m.body_parent, g["body_parentid"], "body_parentid");
  close(m.body_pos, g["body_pos"], 1e-9, 1, "body_pos");
  close(m.body_quat, g["body_quat"], 1e-9, 1, "body_quat");
  // masses and inertias: 1e-6 relative, per body (floor 1e-6 kg, 1e-9 kg m^2)
  const std::vector<double> gm = g["body_mass"].get<std::vector<double>>();
  const std::vector<double> gi = g["body_inertia_full"].get<std::vector<double>>();
  const std::vector<double> si = inertia_full(m);
  double worst_m = 0, worst_i = 0;
  for (int b = 0; b < s.nbody; ++b) {
    const double em = std::fabs(m.body_mass[b] - gm[b]) / std::max(std::fabs(gm[b]), 1e-6);
    const std::vector<double> a(si.begin() + 9 * b, si.begin() + 9 * b + 9);
    const std::vector<double> r(gi.begin() + 9 * b, gi.begin() + 9 * b + 9);
    const double ei = rel_err(a, r, 1e-9);
    CHECK_MESSAGE(em <= 1e-6,
                  "body " << m.body_name[b] << " mass " << m.body_mass[b] << " vs " << gm[b]);
    CHECK_MESSAGE(ei <= 1e-6, "body " << m.body_name[b] << " inertia relative error " << ei);
    worst_m = std::max(worst_m, em), worst_i = std::max(worst_i, ei);
  }
  MESSAGE(key << ": worst body mass error " << worst_m << ", inertia " << worst_i);
  close(m.body_ipos, g["body_ipos"], 1e-6, 1e-3, "body_ipos");
  // joints
  CHECK(m.jnt_name == g["jnt_name"].get<std::vector<std::string>>());
  CHECK(enum_names(m.jnt_type, {{0, "free"}, {1, "ball"}, {2, "slide"}, {3, "hinge"}}) ==
        g["jnt_type"].get<std::vector<std::string>>());
  same(m.jnt_bodyid, g["jnt_bodyid"], "jnt_bodyid");
  same(m.jnt_limited, g["jnt_limited"], "jnt_limited");
  close(m.jnt_range, g["jnt_range"], 1e-9, 1, "jnt_range");
  close(m.jnt_pos, g["jnt_pos"], 1e-9, 1, "jnt_pos");
  close(m.jnt_axis, g["jnt_axis"], 1e-9, 1, "jnt_axis");
  close(m.jnt_stiffness, g["jnt_stiffness"], 1e-9, 1, "jnt_stiffness");
  close(m.jnt_solref, g["jnt_solref"], 1e-9, 1, "jnt_solref");
  close(m.jnt_solimp, g["jnt_solimp"], 1e-9, 1, "jnt_solimp");
  close(m.jnt_margin, g["jnt_margin"], 1e-9, 1, "jnt_margin");
  close(m.qpos0, g["qpos0"], 1e-9, 1, "qpos0");
  close(m.qpos_spring, g["qpos_spring"], 1e-9, 1, "qpos_spring");
  close(m.dof_damping, g["dof_damping"], 1e-9, 1, "dof_damping");
  close(m.dof_armature, g["dof_armature"], 1e-9, 1, "dof_armature");
  // geoms (mesh geoms' frames move to the mesh's centre of mass: positions to 1e-6)
  CHECK(m.geom_name == g["geom_name"].get<std::vector<std::string>>());
  same(m.geom_bodyid, g["geom_bodyid"], "geom_bodyid");
  same(m.geom_contype, g["geom_contype"], "geom_contype");
  same(m.geom_conaffinity, g["geom_conaffinity"], "geom_conaffinity");
  same(m.geom_condim, g["geom_condim"], "geom_condim");
  close(m.geom_pos, g["geom_pos"], 1e-6, 1, "geom_pos");
  close(m.geom_friction, g["geom_friction"], 1e-9, 1, "geom_friction");
  close(m.geom_margin, g["geom_margin"], 1e-9, 1, "geom_margin");
  std::vector<double> prim_size, prim_ref;  // sizes of primitive geoms (mesh sizes are extents)
  const std::vector<double> gs = g["geom_size"].get<std::vector<double>>();
  for (int i = 0; i < s.ngeom; ++i)
    if (m.geom_type[i] != kGeomMesh && m.geom_type[i] != kGeomPlane)
      for (int k = 0; k < 3; ++k)
        prim_size.push_back(m.geom_size[3 * i + k]), prim_ref.push_back(gs[3 * i + k]);
  CHECK(rel_err(prim_size, prim_ref, 1) <= 1e-9);
  // sites
  CHECK(m.site_name == g["site_name"].get<std::vector<std::string>>());
  same(m.site_bodyid, g["site_bodyid"], "site_bodyid");
  close(m.site_pos, g["site_pos"], 1e-9, 1, "site_pos");
  close(m.site_quat, g["site_quat"], 1e-9, 1, "site_quat");
  CHECK(m.mesh_name == g["mesh_name"].get<std::vector<std::string>>());
  // tendons
  CHECK(m.tendon_name == g["tendon_name"].get<std::vector<std::string>>());
  same(m.tendon_adr, g["tendon_adr"], "tendon_adr");
  same(m.tendon_num, g["tendon_num"], "tendon_num");
  same(m.tendon_limited, g["tendon_limited"], "tendon_limited");
  close(m.tendon_range, g["tendon_range"], 1e-9, 1, "tendon_range");
  close(m.tendon_stiffness, g["tendon_stiffness"], 1e-9, 1, "tendon_stiffness");
  close(m.tendon_damping, g["tendon_damping"], 1e-9, 1, "tendon_damping");
  CHECK(enum_names(m.wrap_type,
                   {{1, "joint"}, {2, "pulley"}, {3, "site"}, {4, "sphere"}, {5, "cylinder"}}) ==
        g["wrap_type"].get<std::vector<std::string>>());
  same(m.wrap_objid, g["wrap_objid"], "wrap_objid");
  close(m.wrap_prm, g["wrap_prm"], 1e-12, 1, "wrap_prm");
  // actuators
  CHECK(m.actuator_name == g["actuator_name"].get<std::vector<std::string>>());
  CHECK(enum_names(m.actuator_trntype, {{kTrnJoint, "joint"}, {kTrnTendon, "tendon"}}) ==
        g["actuator_trntype"].get<std::vector<std::string>>());
  same(m.actuator_trnid, g["actuator_trnid"], "actuator_trnid");
  CHECK(enum_names(m.actuator_dyntype, {{kDynNone, "none"}, {kDynMuscle, "muscle"}}) ==
        g["actuator_dyntype"].get<std::vector<std::string>>());
  CHECK(enum_names(m.actuator_gaintype, {{kGainFixed, "fixed"}, {kGainMuscle, "muscle"}}) ==
        g["actuator_gaintype"].get<std::vector<std::string>>());
  CHECK(enum_names(m.actuator_biastype,
                   {{kBiasNone, "none"}, {kBiasAffine, "affine"}, {kBiasMuscle, "muscle"}}) ==
        g["actuator_biastype"].get<std::vector<std::string>>());
  same(m.actuator_actadr, g["actuator_actadr"], "actuator_actadr");
  same(m.actuator_ctrllimited, g["actuator_ctrllimited"], "actuator_ctrllimited");
  same(m.actuator_forcelimited, g["actuator_forcelimited"], "actuator_forcelimited");
  close(m.actuator_gear, g["actuator_gear0"], 1e-12, 1, "actuator_gear");
  close(m.actuator_dynprm, g["actuator_dynprm"], 1e-12, 1, "actuator_dynprm");
  close(m.actuator_gainprm, g["actuator_gainprm"], 1e-12, 1, "actuator_gainprm");
  close(m.actuator_biasprm, g["actuator_biasprm"], 1e-12, 1, "actuator_biasprm");
  close(m.actuator_ctrlrange, g["actuator_ctrlrange"], 1e-12, 1, "actuator_ctrlrange");
  close(m.actuator_forcerange, g["actuator_forcerange"], 1e-12, 1, "actuator_forcerange");
  // lengthrange: as given; actuators without one are listed (MuJoCo computes those)
  const std::vector<double> lr = g["actuator_lengthrange"].get<std::vector<double>>();
  for (int u = 0; u < s.nu; ++u) {
    const bool missing = std::find(res.missing_lengthrange.begin(), res.missing_lengthrange.end(),
                                   m.actuator_name[u]) != res.missing_lengthrange.end();
    if (!missing)
      CHECK(rel_err({m.actuator_lengthrange[2 * u], m.actuator_lengthrange[2 * u + 1]},
                    {lr[2 * u], lr[2 * u + 1]}, 1) <= 1e-12);
  }
  // equalities, excludes, keyframes, options
  same(m.eq_obj1id, g["eq_obj1id"], "eq_obj1id");
  same(m.eq_obj2id, g["eq_obj2id"], "eq_obj2id");
  same(m.eq_active, g["eq_active0"], "eq_active");
  close(m.eq_data, g["eq_data5"], 1e-12, 1, "eq_data");
  close(m.eq_solref, g["eq_solref"], 1e-12, 1, "eq_solref");
  close(m.eq_solimp, g["eq_solimp"], 1e-12, 1, "eq_solimp");
  close(m.key_qpos, g["key_qpos"], 1e-12, 1, "key_qpos");
  close(m.key_qvel, g["key_qvel"], 1e-12, 1, "key_qvel");
  close(m.key_act, g["key_act"], 1e-12, 1, "key_act");
  close(m.key_ctrl, g["key_ctrl"], 1e-12, 1, "key_ctrl");
  CHECK(m.opt.timestep == doctest::Approx(g["opt_timestep"].get<double>()));
  CHECK(m.opt.iterations == g["opt_iterations"].get<int>());
  CHECK(m.opt.tolerance == doctest::Approx(g["opt_tolerance"].get<double>()));
  for (const std::string& w : res.warnings) MESSAGE(w);
}

}  // namespace

TEST_CASE("mjcf: arm26 matches MuJoCo's compiled model") {
  if (have_models()) compare("arm26");
}
TEST_CASE("mjcf: myomuscle matches MuJoCo's compiled model") {
  if (have_models()) compare("myomuscle");
}
TEST_CASE("mjcf: myofinger matches MuJoCo's compiled model") {
  if (have_models()) compare("myofinger");
}
TEST_CASE("mjcf: MS-Human-700 matches MuJoCo's compiled model (legacy mesh inertia)") {
  if (have_models()) compare("ms_human_700");
}
TEST_CASE("mjcf: MS-Human-700-Locomotion matches MuJoCo's compiled model") {
  if (have_models()) compare("ms_human_700_locomotion");
}
