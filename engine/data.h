// SPDX-License-Identifier: Apache-2.0
// Data: the mutable state of a batch of worlds plus everything derived from it. One allocation,
// carved into fields by one X-macro field list, so allocation, reset, device copies and slicing a
// world cannot drift apart. Each field is stored world-major: field[w * count + i].
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/hd.h"
#include "engine/model.h"

namespace sinew {

// Per-world real fields: X(name, count). Matrix layouts: qM is dense (filled on request by
// dense_mass, not by the step); qM_tree, qLD and qH hold tree-sparse matrices packed by ancestor
// chains (engine/crba.h; qH holds the dense upper Cholesky factor when the solver's Hessian is
// dense, engine/dense_chol.h); constraint row i keeps its efc_nnz[i] nonzeros in efc_J[i * nv + s]
// at dofs efc_colind[i * nv + s], s < efc_nnz[i], in decreasing dof order (engine/constraint.h).
#define SINEW_DATA_REAL_FIELDS(X) \
  X(time, 1)                      \
  X(energy, 2)                    \
  X(qpos, nq)                     \
  X(qvel, nv)                     \
  X(qacc, nv)                     \
  X(qacc_smooth, nv)              \
  X(qacc_warmstart, nv)           \
  X(qfrc_applied, nv)             \
  X(qfrc_bias, nv)                \
  X(qfrc_passive, nv)             \
  X(qfrc_constraint, nv)          \
  X(qfrc_smooth, nv)              \
  X(qfrc_actuator, nv)            \
  X(ctrl, nu)                     \
  X(act, na)                      \
  X(act_dot, na)                  \
  X(ten_length, ntendon)          \
  X(ten_velocity, ntendon)        \
  X(actuator_length, nu)          \
  X(actuator_velocity, nu)        \
  X(actuator_force, nu)           \
  X(wrap_xpos, nwrap * 6)         \
  X(ten_wrench, nwrap * 12)       \
  X(cfrc_ext, nbody * 6)          \
  X(xpos, nbody * 3)              \
  X(xquat, nbody * 4)             \
  X(xmat, nbody * 9)              \
  X(xipos, nbody * 3)             \
  X(ximat, nbody * 9)             \
  X(xanchor, njnt * 3)            \
  X(xaxis, njnt * 3)              \
  X(subtree_com, nbody * 3)       \
  X(cinert, nbody * 10)           \
  X(crb, nbody * 10)              \
  X(cvel, nbody * 6)              \
  X(cacc, nbody * 6)              \
  X(cfrc, nbody * 6)              \
  X(cdof, nv * 6)                 \
  X(cdof_dot, nv * 6)             \
  X(geom_xpos, ngeom * 3)         \
  X(geom_xmat, ngeom * 9)         \
  X(site_xpos, nsite * 3)         \
  X(site_xmat, nsite * 9)         \
  X(qM, nv* nv)                   \
  X(qM_tree, nv* nv)              \
  X(qLD, nv* nv)                  \
  X(qLDiagInv, nv)                \
  X(qH, nv* nv)                   \
  X(qHDiagInv, nv)                \
  X(solver_Z, 24 * nv)            \
  X(solver_S, 24 * 24)            \
  X(scratch_nv, nv * 4)           \
  X(scratch_nq, nq)               \
  X(scratch_na, na * 2)           \
  X(aba_IA, nbody * 36)           \
  X(aba_pA, nbody * 6)            \
  X(aba_U, nv * 6)                \
  X(aba_Dinv, nv)                 \
  X(aba_u, nv)                    \
  X(contact_pos, nconmax * 3)     \
  X(contact_frame, nconmax * 9)   \
  X(contact_dist, nconmax)        \
  X(contact_mu, nconmax)          \
  X(contact_margin, nconmax)      \
  X(contact_solref, nconmax * 2)  \
  X(contact_solimp, nconmax * 5)  \
  X(efc_J, nefcmax* nv)           \
  X(efc_pos, nefcmax)             \
  X(efc_margin, nefcmax)          \
  X(efc_vel, nefcmax)             \
  X(efc_aref, nefcmax)            \
  X(efc_R, nefcmax)               \
  X(efc_diagA, nefcmax)           \
  X(efc_jar, nefcmax)             \
  X(efc_Jp, nefcmax)              \
  X(efc_force, nefcmax)

// Per-world integer fields: X(name, count).
#define SINEW_DATA_INT_FIELDS(X) \
  X(flag, 1)                     \
  X(ncon, 1)                     \
  X(nefc, 1)                     \
  X(solver_iter, 1)              \
  X(contact_geom, nconmax * 2)   \
  X(contact_dim, nconmax)        \
  X(efc_type, nefcmax)           \
  X(efc_id, nefcmax)             \
  X(efc_chain, nefcmax)          \
  X(efc_nnz, nefcmax)            \
  X(efc_colind, nefcmax* nv)     \
  X(efc_active, nefcmax)         \
  X(ten_wrench_body, nwrap * 2)  \
  X(ten_wrench_num, ntendon)

// Reasons a world is flagged (Data::flag); RL treats a flagged world as terminated.
enum WorldFlag : int {
  kFlagNone = 0,
  kFlagBadQpos = 1,
  kFlagBadQvel = 2,
  kFlagBadQacc = 3,
  kFlagBadAct = 4
};
enum ConstraintType : int {
  kCnstrLimitJoint = 0,
  kCnstrContactPyramidal = 1,
  kCnstrContactFrictionless = 2,
  kCnstrEquality = 3,  // two-sided: active whatever the sign of the residual
  kCnstrLimitTendon = 4
};

// Pointers to one world's fields.
template <typename T>
struct WorldData {
#define SINEW_X(name, count) T* name;
  SINEW_DATA_REAL_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) int* name;
  SINEW_DATA_INT_FIELDS(SINEW_X)
#undef SINEW_X
};

// Trivially copyable view of the whole batch (host or device memory).
template <typename T>
struct DataView {
  int nworld = 0;
  Sizes size;
#define SINEW_X(name, count) T* name = nullptr;
  SINEW_DATA_REAL_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) int* name = nullptr;
  SINEW_DATA_INT_FIELDS(SINEW_X)
#undef SINEW_X

  SINEW_HD WorldData<T> world(int w) const {
    WorldData<T> d;
    const int nbody = size.nbody, njnt = size.njnt, nq = size.nq, nv = size.nv;
    const int ngeom = size.ngeom, nsite = size.nsite, nconmax = size.nconmax;
    const int nefcmax = size.nefcmax, ntendon = size.ntendon, nwrap = size.nwrap;
    const int nu = size.nu, na = size.na;
    (void)nbody, (void)njnt, (void)nq, (void)nv, (void)ngeom, (void)nsite, (void)nconmax;
    (void)nefcmax, (void)ntendon, (void)nwrap, (void)nu, (void)na;
#define SINEW_X(name, count) d.name = name + (std::ptrdiff_t)w * (count);
    SINEW_DATA_REAL_FIELDS(SINEW_X)
    SINEW_DATA_INT_FIELDS(SINEW_X)
#undef SINEW_X
    return d;
  }
};

// Bytes needed by `nworld` worlds of model sizes `s` in precision T (fields 64-byte aligned).
template <typename T>
std::size_t data_bytes(const Sizes& s, int nworld);
// Points `v`'s fields into `base` (at least data_bytes bytes, 64-byte aligned).
template <typename T>
void data_carve(const Sizes& s, int nworld, unsigned char* base, DataView<T>& v);

// Host-owned batch of worlds in precision T.
template <typename T>
class Data {
 public:
  Data(const Model& m, int nworld);
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  int nworld() const { return view_.nworld; }
  DataView<T>& view() { return view_; }
  const DataView<T>& view() const { return view_; }
  WorldData<T> world(int w) const { return view_.world(w); }
  // Resets world w (or all worlds when w < 0) to qpos0, zero velocity, time 0, no flag.
  void reset(const Model& m, int w = -1);
  // Resets world w to keyframe k.
  void reset_keyframe(const Model& m, int k, int w);
  std::size_t bytes() const { return buffer_.size(); }
  unsigned char* raw() { return aligned_; }

 private:
  std::vector<unsigned char> buffer_;
  unsigned char* aligned_ = nullptr;
  DataView<T> view_;
};

}  // namespace sinew
