// SPDX-License-Identifier: Apache-2.0
// MJCF importer: compiler and option, mesh assets, the body tree with MuJoCo's geom and body
// inertia rules (src/user/user_objects.cc: mjCGeom::GetVolume/SetInertia, mjCBody::
// InertiaFromGeom; doc/XMLreference.rst), and assembly of the Model.
#include "engine/mjcf/mjcf_import.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <iostream>

#include "engine/lengthrange.h"
#include "engine/mjcf/mjcf_importer.h"
#include "engine/model_io.h"

namespace sinew {

namespace mjcf {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = 1e-14;  // MuJoCo's mjEPS

std::string dir_of(const std::string& path) {
  const size_t s = path.find_last_of('/');
  return s == std::string::npos ? "" : path.substr(0, s + 1);
}

std::string stem_of(const std::string& path) {
  const size_t s = path.find_last_of('/');
  std::string b = s == std::string::npos ? path : path.substr(s + 1);
  const size_t d = b.find_last_of('.');
  return d == std::string::npos ? b : b.substr(0, d);
}

Eigen::Quaterniond to_eigen(const double q[4]) {
  return Eigen::Quaterniond(q[0], q[1], q[2], q[3]);
}

void from_eigen(Eigen::Quaterniond q, double out[4]) {
  q.normalize();
  out[0] = q.w(), out[1] = q.x(), out[2] = q.y(), out[3] = q.z();
}

// Minimal rotation taking +z onto v (MuJoCo's mjuu_z2quat).
Eigen::Quaterniond z_to(Eigen::Vector3d v) {
  v.normalize();
  const Eigen::Vector3d z(0, 0, 1);
  Eigen::Vector3d axis = z.cross(v);
  const double s = axis.norm();
  if (s < 1e-10) return v.z() < 0 ? Eigen::Quaterniond(0, 1, 0, 0) : Eigen::Quaterniond::Identity();
  return Eigen::Quaterniond(Eigen::AngleAxisd(std::atan2(s, v.z()), axis / s));
}

// Principal moments (decreasing) and frame of a symmetric tensor; false when not PSD.
bool principal(const Eigen::Matrix3d& I, double inertia[3], double quat[4]) {
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(I);
  Eigen::Matrix3d R;
  for (int k = 0; k < 3; ++k) {
    inertia[k] = eig.eigenvalues()(2 - k);
    R.col(k) = eig.eigenvectors().col(2 - k);
  }
  if (R.determinant() < 0) R.col(2) *= -1;
  Eigen::Quaterniond q(R);
  if (q.w() < 0) q.coeffs() *= -1;
  from_eigen(q, quat);
  return inertia[2] >= -1e-14 * std::max(1.0, std::fabs(inertia[0]));
}

Eigen::Matrix3d tensor(const double diag[3], const double quat[4]) {
  const Eigen::Matrix3d R = to_eigen(quat).normalized().toRotationMatrix();
  return R * Eigen::Vector3d(diag[0], diag[1], diag[2]).asDiagonal() * R.transpose();
}

}  // namespace

Importer::Importer(std::string path) : path_(std::move(path)), dir_(dir_of(path_)) {}

int Importer::find(const std::map<std::string, int>& ids, const std::string& name, const char* kind,
                   const XmlNode& n) const {
  auto it = ids.find(name);
  if (it == ids.end()) fail(n, std::string("unknown ") + kind + " \"" + name + "\"");
  return it->second;
}

void Importer::add_name(std::map<std::string, int>& ids, const std::string& name, int id,
                        const char* kind, const XmlNode& n) {
  if (name.empty()) return;
  if (!ids.emplace(name, id).second)
    fail(n, std::string("repeated ") + kind + " name \"" + name + "\"");
}

void Importer::resolve(const Orientation& o, const XmlNode& n, double quat[4]) const {
  const double u = comp_.degree ? kPi / 180 : 1;
  Eigen::Quaterniond q = Eigen::Quaterniond::Identity();
  switch (o.kind) {
    case Orientation::kNone:
      break;
    case Orientation::kQuat:
      q = to_eigen(o.v);
      if (q.norm() < 1e-10) fail(n, "zero quaternion");
      break;
    case Orientation::kAxisAngle: {
      Eigen::Vector3d a(o.v[0], o.v[1], o.v[2]);
      if (a.norm() < 1e-10) fail(n, "axisangle: zero axis");
      q = Eigen::AngleAxisd(o.v[3] * u, a.normalized());
      break;
    }
    case Orientation::kEuler: {
      if (comp_.eulerseq.size() != 3) fail(n, "compiler eulerseq must have 3 characters");
      for (int i = 0; i < 3; ++i) {
        const char c = comp_.eulerseq[i];
        const int ax = std::tolower(c) - 'x';
        if (ax < 0 || ax > 2) fail(n, "compiler eulerseq: expected x, y, z, X, Y or Z");
        Eigen::Vector3d axis = Eigen::Vector3d::Zero();
        axis(ax) = 1;
        const Eigen::Quaterniond r(Eigen::AngleAxisd(o.v[i] * u, axis));
        q = std::islower(c) ? Eigen::Quaterniond(q * r) : Eigen::Quaterniond(r * q);
      }
      break;
    }
    case Orientation::kXYAxes: {
      Eigen::Vector3d x(o.v[0], o.v[1], o.v[2]), y(o.v[3], o.v[4], o.v[5]);
      if (x.norm() < 1e-10) fail(n, "xyaxes: zero x axis");
      x.normalize();
      y -= x * x.dot(y);
      if (y.norm() < 1e-10) fail(n, "xyaxes: y is parallel to x");
      y.normalize();
      Eigen::Matrix3d R;
      R.col(0) = x, R.col(1) = y, R.col(2) = x.cross(y);
      q = Eigen::Quaterniond(R);
      break;
    }
    case Orientation::kZAxis: {
      Eigen::Vector3d z(o.v[0], o.v[1], o.v[2]);
      if (z.norm() < 1e-10) fail(n, "zaxis: zero vector");
      q = z_to(z);
      break;
    }
  }
  from_eigen(q, quat);
}

void Importer::compiler(const XmlNode& n) {
  Attrs a(n, warn_);
  int k;
  if (a.keyword("angle", {"radian", "degree"}, &k)) comp_.degree = k == 1;
  a.str("eulerseq", &comp_.eulerseq);
  a.str("meshdir", &comp_.meshdir);
  std::string assetdir;
  if (a.str("assetdir", &assetdir) && comp_.meshdir.empty()) comp_.meshdir = assetdir;
  a.boolean("autolimits", &comp_.autolimits);
  a.num("boundmass", &comp_.boundmass);
  a.num("boundinertia", &comp_.boundinertia);
  if (a.keyword("inertiafromgeom", {"false", "true", "auto"}, &k)) comp_.inertiafromgeom = k;
  double gr[2];
  if (a.nums("inertiagrouprange", gr, 2, true))
    comp_.inertiagrouprange[0] = static_cast<int>(gr[0]),
    comp_.inertiagrouprange[1] = static_cast<int>(gr[1]);
  a.boolean("balanceinertia", &comp_.balanceinertia);
  bool b;
  if (a.boolean("strippath", &b) && b) fail(n, "strippath=\"true\" is not supported by Sinew");
  if (a.has("fusestatic") || a.has("discardvisual") || a.has("alignfree"))
    for (const char* nm : {"fusestatic", "discardvisual", "alignfree"})
      if (const std::string* v = n.attr(nm); v && *v == "true")
        fail(n, std::string(nm) + "=\"true\" is not supported by Sinew");
  a.unsupported({"fusestatic", "discardvisual", "alignfree", "usethread", "saveinertial"},
                "no effect in Sinew");
  a.visual({"texturedir"});
  a.unsupported({"settotalmass", "exactmeshinertia", "fitaabb", "coordinate"}, "not supported");
  a.finish();
  for (const auto& c : n.children) {
    if (c->tag == "lengthrange")
      warn_.add(*c,
                "element 'lengthrange' ignored (lengthrange is computed by Sinew's own "
                "procedure when absent)");
    else
      fail(*c, "element not supported in <compiler>");
  }
}

void Importer::option(const XmlNode& n, Options& opt) {
  Attrs a(n, warn_);
  a.num("timestep", &opt.timestep);
  a.nums("gravity", opt.gravity, 3, true);
  int k;
  if (a.keyword("integrator", {"Euler", "RK4", "implicit", "implicitfast"}, &k)) {
    if (k >= 2) {
      warn_.add(n, "option integrator=\"" + *n.attr("integrator") +
                       "\" is not supported; using Euler (semi-implicit, implicit joint damping)");
      k = 0;
    }
    opt.integrator = k == 1 ? kIntegratorRK4 : kIntegratorEuler;
  }
  if (a.keyword("cone", {"pyramidal", "elliptic"}, &k) && k == 1)
    warn_.add(n, "option cone=\"elliptic\" is not supported; using pyramidal");
  if (a.keyword("solver", {"PGS", "CG", "Newton"}, &k) && k != 2)
    warn_.add(n, "option solver=\"" + *n.attr("solver") + "\" ignored (Sinew uses Newton)");
  if (a.keyword("jacobian", {"dense", "sparse", "auto"}, &k)) opt.jacobian = k;
  a.integer("iterations", &opt.iterations);
  a.num("tolerance", &opt.tolerance);
  a.num("impratio", &opt.impratio);
  a.unsupported({"ls_iterations", "ls_tolerance", "noslip_iterations", "noslip_tolerance",
                 "ccd_iterations", "ccd_tolerance", "sdf_iterations", "sdf_initpoints", "apirate",
                 "wind", "magnetic", "density", "viscosity", "o_margin", "o_solref", "o_solimp",
                 "o_friction", "actuatorgroupdisable", "sleep_tolerance"},
                "not supported by Sinew");
  a.finish();
  if (opt.timestep <= 0) fail(n, "timestep must be positive");
  for (const auto& c : n.children) {
    if (c->tag != "flag") fail(*c, "element not supported in <option>");
    Attrs f(*c, warn_);
    const std::pair<const char*, int> bits[] = {{"contact", kDisableContact},
                                                {"limit", kDisableLimit},
                                                {"gravity", kDisableGravity},
                                                {"warmstart", kDisableWarmstart}};
    if (f.keyword("energy", {"disable", "enable"}, &k)) opt.energy = k == 1;
    for (const auto& bit : bits)
      if (f.keyword(bit.first, {"disable", "enable"}, &k)) {
        if (k == 0)
          opt.disableflags |= bit.second;
        else
          opt.disableflags &= ~bit.second;
      }
    for (const auto& at : c->attrs) {
      bool known = false;
      for (const auto& bit : bits) known = known || at.first == bit.first;
      known = known || at.first == "energy";
      if (!known)
        warn_.add(*c, "option flag '" + at.first + "' ignored (not supported by Sinew)",
                  "flag@" + at.first);
    }
  }
}

void Importer::assets(const XmlNode& n) {
  for (const auto& c : n.children) {
    if (c->tag == "texture" || c->tag == "material" || c->tag == "skin") {
      warn_.add(*c, "element '" + c->tag + "' ignored (rendering only)", "asset/" + c->tag);
      continue;
    }
    if (c->tag != "mesh") fail(*c, "element not supported in <asset> (Sinew reads meshes only)");
    Attrs a(*c, warn_);
    MeshSpec s = defaults_.get(a, nullptr).mesh;
    read_mesh(a, s);
    MeshAsset m;
    a.str("name", &m.name);
    std::string content_type;
    a.str("content_type", &content_type);
    if (!a.str("file", &m.file))
      fail(*c, "a mesh needs a file (vertex and face lists in the XML are not supported)");
    for (const char* nm : {"vertex", "face", "normal", "texcoord", "builtin", "plugin"})
      if (a.has(nm)) fail(*c, std::string("attribute '") + nm + "' is not supported by Sinew");
    a.finish();
    if (m.name.empty()) m.name = stem_of(m.file);  // MuJoCo names an unnamed mesh by its file
    std::string rel = comp_.meshdir;
    if (!rel.empty() && rel.back() != '/') rel += '/';
    rel += m.file;
    m.file = rel;
    const std::string full = (!rel.empty() && rel[0] == '/') ? rel : dir_ + rel;
    try {
      const RawMesh raw = read_mesh_file(full, content_type);
      m.data = process_mesh(raw, s.scale, s.inertia == 0);
    } catch (const std::runtime_error& e) {
      fail(*c, std::string("mesh \"") + m.name + "\": " + e.what());
    }
    if (!m.data.hull_ok)
      warn_.add(*c, "mesh \"" + m.name + "\": convex hull failed; collision uses all vertices");
    add_name(mesh_ids_, m.name, static_cast<int>(meshes_.size()), "mesh", *c);
    meshes_.push_back(std::move(m));
  }
}

void Importer::worldbody(const XmlNode& n) {
  if (bodies_.empty()) {
    BodyRec w;
    w.name = "world";
    bodies_.push_back(w);
    explicit_inertial_.push_back(false);
    body_ids_["world"] = 0;
  }
  if (!n.attrs.empty()) fail(n, "<worldbody> takes no attributes");
  body_elements(n, 0, nullptr);
}

void Importer::body(const XmlNode& n, int parent, const DefaultClass* childclass) {
  Attrs a(n, warn_);
  const int id = static_cast<int>(bodies_.size());
  bodies_.emplace_back();
  explicit_inertial_.push_back(false);
  BodyRec& b = bodies_.back();
  b.parent = parent;
  a.str("name", &b.name);
  a.nums("pos", b.pos, 3, true);
  Orientation o;
  read_orientation(a, o);
  resolve(o, n, b.quat);
  std::string cc;
  if (a.str("childclass", &cc)) {
    auto it = defaults_.classes.find(cc);
    if (it == defaults_.classes.end()) fail(n, "unknown default class \"" + cc + "\"");
    childclass = it->second.get();
  }
  bool mocap = false;
  if (a.boolean("mocap", &mocap) && mocap) fail(n, "mocap bodies are not supported by Sinew");
  a.unsupported({"gravcomp", "user", "sleep"}, "not supported by Sinew");
  a.finish();
  add_name(body_ids_, b.name, id, "body", n);
  body_elements(n, id, childclass);
}

void Importer::body_elements(const XmlNode& n, int id, const DefaultClass* childclass) {
  // joints, geoms, sites and the inertial first (MuJoCo numbers them by body), then children
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    const std::string& t = c.tag;
    if (t == "body") continue;
    if (t == "camera" || t == "light") {
      warn_.add(c, "element '" + t + "' ignored (rendering only)", "elem/" + t);
    } else if (t == "geom") {
      geom(c, id, childclass);
    } else if (t == "site") {
      Attrs a(c, warn_);
      SiteSpec s = defaults_.get(a, childclass).site;
      read_site(a, s);
      SiteRec r;
      a.str("name", &r.name);
      a.finish();
      r.body = id;
      std::copy(s.pos, s.pos + 3, r.pos);
      resolve(s.orient, c, r.quat);
      add_name(site_ids_, r.name, static_cast<int>(sites_.size()), "site", c);
      bodies_[id].sites.push_back(static_cast<int>(sites_.size()));
      sites_.push_back(r);
    } else if ((t == "joint" || t == "freejoint") && id > 0) {
      Attrs a(c, warn_);
      JointRec j;
      j.body = id;
      if (t == "joint") {
        j.s = defaults_.get(a, childclass).joint;
        read_joint(a, j.s);
      } else {
        j.s.type = kJointFree;
        a.integer("group", &j.s.group);
        a.unsupported({"align"}, "not supported by Sinew");
      }
      a.str("name", &j.name);
      a.finish();
      compile_joint(j, c);
      if (j.s.type == kJointFree && bodies_[id].parent != 0)
        fail(c, "a free joint is allowed only in a child of the world body");
      add_name(joint_ids_, j.name, static_cast<int>(joints_.size()), "joint", c);
      bodies_[id].joints.push_back(static_cast<int>(joints_.size()));
      joints_.push_back(j);
    } else if (t == "inertial" && id > 0) {
      inertial(c, bodies_[id]);
      explicit_inertial_[id] = true;
    } else if (t == "frame" || t == "composite" || t == "flexcomp" || t == "plugin" ||
               t == "attach" || t == "replicate") {
      fail(c, "element '" + t + "' is not supported by Sinew");
    } else {
      fail(c, "unknown element in <" + n.tag + ">");
    }
  }
  // the body's mass properties (MuJoCo's mjCBody::Compile): geom masses unless an <inertial>
  // is given (or inertiafromgeom="true"), then the body's from its geoms
  if (id > 0) {
    BodyRec& b = bodies_[id];
    for (int gi : b.geoms) {
      GeomRec& g = geoms_[gi];
      if ((!explicit_inertial_[id] || comp_.inertiafromgeom == 1) &&
          g.s.group >= comp_.inertiagrouprange[0] && g.s.group <= comp_.inertiagrouprange[1])
        geom_mass(g, *g.node);
    }
    if (comp_.inertiafromgeom == 1 || (!explicit_inertial_[id] && comp_.inertiafromgeom == 2))
      inertia_from_geoms(b);
    b.mass = std::max(b.mass, comp_.boundmass);
    for (double& i : b.inertia) i = std::max(i, comp_.boundinertia);
    const double* I = b.inertia;
    if (I[0] + I[1] < I[2] || I[0] + I[2] < I[1] || I[1] + I[2] < I[0]) {
      if (!comp_.balanceinertia)
        fail(n, "inertia of body \"" + b.name +
                    "\" must satisfy A + B >= C (compiler "
                    "balanceinertia fixes it)");
      b.inertia[0] = b.inertia[1] = b.inertia[2] = (I[0] + I[1] + I[2]) / 3;
    }
  }
  for (const auto& cp : n.children)
    if (cp->tag == "body") body(*cp, id, childclass);
}

// MuJoCo's mjCJoint::Compile: limits resolved (autolimits), ranges converted to radians only
// when limited (hinge and ball), reference angles of hinges converted, axis normalized.
void Importer::compile_joint(JointRec& j, const XmlNode& n) const {
  JointSpec& s = j.s;
  const bool hasrange = !(s.range[0] == 0 && s.range[1] == 0);
  if (s.type == kJointFree) {
    if (s.limited == kLimTrue) fail(n, "a free joint cannot be limited");
    s.limited = kLimFalse;
  } else if (s.limited == kLimAuto && hasrange && !comp_.autolimits) {
    fail(n, "joint has a range but no 'limited'; set compiler autolimits=\"true\" or give limited");
  }
  j.limited = s.limited == kLimTrue || (s.limited == kLimAuto && s.range[0] < s.range[1]);
  j.range[0] = s.range[0], j.range[1] = s.range[1];
  const double u = comp_.degree ? kPi / 180 : 1;
  if (j.limited) {
    if (s.type != kJointBall && s.range[0] >= s.range[1])
      fail(n, "range[0] must be smaller than range[1]");
    if (s.type == kJointBall && s.range[0] != 0) fail(n, "range[0] must be 0 for a ball joint");
    if (s.type == kJointHinge || s.type == kJointBall) j.range[0] *= u, j.range[1] *= u;
  }
  if (s.type == kJointFree || s.type == kJointBall) {
    s.axis[0] = s.axis[1] = 0, s.axis[2] = 1;
  }
  if (s.type == kJointFree) s.pos[0] = s.pos[1] = s.pos[2] = 0;
  const double na =
      std::sqrt(s.axis[0] * s.axis[0] + s.axis[1] * s.axis[1] + s.axis[2] * s.axis[2]);
  if (na < kEps) fail(n, "joint axis too small");
  for (double& x : s.axis) x /= na;
  j.ref = s.ref, j.springref = s.springref;
  if (s.type == kJointHinge) j.ref *= u, j.springref *= u;
  if (s.damping < 0 || s.armature < 0 || s.stiffness < 0)
    fail(n, "damping, armature and stiffness cannot be negative");
}

void Importer::inertial(const XmlNode& n, BodyRec& b) {
  Attrs a(n, warn_);
  if (a.nums("pos", b.ipos, 3, true) == 0) fail(n, "missing attribute 'pos'");
  if (!a.num("mass", &b.mass)) fail(n, "missing attribute 'mass'");
  Orientation o;
  read_orientation(a, o);
  double full[6];
  const bool has_diag = a.nums("diaginertia", b.inertia, 3, true) == 3;
  if (a.nums("fullinertia", full, 6, true)) {
    if (has_diag) fail(n, "fullinertia and diaginertia cannot both be given");
    if (o.kind != Orientation::kNone)
      fail(n, "fullinertia and an orientation cannot both be given");
    Eigen::Matrix3d I;
    I << full[0], full[3], full[4], full[3], full[1], full[5], full[4], full[5], full[2];
    if (!principal(I, b.inertia, b.iquat)) fail(n, "fullinertia must be positive semi-definite");
  } else {
    if (!has_diag) fail(n, "missing attribute 'diaginertia' or 'fullinertia'");
    resolve(o, n, b.iquat);
  }
  a.finish();
  if (b.mass < 0 || b.inertia[0] < 0 || b.inertia[1] < 0 || b.inertia[2] < 0)
    fail(n, "mass and inertia cannot be negative");
}

void Importer::geom(const XmlNode& n, int body, const DefaultClass* childclass) {
  Attrs a(n, warn_);
  GeomRec g;
  g.body = body;
  g.s = defaults_.get(a, childclass).geom;
  read_geom(a, g.s);
  a.str("name", &g.name);
  a.finish();
  GeomSpec& s = g.s;
  if (s.condim != 1 && s.condim != 3) {
    if (s.condim != 4 && s.condim != 6) fail(n, "condim must be 1, 3, 4 or 6");
    if (s.contype || s.conaffinity)
      fail(n, "condim " + std::to_string(s.condim) + " is not supported by Sinew (use 1 or 3)");
  }
  if (s.type == kGeomPlane && body > 0) {
    bool welded = true;
    for (int b = body; b > 0; b = bodies_[b].parent) welded = welded && bodies_[b].joints.empty();
    if (!welded) fail(n, "a plane is allowed only in static bodies");
  }
  if (s.has_fromto) {
    if (s.type != kGeomCapsule && s.type != kGeomCylinder && s.type != kGeomBox)
      fail(n, "fromto requires a capsule, cylinder or box geom");
    if (s.pos[0] || s.pos[1] || s.pos[2]) fail(n, "both pos and fromto given");
    const Eigen::Vector3d p0(s.fromto[0], s.fromto[1], s.fromto[2]);
    const Eigen::Vector3d p1(s.fromto[3], s.fromto[4], s.fromto[5]);
    const Eigen::Vector3d v = p0 - p1;
    const double half = v.norm() / 2;
    if (half < kEps) fail(n, "fromto points too close");
    if (s.type == kGeomBox)
      s.size[2] = half;
    else
      s.size[1] = half;
    for (int k = 0; k < 3; ++k) s.pos[k] = (p0(k) + p1(k)) / 2;
    from_eigen(z_to(v), g.quat);
  } else {
    resolve(s.orient, n, g.quat);
  }
  if (s.type == kGeomMesh) {
    if (s.mesh.empty()) fail(n, "a mesh geom needs a mesh");
    g.dataid = find(mesh_ids_, s.mesh, "mesh", n);
    const ProcessedMesh& m = meshes_[g.dataid].data;
    // the mesh frame (centre of mass, principal axes) is accumulated into the geom frame
    const Eigen::Quaterniond q = to_eigen(g.quat);
    const Eigen::Vector3d p = Eigen::Vector3d(s.pos[0], s.pos[1], s.pos[2]) +
                              q * Eigen::Vector3d(m.pos[0], m.pos[1], m.pos[2]);
    for (int k = 0; k < 3; ++k) s.pos[k] = p(k);
    from_eigen(q * to_eigen(m.quat), g.quat);
    for (int k = 0; k < 3; ++k) {
      double e = 0;
      for (size_t i = k; i < m.vert.size(); i += 3) e = std::max(e, std::fabs(m.vert[i]));
      s.size[k] = e;
    }
  } else if (!s.mesh.empty()) {
    fail(n, "only mesh geoms may name a mesh (fitting primitives to meshes is not supported)");
  } else {
    const int need = s.type == kGeomSphere ? 1
                     : (s.type == kGeomBox || s.type == kGeomEllipsoidMj)
                         ? 3
                         : (s.type == kGeomPlane ? 0 : 2);
    if (s.type == kGeomEllipsoidMj && (s.contype || s.conaffinity))
      warn_.add(n,
                "ellipsoid geom: mass and inertia imported, but Sinew has no ellipsoid "
                "collision (it makes no contacts)",
                "ellipsoid");
    for (int k = 0; k < need; ++k)
      if (!(s.size[k] > 0)) fail(n, "size[" + std::to_string(k) + "] must be positive");
  }
  g.node = &n;
  add_name(geom_ids_, g.name, static_cast<int>(geoms_.size()), "geom", n);
  bodies_[body].geoms.push_back(static_cast<int>(geoms_.size()));
  geoms_.push_back(g);
}

void Importer::geom_mass(GeomRec& g, const XmlNode& n) {
  const GeomSpec& s = g.s;
  const double r = s.size[0], h = s.size[1];
  double vol = 0;
  switch (s.type) {
    case kGeomSphere:
      vol = 4 * kPi * r * r * r / 3;
      break;
    case kGeomCapsule:
      vol = kPi * (r * r * 2 * h + 4 * r * r * r / 3);
      break;
    case kGeomCylinder:
      vol = kPi * r * r * 2 * h;
      break;
    case kGeomBox:
      vol = 8 * s.size[0] * s.size[1] * s.size[2];
      break;
    case kGeomEllipsoidMj:
      vol = 4 * kPi * s.size[0] * s.size[1] * s.size[2] / 3;
      break;
    case kGeomMesh:
      vol = meshes_[g.dataid].data.volume;
      break;
    default:
      vol = 0;
  }
  if (s.shellinertia) fail(n, "shellinertia is not supported by Sinew");
  double mass = 0;
  if (s.has_mass) {
    if (s.mass == 0 || !(vol > kEps)) return;  // MuJoCo: zero mass, or no volume to spread it
    mass = s.mass;
  } else {
    if (s.density == 0) return;
    mass = s.density * vol;
  }
  if (mass < 0 || s.density < 0) fail(n, "mass, inertia or density are negative in geom");
  g.mass = mass;
  double* I = g.inertia;
  switch (s.type) {
    case kGeomSphere:
      I[0] = I[1] = I[2] = 2 * mass * r * r / 5;
      break;
    case kGeomCapsule: {
      // cylinder plus two hemispheres (MuJoCo's mjCGeom::SetInertia)
      const double H = 2 * h;
      const double ms = mass * 4 * r / (4 * r + 3 * H), mc = mass - ms;
      I[0] = I[1] = mc * (3 * r * r + H * H) / 12;
      I[2] = mc * r * r / 2;
      const double is = 2 * ms * r * r / 5;
      I[0] += is + ms * H * (3 * r + 2 * H) / 8;
      I[1] += is + ms * H * (3 * r + 2 * H) / 8;
      I[2] += is;
      break;
    }
    case kGeomCylinder:
      I[0] = I[1] = mass * (3 * r * r + 4 * h * h) / 12;
      I[2] = mass * r * r / 2;
      break;
    case kGeomBox: {
      const double* z = s.size;
      I[0] = mass * (z[1] * z[1] + z[2] * z[2]) / 3;
      I[1] = mass * (z[0] * z[0] + z[2] * z[2]) / 3;
      I[2] = mass * (z[0] * z[0] + z[1] * z[1]) / 3;
      break;
    }
    case kGeomEllipsoidMj: {
      const double* z = s.size;
      I[0] = mass * (z[1] * z[1] + z[2] * z[2]) / 5;
      I[1] = mass * (z[0] * z[0] + z[2] * z[2]) / 5;
      I[2] = mass * (z[0] * z[0] + z[1] * z[1]) / 5;
      break;
    }
    case kGeomMesh: {
      // equivalent inertia box of the mesh (MuJoCo's boxsz), scaled by the geom's mass
      const ProcessedMesh& m = meshes_[g.dataid].data;
      const double* e = m.inertia;
      const double b0 = 0.5 * std::sqrt(6 * (e[1] + e[2] - e[0]) / m.volume);
      const double b1 = 0.5 * std::sqrt(6 * (e[0] + e[2] - e[1]) / m.volume);
      const double b2 = 0.5 * std::sqrt(6 * (e[0] + e[1] - e[2]) / m.volume);
      I[0] = mass * (b1 * b1 + b2 * b2) / 3;
      I[1] = mass * (b0 * b0 + b2 * b2) / 3;
      I[2] = mass * (b0 * b0 + b1 * b1) / 3;
      break;
    }
    default:
      break;
  }
}

void Importer::inertia_from_geoms(BodyRec& b) {
  std::vector<const GeomRec*> sel;
  for (int gi : b.geoms) {
    const GeomRec& g = geoms_[gi];
    if (g.s.group >= comp_.inertiagrouprange[0] && g.s.group <= comp_.inertiagrouprange[1] &&
        g.mass > kEps)
      sel.push_back(&g);
  }
  if (sel.size() == 1) {
    std::copy(sel[0]->s.pos, sel[0]->s.pos + 3, b.ipos);
    std::copy(sel[0]->quat, sel[0]->quat + 4, b.iquat);
    b.mass = sel[0]->mass;
    std::copy(sel[0]->inertia, sel[0]->inertia + 3, b.inertia);
    return;
  }
  if (sel.empty()) return;
  double mass = 0;
  Eigen::Vector3d com = Eigen::Vector3d::Zero();
  for (const GeomRec* g : sel) {
    mass += g->mass;
    com += g->mass * Eigen::Vector3d(g->s.pos[0], g->s.pos[1], g->s.pos[2]);
  }
  com /= mass;
  Eigen::Matrix3d I = Eigen::Matrix3d::Zero();
  for (const GeomRec* g : sel) {
    const Eigen::Vector3d d = Eigen::Vector3d(g->s.pos[0], g->s.pos[1], g->s.pos[2]) - com;
    I += tensor(g->inertia, g->quat);
    I += g->mass * (d.squaredNorm() * Eigen::Matrix3d::Identity() - d * d.transpose());
  }
  b.mass = mass;
  for (int k = 0; k < 3; ++k) b.ipos[k] = com(k);
  principal(I, b.inertia, b.iquat);
}

MjcfImportResult Importer::run() {
  std::unique_ptr<XmlNode> root = read_mjcf_tree(path_);
  {
    Attrs a(*root, warn_);
    a.str("model", &model_name_);
    a.finish();
  }
  MjcfImportResult res;
  Model& m = res.model;
  m.source = path_;
  static const char* kOrder[] = {"compiler", "option",   "default", "asset",    "worldbody",
                                 "contact",  "equality", "tendon",  "actuator", "keyframe"};
  for (const auto& c : root->children) {
    bool known = false;
    for (const char* k : kOrder) known = known || c->tag == k;
    if (known) continue;
    if (c->tag == "visual" || c->tag == "statistic")
      warn_.add(*c, "element '" + c->tag + "' ignored (rendering only)", "top/" + c->tag);
    else if (c->tag == "size")
      warn_.add(*c, "element 'size' ignored (Sinew sizes its buffers itself)", "top/size");
    else if (c->tag == "sensor" || c->tag == "custom" || c->tag == "extension")
      warn_.add(*c, "element '" + c->tag + "' ignored (not supported by Sinew)", "top/" + c->tag);
    else if (c->tag == "body")
      fail(*c, "a <body> must be inside <worldbody>");
    else
      fail(*c, "unknown element in <mujoco>");
  }
  m.opt.energy = false;  // MuJoCo computes energy only with <flag energy="enable">
  for (const char* section : kOrder) {
    const std::string s = section;
    for (const auto& c : root->children) {
      if (c->tag != s) continue;
      if (s == "compiler")
        compiler(*c);
      else if (s == "option")
        option(*c, m.opt);
      else if (s == "default")
        defaults_.read(*c, warn_);
      else if (s == "asset")
        assets(*c);
      else if (s == "worldbody")
        worldbody(*c);
      else if (s == "contact")
        contact(*c);
      else if (s == "equality")
        equalities(*c);
      else if (s == "tendon")
        tendons(*c);
      else if (s == "actuator")
        actuators(*c);
      else if (s == "keyframe")
        keyframes(*c);
    }
    if (s == "default" && !defaults_.classes.count("main")) {
      XmlNode empty;
      empty.tag = "default";
      empty.file = root->file;
      defaults_.read(empty, warn_);
    }
    if (s == "asset" && bodies_.empty()) {
      XmlNode empty;
      empty.tag = "worldbody";
      empty.file = root->file;
      worldbody(empty);
    }
  }
  m.name = model_name_.empty() ? stem_of(path_) : model_name_;
  fill(m);
  fill_physics(m);
  std::vector<std::string> lr_notes;
  try {
    m.finalize();
    // lengthranges of muscles that give none (MuJoCo's compiler/lengthrange defaults)
    lr_notes = compute_lengthrange(m);
  } catch (const ModelError&) {
    throw;
  } catch (const std::exception& e) {
    throw ModelError(e.what());
  }
  res.warnings = warn_.lines();
  for (const std::string& n : lr_notes) res.warnings.push_back("warning: " + path_ + ": " + n);
  for (const ActuatorRec& a : actuators_)
    if (a.s.lengthrange[0] == 0 && a.s.lengthrange[1] == 0)
      res.missing_lengthrange.push_back(a.name);
  return res;
}

}  // namespace mjcf

MjcfImportResult import_mjcf(const std::string& path) {
  mjcf::Importer imp(path);
  return imp.run();
}

Model load_mjcf(const std::string& path) { return import_mjcf(path).model; }

}  // namespace sinew
