// SPDX-License-Identifier: Apache-2.0
// MJCF importer internals: the compiler state shared by mjcf_import.cpp (compiler, option,
// assets, body tree, inertia, model assembly) and mjcf_physics.cpp (tendons, actuators,
// equalities, contact excludes, keyframes).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/mjcf/mesh.h"
#include "engine/mjcf/mjcf_import.h"
#include "engine/mjcf/mjcf_specs.h"
#include "engine/mjcf/mjcf_xml.h"

namespace sinew::mjcf {

struct CompilerOptions {
  bool degree = true;            // compiler angle (MuJoCo's default: degree)
  std::string eulerseq = "xyz";  // lower case: rotating axes, upper case: fixed axes
  std::string meshdir;           // relative to the model file's directory
  bool autolimits = true;
  double boundmass = 0, boundinertia = 0;
  int inertiafromgeom = 2;  // 0 false, 1 true, 2 auto
  int inertiagrouprange[2] = {0, 5};
  bool balanceinertia = false;
};

struct MeshAsset {
  std::string name, file;
  ProcessedMesh data;
  int vertadr = 0;
};

struct BodyRec {
  std::string name;
  int parent = 0;
  double pos[3] = {0, 0, 0}, quat[4] = {1, 0, 0, 0};
  double mass = 0, ipos[3] = {0, 0, 0}, iquat[4] = {1, 0, 0, 0}, inertia[3] = {0, 0, 0};
  std::vector<int> joints, geoms, sites;
};

struct JointRec {
  std::string name;
  int body = 0;
  JointSpec s;
  bool limited = false;  // resolved (autolimits), range and reference angles in radians
  double range[2] = {0, 0}, ref = 0, springref = 0;
};

struct GeomRec {
  std::string name;
  int body = 0, dataid = -1;
  GeomSpec s;
  double quat[4] = {1, 0, 0, 0};  // resolved
  double mass = 0, inertia[3] = {0, 0, 0};
  const XmlNode* node = nullptr;
};

struct SiteRec {
  std::string name;
  int body = 0;
  double pos[3] = {0, 0, 0}, quat[4] = {1, 0, 0, 0};
};

struct WrapRec {
  int type = 0, objid = -1;
  double prm = 0;
};

struct TendonRec {
  std::string name;
  TendonSpec s;
  std::vector<WrapRec> path;
  const XmlNode* node = nullptr;
};

struct ActuatorRec {
  std::string name;
  ActuatorSpec s;
  int trnid = -1;
  const XmlNode* node = nullptr;
};

struct EqualityRec {
  std::string name;
  EqualitySpec s;
  int obj1 = -1, obj2 = -1;
  double data[5] = {0, 1, 0, 0, 0};
};

struct KeyRec {
  std::string name;
  double time = 0;
  std::vector<double> qpos, qvel, act, ctrl;
  const XmlNode* node = nullptr;
};

class Importer {
 public:
  explicit Importer(std::string path);
  MjcfImportResult run();

  // mjcf_import.cpp
  void compiler(const XmlNode& n);
  void option(const XmlNode& n, Options& opt);
  void assets(const XmlNode& n);
  void worldbody(const XmlNode& n);
  void body(const XmlNode& n, int parent, const DefaultClass* childclass);
  void body_elements(const XmlNode& n, int id, const DefaultClass* childclass);
  void geom(const XmlNode& n, int body, const DefaultClass* childclass);
  void inertial(const XmlNode& n, BodyRec& b);
  void compile_joint(JointRec& j, const XmlNode& n) const;
  void geom_mass(GeomRec& g, const XmlNode& n);
  void inertia_from_geoms(BodyRec& b);
  void resolve(const Orientation& o, const XmlNode& n, double quat[4]) const;
  void fill(Model& m) const;

  // mjcf_physics.cpp
  void tendons(const XmlNode& n);
  void actuators(const XmlNode& n);
  void equalities(const XmlNode& n);
  void contact(const XmlNode& n);
  void keyframes(const XmlNode& n);
  void fill_physics(Model& m) const;

  // name lookups ("joint", "tendon", ... for messages); fail naming `n` when absent
  int find(const std::map<std::string, int>& ids, const std::string& name, const char* kind,
           const XmlNode& n) const;
  void add_name(std::map<std::string, int>& ids, const std::string& name, int id, const char* kind,
                const XmlNode& n);

  std::string path_, dir_;
  Warnings warn_;
  Defaults defaults_;
  CompilerOptions comp_;
  std::string model_name_;

  std::vector<MeshAsset> meshes_;
  std::vector<BodyRec> bodies_;
  std::vector<JointRec> joints_;
  std::vector<GeomRec> geoms_;
  std::vector<SiteRec> sites_;
  std::vector<TendonRec> tendons_;
  std::vector<ActuatorRec> actuators_;
  std::vector<EqualityRec> equalities_;
  std::vector<std::pair<int, int>> excludes_;
  std::vector<KeyRec> keys_;
  std::vector<bool> explicit_inertial_;
  std::map<std::string, int> mesh_ids_, body_ids_, joint_ids_, geom_ids_, site_ids_, tendon_ids_;
  std::map<std::string, int> actuator_ids_, eq_ids_, key_ids_;
};

}  // namespace sinew::mjcf
