// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// Model format v1, top-level sections: tendons (spatial with sites, wrapping geoms, side sites
// and pulleys; fixed), actuators (muscle form, general form, joint and tendon transmissions,
// muscle models), joint equalities, contact excludes, keyframe act/ctrl, ellipsoid geoms; the
// writer's round trip, bit for bit, of MJCF models imported from models/src (copied from
// ../shared/data/models) (skipped when that folder is absent) and of a hand-written model;
// malformed sections rejected with the file, the JSON path and the expectation.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/model_io.h"
#include "muscle/muscle_model.h"
#include "tests/util/model_errors.h"

using namespace sinew;
using nlohmann::json;

namespace {

const char* kModels = "models/src/";

template <typename V>
bool bit_equal(const V& a, const V& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
}

// Every int and real array (bit for bit, so NaN and -0 count), every size, option and name.
void check_identical(const Model& a, const Model& b) {
#define SINEW_X(name, count) CHECK_MESSAGE(bit_equal(a.name, b.name), #name);
  SINEW_MODEL_INT_FIELDS(SINEW_X)
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  const Sizes &s = a.size, &t = b.size;
  const int sa[] = {s.nbody,     s.njnt, s.nq,    s.nv,      s.ngeom,   s.nsite,    s.nmesh,
                    s.nmeshvert, s.nkey, s.npair, s.nconmax, s.nefcmax, s.nlimited, s.ntendon,
                    s.nwrap,     s.nu,   s.na,    s.neq,     s.nexclude};
  const int sb[] = {t.nbody,     t.njnt, t.nq,    t.nv,      t.ngeom,   t.nsite,    t.nmesh,
                    t.nmeshvert, t.nkey, t.npair, t.nconmax, t.nefcmax, t.nlimited, t.ntendon,
                    t.nwrap,     t.nu,   t.na,    t.neq,     t.nexclude};
  for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); ++i) CHECK_MESSAGE(sa[i] == sb[i], i);
  const Options &o = a.opt, &p = b.opt;
  CHECK(o.timestep == p.timestep);
  for (int i = 0; i < 3; ++i) CHECK(o.gravity[i] == p.gravity[i]);
  CHECK(o.integrator == p.integrator);
  CHECK(o.cone == p.cone);
  CHECK(o.iterations == p.iterations);
  CHECK(o.tolerance == p.tolerance);
  CHECK(o.impratio == p.impratio);
  CHECK(o.disableflags == p.disableflags);
  CHECK(o.nconmax_pair == p.nconmax_pair);
  CHECK(o.energy == p.energy);
  CHECK(a.name == b.name);
  CHECK(a.body_name == b.body_name);
  CHECK(a.jnt_name == b.jnt_name);
  CHECK(a.geom_name == b.geom_name);
  CHECK(a.site_name == b.site_name);
  CHECK(a.mesh_name == b.mesh_name);
  CHECK(a.mesh_file == b.mesh_file);
  CHECK(a.key_name == b.key_name);
  CHECK(a.tendon_name == b.tendon_name);
  CHECK(a.actuator_name == b.actuator_name);
  CHECK(a.eq_name == b.eq_name);
}

using test::contains;
using test::error_of;
using test::file_error;

// An arm with a shoulder (hinge y) and an elbow (hinge y): sites on the world, the upper arm and
// the forearm; a sphere and a cylinder to wrap around; one tendon of each kind, muscles on a
// tendon (the "muscle" form) and on a joint (general form, DeGroote-Fregly 2016), a motor with an
// affine bias, a joint equality, a contact exclude and a keyframe with act and ctrl.
json arm_doc() {
  json upper = {
      {"name", "upper"},
      {"inertial", {{"mass", 2.0}, {"pos", {0, 0, -0.15}}, {"diaginertia", {0.02, 0.02, 0.004}}}},
      {"joints", {{{"name", "shoulder"}, {"type", "hinge"}, {"axis", {0, 1, 0}}}}},
      {"geoms",
       {{{"name", "head"}, {"type", "sphere"}, {"size", {0.03}}, {"contype", 0}},
        {{"name", "shell"},
         {"type", "ellipsoid"},
         {"size", {0.04, 0.04, 0.15}},
         {"pos", {0, 0, -0.15}}}}},
      {"sites",
       {{{"name", "u_side"}, {"pos", {0.05, 0, 0}}},
        {{"name", "u_low"}, {"pos", {0.03, 0, -0.25}}},
        {{"name", "u_back"}, {"pos", {-0.03, 0, -0.2}}}}},
      {"bodies",
       {{{"name", "fore"},
         {"pos", {0, 0, -0.3}},
         {"inertial",
          {{"mass", 1.0}, {"pos", {0, 0, -0.12}}, {"diaginertia", {0.01, 0.01, 0.002}}}},
         {"joints",
          {{{"name", "elbow"}, {"type", "hinge"}, {"axis", {0, 1, 0}}, {"range", {0, 2}}}}},
         {"geoms",
          {{{"name", "roller"},
            {"type", "cylinder"},
            {"size", {0.02, 0.03}},
            {"quat", {1, 1, 0, 0}},
            {"contype", 0}}}},
         {"sites",
          {{{"name", "f_ins"}, {"pos", {0.02, 0, -0.06}}},
           {{"name", "f_back"}, {"pos", {-0.02, 0, -0.05}}}}}}}}};
  json wb = {{"sites", {{{"name", "origin"}, {"pos", {0.04, 0, 0.08}}}}}, {"bodies", {upper}}};
  json tendons = {
      {{"name", "biceps_path"},
       {"type", "spatial"},
       {"path",
        {{{"site", "origin"}},
         {{"geom", "head"}, {"sidesite", "u_side"}},
         {{"site", "u_low"}},
         {{"pulley", 2}},
         {{"site", "u_low"}},
         {{"site", "f_ins"}}}},
       {"stiffness", 10},
       {"damping", 0.5},
       {"springlength", 0.3}},
      {{"name", "triceps_path"},
       {"type", "spatial"},
       {"path", {{{"site", "u_back"}}, {{"geom", "roller"}}, {{"site", "f_back"}}}},
       {"range", {0.1, 0.5}},
       {"solref", {0.01, 1}}},
      {{"name", "coupling"},
       {"type", "fixed"},
       {"path", {{{"joint", "shoulder"}, {"coef", 1}}, {{"joint", "elbow"}, {"coef", -0.5}}}},
       {"limited", false},
       {"range", {-1, 1}}}};
  json actuators = {{{"name", "biceps"},
                     {"tendon", "biceps_path"},
                     {"muscle", json::object()},
                     {"lengthrange", {0.2, 0.4}}},
                    {{"name", "brachialis"},
                     {"joint", "elbow"},
                     {"gear", -0.03},
                     {"dyntype", "muscle"},
                     {"gaintype", "muscle"},
                     {"biastype", "muscle"},
                     {"dynprm", {0.02, 0.05}},
                     {"gainprm", {0.7, 1.1, 300, 200, 0.5, 1.6, 1.5, 1.3, 1.2}},
                     {"biasprm", {0.7, 1.1, 300, 200, 0.5, 1.6, 1.5, 1.3, 1.2}},
                     {"ctrlrange", {0, 1}},
                     {"lengthrange", {-0.06, 0}},
                     {"muscle_model", "degroote2016"}},
                    {{"name", "motor"},
                     {"joint", "shoulder"},
                     {"gear", 50},
                     {"ctrlrange", {-1, 1}},
                     {"forcerange", {-40, 40}},
                     {"biastype", "affine"},
                     {"gainprm", {1}},
                     {"biasprm", {0, -10, -1}}}};
  json equalities = {{{"name", "follow"},
                      {"type", "joint"},
                      {"joint1", "elbow"},
                      {"joint2", "shoulder"},
                      {"polycoef", {0.1, 0.5}},
                      {"active", false}}};
  json excludes = {{{"body1", "world"}, {"body2", "fore"}}};
  json keys = {
      {{"name", "bent"}, {"qpos", {0.2, 1.0}}, {"act", {0.25, 0.5}}, {"ctrl", {0.1, 0.2, -0.3}}}};
  return {{"format", "sinew-model"},
          {"version", 1},
          {"name", "arm"},
          {"worldbody", wb},
          {"tendons", tendons},
          {"actuators", actuators},
          {"equalities", equalities},
          {"contact_excludes", excludes},
          {"keyframes", keys}};
}

}  // namespace

TEST_CASE("tendons, actuators, equalities, excludes and keyframe act/ctrl load as documented") {
  const Model m = load_model_json(arm_doc(), "arm");
  const Sizes& s = m.size;
  REQUIRE(s.ntendon == 3);
  CHECK(s.nwrap == 11);
  CHECK(s.nu == 3);
  CHECK(s.na == 2);
  CHECK(s.neq == 1);
  CHECK(s.nexclude == 1);
  CHECK(m.tendon_name == std::vector<std::string>{"biceps_path", "triceps_path", "coupling"});
  CHECK(m.tendon_adr == std::vector<int>{0, 6, 9});
  CHECK(m.tendon_num == std::vector<int>{6, 3, 2});
  // sites: origin 0, u_side 1, u_low 2, u_back 3, f_ins 4, f_back 5; geoms head 0, roller 2
  CHECK(m.wrap_type == std::vector<int>{kWrapSite, kWrapSphere, kWrapSite, kWrapPulley, kWrapSite,
                                        kWrapSite, kWrapSite, kWrapCylinder, kWrapSite, kWrapJoint,
                                        kWrapJoint});
  CHECK(m.wrap_objid == std::vector<int>{0, 0, 2, -1, 2, 4, 3, 2, 5, 0, 1});
  CHECK(m.wrap_prm == std::vector<double>{0, 1, 0, 2, 0, 0, 0, -1, 0, 1, -0.5});
  CHECK(m.tendon_limited == std::vector<int>{0, 1, 0});
  CHECK(m.tendon_range[2] == 0.1);
  CHECK(m.tendon_range[4] == -1);
  CHECK(m.tendon_stiffness[0] == 10);
  CHECK(m.tendon_damping[0] == 0.5);
  CHECK(m.tendon_lengthspring == std::vector<double>{0.3, -1, -1});
  CHECK(m.tendon_solref[2] == 0.01);
  CHECK(m.tendon_solimp[5 * 2 + 4] == 2);
  for (int t = 0; t < 2; ++t) CHECK(m.tendon_length0[t] > 0);  // computed by finalize
  CHECK(m.tendon_length0[2] == doctest::Approx(0.0));          // fixed: 1 * 0 - 0.5 * 0 at qpos0
  // the ellipsoid: type 4, three radii; no bounding radius for collision
  CHECK(m.geom_type[1] == kGeomEllipsoid);
  CHECK(m.geom_size[3 + 2] == 0.15);
  // actuators
  CHECK(m.actuator_trntype == std::vector<int>{kTrnTendon, kTrnJoint, kTrnJoint});
  CHECK(m.actuator_trnid == std::vector<int>{0, 1, 0});
  CHECK(m.actuator_dyntype == std::vector<int>{kDynMuscle, kDynMuscle, kDynNone});
  CHECK(m.actuator_gaintype == std::vector<int>{kGainMuscle, kGainMuscle, kGainFixed});
  CHECK(m.actuator_biastype == std::vector<int>{kBiasMuscle, kBiasMuscle, kBiasAffine});
  CHECK(m.actuator_actadr == std::vector<int>{0, 1, -1});
  CHECK(m.actuator_model == std::vector<int>{kMuscleMuJoCo, kMuscleDeGroote, kMuscleMuJoCo});
  CHECK(m.actuator_ctrllimited == std::vector<int>{1, 1, 1});
  CHECK(m.actuator_forcelimited == std::vector<int>{0, 0, 1});
  CHECK(m.actuator_gear == std::vector<double>{1, -0.03, 50});
  // MuJoCo's <muscle> defaults
  const double mj[10] = {0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2, 0};
  for (int i = 0; i < 10; ++i) {
    CHECK(m.actuator_gainprm[i] == mj[i]);
    CHECK(m.actuator_biasprm[i] == mj[i]);
  }
  CHECK(m.actuator_dynprm[0] == 0.01);
  CHECK(m.actuator_dynprm[1] == 0.04);
  CHECK(m.actuator_dynprm[2] == 0);
  CHECK(m.actuator_ctrlrange[0] == 0);
  CHECK(m.actuator_ctrlrange[1] == 1);
  // partial prm arrays keep the defaults of the rest: dynprm [1, 0, ...], gainprm [1, 0, ...]
  CHECK(m.actuator_dynprm[10 * 2] == 1);
  CHECK(m.actuator_gainprm[10 * 2] == 1);
  CHECK(m.actuator_biasprm[10 * 2 + 2] == -1);
  CHECK(m.actuator_biasprm[10 * 2 + 3] == 0);
  CHECK(m.actuator_dynprm[10 + 1] == 0.05);
  CHECK(m.actuator_dynprm[10 + 2] == 0);
  CHECK(m.actuator_forcerange[4] == -40);
  CHECK(m.actuator_lengthrange[0] == 0.2);
  for (int u = 0; u < 3; ++u) CHECK(m.actuator_acc0[u] > 0);  // computed by finalize
  // equality, exclude, keyframe
  CHECK(m.eq_type[0] == kEqJoint);
  CHECK(m.eq_obj1id[0] == 1);
  CHECK(m.eq_obj2id[0] == 0);
  CHECK(m.eq_active[0] == 0);
  CHECK(m.eq_data == std::vector<double>{0.1, 0.5, 0, 0, 0});
  CHECK(m.eq_solref[0] == 0.02);
  CHECK(m.exclude_body1[0] == 0);
  CHECK(m.exclude_body2[0] == 2);
  CHECK(m.key_act == std::vector<double>{0.25, 0.5});
  CHECK(m.key_ctrl == std::vector<double>{0.1, 0.2, -0.3});
}

TEST_CASE("the \"muscle\" form equals the general form with MuJoCo's muscle defaults") {
  json a = arm_doc(), b = arm_doc();
  b["actuators"][0] = {{"name", "biceps"},
                       {"tendon", "biceps_path"},
                       {"dyntype", "muscle"},
                       {"gaintype", "muscle"},
                       {"biastype", "muscle"},
                       {"dynprm", {0.01, 0.04}},
                       {"gainprm", {0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2}},
                       {"biasprm", {0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2}},
                       {"ctrlrange", {0, 1}},
                       {"lengthrange", {0.2, 0.4}},
                       {"muscle_model", "mujoco"}};
  check_identical(load_model_json(a, "a"), load_model_json(b, "a"));
  // muscle keys override the defaults
  a["actuators"][0]["muscle"] = {{"force", 150}, {"timeconst", {0.02, 0.06}}, {"tausmooth", 0.1}};
  const Model m = load_model_json(a, "a");
  CHECK(m.actuator_gainprm[2] == 150);
  CHECK(m.actuator_dynprm[1] == 0.06);
  CHECK(m.actuator_dynprm[2] == 0.1);
}

TEST_CASE("a hand-written model with every kind of tendon and muscle round-trips bit for bit") {
  const Model m = load_model_json(arm_doc(), "arm");
  const json doc = model_to_json(m);
  CHECK(doc["tendons"][2]["type"] == "fixed");
  CHECK(doc["tendons"][0]["path"][1]["sidesite"] == "u_side");
  CHECK(doc["actuators"][1]["muscle_model"] == "degroote2016");
  CHECK(doc["actuators"][2].find("muscle_model") == doc["actuators"][2].end());
  CHECK(doc["keyframes"][0]["ctrl"].size() == 3);
  check_identical(m, load_model_json(doc, "arm"));
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_model_io_physics_arm.json").string();
  save_model_json(m, path);
  check_identical(m, load_model(path));
  std::filesystem::remove(path);
  // a model without these sections writes none of them
  const json plain = model_to_json(load_model("models/pendulum.json"));
  for (const char* k : {"tendons", "actuators", "equalities", "contact_excludes"})
    CHECK(plain.find(k) == plain.end());
}

TEST_CASE("MJCF models imported, written as JSON and reloaded give identical arrays") {
  if (!std::filesystem::exists(kModels)) {
    MESSAGE("skipped: " << kModels << " not found (MJCF models are read from the shared data)");
    return;
  }
  const char* files[] = {"mujoco_arm26/arm26.xml", "myo_sim/basic/myomuscle.xml",
                         "myo_sim/finger/myofinger_v0.xml", "ms_human_700/MS-Human-700.xml",
                         "ms_human_700/MS-Human-700-Locomotion.xml"};
  for (const char* f : files) {
    const std::string xml = std::string(kModels) + f;
    CAPTURE(xml);
    const Model m = load_model(xml);
    CHECK(m.size.ntendon > 0);
    CHECK(m.size.nu > 0);
    // in memory: finalize() recomputes the derived fields (pairs, invweight0, acc0, length0 ...)
    check_identical(m, load_model_json(model_to_json(m), m.source));
    // through a file: doubles printed and parsed back
    const std::string path =
        (std::filesystem::temp_directory_path() / "sinew_model_io_physics_rt.json").string();
    save_model_json(m, path);
    Model back = load_model(path);
    back.source = m.source;
    check_identical(m, back);
    std::filesystem::remove(path);
  }
}

TEST_CASE("mesh geoms: size defaults to the vertices' bounding box and round-trips when given") {
  json wb = {{"geoms",
              {{{"name", "m1"}, {"type", "mesh"}, {"mesh", "w"}},
               {{"name", "m2"}, {"type", "mesh"}, {"mesh", "w"}, {"size", {1, 2, 3}}}}}};
  json d = {{"format", "sinew-model"},
            {"version", 1},
            {"meshes",
             {{{"name", "w"},
               {"file", "w.stl"},
               {"vertices", {{0, 0, 0}, {0.2, 0, 0}, {0, -0.1, 0}, {0, 0, 0.3}}}}}},
            {"worldbody", wb}};
  const Model m = load_model_json(d, "mesh");
  CHECK(m.geom_size == std::vector<double>{0.2, 0.1, 0.3, 1, 2, 3});
  CHECK(m.mesh_file == std::vector<std::string>{"w.stl"});
  check_identical(m, load_model_json(model_to_json(m), "mesh"));
}

TEST_CASE("malformed tendons, actuators, equalities and excludes: file, JSON path, expectation") {
  struct Bad {
    const char* file;
    const char* path;
    const char* expect;
  };
  const Bad cases[] = {
      {"tendon_unknown_site", "/tendons/0/path/1/site", "unknown site \"s3\""},
      {"tendon_geom_not_between_sites", "/tendons/0/path/2",
       "a wrapping geom must be between two sites"},
      {"tendon_wrap_geom_type", "/tendons/0/path/1/geom",
       "a wrapping geom must be a sphere or a cylinder"},
      {"tendon_pulley_divisor", "/tendons/0/path/2/pulley", "expected a pulley divisor > 0"},
      {"tendon_fixed_with_site", "/tendons/0/path/1",
       "a fixed tendon's path holds only {\"joint\": name, \"coef\": c} entries"},
      {"tendon_path_entry", "/tendons/0/path/0", "expected exactly one of {\"site\": name}"},
      {"actuator_unknown_tendon", "/actuators/0/tendon",
       "unknown tendon \"tt\" (did you mean \"t\"?)"},
      {"actuator_unknown_muscle_model", "/actuators/0/muscle_model",
       "unknown muscle model \"hill\" (registered: \"mujoco\", \"degroote2016\")"},
      {"actuator_prm_length", "/actuators/0/gainprm",
       "expected an array of 1 to 10 numbers, got an array of 11"},
      {"actuator_muscle_lengths", "/actuators/0/muscle/lmin",
       "muscle lengths: expected lmin < 1 < lmax, got lmin 1.2"},
      {"actuator_unknown_dyntype", "/actuators/0/dyntype",
       "expected one of \"none\", \"muscle\", got \"integrator\""},
      {"equality_unknown_joint", "/equalities/0/joint2", "unknown joint \"shoulder\""},
      {"exclude_unknown_body", "/contact_excludes/0/body2", "unknown body \"forearm\""},
      {"keyframe_ctrl_length", "/keyframes/0/ctrl",
       "expected an array of nu = 1 numbers (one control per actuator), got an array of 2"},
  };
  for (const Bad& b : cases) {
    const std::string file = std::string("tests/data/bad_models/") + b.file + ".json";
    const std::string msg = file_error(file);
    CAPTURE(msg);
    CHECK(contains(msg, file + ": " + b.path + ": " + b.expect));
  }
}

TEST_CASE("more validation of the top-level sections") {
  auto with = [](const char* section, int i, json patch) {
    json d = arm_doc();
    for (auto it = patch.begin(); it != patch.end(); ++it) d[section][i][it.key()] = it.value();
    return d;
  };
  auto without = [](json d, const char* section, int i, const char* key) {
    d[section][i].erase(key);
    return d;
  };
  struct Case {
    json doc;
    const char* part;
  };
  const std::vector<Case> cases = {
      {with("tendons", 0, {{"type", "wrapped"}}),
       "/tendons/0/type: expected one of \"spatial\", \"fixed\", got \"wrapped\""},
      {without(arm_doc(), "tendons", 0, "type"), "/tendons/0/type: missing"},
      {with("tendons", 0, {{"path", json::array()}}), "/tendons/0/path: expected a non-empty path"},
      {with("tendons", 0,
            {{"path",
              {{{"site", "origin"}},
               {{"site", "u_low"}},
               {{"pulley", 2}},
               {{"pulley", 2}},
               {{"site", "u_low"}},
               {{"site", "f_ins"}}}}}),
       "/tendons/0/path/3: a pulley may not follow a pulley or end the path"},
      {with("tendons", 0, {{"path", {{{"pulley", 2}}, {{"site", "u_low"}}, {{"site", "f_ins"}}}}}),
       "/tendons/0/path/0: a spatial tendon starts at a site"},
      {with("tendons", 0, {{"path", {{{"geom", "head"}}, {{"site", "u_low"}}}}}),
       "/tendons/0/path/0: a wrapping geom must be between two sites"},
      {with("tendons", 0, {{"path", {{{"site", "origin"}}, {{"pulley", 1}}, {{"site", "f_ins"}}}}}),
       "/tendons/0/path/0: a site needs a neighbouring site or geom"},
      {with("tendons", 0, {{"path", {{{"site", "origin"}}, {{"joint", "elbow"}, {"coef", 1}}}}}),
       "/tendons/0/path/1: a spatial tendon's path holds sites, wrapping geoms and pulleys"},
      {with("tendons", 1,
            {{"path",
              {{{"site", "u_back"}},
               {{"geom", "roller"}, {"sidesite", "x"}},
               {{"site", "f_back"}}}}}),
       "/tendons/1/path/1/sidesite: unknown site \"x\""},
      {with("tendons", 2, {{"path", {{{"joint", "elbow"}}}}}), "/tendons/2/path/0/coef: missing"},
      {with("tendons", 0, {{"limited", true}}),
       "/tendons/0/limited: limited needs a \"range\": [lo, hi]"},
      {with("tendons", 1, {{"range", {0.5, 0.1}}}),
       "/tendons/1/range: expected [lo, hi] with lo < hi"},
      {with("tendons", 0, {{"springlength", -2}}),
       "/tendons/0/springlength: expected a rest length >= 0 (metres) or -1"},
      {with("tendons", 0, {{"stiffness", -1}}), "/tendons/0/stiffness: expected a number >= 0"},
      {with("tendons", 1, {{"name", "biceps_path"}}),
       "/tendons/1/name: duplicate tendon name \"biceps_path\" (first used at /tendons/0/name)"},
      {with("tendons", 0, {{"solimp", {0.9, 0.95}}}),
       "/tendons/0/solimp: expected an array of 5 numbers"},
      {with("actuators", 2, {{"tendon", "coupling"}}),
       "/actuators/2: give either \"joint\" or \"tendon\", not both"},
      {without(arm_doc(), "actuators", 2, "joint"),
       "/actuators/2: an actuator needs a transmission: \"joint\" or \"tendon\""},
      {with("actuators", 0, {{"dyntype", "none"}}),
       "/actuators/0/dyntype: not allowed together with \"muscle\""},
      {with("actuators", 1, {{"biastype", "affine"}}),
       "/actuators/1/dyntype: muscle dynamics need \"gaintype\": \"muscle\" and \"biastype\": "
       "\"muscle\""},
      {with("actuators", 1, {{"gainprm", {1.1, 0.7, 300, 200, 0.5, 1.6, 1.5, 1.3, 1.2}}}),
       "/actuators/1/gainprm/0: muscle operating range: expected range[0] < range[1]"},
      {with("actuators", 1, {{"dynprm", {0, 0.04}}}),
       "/actuators/1/dynprm: expected activation and deactivation time constants > 0"},
      {with("actuators", 0, {{"muscle", {{"lmax", 0.9}}}}),
       "/actuators/0/muscle/lmax: muscle lengths: expected lmin < 1 < lmax"},
      {with("actuators", 0, {{"muscle", {{"forse", 1}}}}),
       "/actuators/0/muscle/forse: unknown key (did you mean \"force\"?"},
      {with("actuators", 2, {{"muscle_model", "mujoco"}}),
       "/actuators/2/muscle_model: applies to muscle actuators only"},
      {with("actuators", 2, {{"ctrlrange", {1, -1}}}),
       "/actuators/2/ctrlrange: expected [lo, hi] with lo < hi"},
      {with("actuators", 2, {{"forcelimited", true}, {"forcerange", {0, 0}}}),
       "/actuators/2/forcerange: expected [lo, hi] with lo < hi"},
      {with("actuators", 1, {{"lengthrange", {0.1, 0}}}),
       "/actuators/1/lengthrange: expected [lo, hi] with lo <= hi"},
      {with("actuators", 1, {{"joint", "nope"}}), "/actuators/1/joint: unknown joint \"nope\""},
      {with("equalities", 0, {{"type", "weld"}}),
       "/equalities/0/type: expected one of \"joint\", got \"weld\""},
      {without(arm_doc(), "equalities", 0, "joint1"), "/equalities/0/joint1: missing"},
      {with("equalities", 0, {{"polycoef", {0, 1, 0, 0, 0, 0}}}),
       "/equalities/0/polycoef: expected an array of 1 to 5 polynomial coefficients"},
      {with("equalities", 0, {{"active", 1}}),
       "/equalities/0/active: expected true or false, got number 1"},
      {with("contact_excludes", 0, {{"name", "x"}}),
       "/contact_excludes/0/name: unknown key (allowed keys: body1, body2)"},
      {with("keyframes", 0, {{"act", {0.1}}}),
       "/keyframes/0/act: expected an array of na = 2 numbers"},
      {with("tendons", 0,
            {{"path", {{{"site", "origin"}}, {{"geom", "shell"}}, {{"site", "u_low"}}}}}),
       "/tendons/0/path/1/geom: a wrapping geom must be a sphere or a cylinder"},
  };
  for (const Case& c : cases) {
    const std::string msg = error_of(c.doc);
    CAPTURE(msg);
    CHECK(contains(msg, std::string("inline.json: ") + c.part));
  }
  // a ball joint cannot drive a joint transmission
  json ball = arm_doc();
  ball["worldbody"]["bodies"][0]["joints"][0] = {{"name", "shoulder"}, {"type", "ball"}};
  ball["tendons"].erase(2);
  ball["equalities"] = json::array();
  const std::string msg = error_of(ball);
  CAPTURE(msg);
  CHECK(contains(msg, "/actuators/2/joint: a joint transmission needs a hinge or a slide joint"));
  // the ellipsoid's size
  json ell = arm_doc();
  ell["worldbody"]["bodies"][0]["geoms"][1]["size"] = {0.1, 0.1};
  CHECK(contains(error_of(ell),
                 "/worldbody/bodies/0/geoms/1/size: expected ellipsoid size [radius_x, radius_y, "
                 "radius_z]"));
}

TEST_CASE("model_to_json refuses references to unnamed elements") {
  Model m = load_model_json(arm_doc(), "arm");
  m.site_name[2] = "";  // u_low, on the biceps path
  try {
    model_to_json(m);
    FAIL("no error");
  } catch (const ModelError& e) {
    CHECK(contains(e.what(), "tendon 0 refers to site 2, which has no name"));
  }
}

TEST_CASE("the tendon and muscle example of docs/model-format.md loads with the stated sizes") {
  std::ifstream in("docs/model-format.md");
  REQUIRE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t section = text.find("## Example with tendons and muscles");
  REQUIRE(section != std::string::npos);
  const size_t begin = text.find("```json\n", section);
  REQUIRE(begin != std::string::npos);
  const size_t end = text.find("```", begin + 8);
  const Model m = load_model_json(json::parse(text.substr(begin + 8, end - begin - 8)), "example");
  const Sizes& s = m.size;
  CHECK(s.nbody == 3);
  CHECK(s.njnt == 2);
  CHECK(s.ngeom == 3);
  CHECK(s.nsite == 6);
  CHECK(s.ntendon == 3);
  CHECK(s.nwrap == 11);
  CHECK(s.nu == 3);
  CHECK(s.na == 2);
  CHECK(s.neq == 1);
  CHECK(s.nexclude == 1);
  CHECK(m.actuator_model[1] == kMuscleDeGroote);
  for (int u = 0; u < 2; ++u) CHECK(std::isfinite(m.actuator_muscleprm[16 * u]));
  CHECK(text.find("Sizes: nbody 3, njnt 2, ngeom 3, nsite 6, ntendon 3, nwrap 11, nu 3, na 2, "
                  "neq 1, nexclude 1") != std::string::npos);
  check_identical(m, load_model_json(model_to_json(m), "example"));
}
