// SPDX-License-Identifier: Apache-2.0
// MJCF importer: default classes and the per-element attribute readers (MuJoCo XMLreference.rst
// for names and defaults; arrays copy only the entries given, as MuJoCo's XML reader does).
#include <algorithm>
#include <cmath>

#include "engine/mjcf/mjcf_specs.h"
#include "engine/model.h"

namespace sinew::mjcf {

namespace {

void limited(Attrs& a, const char* name, int* out) {
  int k;
  if (a.keyword(name, {"false", "true", "auto"}, &k)) *out = k;
}

// Mechanical attributes MuJoCo has but Sinew does not simulate (warned, ignored).
const char* kNotSimulated = "not simulated by Sinew";

}  // namespace

void read_orientation(Attrs& a, Orientation& o) {
  int given = 0;
  double v[6];
  if (a.nums("quat", v, 4, true)) o.kind = Orientation::kQuat, std::copy(v, v + 4, o.v), ++given;
  if (a.nums("axisangle", v, 4, true))
    o.kind = Orientation::kAxisAngle, std::copy(v, v + 4, o.v), ++given;
  if (a.nums("euler", v, 3, true)) o.kind = Orientation::kEuler, std::copy(v, v + 3, o.v), ++given;
  if (a.nums("xyaxes", v, 6, true))
    o.kind = Orientation::kXYAxes, std::copy(v, v + 6, o.v), ++given;
  if (a.nums("zaxis", v, 3, true)) o.kind = Orientation::kZAxis, std::copy(v, v + 3, o.v), ++given;
  if (given > 1)
    fail(a.node(), "more than one orientation (quat, axisangle, euler, xyaxes, zaxis)");
}

void read_joint(Attrs& a, JointSpec& s) {
  a.keyword("type", {"free", "ball", "slide", "hinge"}, &s.type);
  a.nums("pos", s.pos, 3, true);
  a.nums("axis", s.axis, 3, true);
  a.nums("range", s.range, 2, true);
  limited(a, "limited", &s.limited);
  a.num("damping", &s.damping);
  a.num("stiffness", &s.stiffness);
  a.num("armature", &s.armature);
  a.num("ref", &s.ref);
  a.num("springref", &s.springref);
  a.num("margin", &s.margin);
  a.nums("solreflimit", s.solref, 2, false);
  a.nums("solimplimit", s.solimp, 5, false);
  a.integer("group", &s.group);
  double f = 0;
  if (a.num("frictionloss", &f) && f != 0)
    fail(a.node(), "frictionloss is not supported by Sinew (remove it or set it to 0)");
  a.unsupported({"user", "solreffriction", "solimpfriction", "springdamper", "actuatorfrcrange",
                 "actuatorfrclimited", "actuatorgravcomp"},
                kNotSimulated);
}

void read_geom(Attrs& a, GeomSpec& s) {
  int t;
  if (a.keyword(
          "type",
          {"plane", "hfield", "sphere", "capsule", "ellipsoid", "cylinder", "box", "mesh", "sdf"},
          &t)) {
    if (t == 1 || t == 8)
      fail(a.node(), "geom type \"" + std::string(t == 1 ? "hfield" : "sdf") +
                         "\" is not supported by Sinew");
    s.type = t;
  }
  a.nums("size", s.size, 3, false);
  a.nums("pos", s.pos, 3, true);
  read_orientation(a, s.orient);
  if (a.nums("fromto", s.fromto, 6, true)) s.has_fromto = true;
  if (a.num("mass", &s.mass)) s.has_mass = true;
  a.num("density", &s.density);
  a.integer("contype", &s.contype);
  a.integer("conaffinity", &s.conaffinity);
  a.integer("condim", &s.condim);
  a.integer("group", &s.group);
  a.integer("priority", &s.priority);
  a.nums("friction", s.friction, 3, false);
  a.nums("solref", s.solref, 2, false);
  a.nums("solimp", s.solimp, 5, false);
  a.num("margin", &s.margin);
  a.num("gap", &s.gap);
  a.str("mesh", &s.mesh);
  int sh;
  if (a.keyword("shellinertia", {"false", "true"}, &sh)) s.shellinertia = sh;
  a.visual({"rgba", "material"});
  a.unsupported({"user", "solmix", "fluidshape", "fluidcoef", "hfield", "fitscale"}, kNotSimulated);
}

void read_site(Attrs& a, SiteSpec& s) {
  a.nums("pos", s.pos, 3, true);
  read_orientation(a, s.orient);
  a.visual({"rgba", "material", "size", "type", "group"});
  a.unsupported({"user", "fromto"}, "not supported by Sinew");
}

void read_tendon(Attrs& a, TendonSpec& s, bool spatial) {
  limited(a, "limited", &s.limited);
  a.nums("range", s.range, 2, true);
  a.num("stiffness", &s.stiffness);
  a.num("damping", &s.damping);
  a.num("margin", &s.margin);
  double f = 0;
  if (a.num("frictionloss", &f) && f != 0)
    fail(a.node(), "tendon frictionloss is not supported by Sinew (remove it or set it to 0)");
  if (a.num("armature", &f) && f != 0)
    fail(a.node(), "tendon armature is not supported by Sinew (remove it or set it to 0)");
  const int n = a.nums("springlength", s.springlength, 2, false);
  if (n == 1) s.springlength[1] = s.springlength[0];
  a.nums("solreflimit", s.solref, 2, false);
  a.nums("solimplimit", s.solimp, 5, false);
  a.visual({"rgba", "material", "width", "group"});
  a.unsupported(
      {"user", "solreffriction", "solimpfriction", "actuatorfrcrange", "actuatorfrclimited"},
      kNotSimulated);
  (void)spatial;
}

void read_actuator(Attrs& a, ActuatorSpec& s, const std::string& tag) {
  // shared (general) attributes
  limited(a, "ctrllimited", &s.ctrllimited);
  limited(a, "forcelimited", &s.forcelimited);
  limited(a, "actlimited", &s.actlimited);
  a.nums("ctrlrange", s.ctrlrange, 2, true);
  a.nums("forcerange", s.forcerange, 2, true);
  a.nums("actrange", s.actrange, 2, true);
  a.nums("lengthrange", s.lengthrange, 2, true);
  a.nums("gear", s.gear, 6, false);
  a.boolean("actearly", &s.actearly);
  std::string target;
  if (a.str("joint", &target)) s.trntype = kTrnJoint, s.target = target;
  if (a.str("tendon", &target)) s.trntype = kTrnTendon, s.target = target;
  for (const char* t : {"jointinparent", "site", "body", "cranksite", "slidersite", "refsite"})
    if (a.has(t)) fail(a.node(), "transmission '" + std::string(t) + "' is not supported by Sinew");
  a.visual({"group"});
  a.unsupported({"user", "cranklength", "actdim"}, kNotSimulated);
  if (tag == "general") {
    int k;
    // MuJoCo's mjtDyn / mjtGain / mjtBias names, mapped onto Sinew's enums
    if (a.keyword("dyntype", {"none", "integrator", "filter", "filterexact", "muscle", "user"},
                  &k)) {
      if (k != 0 && k != 4)
        fail(a.node(), "dyntype \"" + *a.node().attr("dyntype") + "\" is not supported by Sinew");
      s.dyntype = k == 4 ? kDynMuscle : kDynNone;
    }
    if (a.keyword("gaintype", {"fixed", "affine", "muscle", "user"}, &k)) {
      if (k == 1 || k == 3)
        fail(a.node(), "gaintype \"" + *a.node().attr("gaintype") + "\" is not supported by Sinew");
      s.gaintype = k == 2 ? kGainMuscle : kGainFixed;
    }
    if (a.keyword("biastype", {"none", "affine", "muscle", "user"}, &k)) {
      if (k == 3) fail(a.node(), "biastype \"user\" is not supported by Sinew");
      s.biastype = k == 0 ? kBiasNone : (k == 1 ? kBiasAffine : kBiasMuscle);
    }
    a.nums("dynprm", s.dynprm, 10, false);
    a.nums("gainprm", s.gainprm, 10, false);
    a.nums("biasprm", s.biasprm, 10, false);
  } else if (tag == "motor") {
    // mjs_setToMotor: unit fixed gain, no bias, no dynamics
    s.gainprm[0] = 1;
    s.dyntype = kDynNone, s.gaintype = kGainFixed, s.biastype = kBiasNone;
  } else if (tag == "position") {
    // mjs_setToPosition: gain kp, bias (0, -kp, -kv)
    double kp = s.gainprm[0], kv = 0;
    a.num("kp", &kp);
    s.gainprm[0] = kp;
    s.biasprm[1] = -kp;
    if (a.num("kv", &kv)) {
      if (kv < 0) fail(a.node(), "kv cannot be negative");
      s.biasprm[2] = -kv;
    }
    if (a.has("dampratio") || a.has("timeconst") || a.has("inheritrange"))
      fail(a.node(), "dampratio, timeconst and inheritrange are not supported by Sinew");
    s.gaintype = kGainFixed, s.biastype = kBiasAffine;
  } else if (tag == "muscle") {
    // mjs_setToMuscle: defaults filled where the spec still holds general defaults, then the
    // given values; biasprm = gainprm (first 9 entries)
    double tc[2] = {-1, -1}, range[2] = {-1, -1}, force = -1, scale = -1, lmin = -1, lmax = -1;
    double vmax = -1, fpmax = -1, fvmax = -1, tausmooth = s.dynprm[2];
    a.nums("timeconst", tc, 2, true);
    a.num("tausmooth", &tausmooth);
    a.nums("range", range, 2, true);
    a.num("force", &force);
    a.num("scale", &scale);
    a.num("lmin", &lmin);
    a.num("lmax", &lmax);
    a.num("vmax", &vmax);
    a.num("fpmax", &fpmax);
    a.num("fvmax", &fvmax);
    const double fill[9] = {0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2};
    const double general[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    if (s.dynprm[0] == 1) s.dynprm[0] = 0.01;
    if (s.dynprm[1] == 0) s.dynprm[1] = 0.04;
    for (int i = 0; i < 9; ++i)
      if (s.gainprm[i] == general[i]) s.gainprm[i] = fill[i];
    if (tausmooth < 0) fail(a.node(), "muscle tausmooth cannot be negative");
    s.dynprm[2] = tausmooth;
    for (int i = 0; i < 2; ++i)
      if (tc[i] >= 0) s.dynprm[i] = tc[i];
    const double given[9] = {range[0], range[1], force, scale, lmin, lmax, vmax, fpmax, fvmax};
    for (int i = 0; i < 9; ++i)
      if (given[i] >= 0) s.gainprm[i] = given[i];
    for (int i = 0; i < 9; ++i) s.biasprm[i] = s.gainprm[i];
    s.dyntype = kDynMuscle, s.gaintype = kGainMuscle, s.biastype = kBiasMuscle;
  }
}

void read_mesh(Attrs& a, MeshSpec& s) {
  a.nums("scale", s.scale, 3, true);
  int k;
  if (a.keyword("inertia", {"legacy", "exact", "convex", "shell"}, &k)) {
    if (k >= 2) fail(a.node(), "mesh inertia \"convex\" and \"shell\" are not supported by Sinew");
    s.inertia = k;
  }
  a.unsupported({"maxhullvert", "smoothnormal", "refpos", "refquat", "material"},
                "not supported by Sinew");
}

void read_equality(Attrs& a, EqualitySpec& s) {
  a.boolean("active", &s.active);
  a.nums("solref", s.solref, 2, false);
  a.nums("solimp", s.solimp, 5, false);
}

void Defaults::read(const XmlNode& node, Warnings& w) {
  if (!classes.count("main")) {
    auto m = std::make_unique<DefaultClass>();
    m->name = "main";
    classes["main"] = std::move(m);
  }
  // the top-level <default> is class "main" (several top-level blocks add to it)
  const std::string* cls = node.attr("class");
  if (cls && *cls != "main") {
    read_class(node, classes.at("main").get(), w);
    return;
  }
  for (const auto& c : node.children) read_child(*c, classes.at("main").get(), w);
}

void Defaults::read_child(const XmlNode& c, DefaultClass* d, Warnings& w) {
  const std::string& t = c.tag;
  if (t == "default") {
    read_class(c, d, w);
    return;
  }
  if (t == "camera" || t == "light" || t == "material" || t == "texture") {
    w.add(c, "element '" + t + "' in <default> ignored (rendering only)", "default/" + t);
    return;
  }
  Attrs a(c, w);
  if (t == "joint") {
    read_joint(a, d->joint);
  } else if (t == "geom") {
    read_geom(a, d->geom);
  } else if (t == "site") {
    read_site(a, d->site);
  } else if (t == "tendon") {
    read_tendon(a, d->tendon, true);
  } else if (t == "general" || t == "motor" || t == "position" || t == "muscle") {
    read_actuator(a, d->actuator, t);
  } else if (t == "mesh") {
    read_mesh(a, d->mesh);
  } else if (t == "equality") {
    read_equality(a, d->equality);
  } else {
    fail(c, "element not supported in <default>");
  }
  a.finish();
}

void Defaults::read_class(const XmlNode& node, const DefaultClass* parent, Warnings& w) {
  const std::string* cls = node.attr("class");
  if (!cls) fail(node, "a nested <default> needs a class name");
  if (node.attrs.size() != 1) fail(node, "only the attribute 'class' is allowed");
  if (classes.count(*cls)) fail(node, "repeated default class \"" + *cls + "\"");
  auto d = std::make_unique<DefaultClass>(*parent);
  d->name = *cls;
  d->parent = parent;
  DefaultClass* self = d.get();
  classes[*cls] = std::move(d);
  for (const auto& c : node.children) read_child(*c, self, w);
}

const DefaultClass& Defaults::get(Attrs& a, const DefaultClass* inherited) const {
  std::string cls;
  if (a.str("class", &cls)) {
    auto it = classes.find(cls);
    if (it == classes.end()) fail(a.node(), "unknown default class \"" + cls + "\"");
    return *it->second;
  }
  return inherited ? *inherited : *classes.at("main");
}

}  // namespace sinew::mjcf
