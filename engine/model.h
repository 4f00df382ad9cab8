// SPDX-License-Identifier: Apache-2.0
// Model: everything constant after loading, as flat arrays with MuJoCo-style names. One X-macro
// field list defines the host storage, the float copy and the device/host views.
#pragma once

#include <string>
#include <vector>

#include "engine/core/hd.h"

namespace sinew {

enum JointType : int { kJointFree = 0, kJointBall = 1, kJointSlide = 2, kJointHinge = 3 };
enum GeomType : int {
  kGeomPlane = 0,
  kGeomSphere = 2,
  kGeomCapsule = 3,
  kGeomEllipsoid = 4,  // imported for mass and inertia; no collision pairs yet
  kGeomCylinder = 5,
  kGeomBox = 6,
  kGeomMesh = 7
};
enum Integrator : int { kIntegratorEuler = 0, kIntegratorRK4 = 1 };
enum Cone : int { kConePyramidal = 0 };

// Number of qpos / qvel entries of a joint type.
SINEW_HD inline int joint_nq(int type) {
  return type == kJointFree ? 7 : (type == kJointBall ? 4 : 1);
}
SINEW_HD inline int joint_nv(int type) {
  return type == kJointFree ? 6 : (type == kJointBall ? 3 : 1);
}

// Bits of Options::disableflags (MuJoCo's mjtDisableBit subset).
enum DisableBit : int {
  kDisableContact = 1 << 0,
  kDisableLimit = 1 << 1,
  kDisableGravity = 1 << 2,
  kDisableDamping = 1 << 3,    // joint damping and stiffness (passive forces)
  kDisableWarmstart = 1 << 4,  // constraint solve starts from qacc_smooth, not the last qacc
};

// Layout of the Newton Hessian (the values of MuJoCo's mjtJacobian): dense, tree-sparse, or auto.
// MuJoCo's auto is dense below 60 dofs; Sinew's auto is tree-sparse for every model (measurements
// in engine/solver.h). The choice changes the speed, not the solution (beyond round-off).
enum JacobianLayout : int { kJacobianDense = 0, kJacobianSparse = 1, kJacobianAuto = 2 };

// Simulation options (MuJoCo <option> semantics and defaults).
struct Options {
  double timestep = 0.002;            // s
  double gravity[3] = {0, 0, -9.81};  // m/s^2
  int integrator = kIntegratorEuler;  // semi-implicit Euler with implicit joint damping
  int cone = kConePyramidal;          // friction cone approximation
  int jacobian = kJacobianAuto;       // Newton Hessian layout (MuJoCo's <option jacobian>)
  int iterations = 100;               // constraint solver iterations (max)
  double tolerance = 1e-8;            // constraint solver relative tolerance
  double impratio = 1;                // frictional-to-normal impedance ratio
  int disableflags = 0;               // DisableBit mask
  int nconmax_pair = 4;               // contacts kept per geom pair (box/mesh vs plane)
  int nconmax = 64;    // contacts kept per world (caps the contact and constraint buffers)
  bool energy = true;  // compute potential and kinetic energy in forward
};

// Sizes of a model. The per-world constraint capacity is derived (see Model::finalize).
struct Sizes {
  int nbody = 0, njnt = 0, nq = 0, nv = 0, ngeom = 0, nsite = 0, nmesh = 0, nmeshvert = 0;
  int nkey = 0, npair = 0;
  int nconmax = 0;   // max contacts per world
  int nefcmax = 0;   // max constraint rows per world
  int nlimited = 0;  // limited joints (one row per side, both may be active)
  // tendons, actuators, equalities (issue 3; zero in models without them)
  int ntendon = 0, nwrap = 0, nu = 0, na = 0, neq = 0, nexclude = 0;
};

// Wrap-object types of a tendon path (MuJoCo's mjtWrap order).
enum WrapType : int {
  kWrapNone = 0,
  kWrapJoint = 1,   // fixed tendon term: coef * qpos[joint]
  kWrapPulley = 2,  // starts a new branch; following segments divided by prm (divisor)
  kWrapSite = 3,    // via point
  kWrapSphere = 4,  // wrap geom; prm = side site id or -1
  kWrapCylinder = 5
};
enum TrnType : int { kTrnJoint = 0, kTrnTendon = 3 };
enum DynType : int { kDynNone = 0, kDynMuscle = 5 };
enum GainType : int { kGainFixed = 0, kGainMuscle = 2 };
enum BiasType : int { kBiasNone = 0, kBiasAffine = 1, kBiasMuscle = 2 };
enum EqType : int { kEqJoint = 2 };
constexpr int kNumActPrm = 10;  // dynprm / gainprm / biasprm length (MuJoCo's mjNDYN etc.)
constexpr int kNumEqData = 5;   // polycoef

// Integer fields: X(name, count expression in terms of Sizes members).
#define SINEW_MODEL_INT_FIELDS(X) \
  X(body_parent, nbody)           \
  X(body_rootid, nbody)           \
  X(body_weldid, nbody)           \
  X(body_depth, nbody)            \
  X(body_jntnum, nbody)           \
  X(body_jntadr, nbody)           \
  X(body_dofnum, nbody)           \
  X(body_dofadr, nbody)           \
  X(body_geomnum, nbody)          \
  X(body_geomadr, nbody)          \
  X(body_inertial, nbody)         \
  X(jnt_type, njnt)               \
  X(jnt_bodyid, njnt)             \
  X(jnt_qposadr, njnt)            \
  X(jnt_dofadr, njnt)             \
  X(jnt_limited, njnt)            \
  X(dof_bodyid, nv)               \
  X(dof_jntid, nv)                \
  X(dof_parentid, nv)             \
  X(dof_Madr, nv)                 \
  X(dof_Mnum, nv)                 \
  X(dof_Mrun, nv)                 \
  X(dof_Hparent, nv)              \
  X(dof_Hadr, nv)                 \
  X(dof_Hnum, nv)                 \
  X(dof_Hrun, nv)                 \
  X(geom_type, ngeom)             \
  X(geom_bodyid, ngeom)           \
  X(geom_contype, ngeom)          \
  X(geom_conaffinity, ngeom)      \
  X(geom_condim, ngeom)           \
  X(geom_dataid, ngeom)           \
  X(geom_used, ngeom)             \
  X(geom_uselist, ngeom)          \
  X(site_bodyid, nsite)           \
  X(site_used, nsite)             \
  X(site_uselist, nsite)          \
  X(mesh_vertadr, nmesh)          \
  X(mesh_vertnum, nmesh)          \
  X(pair_geom1, npair)            \
  X(pair_geom2, npair)            \
  X(tendon_adr, ntendon)          \
  X(tendon_num, ntendon)          \
  X(tendon_limited, ntendon)      \
  X(wrap_type, nwrap)             \
  X(wrap_objid, nwrap)            \
  X(actuator_trntype, nu)         \
  X(actuator_trnid, nu)           \
  X(actuator_dyntype, nu)         \
  X(actuator_gaintype, nu)        \
  X(actuator_biastype, nu)        \
  X(actuator_actadr, nu)          \
  X(actuator_ctrllimited, nu)     \
  X(actuator_forcelimited, nu)    \
  X(actuator_model, nu)           \
  X(eq_type, neq)                 \
  X(eq_obj1id, neq)               \
  X(eq_obj2id, neq)               \
  X(eq_active, neq)               \
  X(exclude_body1, nexclude)      \
  X(exclude_body2, nexclude)

// Real fields (stored in double on the host, converted for float views).
#define SINEW_MODEL_REAL_FIELDS(X) \
  X(qpos0, nq)                     \
  X(qpos_spring, nq)               \
  X(body_pos, nbody * 3)           \
  X(body_quat, nbody * 4)          \
  X(body_mass, nbody)              \
  X(body_subtreemass, nbody)       \
  X(body_ipos, nbody * 3)          \
  X(body_iquat, nbody * 4)         \
  X(body_inertia, nbody * 3)       \
  X(body_invweight0, nbody * 2)    \
  X(body_wmass, nbody)             \
  X(body_wipos, nbody * 3)         \
  X(body_winertia, nbody * 6)      \
  X(jnt_pos, njnt * 3)             \
  X(jnt_axis, njnt * 3)            \
  X(jnt_range, njnt * 2)           \
  X(jnt_stiffness, njnt)           \
  X(jnt_solref, njnt * 2)          \
  X(jnt_solimp, njnt * 5)          \
  X(jnt_margin, njnt)              \
  X(dof_damping, nv)               \
  X(dof_armature, nv)              \
  X(dof_invweight0, nv)            \
  X(geom_size, ngeom * 3)          \
  X(geom_pos, ngeom * 3)           \
  X(geom_quat, ngeom * 4)          \
  X(geom_friction, ngeom * 3)      \
  X(geom_solref, ngeom * 2)        \
  X(geom_solimp, ngeom * 5)        \
  X(geom_margin, ngeom)            \
  X(geom_rbound, ngeom)            \
  X(site_pos, nsite * 3)           \
  X(site_quat, nsite * 4)          \
  X(mesh_vert, nmeshvert * 3)      \
  X(key_qpos, nkey* nq)            \
  X(key_qvel, nkey* nv)            \
  X(key_time, nkey)                \
  X(key_act, nkey* na)             \
  X(key_ctrl, nkey* nu)            \
  X(tendon_range, ntendon * 2)     \
  X(tendon_solref, ntendon * 2)    \
  X(tendon_solimp, ntendon * 5)    \
  X(tendon_stiffness, ntendon)     \
  X(tendon_damping, ntendon)       \
  X(tendon_lengthspring, ntendon)  \
  X(tendon_length0, ntendon)       \
  X(tendon_invweight0, ntendon)    \
  X(wrap_prm, nwrap)               \
  X(actuator_gear, nu)             \
  X(actuator_dynprm, nu * 10)      \
  X(actuator_gainprm, nu * 10)     \
  X(actuator_biasprm, nu * 10)     \
  X(actuator_ctrlrange, nu * 2)    \
  X(actuator_forcerange, nu * 2)   \
  X(actuator_lengthrange, nu * 2)  \
  X(actuator_acc0, nu)             \
  X(actuator_muscleprm, nu * 16)   \
  X(actuator_muscledynprm, nu * 4) \
  X(eq_data, neq * 5)              \
  X(eq_solref, neq * 2)            \
  X(eq_solimp, neq * 5)            \
  X(stat_meaninertia, 1)

// Trivially copyable view of a model in precision T (valid on host or device memory).
template <typename T>
struct ModelView {
  Sizes size;
  Options opt;
  T timestep;
  T gravity[3];
#define SINEW_X(name, count) const int* name;
  SINEW_MODEL_INT_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) const T* name;
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
};

// Host model. Arrays are sized by Model::resize() from `size`; names are host-only.
struct Model {
  Sizes size;
  Options opt;
  std::string source;  // file the model was loaded from (for messages)
  std::string name;
  std::vector<std::string> body_name, jnt_name, geom_name, site_name, mesh_name, key_name;
  std::vector<std::string> tendon_name, actuator_name, eq_name;
  // Visual-only mesh assets kept for the viewer (file path relative to the model), issue 3.
  std::vector<std::string> mesh_file;
#define SINEW_X(name, count) std::vector<int> name;
  SINEW_MODEL_INT_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) std::vector<double> name;
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X

  // Sizes every array from `size` (contents zeroed).
  void resize();
  // Derives topology (rootid, weldid, depth, dof_parentid, the packed-row layouts of tree-sparse
  // matrices, engine/crba.h: dof_Madr / dof_Mnum / dof_Mrun for M, dof_H* for the Newton
  // Hessian's elimination tree, engine/solver.h), subtree masses, geom bounding radii,
  // collision pairs and constraint capacities, then the qpos0 quantities body_invweight0 and
  // dof_invweight0 (MuJoCo's mj_setConst), and the actuator constants (set_actuator_const).
  // Call after filling the arrays.
  void finalize();
  // dof_Hparent and its packed layout (called by finalize; see engine/model.cpp).
  void hessian_elimination_tree();
  // View in double precision over this model's arrays.
  ModelView<double> view() const;
  // View in float over `storage` (filled from this model; keep `storage` alive).
  ModelView<float> view_float(std::vector<float>& storage) const;
  // view() when T is double, view_float(storage) when T is float.
  template <typename T>
  ModelView<T> view_as(std::vector<float>& storage) const {
    if constexpr (sizeof(T) == sizeof(double))
      return view();
    else
      return view_float(storage);
  }
  // Total mass of all bodies (kg).
  double total_mass() const;
};

// Tendon lengths at qpos0, tendon_invweight0, actuator_acc0 = |M^-1 moment| at qpos0 (MuJoCo's
// set0) and the per-actuator muscle-model parameters (actuator_muscleprm/dynprm) derived from
// the MuJoCo parameters and actuator_model. Called by Model::finalize (engine/setconst.cpp).
void set_actuator_const(Model& m);

}  // namespace sinew
