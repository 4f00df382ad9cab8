// SPDX-License-Identifier: Apache-2.0
// MJCF importer, element specifications: the attribute values of one joint/geom/site/tendon/
// actuator/mesh/equality as MuJoCo's default classes hold them (a class starts from a copy of its
// parent's specs; an element starts from a copy of its class's spec and overrides what it gives,
// arrays entry by entry), and the readers that apply an element's attributes to a spec.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "engine/mjcf/mjcf_xml.h"

namespace sinew::mjcf {

enum Limited : int { kLimFalse = 0, kLimTrue = 1, kLimAuto = 2 };

// MuJoCo's mjGEOM_ELLIPSOID. Sinew's GeomType has no ellipsoid yet: such geoms are imported with
// this type value (mass and inertia as MuJoCo's; the collision stage makes no contacts for them).
constexpr int kGeomEllipsoidMj = 4;

// Orientation as written (resolved with the compiler's angle unit and eulerseq).
struct Orientation {
  enum Kind { kNone, kQuat, kAxisAngle, kEuler, kXYAxes, kZAxis } kind = kNone;
  double v[6] = {1, 0, 0, 0, 0, 0};
};

struct JointSpec {
  int type = 3;  // JointType (hinge)
  double pos[3] = {0, 0, 0}, axis[3] = {0, 0, 1}, range[2] = {0, 0};
  int limited = kLimAuto;
  double damping = 0, stiffness = 0, armature = 0, ref = 0, springref = 0, margin = 0;
  double frictionloss = 0;
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  int group = 0;
};

struct GeomSpec {
  int type = 2;  // GeomType (sphere)
  double size[3] = {0, 0, 0};
  double pos[3] = {0, 0, 0};
  Orientation orient;
  double fromto[6] = {0, 0, 0, 0, 0, 0};
  bool has_fromto = false;
  double mass = 0;
  bool has_mass = false;
  double density = 1000;
  int contype = 1, conaffinity = 1, condim = 3, group = 0, priority = 0;
  double friction[3] = {1, 0.005, 0.0001};
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double margin = 0, gap = 0;
  int shellinertia = 0;
  std::string mesh;
};

struct SiteSpec {
  double pos[3] = {0, 0, 0};
  Orientation orient;
};

struct TendonSpec {
  int limited = kLimAuto;
  double range[2] = {0, 0};
  double stiffness = 0, damping = 0, frictionloss = 0, margin = 0, armature = 0;
  double springlength[2] = {-1, -1};
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
};

// mjtDyn / mjtGain / mjtBias names in MuJoCo's enum order.
struct ActuatorSpec {
  int trntype = -1;  // TrnType once a target is named
  std::string target;
  double gear[6] = {1, 0, 0, 0, 0, 0};
  int ctrllimited = kLimAuto, forcelimited = kLimAuto, actlimited = kLimAuto;
  double ctrlrange[2] = {0, 0}, forcerange[2] = {0, 0}, actrange[2] = {0, 0};
  double lengthrange[2] = {0, 0};
  int dyntype = 0, gaintype = 0, biastype = 0;
  double dynprm[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double gainprm[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double biasprm[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  bool actearly = false;
};

struct MeshSpec {
  double scale[3] = {1, 1, 1};
  int inertia = 0;  // 0 legacy, 1 exact (convex and shell are refused)
};

struct EqualitySpec {
  bool active = true;
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
};

struct DefaultClass {
  std::string name;
  const DefaultClass* parent = nullptr;
  JointSpec joint;
  GeomSpec geom;
  SiteSpec site;
  TendonSpec tendon;
  ActuatorSpec actuator;
  MeshSpec mesh;
  EqualitySpec equality;
};

// Default classes by name ("main" is the top level <default>).
struct Defaults {
  std::map<std::string, std::unique_ptr<DefaultClass>> classes;
  // Reads every top-level <default> element (nested classes inherit from their parent).
  void read(const XmlNode& node, Warnings& w);
  // The class an element uses: its own class= attribute, else `inherited` (childclass), else
  // main. Unknown names fail naming the element.
  const DefaultClass& get(Attrs& a, const DefaultClass* inherited) const;
  const DefaultClass& main() const { return *classes.at("main"); }

 private:
  void read_class(const XmlNode& node, const DefaultClass* parent, Warnings& w);
  void read_child(const XmlNode& c, DefaultClass* d, Warnings& w);
};

// Attribute readers (apply the element's attributes on top of the spec).
void read_orientation(Attrs& a, Orientation& o);
void read_joint(Attrs& a, JointSpec& s);
void read_geom(Attrs& a, GeomSpec& s);
void read_site(Attrs& a, SiteSpec& s);
void read_tendon(Attrs& a, TendonSpec& s, bool spatial);
// `tag` is the actuator element (general, motor, position, muscle).
void read_actuator(Attrs& a, ActuatorSpec& s, const std::string& tag);
void read_mesh(Attrs& a, MeshSpec& s);
void read_equality(Attrs& a, EqualitySpec& s);

}  // namespace sinew::mjcf
