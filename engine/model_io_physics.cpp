// SPDX-License-Identifier: Apache-2.0
// Sinew JSON model format v1: the top-level "tendons", "actuators", "equalities" and
// "contact_excludes" sections (schema in docs/model-format.md). Validation follows MuJoCo's
// compiler (src/user/user_objects.cc: mjCTendon::Compile, mjCActuator::Compile,
// mjCEquality::Compile) and the MJCF importer (engine/mjcf/mjcf_physics.cpp), so that an imported
// model written as JSON reloads to identical arrays.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/model_io_detail.h"
#include "muscle/muscle_model.h"

namespace sinew::model_io_detail {

namespace {

// Id of `name` among `names`, or a message naming the JSON path, the kind and the nearest names.
int lookup(const Reader& r, const std::vector<std::string>& names, const json& v,
           const std::string& path, const char* kind) {
  const std::string n = r.string(v, path);
  if (!n.empty())
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == n) return static_cast<int>(i);
  std::string hint;
  size_t best = 3;  // suggest a name within edit distance 2
  for (const std::string& c : names) {
    if (c.empty()) continue;
    const size_t d = edit_distance(n, c);
    if (d < best) best = d, hint = " (did you mean \"" + c + "\"?)";
  }
  r.fail(path, std::string("unknown ") + kind + " " + in_quotes(n) + hint);
}

// An optional "limited" flag with its "range" (MuJoCo's autolimits: a range implies limited).
bool limited_range(const Reader& r, const json& v, const std::string& path, const char* lim_key,
                   const char* range_key, double range[2], const char* unit) {
  const bool has_range = r.numbers_or(v, path, range_key, 2, range);
  bool limited = has_range;
  if (const json* l = Reader::find(v, lim_key)) limited = r.boolean(*l, at(path, lim_key));
  r.require(!limited || has_range, at(path, lim_key),
            std::string("limited needs a \"") + range_key + "\": [lo, hi]");
  if (limited)
    r.require(range[0] < range[1], at(path, range_key),
              std::string("expected [lo, hi] with lo < hi (") + unit + "), got [" + fmt(range[0]) +
                  ", " + fmt(range[1]) + "]");
  return limited;
}

// 1 to kNumActPrm numbers overwriting the first entries of `prm` (the rest keep their defaults,
// as MJCF's dynprm/gainprm/biasprm).
void prm_array(const Reader& r, const json& v, const std::string& path, const char* key,
               double* prm) {
  const json* a = Reader::find(v, key);
  if (!a) return;
  const std::string p = at(path, key);
  if (!a->is_array() || a->empty() || a->size() > static_cast<size_t>(kNumActPrm))
    r.fail(p, "expected an array of 1 to " + std::to_string(kNumActPrm) + " numbers, got " +
                  describe(*a));
  for (size_t i = 0; i < a->size(); ++i) prm[i] = r.number((*a)[i], at(p, i));
}

// MuJoCo's muscle parameter checks (mjCActuator::Compile) on a gainprm / biasprm layout
// [range0, range1, force, scale, lmin, lmax, vmax, fpmax, fvmax]; `form`: the "muscle" object
// (messages name its keys) rather than an array.
void check_muscle_prm(const Reader& r, const double* prm, const std::string& path, bool form) {
  r.require(prm[0] < prm[1], form ? at(path, "range") : at(path, 0),
            "muscle operating range: expected range[0] < range[1], got [" + fmt(prm[0]) + ", " +
                fmt(prm[1]) + "]");
  r.require(prm[4] < 1 && prm[5] > 1,
            form ? at(path, prm[4] >= 1 ? "lmin" : "lmax") : at(path, prm[4] >= 1 ? 4 : 5),
            "muscle lengths: expected lmin < 1 < lmax, got lmin " + fmt(prm[4]) + ", lmax " +
                fmt(prm[5]));
  r.require(prm[3] > 0 && prm[6] > 0 && prm[7] > 0 && prm[8] > 0, path,
            form ? "muscle scale, vmax, fpmax and fvmax must be > 0"
                 : "muscle scale, vmax, fpmax and fvmax (entries 3, 6, 7, 8) must be > 0");
}

std::string registered_muscle_models() {
  std::vector<std::string> v;
  for (int i = 0; i < muscle_model_count(); ++i) v.push_back(in_quotes(muscle_model_info(i)->name));
  return join(v);
}

}  // namespace

void PhysicsSections::name(const Reader& r, const json& obj, const std::string& path,
                           const char* kind, std::string& out) {
  const json* v = Reader::find(obj, "name");
  if (!v) return;
  out = r.string(*v, at(path, "name"));
  if (out.empty()) return;
  auto& seen = names_[kind];
  auto it = seen.find(out);
  if (it != seen.end())
    r.fail(at(path, "name"), std::string("duplicate ") + kind + " name " + in_quotes(out) +
                                 " (first used at " + it->second + ")");
  seen[out] = at(path, "name");
}

void PhysicsSections::tendon(const Reader& r, const json& v, const std::string& path,
                             const TreeNames& tree) {
  r.object(v, path,
           {"name", "type", "path", "limited", "range", "stiffness", "damping", "springlength",
            "solref", "solimp"});
  Tendon t;
  name(r, v, path, "tendon", t.name);
  const json* ty = Reader::find(v, "type");
  r.require(ty != nullptr, at(path, "type"), "missing; expected \"spatial\" or \"fixed\"");
  const bool spatial = r.choice(*ty, at(path, "type"), {"spatial", "fixed"}) == 0;
  const json* pv = Reader::find(v, "path");
  const std::string pp = at(path, "path");
  r.require(pv != nullptr, pp,
            spatial ? "missing; expected the tendon's path: sites, wrapping geoms and pulleys"
                    : "missing; expected the tendon's joints: [{\"joint\": name, \"coef\": c}]");
  r.array(*pv, pp);
  r.require(!pv->empty(), pp, "expected a non-empty path");
  static const char* kForms =
      "{\"site\": name}, {\"geom\": name, \"sidesite\": name}, {\"pulley\": divisor} or "
      "{\"joint\": name, \"coef\": c}";
  for (size_t i = 0; i < pv->size(); ++i) {
    const json& e = (*pv)[i];
    const std::string ep = at(pp, i);
    if (!e.is_object()) r.fail(ep, std::string("expected ") + kForms + ", got " + describe(e));
    const char* kinds[] = {"site", "geom", "pulley", "joint"};
    int kind = -1, count = 0;
    for (int k = 0; k < 4; ++k)
      if (Reader::find(e, kinds[k])) kind = k, ++count;
    r.require(count == 1, ep, std::string("expected exactly one of ") + kForms);
    Wrap w;
    if (kind == 0) {
      r.object(e, ep, {"site"});
      w.type = kWrapSite;
      w.objid = lookup(r, tree.site, e["site"], at(ep, "site"), "site");
    } else if (kind == 1) {
      r.object(e, ep, {"geom", "sidesite"});
      w.objid = lookup(r, tree.geom, e["geom"], at(ep, "geom"), "geom");
      const int gt = tree.geom_type[w.objid];
      r.require(gt == kGeomSphere || gt == kGeomCylinder, at(ep, "geom"),
                "a wrapping geom must be a sphere or a cylinder");
      w.type = gt == kGeomSphere ? kWrapSphere : kWrapCylinder;
      w.prm = -1;
      if (const json* ss = Reader::find(e, "sidesite"))
        w.prm = lookup(r, tree.site, *ss, at(ep, "sidesite"), "site");
    } else if (kind == 2) {
      r.object(e, ep, {"pulley"});
      w.type = kWrapPulley;
      w.prm = r.number(e["pulley"], at(ep, "pulley"));
      r.require(w.prm > 0, at(ep, "pulley"),
                "expected a pulley divisor > 0 (the following branch's length is divided by "
                "it), got " +
                    fmt(w.prm));
    } else {
      r.object(e, ep, {"joint", "coef"});
      w.type = kWrapJoint;
      w.objid = lookup(r, tree.joint, e["joint"], at(ep, "joint"), "joint");
      const int jt = tree.joint_type[w.objid];
      r.require(jt == kJointHinge || jt == kJointSlide, at(ep, "joint"),
                "a fixed tendon's joint must be a hinge or a slide");
      const json* c = Reader::find(e, "coef");
      r.require(c != nullptr, at(ep, "coef"), "missing; expected the joint's coefficient");
      w.prm = r.number(*c, at(ep, "coef"));
    }
    if (spatial)
      r.require(kind != 3, ep,
                "a spatial tendon's path holds sites, wrapping geoms and pulleys; joints belong "
                "to a \"fixed\" tendon");
    else
      r.require(kind == 3, ep,
                "a fixed tendon's path holds only {\"joint\": name, \"coef\": c} entries");
    t.path.push_back(w);
  }
  // path rules (MuJoCo's mjCTendon::Compile)
  const int n = static_cast<int>(t.path.size());
  auto type_at = [&](int k) { return k < 0 || k >= n ? -1 : t.path[k].type; };
  for (int i = 0; spatial && i < n; ++i) {
    const int ty_i = t.path[i].type;
    const std::string ep = at(pp, i);
    if (ty_i == kWrapPulley)
      r.require(type_at(i - 1) != kWrapPulley && i != n - 1, ep,
                "a pulley may not follow a pulley or end the path");
    if (ty_i == kWrapSite)
      r.require(!((i == 0 || type_at(i - 1) == kWrapPulley) &&
                  (i == n - 1 || type_at(i + 1) == kWrapPulley)),
                ep, "a site needs a neighbouring site or geom (a branch has at least two sites)");
    if (ty_i == kWrapSphere || ty_i == kWrapCylinder)
      r.require(type_at(i - 1) == kWrapSite && type_at(i + 1) == kWrapSite, ep,
                "a wrapping geom must be between two sites");
  }
  if (spatial)
    r.require(t.path[0].type == kWrapSite, at(pp, 0), "a spatial tendon starts at a site");
  t.limited = limited_range(r, v, path, "limited", "range", t.range, "metres");
  t.stiffness = r.nonneg_or(v, path, "stiffness", 0);
  t.damping = r.nonneg_or(v, path, "damping", 0);
  t.springlength = r.number_or(v, path, "springlength", -1);
  r.require(t.springlength == -1 || t.springlength >= 0, at(path, "springlength"),
            "expected a rest length >= 0 (metres) or -1 (the length at qpos0), got " +
                fmt(t.springlength));
  r.solver_params(v, path, t.solref, t.solimp);
  tendons_.push_back(t);
}

void PhysicsSections::actuator(const Reader& r, const json& v, const std::string& path,
                               const TreeNames& tree) {
  r.object(v, path,
           {"name", "joint", "tendon", "gear", "dyntype", "gaintype", "biastype", "dynprm",
            "gainprm", "biasprm", "muscle", "ctrlrange", "ctrllimited", "forcerange",
            "forcelimited", "lengthrange", "muscle_model"});
  Actuator a;
  name(r, v, path, "actuator", a.name);
  const json* jv = Reader::find(v, "joint");
  const json* tv = Reader::find(v, "tendon");
  r.require(jv || tv, path, "an actuator needs a transmission: \"joint\" or \"tendon\" (a name)");
  r.require(!(jv && tv), path, "give either \"joint\" or \"tendon\", not both");
  if (jv) {
    a.trntype = kTrnJoint;
    a.trnid = lookup(r, tree.joint, *jv, at(path, "joint"), "joint");
    const int jt = tree.joint_type[a.trnid];
    r.require(jt == kJointHinge || jt == kJointSlide, at(path, "joint"),
              "a joint transmission needs a hinge or a slide joint");
  } else {
    a.trntype = kTrnTendon;
    std::vector<std::string> names;
    for (const Tendon& t : tendons_) names.push_back(t.name);
    a.trnid = lookup(r, names, *tv, at(path, "tendon"), "tendon");
  }
  a.gear = r.number_or(v, path, "gear", 1);
  bool muscle_form = false;
  if (const json* mv = Reader::find(v, "muscle")) {
    muscle_form = true;
    const std::string mp = at(path, "muscle");
    for (const char* k : {"dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm"})
      if (Reader::find(v, k))
        r.fail(at(path, k),
               "not allowed together with \"muscle\" (which sets the dynamics, gain and bias)");
    r.object(*mv, mp,
             {"range", "force", "scale", "lmin", "lmax", "vmax", "fpmax", "fvmax", "timeconst",
              "tausmooth"});
    // MuJoCo's <muscle> defaults (XMLreference.rst)
    double range[2] = {0.75, 1.05}, timeconst[2] = {0.01, 0.04};
    r.numbers_or(*mv, mp, "range", 2, range);
    r.numbers_or(*mv, mp, "timeconst", 2, timeconst);
    const double prm[kNumActPrm] = {range[0],
                                    range[1],
                                    r.number_or(*mv, mp, "force", -1),
                                    r.number_or(*mv, mp, "scale", 200),
                                    r.number_or(*mv, mp, "lmin", 0.5),
                                    r.number_or(*mv, mp, "lmax", 1.6),
                                    r.number_or(*mv, mp, "vmax", 1.5),
                                    r.number_or(*mv, mp, "fpmax", 1.3),
                                    r.number_or(*mv, mp, "fvmax", 1.2),
                                    0};
    std::copy(prm, prm + kNumActPrm, a.gainprm);
    std::copy(prm, prm + kNumActPrm, a.biasprm);
    std::fill(a.dynprm, a.dynprm + kNumActPrm, 0.0);
    a.dynprm[0] = timeconst[0];
    a.dynprm[1] = timeconst[1];
    a.dynprm[2] = r.nonneg_or(*mv, mp, "tausmooth", 0);
    a.dyntype = kDynMuscle, a.gaintype = kGainMuscle, a.biastype = kBiasMuscle;
    check_muscle_prm(r, a.gainprm, mp, true);
  } else {
    if (const json* x = Reader::find(v, "dyntype"))
      a.dyntype = r.choice(*x, at(path, "dyntype"), {"none", "muscle"}) ? kDynMuscle : kDynNone;
    if (const json* x = Reader::find(v, "gaintype"))
      a.gaintype =
          r.choice(*x, at(path, "gaintype"), {"fixed", "muscle"}) ? kGainMuscle : kGainFixed;
    if (const json* x = Reader::find(v, "biastype")) {
      const int bt[] = {kBiasNone, kBiasAffine, kBiasMuscle};
      a.biastype = bt[r.choice(*x, at(path, "biastype"), {"none", "affine", "muscle"})];
    }
    prm_array(r, v, path, "dynprm", a.dynprm);
    prm_array(r, v, path, "gainprm", a.gainprm);
    prm_array(r, v, path, "biasprm", a.biasprm);
    if (a.dyntype == kDynMuscle)
      r.require(a.gaintype == kGainMuscle && a.biastype == kBiasMuscle, at(path, "dyntype"),
                "muscle dynamics need \"gaintype\": \"muscle\" and \"biastype\": \"muscle\"");
    if (a.gaintype == kGainMuscle) check_muscle_prm(r, a.gainprm, at(path, "gainprm"), false);
    if (a.biastype == kBiasMuscle) check_muscle_prm(r, a.biasprm, at(path, "biasprm"), false);
  }
  if (a.dyntype == kDynMuscle)
    r.require(a.dynprm[0] > 0 && a.dynprm[1] > 0,
              muscle_form ? at(at(path, "muscle"), "timeconst") : at(path, "dynprm"),
              "expected activation and deactivation time constants > 0 (seconds), got " +
                  fmt(a.dynprm[0]) + ", " + fmt(a.dynprm[1]));
  if (muscle_form && !Reader::find(v, "ctrlrange")) {
    // MuJoCo's <muscle>: ctrllimited, ctrlrange [0, 1]
    a.ctrlrange[0] = 0, a.ctrlrange[1] = 1;
    a.ctrllimited = true;
    if (const json* l = Reader::find(v, "ctrllimited"))
      a.ctrllimited = r.boolean(*l, at(path, "ctrllimited"));
  } else {
    a.ctrllimited = limited_range(r, v, path, "ctrllimited", "ctrlrange", a.ctrlrange, "control");
  }
  a.forcelimited =
      limited_range(r, v, path, "forcelimited", "forcerange", a.forcerange, "newtons or N m");
  if (r.numbers_or(v, path, "lengthrange", 2, a.lengthrange))
    r.require(a.lengthrange[0] <= a.lengthrange[1], at(path, "lengthrange"),
              "expected [lo, hi] with lo <= hi (actuator length), got [" + fmt(a.lengthrange[0]) +
                  ", " + fmt(a.lengthrange[1]) + "]");
  if (const json* mm = Reader::find(v, "muscle_model")) {
    const std::string mp = at(path, "muscle_model");
    r.require(a.dyntype == kDynMuscle || a.gaintype == kGainMuscle, mp,
              "applies to muscle actuators only (muscle dynamics or gain)");
    const std::string n = r.string(*mm, mp);
    a.model = muscle_model_id(n.c_str());
    r.require(a.model >= 0, mp,
              "unknown muscle model " + in_quotes(n) +
                  " (registered: " + registered_muscle_models() + ")");
  }
  actuators_.push_back(a);
}

void PhysicsSections::equality(const Reader& r, const json& v, const std::string& path,
                               const TreeNames& tree) {
  r.object(v, path, {"name", "type", "joint1", "joint2", "polycoef", "solref", "solimp", "active"});
  Equality e;
  name(r, v, path, "equality", e.name);
  const json* ty = Reader::find(v, "type");
  r.require(ty != nullptr, at(path, "type"), "missing; expected \"joint\"");
  r.choice(*ty, at(path, "type"), {"joint"});
  const json* j1 = Reader::find(v, "joint1");
  r.require(j1 != nullptr, at(path, "joint1"), "missing; expected a joint name");
  e.obj1 = lookup(r, tree.joint, *j1, at(path, "joint1"), "joint");
  if (const json* j2 = Reader::find(v, "joint2"))
    e.obj2 = lookup(r, tree.joint, *j2, at(path, "joint2"), "joint");
  for (const char* k : {"joint1", "joint2"}) {
    const int j = k[5] == '1' ? e.obj1 : e.obj2;
    if (j >= 0)
      r.require(tree.joint_type[j] == kJointHinge || tree.joint_type[j] == kJointSlide, at(path, k),
                "a joint equality couples hinge or slide joints");
  }
  if (const json* pc = Reader::find(v, "polycoef")) {
    const std::string p = at(path, "polycoef");
    if (!pc->is_array() || pc->empty() || pc->size() > static_cast<size_t>(kNumEqData))
      r.fail(p, "expected an array of 1 to 5 polynomial coefficients, got " + describe(*pc));
    for (size_t i = 0; i < pc->size(); ++i) e.data[i] = r.number((*pc)[i], at(p, i));
  }
  r.solver_params(v, path, e.solref, e.solimp);
  if (const json* act = Reader::find(v, "active")) e.active = r.boolean(*act, at(path, "active"));
  equalities_.push_back(e);
}

void PhysicsSections::read(const Reader& r, const json& doc, const TreeNames& tree) {
  if (const json* ts = Reader::find(doc, "tendons")) {
    r.array(*ts, "/tendons");
    for (size_t i = 0; i < ts->size(); ++i) tendon(r, (*ts)[i], at("/tendons", i), tree);
  }
  if (const json* as = Reader::find(doc, "actuators")) {
    r.array(*as, "/actuators");
    for (size_t i = 0; i < as->size(); ++i) actuator(r, (*as)[i], at("/actuators", i), tree);
  }
  if (const json* es = Reader::find(doc, "equalities")) {
    r.array(*es, "/equalities");
    for (size_t i = 0; i < es->size(); ++i) equality(r, (*es)[i], at("/equalities", i), tree);
  }
  if (const json* xs = Reader::find(doc, "contact_excludes")) {
    r.array(*xs, "/contact_excludes");
    for (size_t i = 0; i < xs->size(); ++i) {
      const std::string p = at("/contact_excludes", i);
      r.object((*xs)[i], p, {"body1", "body2"});
      int b[2];
      for (int k = 0; k < 2; ++k) {
        const char* key = k ? "body2" : "body1";
        const json* bv = Reader::find((*xs)[i], key);
        r.require(bv != nullptr, at(p, key), "missing; expected a body name (\"world\" allowed)");
        b[k] = lookup(r, tree.body, *bv, at(p, key), "body");
      }
      excludes_.emplace_back(b[0], b[1]);
    }
  }
}

void PhysicsSections::sizes(Sizes& s) const {
  s.ntendon = static_cast<int>(tendons_.size());
  s.nwrap = 0;
  for (const Tendon& t : tendons_) s.nwrap += static_cast<int>(t.path.size());
  s.nu = static_cast<int>(actuators_.size());
  s.na = 0;
  for (const Actuator& a : actuators_) s.na += a.dyntype != kDynNone ? 1 : 0;
  s.neq = static_cast<int>(equalities_.size());
  s.nexclude = static_cast<int>(excludes_.size());
}

void PhysicsSections::fill(Model& m) const {
  const Sizes& s = m.size;
  m.tendon_name.clear();
  m.actuator_name.clear();
  m.eq_name.clear();
  int w = 0;
  for (int t = 0; t < s.ntendon; ++t) {
    const Tendon& r = tendons_[t];
    m.tendon_name.push_back(r.name);
    m.tendon_adr[t] = w;
    m.tendon_num[t] = static_cast<int>(r.path.size());
    m.tendon_limited[t] = r.limited ? 1 : 0;
    std::copy(r.range, r.range + 2, &m.tendon_range[2 * t]);
    std::copy(r.solref, r.solref + 2, &m.tendon_solref[2 * t]);
    std::copy(r.solimp, r.solimp + 5, &m.tendon_solimp[5 * t]);
    m.tendon_stiffness[t] = r.stiffness;
    m.tendon_damping[t] = r.damping;
    m.tendon_lengthspring[t] = r.springlength;  // -1: the length at qpos0 (MuJoCo)
    for (const Wrap& p : r.path) {
      m.wrap_type[w] = p.type;
      m.wrap_objid[w] = p.objid;
      m.wrap_prm[w] = p.prm;
      ++w;
    }
  }
  int act = 0;
  for (int u = 0; u < s.nu; ++u) {
    const Actuator& a = actuators_[u];
    m.actuator_name.push_back(a.name);
    m.actuator_trntype[u] = a.trntype;
    m.actuator_trnid[u] = a.trnid;
    m.actuator_dyntype[u] = a.dyntype;
    m.actuator_gaintype[u] = a.gaintype;
    m.actuator_biastype[u] = a.biastype;
    m.actuator_actadr[u] = a.dyntype != kDynNone ? act++ : -1;  // activations in actuator order
    m.actuator_ctrllimited[u] = a.ctrllimited ? 1 : 0;
    m.actuator_forcelimited[u] = a.forcelimited ? 1 : 0;
    m.actuator_model[u] = a.model;
    m.actuator_gear[u] = a.gear;
    std::copy(a.dynprm, a.dynprm + kNumActPrm, &m.actuator_dynprm[kNumActPrm * u]);
    std::copy(a.gainprm, a.gainprm + kNumActPrm, &m.actuator_gainprm[kNumActPrm * u]);
    std::copy(a.biasprm, a.biasprm + kNumActPrm, &m.actuator_biasprm[kNumActPrm * u]);
    std::copy(a.ctrlrange, a.ctrlrange + 2, &m.actuator_ctrlrange[2 * u]);
    std::copy(a.forcerange, a.forcerange + 2, &m.actuator_forcerange[2 * u]);
    std::copy(a.lengthrange, a.lengthrange + 2, &m.actuator_lengthrange[2 * u]);
  }
  for (int e = 0; e < s.neq; ++e) {
    const Equality& r = equalities_[e];
    m.eq_name.push_back(r.name);
    m.eq_type[e] = kEqJoint;
    m.eq_obj1id[e] = r.obj1;
    m.eq_obj2id[e] = r.obj2;
    m.eq_active[e] = r.active ? 1 : 0;
    std::copy(r.data, r.data + kNumEqData, &m.eq_data[kNumEqData * e]);
    std::copy(r.solref, r.solref + 2, &m.eq_solref[2 * e]);
    std::copy(r.solimp, r.solimp + 5, &m.eq_solimp[5 * e]);
  }
  for (int e = 0; e < s.nexclude; ++e) {
    m.exclude_body1[e] = excludes_[e].first;
    m.exclude_body2[e] = excludes_[e].second;
  }
}

}  // namespace sinew::model_io_detail
