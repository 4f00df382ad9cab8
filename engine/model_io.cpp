// SPDX-License-Identifier: Apache-2.0
// Sinew JSON model format v1: validation of a parsed document and construction of the Model
// (schema in docs/model-format.md; file reading and the writer are in model_io_file.cpp).
#include "engine/model_io.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/quat.h"
#include "engine/model_fill.h"
#include "engine/model_io_detail.h"

namespace sinew {

using nlohmann::json;

namespace {

using namespace model_io_detail;

// Quaternions and axes within this of unit length are kept bit-exact (so documents round-trip).
constexpr double kUnitTol = 1e-12;

const char* kJointTypes[] = {"free", "ball", "slide", "hinge"};  // indexed by JointType

// Unit quaternion from (w, x, y, z); false for a zero quaternion.
bool unit_quat(double q[4]) {
  const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (!(n > 1e-10)) return false;
  if (std::fabs(n - 1) > kUnitTol)
    for (int i = 0; i < 4; ++i) q[i] /= n;
  return true;
}

bool unit_vec(double v[3]) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (!(n > 1e-10)) return false;
  if (std::fabs(n - 1) > kUnitTol)
    for (int i = 0; i < 3; ++i) v[i] /= n;
  return true;
}

void store_quat(const Quat<double>& q, double out[4]) {
  q.store(out);
  unit_quat(out);
}

// Quaternion (w >= 0) of a proper rotation matrix.
void mat_to_quat(const Eigen::Matrix3d& R, double q[4]) {
  Eigen::Quaterniond e(R);
  e.normalize();
  if (e.w() < 0) e.coeffs() *= -1;
  q[0] = e.w(), q[1] = e.x(), q[2] = e.y(), q[3] = e.z();
}

// Minimal rotation taking +z onto unit `v` (as MuJoCo's mju_quatZ2Vec).
Quat<double> quat_z_to(const Vec3<double>& v) {
  const Vec3<double> z(0, 0, 1);
  Vec3<double> axis = cross(z, v);
  const double s = normalize(axis);
  const double c = dot(z, v);
  if (s < 1e-14) return c > 0 ? Quat<double>() : Quat<double>(0, 1, 0, 0);
  return quat_axis_angle(axis, std::atan2(s, c));
}

// ---------------------------------------------------------------------------------------------
// Staging records (one per element, in depth-first body order).

struct BodyRec {
  std::string name;
  int parent = 0;
  double pos[3] = {0, 0, 0}, quat[4] = {1, 0, 0, 0};
  double mass = 0, ipos[3] = {0, 0, 0}, iquat[4] = {1, 0, 0, 0}, inertia[3] = {0, 0, 0};
  int jnt0 = 0, njnt = 0, geom0 = 0, ngeom = 0;
};

struct JointRec {
  std::string name, path;
  int type = kJointHinge, body = 0;
  double pos[3] = {0, 0, 0}, axis[3] = {0, 0, 1}, range[2] = {0, 0};
  bool limited = false;
  double damping = 0, stiffness = 0, armature = 0, ref = 0, springref = 0, margin = 0;
  double solref[2] = {kSolref[0], kSolref[1]};
  double solimp[5] = {kSolimp[0], kSolimp[1], kSolimp[2], kSolimp[3], kSolimp[4]};
};

struct GeomRec {
  std::string name;
  int type = kGeomSphere, body = 0, dataid = -1, contype = 1, conaffinity = 1, condim = 3;
  double size[3] = {0, 0, 0}, pos[3] = {0, 0, 0}, quat[4] = {1, 0, 0, 0};
  double friction[3] = {kFriction[0], kFriction[1], kFriction[2]};
  double solref[2] = {kSolref[0], kSolref[1]};
  double solimp[5] = {kSolimp[0], kSolimp[1], kSolimp[2], kSolimp[3], kSolimp[4]};
  double margin = 0;
};

struct SiteRec {
  std::string name;
  int body = 0;
  double pos[3] = {0, 0, 0}, quat[4] = {1, 0, 0, 0};
};

// ---------------------------------------------------------------------------------------------
// Loader.

class Loader {
 public:
  explicit Loader(const std::string& source) : r_(source) {}

  Model load(const json& doc);

 private:
  void header(const json& doc);
  void option(const json& v, const std::string& path, Options& opt) const;
  void meshes(const json& v, const std::string& path);
  void orientation(const json& obj, const std::string& path, double q[4]) const;
  void solver_params(const json& obj, const std::string& path, double solref[2],
                     double solimp[5]) const;
  void body(const json& v, const std::string& path, int parent, bool welded_to_world);
  void inertial(const json& v, const std::string& path, BodyRec& b) const;
  void joint(const json& v, const std::string& path, int body, bool top_level);
  void geom(const json& v, const std::string& path, int body, bool welded_to_world);
  void geom_shape(const json& v, const std::string& path, int ti, GeomRec& g) const;
  void site(const json& v, const std::string& path, int body);
  void name(const json& obj, const std::string& path, const char* kind, std::string& out);
  void keyframes(const json& v, const std::string& path, Model& m) const;
  void massless_check() const;
  void fill(Model& m) const;
  TreeNames tree_names() const;

  Reader r_;
  PhysicsSections physics_;
  std::vector<BodyRec> bodies_;
  std::vector<JointRec> joints_;
  std::vector<GeomRec> geoms_;
  std::vector<SiteRec> sites_;
  std::vector<std::string> mesh_names_, mesh_files_;
  std::vector<int> mesh_adr_, mesh_num_;
  std::vector<double> mesh_vert_;
  std::map<std::string, std::map<std::string, std::string>> names_;  // kind -> name -> path
};

void Loader::name(const json& obj, const std::string& path, const char* kind, std::string& out) {
  const json* v = Reader::find(obj, "name");
  if (!v) return;
  out = r_.string(*v, at(path, "name"));
  if (out.empty()) return;
  auto& seen = names_[kind];
  auto it = seen.find(out);
  if (it != seen.end())
    r_.fail(at(path, "name"), std::string("duplicate ") + kind + " name " + in_quotes(out) +
                                  " (first used at " + it->second + ")");
  seen[out] = at(path, "name");
}

void Loader::header(const json& doc) {
  r_.object(doc, "",
            {"format", "version", "name", "meta", "option", "meshes", "worldbody", "tendons",
             "actuators", "equalities", "contact_excludes", "keyframes"});
  const json* f = Reader::find(doc, "format");
  r_.require(f != nullptr, "/format", "missing; expected \"sinew-model\"");
  r_.require(f->is_string() && f->get<std::string>() == "sinew-model", "/format",
             "expected \"sinew-model\", got " + (f->is_string() ? f->dump() : describe(*f)));
  const json* ver = Reader::find(doc, "version");
  r_.require(ver != nullptr, "/version", "missing; expected 1");
  const int version = r_.integer(*ver, "/version");
  r_.require(version == kModelFormatVersion, "/version",
             "unsupported version " + std::to_string(version) + "; this build reads version " +
                 std::to_string(kModelFormatVersion));
  r_.require(Reader::find(doc, "worldbody") != nullptr, "/worldbody",
             "missing; expected an object with the world's geoms, sites and bodies");
}

void Loader::option(const json& v, const std::string& path, Options& opt) const {
  r_.object(v, path,
            {"timestep", "gravity", "integrator", "cone", "jacobian", "iterations", "tolerance",
             "impratio", "disable", "nconmax_pair", "nconmax", "energy"});
  opt.timestep = r_.number_or(v, path, "timestep", opt.timestep);
  r_.require(opt.timestep > 0, at(path, "timestep"),
             "expected a time step > 0 (seconds), got " + fmt(opt.timestep));
  r_.numbers_or(v, path, "gravity", 3, opt.gravity);
  if (const json* x = Reader::find(v, "integrator"))
    opt.integrator = r_.choice(*x, at(path, "integrator"), {"euler", "rk4"}) == 0 ? kIntegratorEuler
                                                                                  : kIntegratorRK4;
  if (const json* x = Reader::find(v, "cone")) {
    r_.choice(*x, at(path, "cone"), {"pyramidal"});
    opt.cone = kConePyramidal;
  }
  if (const json* x = Reader::find(v, "jacobian"))
    opt.jacobian = r_.choice(*x, at(path, "jacobian"), {"dense", "sparse", "auto"});
  opt.iterations = r_.integer_or(v, path, "iterations", opt.iterations);
  r_.require(opt.iterations >= 1, at(path, "iterations"), "expected an integer >= 1");
  opt.tolerance = r_.nonneg_or(v, path, "tolerance", opt.tolerance);
  opt.impratio = r_.number_or(v, path, "impratio", opt.impratio);
  r_.require(opt.impratio > 0, at(path, "impratio"), "expected a number > 0");
  opt.nconmax_pair = r_.integer_or(v, path, "nconmax_pair", opt.nconmax_pair);
  r_.require(opt.nconmax_pair >= 1 && opt.nconmax_pair <= 8, at(path, "nconmax_pair"),
             "expected an integer in [1, 8]");
  opt.nconmax = r_.integer_or(v, path, "nconmax", opt.nconmax);
  r_.require(opt.nconmax >= 0, at(path, "nconmax"), "expected an integer >= 0");
  if (const json* e = Reader::find(v, "energy")) opt.energy = r_.boolean(*e, at(path, "energy"));
  if (const json* d = Reader::find(v, "disable")) {
    const std::string p = at(path, "disable");
    const int bits[] = {kDisableContact, kDisableLimit, kDisableGravity, kDisableDamping,
                        kDisableWarmstart};
    opt.disableflags = 0;
    for (size_t i = 0; i < r_.array(*d, p).size(); ++i)
      opt.disableflags |= bits[r_.choice((*d)[i], at(p, i),
                                         {"contact", "limit", "gravity", "damping", "warmstart"})];
  }
}

void Loader::meshes(const json& v, const std::string& path) {
  r_.array(v, path);
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = at(path, i);
    r_.object(v[i], p, {"name", "vertices", "file"});
    mesh_files_.push_back(Reader::find(v[i], "file") ? r_.string(v[i]["file"], at(p, "file")) : "");
    std::string nm;
    r_.require(Reader::find(v[i], "name") != nullptr, at(p, "name"),
               "missing; geoms refer to meshes by name");
    name(v[i], p, "mesh", nm);
    r_.require(!nm.empty(), at(p, "name"), "expected a non-empty name");
    const json* vs = Reader::find(v[i], "vertices");
    const std::string vp = at(p, "vertices");
    r_.require(vs != nullptr, vp, "missing; expected the vertices of a convex mesh");
    r_.array(*vs, vp);
    std::vector<double> pts;
    if (!vs->empty() && (*vs)[0].is_array()) {
      for (size_t k = 0; k < vs->size(); ++k) {
        double x[3];
        r_.numbers((*vs)[k], at(vp, k), 3, x);
        pts.insert(pts.end(), x, x + 3);
      }
    } else {
      r_.require(vs->size() % 3 == 0, vp,
                 "expected a flat list of x y z triples or a list of [x, y, z], got " +
                     std::to_string(vs->size()) + " numbers (not a multiple of 3)");
      for (size_t k = 0; k < vs->size(); ++k) pts.push_back(r_.number((*vs)[k], at(vp, k)));
    }
    const int n = static_cast<int>(pts.size() / 3);
    r_.require(
        n >= 4, vp,
        "expected at least 4 vertices (a convex hull with volume), got " + std::to_string(n));
    // volume check: farthest point from p0, then from the line, then from the plane
    auto P = [&](int k) { return Eigen::Vector3d(pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]); };
    int a = 0;
    for (int k = 1; k < n; ++k)
      if ((P(k) - P(0)).norm() > (P(a) - P(0)).norm()) a = k;
    const double ext = (P(a) - P(0)).norm();
    const Eigen::Vector3d e =
        ext > 0 ? Eigen::Vector3d((P(a) - P(0)) / ext) : Eigen::Vector3d::Zero();
    int b = 0;
    auto off_line = [&](int k) { return ((P(k) - P(0)) - e * e.dot(P(k) - P(0))).norm(); };
    for (int k = 1; k < n; ++k)
      if (off_line(k) > off_line(b)) b = k;
    const Eigen::Vector3d nrm = e.cross(P(b) - P(0));
    double off_plane = 0;
    if (nrm.norm() > 0)
      for (int k = 0; k < n; ++k)
        off_plane = std::max(off_plane, std::fabs(nrm.normalized().dot(P(k) - P(0))));
    r_.require(ext > 0 && off_plane > 1e-9 * ext, vp,
               "the vertices are coplanar or coincide; a convex mesh needs volume");
    mesh_names_.push_back(nm);
    mesh_adr_.push_back(static_cast<int>(mesh_vert_.size() / 3));
    mesh_num_.push_back(n);
    mesh_vert_.insert(mesh_vert_.end(), pts.begin(), pts.end());
  }
}

void Loader::orientation(const json& obj, const std::string& path, double q[4]) const {
  const json* quat = Reader::find(obj, "quat");
  const json* euler = Reader::find(obj, "euler");
  const json* aa = Reader::find(obj, "axisangle");
  r_.require((quat != nullptr) + (euler != nullptr) + (aa != nullptr) <= 1, path,
             "give at most one of \"quat\", \"euler\", \"axisangle\"");
  if (quat) {
    r_.numbers(*quat, at(path, "quat"), 4, q);
    r_.require(unit_quat(q), at(path, "quat"), "expected a non-zero quaternion (w, x, y, z)");
  } else if (euler) {
    // intrinsic x-y-z rotations in radians (MuJoCo's default eulerseq "xyz")
    double e[3];
    r_.numbers(*euler, at(path, "euler"), 3, e);
    const Quat<double> r = quat_axis_angle(Vec3<double>(1, 0, 0), e[0]) *
                           quat_axis_angle(Vec3<double>(0, 1, 0), e[1]) *
                           quat_axis_angle(Vec3<double>(0, 0, 1), e[2]);
    store_quat(r, q);
  } else if (aa) {
    double x[4];
    r_.numbers(*aa, at(path, "axisangle"), 4, x);
    Vec3<double> axis(x[0], x[1], x[2]);
    r_.require(normalize(axis) > 1e-10, at(path, "axisangle"),
               "expected a non-zero axis (x, y, z, angle in radians)");
    store_quat(quat_axis_angle(axis, x[3]), q);
  }
}

void Loader::solver_params(const json& obj, const std::string& path, double solref[2],
                           double solimp[5]) const {
  r_.solver_params(obj, path, solref, solimp);
}

void Loader::inertial(const json& v, const std::string& path, BodyRec& b) const {
  r_.object(v, path, {"mass", "pos", "quat", "euler", "axisangle", "diaginertia", "fullinertia"});
  r_.require(Reader::find(v, "mass") != nullptr, at(path, "mass"), "missing; expected kg >= 0");
  b.mass = r_.nonneg_or(v, path, "mass", 0);
  r_.numbers_or(v, path, "pos", 3, b.ipos);
  const json* diag = Reader::find(v, "diaginertia");
  const json* full = Reader::find(v, "fullinertia");
  r_.require(!(diag && full), path, "give either \"diaginertia\" or \"fullinertia\", not both");
  if (full) {
    const bool oriented =
        Reader::find(v, "quat") || Reader::find(v, "euler") || Reader::find(v, "axisangle");
    r_.require(!oriented, path,
               "\"fullinertia\" is in the body frame and cannot be combined with an orientation");
    double f[6];
    const std::string p = at(path, "fullinertia");
    r_.numbers(*full, p, 6, f);
    Eigen::Matrix3d I;
    I << f[0], f[3], f[4], f[3], f[1], f[5], f[4], f[5], f[2];
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(I);
    Eigen::Vector3d ev = es.eigenvalues();
    Eigen::Matrix3d R = es.eigenvectors();
    if (R.determinant() < 0) R.col(2) *= -1;  // a proper rotation
    const double scale = std::fabs(f[0]) + std::fabs(f[1]) + std::fabs(f[2]);
    r_.require(ev.minCoeff() >= -1e-12 * scale, p,
               "expected a positive semi-definite tensor [ixx, iyy, izz, ixy, ixz, iyz], got "
               "eigenvalues " +
                   fmt(ev[0]) + ", " + fmt(ev[1]) + ", " + fmt(ev[2]));
    for (int i = 0; i < 3; ++i) b.inertia[i] = std::max(ev[i], 0.0);
    mat_to_quat(R, b.iquat);
  } else {
    orientation(v, path, b.iquat);
    if (diag) {
      const std::string p = at(path, "diaginertia");
      r_.numbers(*diag, p, 3, b.inertia);
      for (int i = 0; i < 3; ++i)
        r_.require(b.inertia[i] >= 0, at(p, i), "expected a principal moment >= 0 (kg m^2)");
    }
  }
  const double* I = b.inertia;
  const double tol = 1e-9 * (I[0] + I[1] + I[2]);
  r_.require(I[0] + I[1] >= I[2] - tol && I[1] + I[2] >= I[0] - tol && I[2] + I[0] >= I[1] - tol,
             at(path, full ? "fullinertia" : "diaginertia"),
             "principal moments " + fmt(I[0]) + ", " + fmt(I[1]) + ", " + fmt(I[2]) +
                 " violate the triangle inequality A + B >= C (no physical body has them)");
}

void Loader::joint(const json& v, const std::string& path, int body, bool top_level) {
  r_.object(v, path,
            {"name", "type", "pos", "axis", "range", "limited", "damping", "stiffness", "springref",
             "armature", "ref", "solref", "solimp", "margin"});
  JointRec j;
  j.body = body;
  j.path = path;
  name(v, path, "joint", j.name);
  if (const json* t = Reader::find(v, "type")) {
    const JointType types[] = {kJointHinge, kJointSlide, kJointBall, kJointFree};
    j.type = types[r_.choice(*t, at(path, "type"), {"hinge", "slide", "ball", "free"})];
  }
  const bool scalar = j.type == kJointHinge || j.type == kJointSlide;
  const std::string tname = kJointTypes[j.type];
  auto refuse = [&](const char* key, const char* why) {
    if (Reader::find(v, key))
      r_.fail(at(path, key), "not allowed on a " + tname + " joint (" + why + ")");
  };
  if (!scalar) {
    refuse("axis", "it rotates about all axes");
    refuse("ref", "its reference is the identity rotation");
    refuse("springref", "its spring rest pose is the reference pose");
  }
  if (j.type == kJointFree) {
    refuse("pos", "it moves the body frame itself");
    refuse("range", "free joints cannot be limited");
    refuse("limited", "free joints cannot be limited");
    r_.require(top_level, path,
               "a free joint is allowed only in a body whose parent is the world body");
  }
  r_.numbers_or(v, path, "pos", 3, j.pos);
  if (r_.numbers_or(v, path, "axis", 3, j.axis))
    r_.require(unit_vec(j.axis), at(path, "axis"), "expected a non-zero axis vector");
  const bool has_range = r_.numbers_or(v, path, "range", 2, j.range);
  j.limited = has_range;  // MuJoCo's autolimits: a range implies limited
  if (const json* l = Reader::find(v, "limited")) j.limited = r_.boolean(*l, at(path, "limited"));
  r_.require(!j.limited || has_range, at(path, "limited"),
             "a limited joint needs a \"range\": [lo, hi]");
  if (has_range && j.type == kJointBall)
    r_.require(j.range[0] == 0 && j.range[1] > 0, at(path, "range"),
               "a ball joint limits its rotation angle: expected [0, max_angle] with max_angle > "
               "0 (radians), got [" +
                   fmt(j.range[0]) + ", " + fmt(j.range[1]) + "]");
  else if (has_range)
    r_.require(j.range[0] < j.range[1], at(path, "range"),
               "expected [lo, hi] with lo < hi (" +
                   std::string(j.type == kJointSlide ? "metres" : "radians") + "), got [" +
                   fmt(j.range[0]) + ", " + fmt(j.range[1]) + "]");
  j.damping = r_.nonneg_or(v, path, "damping", 0);
  j.stiffness = r_.nonneg_or(v, path, "stiffness", 0);
  j.armature = r_.nonneg_or(v, path, "armature", 0);
  j.margin = r_.nonneg_or(v, path, "margin", 0);
  j.ref = r_.number_or(v, path, "ref", 0);
  j.springref = r_.number_or(v, path, "springref", 0);
  solver_params(v, path, j.solref, j.solimp);
  joints_.push_back(j);
}

// Pose and size of a geom: "pos"/orientation and "size", or "fromto" with "size": [radius].
void Loader::geom_shape(const json& v, const std::string& path, int ti, GeomRec& g) const {
  const std::string tname = v["type"].get<std::string>();
  const json* fromto = Reader::find(v, "fromto");
  const json* size = Reader::find(v, "size");
  const std::string sp = at(path, "size");
  if (fromto) {
    const std::string fp = at(path, "fromto");
    r_.require(g.type == kGeomCapsule || g.type == kGeomCylinder, fp,
               "\"fromto\" applies to capsules and cylinders only");
    for (const char* k : {"pos", "quat", "euler", "axisangle"})
      if (Reader::find(v, k))
        r_.fail(at(path, k), "not allowed together with \"fromto\" (which sets the pose)");
    double f[6];
    r_.numbers(*fromto, fp, 6, f);
    Vec3<double> d(f[3] - f[0], f[4] - f[1], f[5] - f[2]);
    const double len = normalize(d);
    r_.require(len > 0, fp, "expected two distinct end points");
    r_.require(size != nullptr, sp, "missing; expected [radius] with \"fromto\"");
    r_.numbers(*size, sp, 1, g.size);
    g.size[1] = len / 2;
    for (int i = 0; i < 3; ++i) g.pos[i] = (f[i] + f[i + 3]) / 2;
    store_quat(quat_z_to(d), g.quat);
  } else {
    r_.numbers_or(v, path, "pos", 3, g.pos);
    orientation(v, path, g.quat);
    static const char* kSizeDoc[] = {"[half_x, half_y, grid spacing] (>= 0; 0 = infinite)",
                                     "[radius]",
                                     "[radius, half_length]",
                                     "[half_x, half_y, half_z]",
                                     "[radius, half_length]",
                                     "[half_x, half_y, half_z] (>= 0; optional: the mesh's "
                                     "bounding box)",
                                     "[radius_x, radius_y, radius_z]"};
    const int nsize[] = {3, 1, 2, 3, 2, 3, 3};
    if (size) {
      if (!size->is_array() || static_cast<int>(size->size()) != nsize[ti])
        r_.fail(sp, "expected " + tname + " size " + kSizeDoc[ti] + ", got " + describe(*size));
      r_.numbers(*size, sp, nsize[ti], g.size);
    } else {
      r_.require(g.type == kGeomPlane || g.type == kGeomMesh, sp,
                 "missing; expected " + tname + " size " + kSizeDoc[ti]);
    }
  }
  // entries that must be positive (a plane's may be 0: infinite)
  const int npositive = g.type == kGeomPlane || g.type == kGeomMesh      ? 0
                        : g.type == kGeomSphere || fromto                ? 1
                        : g.type == kGeomBox || g.type == kGeomEllipsoid ? 3
                                                                         : 2;
  for (int i = 0; i < 3; ++i) {
    if (g.type == kGeomPlane || g.type == kGeomMesh)
      r_.require(g.size[i] >= 0, at(sp, i), "expected a " + tname + " size >= 0");
    else if (i < npositive)
      r_.require(g.size[i] > 0, at(sp, i), "expected a " + tname + " size > 0 (metres)");
  }
}

void Loader::geom(const json& v, const std::string& path, int body, bool welded_to_world) {
  r_.object(v, path,
            {"name", "type", "size", "pos", "quat", "euler", "axisangle", "fromto", "mesh",
             "contype", "conaffinity", "condim", "friction", "solref", "solimp", "margin"});
  GeomRec g;
  g.body = body;
  name(v, path, "geom", g.name);
  const json* t = Reader::find(v, "type");
  r_.require(t != nullptr, at(path, "type"),
             "missing; expected one of \"plane\", \"sphere\", \"capsule\", \"box\", "
             "\"cylinder\", \"mesh\", \"ellipsoid\"");
  const GeomType types[] = {kGeomPlane,    kGeomSphere, kGeomCapsule,  kGeomBox,
                            kGeomCylinder, kGeomMesh,   kGeomEllipsoid};
  const int ti = r_.choice(*t, at(path, "type"),
                           {"plane", "sphere", "capsule", "box", "cylinder", "mesh", "ellipsoid"});
  g.type = types[ti];
  if (g.type == kGeomPlane)
    r_.require(welded_to_world, at(path, "type"),
               "a plane is static: it must belong to the world body or to a body welded to it");
  geom_shape(v, path, ti, g);
  const json* mesh = Reader::find(v, "mesh");
  if (g.type == kGeomMesh) {
    r_.require(mesh != nullptr, at(path, "mesh"), "missing; a mesh geom names a mesh");
    const std::string mn = r_.string(*mesh, at(path, "mesh"));
    auto it = std::find(mesh_names_.begin(), mesh_names_.end(), mn);
    if (it == mesh_names_.end()) {
      std::vector<std::string> q;
      for (const std::string& n : mesh_names_) q.push_back(in_quotes(n));
      r_.fail(at(path, "mesh"), "unknown mesh " + in_quotes(mn) + " (defined in /meshes: " +
                                    (q.empty() ? std::string("none") : join(q)) + ")");
    }
    g.dataid = static_cast<int>(it - mesh_names_.begin());
    if (!Reader::find(v, "size")) {
      // MuJoCo's geom_size of a mesh geom: the half-extents of its vertices' bounding box
      for (int k = mesh_adr_[g.dataid]; k < mesh_adr_[g.dataid] + mesh_num_[g.dataid]; ++k)
        for (int i = 0; i < 3; ++i)
          g.size[i] = std::max(g.size[i], std::fabs(mesh_vert_[3 * k + i]));
    }
  } else if (mesh) {
    r_.fail(at(path, "mesh"), "only a geom of type \"mesh\" names a mesh");
  }
  g.contype = r_.integer_or(v, path, "contype", 1);
  g.conaffinity = r_.integer_or(v, path, "conaffinity", 1);
  r_.require(g.contype >= 0, at(path, "contype"), "expected a bit mask >= 0");
  r_.require(g.conaffinity >= 0, at(path, "conaffinity"), "expected a bit mask >= 0");
  g.condim = r_.integer_or(v, path, "condim", 3);
  r_.require(g.condim == 1 || g.condim == 3, at(path, "condim"),
             "expected 1 (frictionless) or 3 (sliding friction); condim 4 and 6 are not "
             "supported in v1, got " +
                 std::to_string(g.condim));
  if (r_.numbers_or(v, path, "friction", 3, g.friction))
    for (int i = 0; i < 3; ++i)
      r_.require(g.friction[i] >= 0, at(at(path, "friction"), i),
                 "expected [sliding, torsional, rolling] coefficients >= 0");
  solver_params(v, path, g.solref, g.solimp);
  g.margin = r_.nonneg_or(v, path, "margin", 0);
  geoms_.push_back(g);
}

void Loader::site(const json& v, const std::string& path, int body) {
  r_.object(v, path, {"name", "pos", "quat", "euler", "axisangle"});
  SiteRec s;
  s.body = body;
  name(v, path, "site", s.name);
  r_.numbers_or(v, path, "pos", 3, s.pos);
  orientation(v, path, s.quat);
  sites_.push_back(s);
}

void Loader::body(const json& v, const std::string& path, int parent, bool welded_to_world) {
  const bool world = parent < 0;
  if (world)
    r_.object(v, path, {"geoms", "sites", "bodies"});
  else
    r_.object(v, path,
              {"name", "pos", "quat", "euler", "axisangle", "inertial", "joints", "geoms", "sites",
               "bodies"});
  const int id = static_cast<int>(bodies_.size());
  bodies_.emplace_back();
  {
    BodyRec b;
    b.parent = world ? 0 : parent;
    if (world) {
      b.name = "world";
      names_["body"]["world"] = "the world body";
    } else {
      name(v, path, "body", b.name);
      r_.numbers_or(v, path, "pos", 3, b.pos);
      orientation(v, path, b.quat);
      if (const json* in = Reader::find(v, "inertial")) inertial(*in, at(path, "inertial"), b);
    }
    b.jnt0 = static_cast<int>(joints_.size());
    b.geom0 = static_cast<int>(geoms_.size());
    bodies_[id] = b;
  }
  if (const json* js = Reader::find(v, "joints")) {
    const std::string p = at(path, "joints");
    r_.array(*js, p);
    for (size_t i = 0; i < js->size(); ++i) joint((*js)[i], at(p, i), id, parent == 0);
    for (size_t i = 0; i < js->size(); ++i)
      if (joints_[bodies_[id].jnt0 + i].type == kJointFree)
        r_.require(js->size() == 1, at(p, i), "a free joint must be its body's only joint");
  }
  bodies_[id].njnt = static_cast<int>(joints_.size()) - bodies_[id].jnt0;
  welded_to_world = welded_to_world && bodies_[id].njnt == 0;
  if (const json* gs = Reader::find(v, "geoms")) {
    const std::string p = at(path, "geoms");
    r_.array(*gs, p);
    for (size_t i = 0; i < gs->size(); ++i) geom((*gs)[i], at(p, i), id, welded_to_world);
  }
  bodies_[id].ngeom = static_cast<int>(geoms_.size()) - bodies_[id].geom0;
  if (const json* ss = Reader::find(v, "sites")) {
    const std::string p = at(path, "sites");
    r_.array(*ss, p);
    for (size_t i = 0; i < ss->size(); ++i) site((*ss)[i], at(p, i), id);
  }
  if (const json* bs = Reader::find(v, "bodies")) {
    const std::string p = at(path, "bodies");
    r_.array(*bs, p);
    for (size_t i = 0; i < bs->size(); ++i) body((*bs)[i], at(p, i), id, welded_to_world);
  }
}

void Loader::keyframes(const json& v, const std::string& path, Model& m) const {
  const Sizes& s = m.size;
  for (int k = 0; k < s.nkey; ++k) {
    const std::string p = at(path, k);
    const json& kf = v[k];
    double* qpos = &m.key_qpos[static_cast<size_t>(k) * s.nq];
    double* qvel = &m.key_qvel[static_cast<size_t>(k) * s.nv];
    std::copy(m.qpos0.begin(), m.qpos0.end(), qpos);
    m.key_time[k] = r_.number_or(kf, p, "time", 0);
    if (const json* q = Reader::find(kf, "qpos")) {
      const std::string qp = at(p, "qpos");
      if (!q->is_array() || static_cast<int>(q->size()) != s.nq)
        r_.fail(qp, "expected an array of nq = " + std::to_string(s.nq) + " numbers, got " +
                        describe(*q));
      r_.numbers(*q, qp, s.nq, qpos);
      for (int j = 0; j < s.njnt; ++j) {
        const int t = m.jnt_type[j], a = m.jnt_qposadr[j] + (t == kJointFree ? 3 : 0);
        if (t == kJointFree || t == kJointBall)
          r_.require(unit_quat(qpos + a), at(qp, a),
                     (m.jnt_name[j].empty() ? "joint " + std::to_string(j)
                                            : "joint " + in_quotes(m.jnt_name[j])) +
                         ": expected a non-zero quaternion at " + "qpos[" + std::to_string(a) +
                         ".." + std::to_string(a + 3) + "]");
      }
    }
    if (const json* q = Reader::find(kf, "qvel")) {
      const std::string qp = at(p, "qvel");
      if (!q->is_array() || static_cast<int>(q->size()) != s.nv)
        r_.fail(qp, "expected an array of nv = " + std::to_string(s.nv) + " numbers, got " +
                        describe(*q));
      r_.numbers(*q, qp, s.nv, qvel);
    }
    const std::pair<const char*, int> extra[] = {{"act", s.na}, {"ctrl", s.nu}};
    for (const auto& [key, n] : extra) {
      const json* q = Reader::find(kf, key);
      if (!q) continue;
      const std::string qp = at(p, key);
      if (!q->is_array() || static_cast<int>(q->size()) != n)
        r_.fail(qp, std::string("expected an array of ") + (key[0] == 'a' ? "na" : "nu") + " = " +
                        std::to_string(n) + " numbers (" +
                        (key[0] == 'a' ? "one activation per actuator with dynamics"
                                       : "one control per actuator") +
                        "), got " + describe(*q));
      double* out = key[0] == 'a' ? &m.key_act[static_cast<size_t>(k) * s.na]
                                  : &m.key_ctrl[static_cast<size_t>(k) * s.nu];
      r_.numbers(*q, qp, n, out);
    }
  }
}

// A joint whose subtree has neither mass, inertia nor armature makes M singular; say where
// (Model::finalize() still checks M itself).
void Loader::massless_check() const {
  std::vector<double> sub(bodies_.size());
  for (size_t b = 0; b < bodies_.size(); ++b) {
    const BodyRec& r = bodies_[b];
    sub[b] = r.mass + r.inertia[0] + r.inertia[1] + r.inertia[2];
  }
  for (size_t b = bodies_.size() - 1; b > 0; --b) sub[bodies_[b].parent] += sub[b];
  for (const JointRec& j : joints_)
    r_.require(sub[j.body] > 0 || j.armature > 0, j.path,
               "this joint moves body " + in_quotes(bodies_[j.body].name) +
                   " whose subtree has no mass or inertia; give it an \"inertial\" (or the joint "
                   "an \"armature\")");
}

void Loader::fill(Model& m) const {
  Sizes& s = m.size;
  s.nbody = static_cast<int>(bodies_.size());
  s.njnt = static_cast<int>(joints_.size());
  s.ngeom = static_cast<int>(geoms_.size());
  s.nsite = static_cast<int>(sites_.size());
  s.nmesh = static_cast<int>(mesh_names_.size());
  s.nmeshvert = static_cast<int>(mesh_vert_.size() / 3);
  physics_.sizes(s);
  s.nq = s.nv = 0;
  for (const JointRec& j : joints_) {
    s.nq += joint_nq(j.type);
    s.nv += joint_nv(j.type);
  }
  m.resize();
  m.body_name.resize(s.nbody);
  m.jnt_name.resize(s.njnt);
  m.geom_name.resize(s.ngeom);
  m.site_name.resize(s.nsite);
  m.mesh_name = mesh_names_;
  m.mesh_file = mesh_files_;
  int qa = 0, da = 0;
  for (int b = 0; b < s.nbody; ++b) {
    const BodyRec& r = bodies_[b];
    m.body_name[b] = r.name;
    m.body_parent[b] = r.parent;
    std::copy(r.pos, r.pos + 3, &m.body_pos[3 * b]);
    std::copy(r.quat, r.quat + 4, &m.body_quat[4 * b]);
    m.body_mass[b] = r.mass;
    std::copy(r.ipos, r.ipos + 3, &m.body_ipos[3 * b]);
    std::copy(r.iquat, r.iquat + 4, &m.body_iquat[4 * b]);
    std::copy(r.inertia, r.inertia + 3, &m.body_inertia[3 * b]);
    m.body_jntadr[b] = r.jnt0;
    m.body_jntnum[b] = r.njnt;
    m.body_geomadr[b] = r.geom0;
    m.body_geomnum[b] = r.ngeom;
    m.body_dofadr[b] = da;
    for (int j = r.jnt0; j < r.jnt0 + r.njnt; ++j) {
      const JointRec& jr = joints_[j];
      m.jnt_name[j] = jr.name;
      JointFill f;
      f.type = jr.type;
      f.limited = jr.limited;
      std::copy(jr.pos, jr.pos + 3, f.pos);
      std::copy(jr.axis, jr.axis + 3, f.axis);
      std::copy(jr.range, jr.range + 2, f.range);
      std::copy(jr.solref, jr.solref + 2, f.solref);
      std::copy(jr.solimp, jr.solimp + 5, f.solimp);
      f.stiffness = jr.stiffness;
      f.margin = jr.margin;
      f.ref = jr.ref;
      f.springref = jr.springref;
      f.damping = jr.damping;
      f.armature = jr.armature;
      fill_joint(m, j, b, f, r.pos, r.quat, qa, da);
    }
    m.body_dofnum[b] = da - m.body_dofadr[b];
  }
  for (int g = 0; g < s.ngeom; ++g) {
    const GeomRec& r = geoms_[g];
    m.geom_name[g] = r.name;
    m.geom_type[g] = r.type;
    m.geom_bodyid[g] = r.body;
    m.geom_contype[g] = r.contype;
    m.geom_conaffinity[g] = r.conaffinity;
    m.geom_condim[g] = r.condim;
    m.geom_dataid[g] = r.dataid;
    std::copy(r.size, r.size + 3, &m.geom_size[3 * g]);
    std::copy(r.pos, r.pos + 3, &m.geom_pos[3 * g]);
    std::copy(r.quat, r.quat + 4, &m.geom_quat[4 * g]);
    std::copy(r.friction, r.friction + 3, &m.geom_friction[3 * g]);
    std::copy(r.solref, r.solref + 2, &m.geom_solref[2 * g]);
    std::copy(r.solimp, r.solimp + 5, &m.geom_solimp[5 * g]);
    m.geom_margin[g] = r.margin;
  }
  for (int i = 0; i < s.nsite; ++i) {
    m.site_name[i] = sites_[i].name;
    m.site_bodyid[i] = sites_[i].body;
    std::copy(sites_[i].pos, sites_[i].pos + 3, &m.site_pos[3 * i]);
    std::copy(sites_[i].quat, sites_[i].quat + 4, &m.site_quat[4 * i]);
  }
  for (int i = 0; i < s.nmesh; ++i) {
    m.mesh_vertadr[i] = mesh_adr_[i];
    m.mesh_vertnum[i] = mesh_num_[i];
  }
  m.mesh_vert = mesh_vert_;
  physics_.fill(m);
}

TreeNames Loader::tree_names() const {
  TreeNames t;
  for (const BodyRec& b : bodies_) t.body.push_back(b.name);
  for (const JointRec& j : joints_) t.joint.push_back(j.name), t.joint_type.push_back(j.type);
  for (const GeomRec& g : geoms_) t.geom.push_back(g.name), t.geom_type.push_back(g.type);
  for (const SiteRec& s : sites_) t.site.push_back(s.name);
  return t;
}

Model Loader::load(const json& doc) {
  header(doc);
  Model m;
  m.source = r_.source();
  if (const json* n = Reader::find(doc, "name")) m.name = r_.string(*n, "/name");
  if (const json* o = Reader::find(doc, "option")) option(*o, "/option", m.opt);
  if (const json* ms = Reader::find(doc, "meshes")) meshes(*ms, "/meshes");
  body(doc["worldbody"], "/worldbody", -1, true);
  physics_.read(r_, doc, tree_names());
  const json* keys = Reader::find(doc, "keyframes");
  if (keys) {
    r_.array(*keys, "/keyframes");
    for (size_t k = 0; k < keys->size(); ++k) {
      const std::string p = at("/keyframes", k);
      r_.object((*keys)[k], p, {"name", "time", "qpos", "qvel", "act", "ctrl"});
      std::string nm;
      name((*keys)[k], p, "keyframe", nm);
      m.key_name.push_back(nm);
    }
  }
  m.size.nkey = static_cast<int>(m.key_name.size());
  massless_check();
  fill(m);
  if (keys) keyframes(*keys, "/keyframes", m);
  try {
    m.finalize();
  } catch (const ModelError&) {
    throw;
  } catch (const std::exception& e) {
    throw ModelError(e.what());
  }
  return m;
}

}  // namespace

Model load_model_json(const json& doc, const std::string& source_name) {
  Loader loader(source_name);
  return loader.load(doc);
}

}  // namespace sinew
