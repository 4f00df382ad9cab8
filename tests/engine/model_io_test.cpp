// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Model format v1: bundled models, defaults, conversions (euler, axis-angle, fromto, full
// inertia), ordering, save/load round trip, and malformed models rejected with messages that name
// the file, the JSON path and what was expected.
#include "engine/model_io.h"

#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "engine/core/quat.h"
#include "tests/util/model_errors.h"

using namespace sinew;
using nlohmann::json;

namespace {

constexpr double kPi = 3.14159265358979323846;

json doc_with(json worldbody, json extra = json::object()) {
  json d = {{"format", "sinew-model"}, {"version", 1}, {"name", "t"}, {"worldbody", worldbody}};
  for (auto it = extra.begin(); it != extra.end(); ++it) d[it.key()] = it.value();
  return d;
}

json unit_body(const std::string& name, json joints) {
  return {{"name", name},
          {"inertial", {{"mass", 1.0}, {"diaginertia", {0.01, 0.01, 0.01}}}},
          {"joints", joints}};
}

using test::contains;
using test::error_of;
using test::file_error;

Eigen::Matrix3d rot(const double* q) {
  const Mat3<double> r = quat_to_mat(Quat<double>::load(q));
  Eigen::Matrix3d R;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) R(i, j) = r(i, j);
  return R;
}

Eigen::Matrix3d axis_rot(int axis, double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::Unit(axis)).toRotationMatrix();
}

// Every array, size, option and name of two models is identical (bit for bit).
void check_identical(const Model& a, const Model& b) {
#define SINEW_X(name, count) CHECK_MESSAGE(a.name == b.name, #name);
  SINEW_MODEL_INT_FIELDS(SINEW_X)
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  const Sizes &s = a.size, &t = b.size;
  CHECK(s.nbody == t.nbody);
  CHECK(s.njnt == t.njnt);
  CHECK(s.nq == t.nq);
  CHECK(s.nv == t.nv);
  CHECK(s.ngeom == t.ngeom);
  CHECK(s.nsite == t.nsite);
  CHECK(s.nmesh == t.nmesh);
  CHECK(s.nmeshvert == t.nmeshvert);
  CHECK(s.nkey == t.nkey);
  CHECK(s.npair == t.npair);
  CHECK(s.nconmax == t.nconmax);
  CHECK(s.nefcmax == t.nefcmax);
  CHECK(s.nlimited == t.nlimited);
  CHECK(a.opt.timestep == b.opt.timestep);
  for (int i = 0; i < 3; ++i) CHECK(a.opt.gravity[i] == b.opt.gravity[i]);
  CHECK(a.opt.integrator == b.opt.integrator);
  CHECK(a.opt.iterations == b.opt.iterations);
  CHECK(a.opt.tolerance == b.opt.tolerance);
  CHECK(a.opt.impratio == b.opt.impratio);
  CHECK(a.opt.disableflags == b.opt.disableflags);
  CHECK(a.opt.nconmax_pair == b.opt.nconmax_pair);
  CHECK(a.opt.energy == b.opt.energy);
  CHECK(a.name == b.name);
  CHECK(a.body_name == b.body_name);
  CHECK(a.jnt_name == b.jnt_name);
  CHECK(a.geom_name == b.geom_name);
  CHECK(a.site_name == b.site_name);
  CHECK(a.mesh_name == b.mesh_name);
  CHECK(a.key_name == b.key_name);
}

// A model using every feature: meshes (both vertex layouts), euler/axisangle/quat, full inertia,
// every joint type, multiple joints per body, fromto, keyframes and options.
json feature_doc() {
  json meshes = {
      {{"name", "tetra"}, {"vertices", {{0, 0, 0}, {0.1, 0, 0}, {0, 0.1, 0}, {0, 0, 0.1}}}},
      {{"name", "wedge"}, {"vertices", {0, 0, 0, 0.2, 0, 0, 0, 0.1, 0, 0, 0, 0.1, 0.2, 0, 0.1}}}};
  json arm = {{"name", "arm"},
              {"pos", {0, 0.2, 0}},
              {"euler", {0.1, -0.2, 0.3}},
              {"inertial",
               {{"mass", 2.0},
                {"pos", {0, 0, -0.1}},
                {"fullinertia", {0.03, 0.02, 0.025, 0.001, -0.002, 0.003}}}},
              {"joints",
               {{{"name", "shoulder_y"},
                 {"type", "hinge"},
                 {"axis", {0, 2, 0}},
                 {"range", {-1, 1.5}},
                 {"damping", 0.5},
                 {"armature", 0.01},
                 {"ref", 0.1},
                 {"springref", 0.2},
                 {"stiffness", 3}},
                {{"name", "shoulder_x"},
                 {"type", "hinge"},
                 {"axis", {1, 0, 0}},
                 {"range", {-1, 1}},
                 {"limited", false},
                 {"solref", {0.01, 0.5}},
                 {"solimp", {0.8, 0.9, 0.01, 0.4, 3}}},
                {{"name", "extend"},
                 {"type", "slide"},
                 {"axis", {0, 0, -1}},
                 {"range", {0, 0.1}},
                 {"margin", 0.01}}}},
              {"geoms",
               {{{"name", "upper"},
                 {"type", "capsule"},
                 {"fromto", {0, 0, 0, 0, 0, -0.3}},
                 {"size", {0.04}}},
                {{"name", "rock"},
                 {"type", "mesh"},
                 {"mesh", "wedge"},
                 {"axisangle", {0, 0, 1, 0.5}},
                 {"friction", {0.7, 0.01, 0.001}},
                 {"condim", 1},
                 {"contype", 2},
                 {"conaffinity", 5},
                 {"margin", 0.002},
                 {"solref", {-1000, -10}}}}},
              {"sites", {{{"name", "elbow"}, {"pos", {0, 0, -0.3}}, {"quat", {2, 0, 0, 0}}}}},
              {"bodies",
               {{{"name", "forearm"},
                 {"pos", {0, 0, -0.3}},
                 {"inertial",
                  {{"mass", 1.0},
                   {"pos", {0, 0, -0.1}},
                   {"quat", {1, 1, 0, 0}},
                   {"diaginertia", {0.01, 0.01, 0.002}}}},
                 {"joints",
                  {{{"name", "wrist"},
                    {"type", "ball"},
                    {"pos", {0, 0, 0.01}},
                    {"range", {0, 1.2}},
                    {"damping", 0.2},
                    {"armature", 0.003}}}},
                 {"geoms",
                  {{{"name", "lower"},
                    {"type", "cylinder"},
                    {"size", {0.03, 0.1}},
                    {"pos", {0, 0, -0.1}}}}}}}}};
  json ball = {{"name", "ball"},
               {"pos", {1, 0, 0.5}},
               {"quat", {1, 0, 0, 1}},
               {"inertial", {{"mass", 0.5}, {"diaginertia", {0.002, 0.002, 0.002}}}},
               {"joints", {{{"name", "float"}, {"type", "free"}, {"damping", 0.01}}}},
               {"geoms",
                {{{"name", "ball"}, {"type", "sphere"}, {"size", {0.05}}},
                 {{"name", "tip"}, {"type", "mesh"}, {"mesh", "tetra"}}}}};
  json box = {{"name", "box"},
              {"pos", {-1, 0, 0.2}},
              {"inertial", {{"mass", 1.0}, {"diaginertia", {0.01, 0.01, 0.01}}}},
              {"joints", {{{"type", "slide"}, {"axis", {1, 0, 0}}}, {{"type", "hinge"}}}},
              {"geoms", {{{"type", "box"}, {"size", {0.1, 0.2, 0.05}}}}}};
  json wb = {{"geoms", {{{"name", "floor"}, {"type", "plane"}, {"size", {3, 3, 0.1}}}}},
             {"sites", {{{"name", "origin"}}}},
             {"bodies", {arm, ball, box}}};
  json opt = {{"timestep", 0.001},   {"gravity", {0, 0, -9.8}},
              {"integrator", "rk4"}, {"cone", "pyramidal"},
              {"iterations", 50},    {"tolerance", 1e-10},
              {"impratio", 2},       {"disable", {"limit", "damping"}},
              {"nconmax_pair", 3},   {"energy", false}};
  json keys = {{{"name", "home"}},
               {{"name", "moved"},
                {"time", 1.5},
                {"qpos", {0.3, -0.2, 0.05, 2, 0, 0, 0, 1, 0, 0.5, 1, 0, 0, 0, 0.1, 0.2}},
                {"qvel", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}}}};
  return doc_with(wb, {{"option", opt},
                       {"meshes", meshes},
                       {"keyframes", keys},
                       {"meta", {{"source", "unit test"}, {"license", "Apache-2.0"}}}});
}

}  // namespace

TEST_CASE("every bundled model loads with the expected sizes") {
  struct Expect {
    const char* path;
    int nbody, njnt, nq, nv;
  };
  const Expect models[] = {{"models/pendulum.json", 2, 1, 1, 1},
                           {"models/chain10.json", 11, 10, 10, 10},
                           {"models/box_on_plane.json", 2, 1, 7, 6},
                           {"models/humanoid30.json", 14, 13, 37, 30},
                           {"models/tree85.json", 55, 85, 85, 85}};
  for (const Expect& e : models) {
    CAPTURE(e.path);
    const Model m = load_model(e.path);
    CHECK(m.size.nbody == e.nbody);
    CHECK(m.size.njnt == e.njnt);
    CHECK(m.size.nq == e.nq);
    CHECK(m.size.nv == e.nv);
    CHECK(m.size.nkey >= 1);
    CHECK(m.source == e.path);
    CHECK(!m.name.empty());
  }
  const Model chain = load_model("models/chain10.json");
  CHECK(chain.total_mass() == doctest::Approx(10.0));
  for (int j = 0; j < 10; ++j) {
    CHECK(chain.jnt_type[j] == kJointHinge);
    CHECK(chain.jnt_axis[3 * j + 1] == 1.0);
    CHECK(chain.body_parent[j + 1] == j);
    CHECK(chain.body_mass[j + 1] == 1.0);
  }
  const Model hum = load_model("models/humanoid30.json");
  CHECK(hum.total_mass() > 60);
  CHECK(hum.total_mass() < 80);
  CHECK(hum.key_name[0] == "stand");
  CHECK(hum.jnt_type[0] == kJointFree);
  const Model tree = load_model("models/tree85.json");
  const int root[6] = {kJointSlide, kJointSlide, kJointSlide,
                       kJointHinge, kJointHinge, kJointHinge};
  for (int j = 0; j < 6; ++j) {
    CHECK(tree.jnt_type[j] == root[j]);
    CHECK(tree.jnt_bodyid[j] == 1);
  }
  CHECK(tree.size.nlimited >= 70);
  CHECK(tree.size.npair > 0);
}

TEST_CASE("MuJoCo defaults are applied") {
  json wb = {{"geoms", {{{"type", "plane"}}}},
             {"bodies",
              {{{"name", "b"},
                {"inertial", {{"mass", 1.0}, {"diaginertia", {0.1, 0.1, 0.1}}}},
                {"joints", {{{"name", "j"}}}},
                {"geoms", {{{"type", "sphere"}, {"size", {0.1}}}}}}}}};
  const Model m = load_model_json(doc_with(wb), "defaults");
  const Options def;
  CHECK(m.opt.timestep == 0.002);
  CHECK(m.opt.gravity[2] == -9.81);
  CHECK(m.opt.integrator == kIntegratorEuler);
  CHECK(m.opt.iterations == def.iterations);
  CHECK(m.opt.disableflags == 0);
  CHECK(m.body_name[0] == "world");
  CHECK(m.body_parent[0] == 0);
  CHECK(m.body_quat[4] == 1.0);
  CHECK(m.body_iquat[4] == 1.0);
  CHECK(m.jnt_type[0] == kJointHinge);
  CHECK(m.jnt_axis[2] == 1.0);
  CHECK(m.jnt_limited[0] == 0);
  CHECK(m.jnt_solref[0] == 0.02);
  CHECK(m.jnt_solref[1] == 1.0);
  const double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  const double friction[3] = {1, 0.005, 0.0001};
  for (int g = 0; g < 2; ++g) {
    for (int i = 0; i < 5; ++i) CHECK(m.geom_solimp[5 * g + i] == solimp[i]);
    for (int i = 0; i < 5; ++i) CHECK(m.jnt_solimp[i] == solimp[i]);
    for (int i = 0; i < 3; ++i) CHECK(m.geom_friction[3 * g + i] == friction[i]);
    CHECK(m.geom_solref[2 * g] == 0.02);
    CHECK(m.geom_contype[g] == 1);
    CHECK(m.geom_conaffinity[g] == 1);
    CHECK(m.geom_condim[g] == 3);
    CHECK(m.geom_margin[g] == 0);
    CHECK(m.geom_dataid[g] == -1);
    CHECK(m.geom_quat[4 * g] == 1.0);
  }
  CHECK(m.dof_damping[0] == 0);
  CHECK(m.dof_armature[0] == 0);
  CHECK(m.qpos0[0] == 0);
  CHECK(m.size.npair == 1);  // plane-sphere
}

TEST_CASE("bodies are numbered depth-first, joints, dofs, geoms and sites in body order") {
  json a1 = unit_body("a1", {{{"type", "ball"}}});
  a1["geoms"] = {{{"name", "ga1"}, {"type", "sphere"}, {"size", {0.1}}}};
  json a2 = unit_body("a2", {{{"type", "slide"}}, {{"type", "hinge"}}});
  a2["sites"] = {{{"name", "sa2"}}};
  json a = unit_body("a", {{{"type", "free"}}});
  a["geoms"] = {{{"name", "ga"}, {"type", "sphere"}, {"size", {0.1}}}};
  a["bodies"] = {a1, a2};
  json b = unit_body("b", {{{"type", "hinge"}}});
  b["geoms"] = {{{"name", "gb"}, {"type", "box"}, {"size", {0.1, 0.1, 0.1}}}};
  b["sites"] = {{{"name", "sb"}}};
  json wb = {{"geoms", {{{"name", "floor"}, {"type", "plane"}}}}, {"bodies", {a, b}}};
  const Model m = load_model_json(doc_with(wb), "order");
  CHECK(m.body_name == std::vector<std::string>{"world", "a", "a1", "a2", "b"});
  CHECK(m.body_parent == std::vector<int>{0, 0, 1, 1, 0});
  CHECK(m.geom_name == std::vector<std::string>{"floor", "ga", "ga1", "gb"});
  CHECK(m.body_geomadr == std::vector<int>{0, 1, 2, 3, 3});
  CHECK(m.body_geomnum == std::vector<int>{1, 1, 1, 0, 1});
  CHECK(m.site_name == std::vector<std::string>{"sa2", "sb"});
  CHECK(m.site_bodyid == std::vector<int>{3, 4});
  CHECK(m.jnt_type ==
        std::vector<int>{kJointFree, kJointBall, kJointSlide, kJointHinge, kJointHinge});
  CHECK(m.jnt_bodyid == std::vector<int>{1, 2, 3, 3, 4});
  CHECK(m.jnt_qposadr == std::vector<int>{0, 7, 11, 12, 13});
  CHECK(m.jnt_dofadr == std::vector<int>{0, 6, 9, 10, 11});
  CHECK(m.body_jntadr == std::vector<int>{0, 0, 1, 2, 4});
  CHECK(m.body_jntnum == std::vector<int>{0, 1, 1, 2, 1});
  CHECK(m.body_dofadr == std::vector<int>{0, 0, 6, 9, 11});
  CHECK(m.body_dofnum == std::vector<int>{0, 6, 3, 2, 1});
  CHECK(m.dof_bodyid == std::vector<int>{1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4});
  CHECK(m.dof_jntid == std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4});
  CHECK(m.size.nq == 14);
  CHECK(m.size.nv == 12);
  // the lead's finalize derives the rest: every parent precedes its children
  for (int i = 1; i < m.size.nbody; ++i) CHECK(m.body_parent[i] < i);
}

TEST_CASE("qpos0, qpos_spring, per-dof damping/armature, autolimits and keyframes") {
  const Model m = load_model_json(feature_doc(), "features");
  const Sizes& s = m.size;
  CHECK(s.nq == 16);
  CHECK(s.nv == 14);
  CHECK(s.njnt == 7);
  // hinge ref / springref
  CHECK(m.qpos0[0] == 0.1);
  CHECK(m.qpos_spring[0] == 0.2);
  CHECK(m.jnt_stiffness[0] == 3);
  CHECK(m.jnt_axis[1] == 1.0);   // (0, 2, 0) normalized
  CHECK(m.jnt_limited[0] == 1);  // range given: limited (autolimits)
  CHECK(m.jnt_limited[1] == 0);  // "limited": false with a range
  CHECK(m.jnt_range[2] == -1.0);
  CHECK(m.jnt_margin[2] == 0.01);
  CHECK(m.jnt_solref[2] == 0.01);
  CHECK(m.jnt_solimp[5 + 4] == 3);
  // ball: identity; free: the body pose
  const int wrist = 3, fl = 4;
  CHECK(m.jnt_type[wrist] == kJointBall);
  CHECK(m.qpos0[m.jnt_qposadr[wrist]] == 1.0);
  CHECK(m.qpos_spring[m.jnt_qposadr[wrist]] == 1.0);
  CHECK(m.jnt_type[fl] == kJointFree);
  const int qa = m.jnt_qposadr[fl];
  CHECK(m.qpos0[qa] == 1.0);
  CHECK(m.qpos0[qa + 2] == 0.5);
  CHECK(m.qpos0[qa + 3] == doctest::Approx(std::sqrt(0.5)));
  CHECK(m.qpos0[qa + 6] == doctest::Approx(std::sqrt(0.5)));
  for (int i = 0; i < 7; ++i) CHECK(m.qpos_spring[qa + i] == m.qpos0[qa + i]);
  // damping and armature copied to every dof of the joint
  for (int k = 0; k < 3; ++k) {
    CHECK(m.dof_damping[m.jnt_dofadr[wrist] + k] == 0.2);
    CHECK(m.dof_armature[m.jnt_dofadr[wrist] + k] == 0.003);
  }
  for (int k = 0; k < 6; ++k) CHECK(m.dof_damping[m.jnt_dofadr[fl] + k] == 0.01);
  CHECK(m.jnt_limited[wrist] == 1);
  CHECK(m.jnt_range[2 * wrist + 1] == 1.2);
  // options
  CHECK(m.opt.timestep == 0.001);
  CHECK(m.opt.integrator == kIntegratorRK4);
  CHECK(m.opt.iterations == 50);
  CHECK(m.opt.impratio == 2);
  CHECK(m.opt.disableflags == (kDisableLimit | kDisableDamping));
  CHECK(m.opt.nconmax_pair == 3);
  CHECK(m.opt.energy == false);
  // keyframes: defaults = qpos0 and zero velocity; quaternions normalized
  CHECK(s.nkey == 2);
  CHECK(m.key_name == std::vector<std::string>{"home", "moved"});
  for (int i = 0; i < s.nq; ++i) CHECK(m.key_qpos[i] == m.qpos0[i]);
  for (int i = 0; i < s.nv; ++i) CHECK(m.key_qvel[i] == 0);
  CHECK(m.key_time[1] == 1.5);
  const double* k1 = &m.key_qpos[s.nq];
  CHECK(k1[3] == 1.0);                                       // ball (2, 0, 0, 0) normalized
  CHECK(k1[m.jnt_qposadr[fl] + 3] == doctest::Approx(1.0));  // free quaternion (1, 0, 0, 0)
  CHECK(m.key_qvel[s.nv + 13] == 14);
  // meshes: both vertex layouts
  CHECK(m.size.nmesh == 2);
  CHECK(m.mesh_vertnum == std::vector<int>{4, 5});
  CHECK(m.mesh_vertadr == std::vector<int>{0, 4});
  CHECK(m.mesh_vert[3 * 5 + 0] == 0.2);
  CHECK(m.mesh_vert[3 * 8 + 2] == 0.1);
  const int rock = 2;
  CHECK(m.geom_name[rock] == "rock");
  CHECK(m.geom_type[rock] == kGeomMesh);
  CHECK(m.geom_dataid[rock] == 1);
  CHECK(m.geom_condim[rock] == 1);
  CHECK(m.geom_contype[rock] == 2);
  CHECK(m.geom_solref[2 * rock] == -1000);
  // a site quaternion (2, 0, 0, 0) is normalized
  CHECK(m.site_quat[4 * 1] == 1.0);
}

TEST_CASE("euler (intrinsic xyz) and axisangle give the expected rotations") {
  const double e[3] = {0.3, -1.1, 2.2};
  json bodies = json::array();
  bodies.push_back({{"name", "e"}, {"euler", {e[0], e[1], e[2]}}});
  bodies.push_back({{"name", "x"}, {"euler", {0.7, 0, 0}}});
  bodies.push_back({{"name", "aa"}, {"axisangle", {0, 0, 3, -0.4}}});
  bodies.push_back({{"name", "aax"}, {"axisangle", {1, 0, 0, 0.7}}});
  bodies.push_back({{"name", "q"}, {"quat", {2, 0, 0, 2}}});
  const Model m = load_model_json(doc_with({{"bodies", bodies}}), "rot");
  // intrinsic x, y, z: R = Rx(a) Ry(b) Rz(c) (MuJoCo's default eulerseq "xyz")
  const Eigen::Matrix3d expect = axis_rot(0, e[0]) * axis_rot(1, e[1]) * axis_rot(2, e[2]);
  CHECK((rot(&m.body_quat[4 * 1]) - expect).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((rot(&m.body_quat[4 * 3]) - axis_rot(2, -0.4)).cwiseAbs().maxCoeff() < 1e-14);
  for (int i = 0; i < 4; ++i)
    CHECK(m.body_quat[4 * 2 + i] == doctest::Approx(m.body_quat[4 * 4 + i]));
  CHECK(m.body_quat[4 * 5] == doctest::Approx(std::sqrt(0.5)));
  CHECK(m.body_quat[4 * 5 + 3] == doctest::Approx(std::sqrt(0.5)));
}

TEST_CASE("fromto places a capsule between two points") {
  json wb = {{"geoms",
              {{{"type", "capsule"}, {"fromto", {0.1, 0.2, 0.3, 0.1, 0.5, 0.7}}, {"size", {0.02}}},
               {{"type", "cylinder"}, {"fromto", {0, 0, 1, 0, 0, 0}}, {"size", {0.05}}}}}};
  const Model m = load_model_json(doc_with(wb), "fromto");
  CHECK(m.geom_size[0] == 0.02);
  CHECK(m.geom_size[1] == doctest::Approx(0.25));
  CHECK(m.geom_pos[0] == doctest::Approx(0.1));
  CHECK(m.geom_pos[1] == doctest::Approx(0.35));
  CHECK(m.geom_pos[2] == doctest::Approx(0.5));
  const Eigen::Vector3d z = rot(&m.geom_quat[0]).col(2);
  CHECK((z - Eigen::Vector3d(0, 0.6, 0.8)).norm() < 1e-14);
  // anti-parallel to z: a half turn
  CHECK((rot(&m.geom_quat[4]).col(2) - Eigen::Vector3d(0, 0, -1)).norm() < 1e-14);
  CHECK(m.geom_size[3 + 1] == 0.5);
}

TEST_CASE("full inertia is diagonalized: R diag(I) R^T reproduces the tensor to 1e-12") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    // random proper rotation and principal moments satisfying the triangle inequality
    const Eigen::Matrix3d Q =
        Eigen::Quaterniond(Eigen::Vector4d::Random().normalized()).toRotationMatrix();
    double a = u(rng), b = u(rng);
    double c = std::fabs(a - b) + (a + b - std::fabs(a - b)) * u(rng);
    if (trial == 0) a = b = c = 0.3;  // isotropic: any frame is principal
    if (trial == 1) c = a + b;        // flat plate: equality in the triangle inequality
    const Eigen::Matrix3d I = Q * Eigen::Vector3d(a, b, c).asDiagonal() * Q.transpose();
    json wb = {{"bodies",
                {{{"name", "b"},
                  {"inertial",
                   {{"mass", 1.0},
                    {"fullinertia", {I(0, 0), I(1, 1), I(2, 2), I(0, 1), I(0, 2), I(1, 2)}}}},
                  {"joints", {{{"type", "ball"}}}}}}}};
    const Model m = load_model_json(doc_with(wb), "fullinertia");
    const Eigen::Matrix3d R = rot(&m.body_iquat[4]);
    CHECK(R.determinant() == doctest::Approx(1.0));
    const Eigen::Vector3d d(m.body_inertia[3], m.body_inertia[4], m.body_inertia[5]);
    const Eigen::Matrix3d back = R * d.asDiagonal() * R.transpose();
    CHECK((back - I).cwiseAbs().maxCoeff() <= 1e-12);
  }
}

TEST_CASE("save_model_json writes a document that reloads to identical arrays") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path();
  std::vector<Model> models;
  for (const char* p : {"models/pendulum.json", "models/chain10.json", "models/box_on_plane.json",
                        "models/humanoid30.json", "models/tree85.json"})
    models.push_back(load_model(p));
  models.push_back(load_model_json(feature_doc(), "features"));
  for (const Model& m : models) {
    CAPTURE(m.name);
    const fs::path path = dir / ("sinew_model_io_test_" + m.name + ".json");
    save_model_json(m, path.string());
    const Model back = load_model(path.string());
    check_identical(m, back);
    // and the in-memory document equals what a reload of the file gives
    const Model again = load_model_json(model_to_json(back), "doc");
    check_identical(back, again);
    fs::remove(path);
  }
}

TEST_CASE("model_to_json refuses per-dof values format v1 cannot express") {
  Model m = load_model_json(feature_doc(), "features");
  m.dof_damping[m.jnt_dofadr[3] + 1] += 1;  // one dof of the ball joint
  CHECK_THROWS_AS(model_to_json(m), ModelError);
}

// ---------------------------------------------------------------------------------------------
// Malformed models: the message names the file, the JSON path and what was expected.

TEST_CASE("malformed model files are rejected with the file, the JSON path and the expectation") {
  struct Bad {
    const char* file;
    const char* path;  // JSON pointer ("" when the error has none)
    const char* expect;
  };
  const Bad cases[] = {
      {"unknown_joint_type", "/worldbody/bodies/0/joints/1/type",
       "expected one of \"hinge\", \"slide\", \"ball\", \"free\", got \"hinje\""},
      {"wrong_format", "/format", "expected \"sinew-model\", got \"mujoco\""},
      {"unsupported_version", "/version", "unsupported version 2; this build reads version 1"},
      {"unknown_key", "/worldbody/bodies/0/jionts", "did you mean \"joints\"? allowed keys: name"},
      {"wrong_type", "/worldbody/bodies/0/inertial/mass", "expected a number, got string \"1.5\""},
      {"wrong_array_size", "/worldbody/bodies/0/pos",
       "expected an array of 3 numbers, got an array of 2"},
      {"negative_mass", "/worldbody/bodies/0/inertial/mass", "expected a number >= 0, got -2"},
      {"inertia_triangle", "/worldbody/bodies/0/inertial/diaginertia",
       "violate the triangle inequality A + B >= C"},
      {"fullinertia_indefinite", "/worldbody/bodies/0/inertial/fullinertia",
       "expected a positive semi-definite tensor"},
      {"zero_axis", "/worldbody/bodies/0/joints/0/axis", "expected a non-zero axis vector"},
      {"range_inverted", "/worldbody/bodies/0/joints/0/range",
       "expected [lo, hi] with lo < hi (radians), got [1.5, -0.2]"},
      {"limited_without_range", "/worldbody/bodies/0/joints/0/limited",
       "a limited joint needs a \"range\""},
      {"free_not_top_level", "/worldbody/bodies/0/bodies/0/joints/0",
       "a free joint is allowed only in a body whose parent is the world body"},
      {"free_not_alone", "/worldbody/bodies/0/joints/0",
       "a free joint must be its body's only joint"},
      {"ball_range", "/worldbody/bodies/0/joints/0/range",
       "expected [0, max_angle] with max_angle > 0 (radians), got [-0.5, 0.5]"},
      {"unknown_mesh", "/worldbody/bodies/0/geoms/0/mesh",
       "unknown mesh \"tetrahedron\" (defined in /meshes: \"tetra\")"},
      {"mesh_too_few_vertices", "/meshes/0/vertices", "expected at least 4 vertices"},
      {"mesh_coplanar", "/meshes/0/vertices", "coplanar"},
      {"geom_size_nonpositive", "/worldbody/bodies/0/geoms/0/size/0", "expected a sphere size > 0"},
      {"keyframe_qpos_length", "/keyframes/0/qpos",
       "expected an array of nq = 7 numbers, got an array of 3"},
      {"duplicate_name", "/worldbody/bodies/0/bodies/0/name",
       "duplicate body name \"link\" (first used at /worldbody/bodies/0/name)"},
      {"timestep_nonpositive", "/option/timestep", "expected a time step > 0"},
      {"zero_quaternion", "/worldbody/bodies/0/quat", "expected a non-zero quaternion"},
      {"plane_on_moving_body", "/worldbody/bodies/0/geoms/0/type", "a plane is static"},
      {"unknown_disable_flag", "/option/disable/1",
       "expected one of \"contact\", \"limit\", \"gravity\", \"damping\", \"warmstart\", got "
       "\"contacts\""},
      {"condim_unsupported", "/worldbody/geoms/0/condim", "expected 1 (frictionless) or 3"},
      {"massless_moving_body", "/worldbody/bodies/0/joints/0", "no mass or inertia"},
      {"duplicate_key", "/worldbody/bodies/1/joints", "duplicate key"},
      {"invalid_json", "", "invalid JSON: parse error at line 4, column 13"},
      {"number_overflow", "", "invalid JSON at line 4, column 26: number overflow"},
  };
  static_assert(sizeof(cases) / sizeof(cases[0]) >= 12, "at least 12 malformed models");
  for (const Bad& b : cases) {
    const std::string file = std::string("tests/data/bad_models/") + b.file + ".json";
    const std::string msg = file_error(file);
    CAPTURE(msg);
    CHECK(contains(msg, file + ": "));
    if (*b.path) CHECK(contains(msg, file + ": " + b.path + ": "));
    CHECK(contains(msg, b.expect));
  }
}

TEST_CASE("every file in tests/data/bad_models is rejected") {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("tests/data/bad_models")) {
    if (entry.path().extension() != ".json") continue;
    ++n;
    CAPTURE(entry.path().string());
    CHECK_THROWS_AS(load_model(entry.path().string()), ModelError);
  }
  CHECK(n >= 12);
}

TEST_CASE("file-level errors: missing file, MJCF, unknown extension") {
  CHECK(contains(file_error("tests/data/bad_models/does_not_exist.json"),
                 "tests/data/bad_models/does_not_exist.json: cannot open the model file"));
  // .xml goes to the MJCF importer, which names the missing file
  const std::string xml = file_error("models/does_not_exist.xml");
  CHECK(contains(xml, "models/does_not_exist.xml"));
  CHECK(contains(file_error("model.yaml"), "expected a Sinew JSON model (.json)"));
}

TEST_CASE("more validation on in-memory documents") {
  json ok_body = unit_body("b", {{{"type", "hinge"}}});
  auto with_body = [&](json patch) {
    json b = ok_body;
    for (auto it = patch.begin(); it != patch.end(); ++it) b[it.key()] = it.value();
    return doc_with({{"bodies", {b}}});
  };
  struct Case {
    json doc;
    const char* part;
  };
  const std::vector<Case> cases = {
      {json{{"version", 1}, {"worldbody", json::object()}}, "/format: missing"},
      {doc_with(json::object(), {{"option", {{"timestep", std::nan("")}}}}),
       "/option/timestep: expected a finite number"},
      {doc_with(json::object(), {{"extra", 1}}), "/extra: unknown key"},
      {doc_with(json::array()), "/worldbody: expected an object, got an array of 0"},
      {with_body({{"quat", {1, 0, 0, 0}}, {"euler", {0, 0, 0}}}),
       "/worldbody/bodies/0: give at most one of \"quat\", \"euler\", \"axisangle\""},
      {with_body({{"axisangle", {0, 0, 0, 1}}}),
       "/worldbody/bodies/0/axisangle: expected a non-zero axis"},
      {with_body({{"joints", {{{"type", "ball"}, {"axis", {1, 0, 0}}}}}}),
       "/worldbody/bodies/0/joints/0/axis: not allowed on a ball joint"},
      {with_body({{"joints", {{{"type", "free"}, {"range", {0, 1}}}}}}),
       "/worldbody/bodies/0/joints/0/range: not allowed on a free joint"},
      {with_body({{"joints", {{{"type", "hinge"}, {"damping", -1}}}}}),
       "/worldbody/bodies/0/joints/0/damping: expected a number >= 0"},
      {with_body({{"joints", {{{"type", "hinge"}, {"limited", "yes"}, {"range", {0, 1}}}}}}),
       "/worldbody/bodies/0/joints/0/limited: expected true or false, got string \"yes\""},
      {with_body({{"joints", {{{"type", "hinge"}, {"solref", {0.02, -1}}}}}}),
       "/worldbody/bodies/0/joints/0/solref: expected [timeconst > 0, dampratio > 0]"},
      {with_body({{"joints", {{{"type", "hinge"}, {"solimp", {0.9, 0.95, 0.001}}}}}}),
       "/worldbody/bodies/0/joints/0/solimp: expected an array of 5 numbers"},
      {with_body({{"joints", {{{"type", "hinge"}, {"solimp", {0.9, 1.5, 0.001, 0.5, 2}}}}}}),
       "/worldbody/bodies/0/joints/0/solimp: expected [dmin, dmax, width, midpoint, power]"},
      {with_body({{"inertial",
                   {{"mass", 1}, {"fullinertia", {1, 1, 1, 0, 0, 0}}, {"quat", {1, 0, 0, 0}}}}}),
       "/worldbody/bodies/0/inertial: \"fullinertia\" is in the body frame"},
      {with_body({{"inertial", {{"diaginertia", {1, 1, 1}}}}}),
       "/worldbody/bodies/0/inertial/mass: missing"},
      {with_body({{"geoms", {{{"type", "capsule"}, {"size", {0.1}}}}}}),
       "/worldbody/bodies/0/geoms/0/size: expected capsule size [radius, half_length]"},
      {with_body({{"geoms", {{{"type", "box"}, {"size", {0.1, 0.1, -0.1}}}}}}),
       "/worldbody/bodies/0/geoms/0/size/2: expected a box size > 0"},
      {with_body(
           {{"geoms", {{{"type", "box"}, {"size", {1, 1, 1}}, {"fromto", {0, 0, 0, 1, 0, 0}}}}}}),
       "/worldbody/bodies/0/geoms/0/fromto: \"fromto\" applies to capsules and cylinders only"},
      {with_body({{"geoms",
                   {{{"type", "capsule"},
                     {"size", {0.1}},
                     {"fromto", {0, 0, 0, 1, 0, 0}},
                     {"pos", {0, 0, 0}}}}}}),
       "/worldbody/bodies/0/geoms/0/pos: not allowed together with \"fromto\""},
      {with_body({{"geoms", {{{"type", "sphere"}, {"size", {0.1}}, {"friction", {-1, 0, 0}}}}}}),
       "/worldbody/bodies/0/geoms/0/friction/0: expected [sliding, torsional, rolling]"},
      {with_body({{"geoms", {{{"type", "sphere"}, {"size", {0.1}}, {"mesh", "m"}}}}}),
       "/worldbody/bodies/0/geoms/0/mesh: only a geom of type \"mesh\" names a mesh"},
      {with_body({{"geoms", {{{"type", "sphere"}, {"size", {0.1}}, {"contype", 1.5}}}}}),
       "/worldbody/bodies/0/geoms/0/contype: expected an integer, got number 1.5"},
      {with_body({{"name", "world"}}), "/worldbody/bodies/0/name: duplicate body name \"world\""},
      {doc_with({{"bodies", {unit_body("b", {{{"type", "free"}}})}}},
                {{"keyframes", {{{"qpos", {0, 0, 0, 0, 0, 0, 0}}}}}}),
       "/keyframes/0/qpos/3: joint 0: expected a non-zero quaternion"},
      {doc_with({{"bodies", {unit_body("b", {{{"type", "hinge"}}})}}},
                {{"keyframes", {{{"qvel", {0, 1}}}}}}),
       "/keyframes/0/qvel: expected an array of nv = 1 numbers"},
      {doc_with(json::object(), {{"option", {{"integrator", "implicit"}}}}),
       "/option/integrator: expected one of \"euler\", \"rk4\", got \"implicit\""},
  };
  for (const Case& c : cases) {
    const std::string msg = error_of(c.doc);
    CAPTURE(msg);
    CHECK(contains(msg, std::string("inline.json: ") + c.part));
  }
}

TEST_CASE("the complete example of docs/model-format.md loads with the stated sizes") {
  std::ifstream in("docs/model-format.md");
  REQUIRE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t section = text.find("## Complete example");
  REQUIRE(section != std::string::npos);
  const size_t begin = text.find("```json\n", section);
  REQUIRE(begin != std::string::npos);
  const size_t end = text.find("```", begin + 8);
  const Model m = load_model_json(json::parse(text.substr(begin + 8, end - begin - 8)), "example");
  CHECK(m.size.nbody == 4);
  CHECK(m.size.njnt == 3);
  CHECK(m.size.nq == 15);
  CHECK(m.size.nv == 13);
  CHECK(m.size.ngeom == 4);
  CHECK(m.size.nsite == 2);
  CHECK(m.size.nmesh == 1);
  CHECK(m.size.nkey == 1);
  CHECK(text.find("Sizes: nbody 4, njnt 3, nq 15, nv 13, ngeom 4, nsite 2, nmesh 1, nkey 1") !=
        std::string::npos);
}
