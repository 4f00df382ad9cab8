// SPDX-License-Identifier: Apache-2.0
// MJCF importer: tendons (spatial and fixed), actuators (general, motor, position, muscle),
// joint equalities, contact excludes, keyframes, and the assembly of the Model arrays.
// MuJoCo semantics from doc/XMLreference.rst and src/user/user_objects.cc (mjCTendon::Compile,
// mjCActuator::Compile, mjCEquality::Compile).
#include <algorithm>
#include <cmath>

#include "engine/mjcf/mjcf_importer.h"
#include "engine/model_fill.h"
#include "engine/model_io.h"

namespace sinew::mjcf {

namespace {

// MuJoCo's islimited: true, or auto with a non-empty range.
bool is_limited(int limited, const double range[2]) {
  return limited == kLimTrue || (limited == kLimAuto && range[0] < range[1]);
}

// MuJoCo's checklimited: without autolimits, a range needs an explicit limited.
void check_limited(bool autolimits, int limited, const double range[2], const XmlNode& n,
                   const char* what) {
  if (!autolimits && limited == kLimAuto && !(range[0] == 0 && range[1] == 0))
    fail(n, std::string("has ") + what + "range but no " + what +
                "limited; set compiler autolimits=\"true\" or give " + what + "limited");
}

}  // namespace

void Importer::tendons(const XmlNode& n) {
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    const bool spatial = c.tag == "spatial";
    if (!spatial && c.tag != "fixed") fail(c, "unknown element in <tendon>");
    Attrs a(c, warn_);
    TendonRec t;
    t.node = &c;
    t.s = defaults_.get(a, nullptr).tendon;
    read_tendon(a, t.s, spatial);
    a.str("name", &t.name);
    a.finish();
    for (const auto& wp : c.children) {
      const XmlNode& w = *wp;
      Attrs wa(w, warn_);
      WrapRec r;
      std::string name;
      if (spatial && w.tag == "site") {
        if (!wa.str("site", &name)) fail(w, "missing attribute 'site'");
        r.type = kWrapSite;
        r.objid = find(site_ids_, name, "site", w);
      } else if (spatial && w.tag == "geom") {
        if (!wa.str("geom", &name)) fail(w, "missing attribute 'geom'");
        r.objid = find(geom_ids_, name, "geom", w);
        const int gt = geoms_[r.objid].s.type;
        if (gt != kGeomSphere && gt != kGeomCylinder)
          fail(w, "wrapping geom \"" + name + "\" must be a sphere or a cylinder");
        r.type = gt == kGeomSphere ? kWrapSphere : kWrapCylinder;
        r.prm = -1;
        std::string side;
        if (wa.str("sidesite", &side)) r.prm = find(site_ids_, side, "site", w);
      } else if (spatial && w.tag == "pulley") {
        r.type = kWrapPulley;
        if (!wa.num("divisor", &r.prm)) fail(w, "missing attribute 'divisor'");
        if (!(r.prm > 0)) fail(w, "pulley divisor must be positive");
      } else if (!spatial && w.tag == "joint") {
        if (!wa.str("joint", &name)) fail(w, "missing attribute 'joint'");
        r.type = kWrapJoint;
        r.objid = find(joint_ids_, name, "joint", w);
        const int jt = joints_[r.objid].s.type;
        if (jt != kJointHinge && jt != kJointSlide)
          fail(w, "a fixed tendon's joint must be a hinge or a slide");
        if (!wa.num("coef", &r.prm)) fail(w, "missing attribute 'coef'");
      } else {
        fail(w, std::string("unknown element in <") + c.tag + ">");
      }
      wa.finish();
      t.path.push_back(r);
    }
    // path checks (MuJoCo's mjCTendon::Compile)
    const int sz = static_cast<int>(t.path.size());
    if (sz == 0) fail(c, "a tendon needs a path");
    for (int i = 0; spatial && i < sz; ++i) {
      const int ty = t.path[i].type;
      const XmlNode& w = *c.children[i];
      auto type_at = [&](int k) { return k < 0 || k >= sz ? -1 : t.path[k].type; };
      if (ty == kWrapPulley && (type_at(i - 1) == kWrapPulley || i == sz - 1))
        fail(w, "a pulley may not follow a pulley or end the path");
      if (ty == kWrapSite && (i == 0 || type_at(i - 1) == kWrapPulley) &&
          (i == sz - 1 || type_at(i + 1) == kWrapPulley))
        fail(w, "a site needs a neighbour that is not a pulley");
      if ((ty == kWrapSphere || ty == kWrapCylinder) &&
          (type_at(i - 1) != kWrapSite || type_at(i + 1) != kWrapSite))
        fail(w, "a wrapping geom must be between two sites");
    }
    if (spatial && t.path[0].type != kWrapSite) fail(c, "a spatial tendon must start at a site");
    check_limited(comp_.autolimits, t.s.limited, t.s.range, c, "");
    if (is_limited(t.s.limited, t.s.range) && t.s.range[0] >= t.s.range[1])
      fail(c, "invalid tendon range");
    if (t.s.margin != 0) warn_.add(c, "tendon margin ignored (not supported by Sinew)");
    if (t.s.springlength[0] != t.s.springlength[1])
      fail(c, "a springlength dead band (two different values) is not supported by Sinew");
    add_name(tendon_ids_, t.name, static_cast<int>(tendons_.size()), "tendon", c);
    tendons_.push_back(t);
  }
}

void Importer::actuators(const XmlNode& n) {
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    const std::string& t = c.tag;
    if (t != "general" && t != "motor" && t != "position" && t != "muscle") {
      static const char* kOther[] = {"velocity", "intvelocity", "damper",  "cylinder",
                                     "adhesion", "plugin",      "dcmotor", "pid"};
      for (const char* o : kOther)
        if (t == o) fail(c, "actuator type <" + t + "> is not supported by Sinew");
      fail(c, "unknown element in <actuator>");
    }
    Attrs a(c, warn_);
    ActuatorRec r;
    r.node = &c;
    r.s = defaults_.get(a, nullptr).actuator;
    r.s.trntype = -1;
    r.s.target.clear();
    read_actuator(a, r.s, t);
    a.str("name", &r.name);
    a.finish();
    ActuatorSpec& s = r.s;
    if (s.trntype == kTrnJoint) {
      r.trnid = find(joint_ids_, s.target, "joint", c);
      const int jt = joints_[r.trnid].s.type;
      if (jt != kJointHinge && jt != kJointSlide)
        fail(c, "Sinew's joint transmission needs a hinge or slide joint");
    } else if (s.trntype == kTrnTendon) {
      r.trnid = find(tendon_ids_, s.target, "tendon", c);
    } else {
      fail(c, "an actuator needs a transmission (joint= or tendon=)");
    }
    for (int k = 1; k < 6; ++k)
      if (s.gear[k] != 0) fail(c, "gear beyond its first component is not supported by Sinew");
    check_limited(comp_.autolimits, s.ctrllimited, s.ctrlrange, c, "ctrl");
    check_limited(comp_.autolimits, s.forcelimited, s.forcerange, c, "force");
    check_limited(comp_.autolimits, s.actlimited, s.actrange, c, "act");
    if (is_limited(s.ctrllimited, s.ctrlrange) && s.ctrlrange[0] >= s.ctrlrange[1])
      fail(c, "invalid control range");
    if (is_limited(s.forcelimited, s.forcerange) && s.forcerange[0] >= s.forcerange[1])
      fail(c, "invalid force range");
    if (is_limited(s.actlimited, s.actrange)) fail(c, "actlimited is not supported by Sinew");
    if (s.actearly) fail(c, "actearly is not supported by Sinew");
    if (s.dyntype == kDynMuscle && (s.gaintype != kGainMuscle || s.biastype != kBiasMuscle))
      fail(c, "muscle dynamics need muscle gain and bias in Sinew");
    for (const double* prm : {s.gaintype == kGainMuscle ? s.gainprm : nullptr,
                              s.biastype == kBiasMuscle ? s.biasprm : nullptr}) {
      if (!prm) continue;
      if (prm[0] >= prm[1]) fail(c, "muscle range[0] < range[1] required");
      if (prm[4] >= 1 || prm[5] <= 1) fail(c, "muscle lmin < 1 < lmax required");
      if (prm[3] <= 0 || prm[6] <= 0 || prm[7] <= 0 || prm[8] <= 0)
        fail(c, "muscle scale, vmax, fpmax and fvmax must be positive");
    }
    if (s.lengthrange[0] > s.lengthrange[1]) fail(c, "invalid lengthrange");
    add_name(actuator_ids_, r.name, static_cast<int>(actuators_.size()), "actuator", c);
    actuators_.push_back(r);
  }
}

void Importer::equalities(const XmlNode& n) {
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    if (c.tag != "joint") {
      if (c.tag == "connect" || c.tag == "weld" || c.tag == "tendon" || c.tag == "distance" ||
          c.tag == "flex")
        fail(c, "equality <" + c.tag + "> is not supported by Sinew (joint only)");
      fail(c, "unknown element in <equality>");
    }
    Attrs a(c, warn_);
    EqualityRec e;
    e.s = defaults_.get(a, nullptr).equality;
    read_equality(a, e.s);
    a.str("name", &e.name);
    std::string j1, j2;
    if (!a.str("joint1", &j1)) fail(c, "missing attribute 'joint1'");
    e.obj1 = find(joint_ids_, j1, "joint", c);
    if (a.str("joint2", &j2)) e.obj2 = find(joint_ids_, j2, "joint", c);
    a.nums("polycoef", e.data, 5, false);
    a.finish();
    for (int j : {e.obj1, e.obj2})
      if (j >= 0 && joints_[j].s.type != kJointHinge && joints_[j].s.type != kJointSlide)
        fail(c, "joint equality needs hinge or slide joints");
    add_name(eq_ids_, e.name, static_cast<int>(equalities_.size()), "equality", c);
    equalities_.push_back(e);
  }
}

void Importer::contact(const XmlNode& n) {
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    if (c.tag == "pair") fail(c, "contact <pair> is not supported by Sinew");
    if (c.tag != "exclude") fail(c, "unknown element in <contact>");
    Attrs a(c, warn_);
    std::string b1, b2, name;
    if (!a.str("body1", &b1) || !a.str("body2", &b2)) fail(c, "needs body1 and body2");
    a.str("name", &name);
    a.finish();
    excludes_.emplace_back(find(body_ids_, b1, "body", c), find(body_ids_, b2, "body", c));
  }
}

void Importer::keyframes(const XmlNode& n) {
  for (const auto& cp : n.children) {
    const XmlNode& c = *cp;
    if (c.tag != "key") fail(c, "unknown element in <keyframe>");
    Attrs a(c, warn_);
    KeyRec k;
    k.node = &c;
    a.str("name", &k.name);
    a.num("time", &k.time);
    a.vector("qpos", &k.qpos);
    a.vector("qvel", &k.qvel);
    a.vector("act", &k.act);
    a.vector("ctrl", &k.ctrl);
    if (a.has("mpos") || a.has("mquat")) fail(c, "mocap keyframe data is not supported");
    a.finish();
    add_name(key_ids_, k.name, static_cast<int>(keys_.size()), "keyframe", c);
    keys_.push_back(k);
  }
}

void Importer::fill(Model& m) const {
  Sizes& z = m.size;
  z.nbody = static_cast<int>(bodies_.size());
  z.njnt = static_cast<int>(joints_.size());
  z.ngeom = static_cast<int>(geoms_.size());
  z.nsite = static_cast<int>(sites_.size());
  z.nmesh = static_cast<int>(meshes_.size());
  z.nmeshvert = 0;
  for (const MeshAsset& a : meshes_) z.nmeshvert += static_cast<int>(a.data.hull.size() / 3);
  z.nq = z.nv = 0;
  for (const JointRec& j : joints_) z.nq += joint_nq(j.s.type), z.nv += joint_nv(j.s.type);
  z.nkey = static_cast<int>(keys_.size());
  z.ntendon = static_cast<int>(tendons_.size());
  z.nwrap = 0;
  for (const TendonRec& t : tendons_) z.nwrap += static_cast<int>(t.path.size());
  z.nu = static_cast<int>(actuators_.size());
  z.na = 0;
  for (const ActuatorRec& a : actuators_) z.na += a.s.dyntype != kDynNone ? 1 : 0;
  z.neq = static_cast<int>(equalities_.size());
  z.nexclude = static_cast<int>(excludes_.size());
  m.resize();
  for (const MeshAsset& a : meshes_) m.mesh_name.push_back(a.name), m.mesh_file.push_back(a.file);
  // bodies in tree order; joints, geoms and sites were created body by body, so their ids are
  // already MuJoCo's (grouped by body, document order within a body)
  int qa = 0, da = 0, gadr = 0;
  for (int b = 0; b < z.nbody; ++b) {
    const BodyRec& r = bodies_[b];
    m.body_name.push_back(r.name);
    m.body_parent[b] = r.parent;
    std::copy(r.pos, r.pos + 3, &m.body_pos[3 * b]);
    std::copy(r.quat, r.quat + 4, &m.body_quat[4 * b]);
    m.body_mass[b] = r.mass;
    std::copy(r.ipos, r.ipos + 3, &m.body_ipos[3 * b]);
    std::copy(r.iquat, r.iquat + 4, &m.body_iquat[4 * b]);
    std::copy(r.inertia, r.inertia + 3, &m.body_inertia[3 * b]);
    m.body_jntadr[b] = r.joints.empty() ? static_cast<int>(m.jnt_name.size()) : r.joints[0];
    m.body_jntnum[b] = static_cast<int>(r.joints.size());
    m.body_dofadr[b] = da;
    m.body_geomadr[b] = gadr;  // running counter, also when the body has no geom
    gadr += static_cast<int>(r.geoms.size());
    if (!r.geoms.empty() && r.geoms[0] != m.body_geomadr[b])
      throw ModelError(path_ + ": internal error: geoms not grouped by body");
    m.body_geomnum[b] = static_cast<int>(r.geoms.size());
    for (int j : r.joints) {
      const JointRec& jr = joints_[j];
      const JointSpec& s = jr.s;
      if (j != static_cast<int>(m.jnt_name.size())) throw ModelError(path_ + ": joint order");
      m.jnt_name.push_back(jr.name);
      JointFill f;
      f.type = s.type;
      f.limited = jr.limited;
      std::copy(s.pos, s.pos + 3, f.pos);
      std::copy(s.axis, s.axis + 3, f.axis);
      std::copy(jr.range, jr.range + 2, f.range);
      std::copy(s.solref, s.solref + 2, f.solref);
      std::copy(s.solimp, s.solimp + 5, f.solimp);
      f.stiffness = s.stiffness;
      f.margin = s.margin;
      f.ref = jr.ref;
      f.springref = jr.springref;
      f.damping = s.damping;
      f.armature = s.armature;
      fill_joint(m, j, b, f, r.pos, r.quat, qa, da);
    }
    m.body_dofnum[b] = da - m.body_dofadr[b];
  }
  // geoms were numbered in creation order, which is body order only when bodies are created in
  // tree order (they are: depth-first pre-order)
  for (int g = 0; g < z.ngeom; ++g) {
    const GeomRec& r = geoms_[g];
    const GeomSpec& s = r.s;
    m.geom_name.push_back(r.name);
    m.geom_type[g] = s.type;
    m.geom_bodyid[g] = r.body;
    m.geom_contype[g] = s.contype;
    m.geom_conaffinity[g] = s.conaffinity;
    m.geom_condim[g] = s.condim == 1 ? 1 : 3;
    m.geom_dataid[g] = r.dataid;
    std::copy(s.size, s.size + 3, &m.geom_size[3 * g]);
    std::copy(s.pos, s.pos + 3, &m.geom_pos[3 * g]);
    std::copy(r.quat, r.quat + 4, &m.geom_quat[4 * g]);
    std::copy(s.friction, s.friction + 3, &m.geom_friction[3 * g]);
    std::copy(s.solref, s.solref + 2, &m.geom_solref[2 * g]);
    std::copy(s.solimp, s.solimp + 5, &m.geom_solimp[5 * g]);
    m.geom_margin[g] = s.margin;
  }
  for (int i = 0; i < z.nsite; ++i) {
    m.site_name.push_back(sites_[i].name);
    m.site_bodyid[i] = sites_[i].body;
    std::copy(sites_[i].pos, sites_[i].pos + 3, &m.site_pos[3 * i]);
    std::copy(sites_[i].quat, sites_[i].quat + 4, &m.site_quat[4 * i]);
  }
  int adr = 0;
  for (int i = 0; i < z.nmesh; ++i) {
    const std::vector<double>& h = meshes_[i].data.hull;
    m.mesh_vertadr[i] = adr;
    m.mesh_vertnum[i] = static_cast<int>(h.size() / 3);
    std::copy(h.begin(), h.end(), &m.mesh_vert[3 * static_cast<size_t>(adr)]);
    adr += m.mesh_vertnum[i];
  }
}

void Importer::fill_physics(Model& m) const {
  const Sizes& z = m.size;
  int w = 0;
  for (int t = 0; t < z.ntendon; ++t) {
    const TendonRec& r = tendons_[t];
    m.tendon_name.push_back(r.name);
    m.tendon_adr[t] = w;
    m.tendon_num[t] = static_cast<int>(r.path.size());
    m.tendon_limited[t] = is_limited(r.s.limited, r.s.range) ? 1 : 0;
    std::copy(r.s.range, r.s.range + 2, &m.tendon_range[2 * t]);
    std::copy(r.s.solref, r.s.solref + 2, &m.tendon_solref[2 * t]);
    std::copy(r.s.solimp, r.s.solimp + 5, &m.tendon_solimp[5 * t]);
    m.tendon_stiffness[t] = r.s.stiffness;
    m.tendon_damping[t] = r.s.damping;
    // -1: the length at qpos0 (MuJoCo's default springlength), filled by the tendon code
    m.tendon_lengthspring[t] = r.s.springlength[0];
    for (const WrapRec& p : r.path) {
      m.wrap_type[w] = p.type;
      m.wrap_objid[w] = p.objid;
      m.wrap_prm[w] = p.prm;
      ++w;
    }
  }
  int act = 0;
  for (int u = 0; u < z.nu; ++u) {
    const ActuatorRec& r = actuators_[u];
    const ActuatorSpec& s = r.s;
    m.actuator_name.push_back(r.name);
    m.actuator_trntype[u] = s.trntype;
    m.actuator_trnid[u] = r.trnid;
    m.actuator_dyntype[u] = s.dyntype;
    m.actuator_gaintype[u] = s.gaintype;
    m.actuator_biastype[u] = s.biastype;
    m.actuator_actadr[u] = s.dyntype != kDynNone ? act++ : -1;
    m.actuator_ctrllimited[u] = is_limited(s.ctrllimited, s.ctrlrange) ? 1 : 0;
    m.actuator_forcelimited[u] = is_limited(s.forcelimited, s.forcerange) ? 1 : 0;
    m.actuator_model[u] = 0;
    m.actuator_gear[u] = s.gear[0];
    std::copy(s.dynprm, s.dynprm + kNumActPrm, &m.actuator_dynprm[kNumActPrm * u]);
    std::copy(s.gainprm, s.gainprm + kNumActPrm, &m.actuator_gainprm[kNumActPrm * u]);
    std::copy(s.biasprm, s.biasprm + kNumActPrm, &m.actuator_biasprm[kNumActPrm * u]);
    std::copy(s.ctrlrange, s.ctrlrange + 2, &m.actuator_ctrlrange[2 * u]);
    std::copy(s.forcerange, s.forcerange + 2, &m.actuator_forcerange[2 * u]);
    std::copy(s.lengthrange, s.lengthrange + 2, &m.actuator_lengthrange[2 * u]);
  }
  for (int e = 0; e < z.neq; ++e) {
    const EqualityRec& r = equalities_[e];
    m.eq_name.push_back(r.name);
    m.eq_type[e] = kEqJoint;
    m.eq_obj1id[e] = r.obj1;
    m.eq_obj2id[e] = r.obj2;
    m.eq_active[e] = r.s.active ? 1 : 0;
    std::copy(r.data, r.data + kNumEqData, &m.eq_data[kNumEqData * e]);
    std::copy(r.s.solref, r.s.solref + 2, &m.eq_solref[2 * e]);
    std::copy(r.s.solimp, r.s.solimp + 5, &m.eq_solimp[5 * e]);
  }
  for (int e = 0; e < z.nexclude; ++e) {
    m.exclude_body1[e] = excludes_[e].first;
    m.exclude_body2[e] = excludes_[e].second;
  }
  for (int k = 0; k < z.nkey; ++k) {
    const KeyRec& r = keys_[k];
    m.key_name.push_back(r.name);
    m.key_time[k] = r.time;
    auto copy = [&](const std::vector<double>& src, int n, const double* dflt, double* dst,
                    const char* what) {
      if (!src.empty() && static_cast<int>(src.size()) != n)
        fail(*r.node, std::string("keyframe ") + what + " has " + std::to_string(src.size()) +
                          " numbers; the model needs " + std::to_string(n));
      for (int i = 0; i < n; ++i) dst[i] = src.empty() ? (dflt ? dflt[i] : 0.0) : src[i];
    };
    copy(r.qpos, z.nq, m.qpos0.data(), m.key_qpos.data() + static_cast<size_t>(k) * z.nq, "qpos");
    copy(r.qvel, z.nv, nullptr, m.key_qvel.data() + static_cast<size_t>(k) * z.nv, "qvel");
    copy(r.act, z.na, nullptr, m.key_act.data() + static_cast<size_t>(k) * z.na, "act");
    copy(r.ctrl, z.nu, nullptr, m.key_ctrl.data() + static_cast<size_t>(k) * z.nu, "ctrl");
  }
}

}  // namespace sinew::mjcf
