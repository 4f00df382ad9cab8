// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// MJCF importer on small hand-written models: MuJoCo's defaults (degrees, autolimits, density,
// class inheritance, partial arrays, muscle shortcut), geom inertia, and malformed input giving
// errors that name the file and line (syntax, unknown element, missing include or mesh file,
// unknown class) or listed warnings for ignored input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/mjcf/mjcf_import.h"
#include "engine/model_io.h"

using namespace sinew;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string tmp_dir() {
  static std::string d = [] {
    auto p = std::filesystem::temp_directory_path() / "sinew_mjcf_test";
    std::filesystem::create_directories(p);
    return p.string() + "/";
  }();
  return d;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string p = tmp_dir() + name;
  std::ofstream(p) << text;
  return p;
}

// The error message of importing `path` ("" when it imports).
std::string error_of(const std::string& path) {
  try {
    import_mjcf(path);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

const char* kPendulum = R"(<mujoco>
  <default>
    <joint damping="0.5"/>
    <geom size="0.1 0.2"/>
    <default class="heavy">
      <geom density="2000"/>
    </default>
  </default>
  <worldbody>
    <body name="a" pos="0 0 1" euler="90 0 0">
      <joint name="j" range="-90 45"/>
      <geom class="heavy" type="capsule" size="0.05"/>
      <body name="b" childclass="heavy">
        <joint name="k" type="slide" axis="1 0 0"/>
        <geom type="box" size="0.1 0.2 0.3"/>
      </body>
    </body>
  </worldbody>
  <keyframe><key name="home" qpos="0.5 0.1"/></keyframe>
</mujoco>
)";

}  // namespace

TEST_CASE("mjcf: defaults, degrees, autolimits and geom inertia follow MuJoCo") {
  const Model m = load_mjcf(write("pendulum.xml", kPendulum));
  REQUIRE(m.size.nbody == 3);
  REQUIRE(m.size.njnt == 2);
  // angle defaults to degrees: range and euler converted
  CHECK(m.jnt_limited[0] == 1);  // autolimits: a range implies limited
  CHECK(m.jnt_range[0] == doctest::Approx(-kPi / 2));
  CHECK(m.jnt_range[1] == doctest::Approx(kPi / 4));
  CHECK(m.jnt_limited[1] == 0);
  CHECK(m.body_quat[4] == doctest::Approx(std::cos(kPi / 4)));
  CHECK(m.body_quat[5] == doctest::Approx(std::sin(kPi / 4)));
  CHECK(m.dof_damping[0] == 0.5);
  // capsule: size partially overridden (radius 0.05, half-length 0.2 from the default), class
  // density 2000; mass = rho * pi r^2 (2h + 4r/3)
  const double r = 0.05, h = 0.2;
  CHECK(m.body_mass[1] == doctest::Approx(2000 * kPi * r * r * (2 * h + 4 * r / 3)).epsilon(1e-12));
  // childclass: the box gets density 2000; box inertia m (b^2 + c^2) / 3 about x
  const double mb = 2000 * 8 * 0.1 * 0.2 * 0.3;
  CHECK(m.body_mass[2] == doctest::Approx(mb).epsilon(1e-12));
  CHECK(m.key_qpos[0] == 0.5);
}

TEST_CASE("mjcf: muscle shortcut and <general class> copy only the given entries") {
  const std::string p = write("muscle.xml", R"(<mujoco>
  <default><default class="muscle"><muscle ctrllimited="true" ctrlrange="0 1"/></default></default>
  <worldbody>
    <site name="s0"/>
    <body name="b"><joint name="x" type="slide" range="-0.5 0.5"/><geom size="0.1"/><site name="s1" pos="0 0 -1"/></body>
  </worldbody>
  <tendon><spatial name="t"><site site="s0"/><site site="s1"/></spatial></tendon>
  <actuator>
    <general class="muscle" tendon="t" lengthrange="0.9 1.1" gainprm="0.7 1.1 300" biasprm="0.7 1.1 300"/>
    <muscle tendon="t" timeconst="0.02 0.05"/>
  </actuator>
</mujoco>)");
  const MjcfImportResult res = import_mjcf(p);
  const Model& m = res.model;
  REQUIRE(m.size.nu == 2);
  CHECK(m.size.na == 2);
  CHECK(m.actuator_dyntype[0] == kDynMuscle);
  CHECK(m.actuator_gainprm[0] == 0.7);
  CHECK(m.actuator_gainprm[2] == 300);
  CHECK(m.actuator_gainprm[3] == 200);  // muscle default scale kept
  CHECK(m.actuator_gainprm[5] == 1.6);
  CHECK(m.actuator_ctrllimited[0] == 1);
  CHECK(m.actuator_dynprm[10] == 0.02);
  CHECK(m.actuator_dynprm[11] == 0.05);
  CHECK(m.actuator_gainprm[12] == -1);  // force < 0: scale / acc0
  CHECK(m.actuator_actadr[1] == 1);
  REQUIRE(res.missing_lengthrange.size() == 1);
  // the second muscle's lengthrange is computed (engine/lengthrange.h); the slide's range bounds
  // it (without it MuJoCo and Sinew both fail: the tendon lengthens without limit)
  CHECK(m.actuator_lengthrange[2] == doctest::Approx(0.5).epsilon(0.02));
  CHECK(m.actuator_lengthrange[3] == doctest::Approx(1.5).epsilon(0.02));
  CHECK(m.wrap_type[0] == kWrapSite);
}

TEST_CASE("mjcf: malformed models give errors naming the file and line") {
  SUBCASE("XML syntax error") {
    const std::string p = write("syntax.xml", "<mujoco>\n  <worldbody>\n    <body>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":"));
    CHECK(contains(e, "syntax error"));
  }
  SUBCASE("unknown element in worldbody") {
    const std::string p =
        write("unknown.xml", "<mujoco>\n<worldbody>\n<bodyy/>\n</worldbody>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":3"));
    CHECK(contains(e, "unknown element"));
  }
  SUBCASE("unknown attribute") {
    const std::string p =
        write("attr.xml",
              "<mujoco>\n<worldbody>\n<geom size=\"1\" sise=\"2\"/>\n</worldbody>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":3"));
    CHECK(contains(e, "'sise'"));
  }
  SUBCASE("missing include file") {
    const std::string p =
        write("inc.xml", "<mujoco>\n\n  <include file=\"nope.xml\"/>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":3"));
    CHECK(contains(e, "nope.xml"));
  }
  SUBCASE("error inside an included file names that file") {
    write("part.xml", "<mujoco>\n<worldbody>\n<geom type=\"sphere\"/>\n</worldbody>\n</mujoco>\n");
    const std::string p =
        write("main_inc.xml", "<mujoco>\n<include file=\"part.xml\"/>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, tmp_dir() + "part.xml:3"));
    CHECK(contains(e, "size[0]"));
  }
  SUBCASE("missing mesh file") {
    const std::string p =
        write("mesh.xml",
              "<mujoco>\n<asset>\n<mesh name=\"m\" file=\"missing.stl\"/>\n</asset>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":3"));
    CHECK(contains(e, "missing.stl"));
  }
  SUBCASE("unknown class") {
    const std::string p = write("class.xml",
                                "<mujoco>\n<worldbody>\n<body>\n<geom class=\"nope\" "
                                "size=\"1\"/>\n</body>\n</worldbody>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":4"));
    CHECK(contains(e, "unknown default class \"nope\""));
  }
  SUBCASE("unknown joint in an equality") {
    const std::string p =
        write("eq.xml", "<mujoco>\n<equality>\n<joint joint1=\"q\"/>\n</equality>\n</mujoco>\n");
    const std::string e = error_of(p);
    CHECK(contains(e, p + ":3"));
    CHECK(contains(e, "unknown joint \"q\""));
  }
}

TEST_CASE("mjcf: ignored input is listed as warnings, once per kind") {
  const std::string p = write("visual.xml", R"(<mujoco>
  <visual><global offwidth="100"/></visual>
  <worldbody>
    <light pos="0 0 1"/>
    <geom type="plane" size="1 1 0.1" rgba="1 0 0 1"/>
    <geom type="sphere" size="0.1" rgba="1 0 0 1"/>
  </worldbody>
</mujoco>)");
  const MjcfImportResult res = import_mjcf(p);
  REQUIRE(res.warnings.size() == 3);
  CHECK(contains(res.warnings[0], p + ":2: element 'visual' ignored (rendering only)"));
  CHECK(contains(res.warnings[1], "element 'light' ignored"));
  CHECK(contains(res.warnings[2],
                 "attribute 'rgba' of <geom> ignored (rendering only) [2 occurrences]"));
}

TEST_CASE("mjcf: binary and ASCII STL meshes give the same mass properties") {
  // a unit cube scaled by 0.1, as ASCII and binary STL
  const float v[8][3] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0},
                         {0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}};
  const int f[12][3] = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7}, {0, 1, 5}, {0, 5, 4},
                        {1, 2, 6}, {1, 6, 5}, {2, 3, 7}, {2, 7, 6}, {3, 0, 4}, {3, 4, 7}};
  std::string ascii = "solid cube\n";
  std::string bin(80, ' ');
  const uint32_t n = 12;
  bin.append(reinterpret_cast<const char*>(&n), 4);
  for (const auto& t : f) {
    ascii += "facet normal 0 0 0\nouter loop\n";
    const float zero[3] = {0, 0, 0};
    bin.append(reinterpret_cast<const char*>(zero), 12);
    for (int k = 0; k < 3; ++k) {
      ascii += "vertex " + std::to_string(v[t[k]][0]) + " " + std::to_string(v[t[k]][1]) + " " +
               std::to_string(v[t[k]][2]) + "\n";
      bin.append(reinterpret_cast<const char*>(v[t[k]]), 12);
    }
    ascii += "endloop\nendfacet\n";
    bin.append(2, '\0');
  }
  ascii += "endsolid cube\n";
  write("cube_ascii.stl", ascii);
  write("cube_bin.stl", bin);
  for (const char* file : {"cube_ascii.stl", "cube_bin.stl"}) {
    CAPTURE(file);
    const std::string p = write(
        "cube.xml",
        std::string(R"(<mujoco><asset><mesh name="c" scale="0.1 0.1 0.1" file=")") + file +
            R"("/></asset><worldbody><body pos="0 0 1"><freejoint/><geom type="mesh" mesh="c"/></body></worldbody></mujoco>)");
    const Model m = load_mjcf(p);
    CHECK(m.body_mass[1] == doctest::Approx(1.0).epsilon(1e-6));  // 1000 kg/m^3 * 1e-3 m^3
    CHECK(m.body_inertia[3] == doctest::Approx(1.0 * 0.02 / 12).epsilon(1e-6));
    // the geom frame moved to the cube's centre
    CHECK(m.geom_pos[0] == doctest::Approx(0.05).epsilon(1e-6));
    CHECK(m.mesh_vertnum[0] == 8);  // hull vertices
  }
}
