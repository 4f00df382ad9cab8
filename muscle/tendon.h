// SPDX-License-Identifier: Apache-2.0
// Tendons: lengths, velocities, Jacobians and the projection of tendon tension onto the dofs,
// with MuJoCo's semantics (MuJoCo documentation, XML reference <tendon>/<spatial>/<fixed> and
// Modeling > "Tendon wrapping"; mj_tendon in src/engine/engine_core_smooth.c, summarized in
// ../shared/docs/MUJOCO_SEMANTICS.md §2). Written independently; no MuJoCo code is copied.
//
// Path grammar (model arrays tendon_adr/num, wrap_type/objid/prm):
//   fixed   : every entry is kWrapJoint with coefficient prm: L = sum prm * qpos[joint] (absolute
//             qpos, as MuJoCo), dL/dq = prm at the joint's dof.
//   spatial : sites, with optional wrap geoms (kWrapSphere/kWrapCylinder, prm = side site id or
//             -1) between two sites, and pulleys (kWrapPulley, prm = divisor D) that start a new
//             branch: every following piece counts 1/D, and nothing spans the pulley.
//             site-site      : L += |p1 - p0| / D
//             site-geom-site : L += (|t0 - p0| + arc + |p1 - t1|) / D when the geom wraps
//                              (muscle/wrap.h), else |p1 - p0| / D.
//
// Stages (one world; kinematics first, and com_pos / com_vel for velocities and forces):
//   tendon()            lengths, the path points in d.wrap_xpos (layout below), which the
//                       other stages reuse (wraps are computed once per step), and the unit
//                       body wrenches of every spatial tendon (tendon_length_wrenches).
//   tendon_velocity()   dL/dt without a Jacobian: the unit wrenches dotted with the body
//                       velocities d.cvel, i.e. the sum over straight pieces of
//                       dir . (v_end - v_start) / D (tendon_velocity_one computes it that way).
//   tendon_jacobian()   one row dL/dq (length nv) for analysis and tests.
//   tendon_apply_force() + project_external_wrenches()
//                       the generalized force J^T tension without forming J: each piece applies
//                       point forces -/+ tension dir / D at its start/end point as wrenches in
//                       d.cfrc_ext, and one backward pass over the tree projects them on the dofs.
// The straight pieces are exact for the Jacobian because the tangent points are stationary
// points of the path length (envelope theorem): the curved piece t0 -> t1 is rigid with the wrap
// geom and contributes nothing; the tangent points move with the wrap geom's body.
//
// Sign conventions (MuJoCo's): ten_J = dL/dq, so the moment arm of a tendon about a dof, in the
// usual biomechanics sense (torque per unit of pulling tension), is -dL/dq. Actuator forces
// on tendons are negative when pulling (MuJoCo muscles: force = gain * act + bias <= 0), and the
// generalized force is qfrc_actuator = J^T * force = dL/dq * force, i.e. a pulling (negative)
// force produces a torque that shortens the tendon. Sinew reports ten_J (dL/dq) and, where it
// speaks of "moment arms", means -dL/dq.
//
// d.wrap_xpos layout (6 numbers per wrap entry w = tendon_adr + j; differs from MuJoCo's
// compacted ten_wrapadr/wrap_obj layout so that no per-step counts are needed):
//   site    : [0..2] world position; [3] = the arc length of the wrap geom that follows when it
//             wraps, -1 otherwise (also -1 when no geom follows); [4..5] = 0.
//   geom    : [0..2] tangent point t0, [3..5] tangent point t1 when it wraps; otherwise both are
//             the preceding site's position, so the polyline through all site/geom points of a
//             branch is the tendon path (curved pieces drawn straight, as MuJoCo's viewer does).
//   pulley, joint : zeros. A pulley ends the polyline of a branch.
#pragma once

#include "engine/core/spatial.h"
#include "engine/core/vec.h"
#include "engine/data.h"
#include "engine/jacobian.h"  // add_point_jacobian
#include "engine/model.h"
#include "muscle/wrap.h"

namespace sinew {

namespace tendondetail {

SINEW_HD SINEW_INLINE bool is_wrap_geom(int type) {
  return type == kWrapSphere || type == kWrapCylinder;
}

// Velocity of the point p rigidly attached to body b: cvel is the spatial velocity about the
// subtree com of b's tree root (engine/kinematics.h com_vel).
template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> point_velocity(const ModelView<T>& m, const WorldData<T>& d, int b,
                                             const Vec3<T>& p) {
  const Spatial<T> v = Spatial<T>::load(d.cvel + 6 * b);
  const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
  return v.lin + cross(v.ang, p - off);
}

// Unit direction from a to b; a zero vector gives (1, 0, 0) (MuJoCo's mju_normalize3).
template <typename T>
SINEW_HD SINEW_INLINE Vec3<T> piece_dir(const Vec3<T>& a, const Vec3<T>& b) {
  Vec3<T> dir = b - a;
  wrapdetail::normalize3(dir);
  return dir;
}

// w[0..6) += (tau, f).
template <typename T>
SINEW_HD SINEW_INLINE void add_wrench(T* w, const Vec3<T>& tau, const Vec3<T>& f) {
  w[0] += tau.x;
  w[1] += tau.y;
  w[2] += tau.z;
  w[3] += f.x;
  w[4] += f.y;
  w[5] += f.z;
}

}  // namespace tendondetail

// Calls f(pa, ba, pb, bb, scale) for every straight piece of spatial tendon t whose end bodies
// can move relative to each other (different weld groups), where pa on body ba is the start,
// pb on body bb the end and scale = 1/D. Reads the path from d.wrap_xpos (run tendon() first).
// Fixed tendons have no pieces.
template <typename T, typename F>
SINEW_HD void for_each_tendon_piece(const ModelView<T>& m, const WorldData<T>& d, int t, F&& f) {
  const int adr = m.tendon_adr[t], num = m.tendon_num[t];
  if (num <= 0 || m.wrap_type[adr] == kWrapJoint) return;
  T scale = 1;
  int j = 0;
  while (j < num - 1) {
    const int w = adr + j;
    const int type0 = m.wrap_type[w], type1 = m.wrap_type[w + 1];
    if (type0 == kWrapPulley || type1 == kWrapPulley) {
      if (type0 == kWrapPulley) scale = T(1) / m.wrap_prm[w];
      ++j;
      continue;
    }
    const int b0 = m.site_bodyid[m.wrap_objid[w]];
    const Vec3<T> p0 = Vec3<T>::load(d.wrap_xpos + 6 * w);
    if (tendondetail::is_wrap_geom(type1)) {
      const int b1 = m.site_bodyid[m.wrap_objid[w + 2]];
      const Vec3<T> p1 = Vec3<T>::load(d.wrap_xpos + 6 * (w + 2));
      if (d.wrap_xpos[6 * w + 3] >= 0) {
        const int bg = m.geom_bodyid[m.wrap_objid[w + 1]];
        const Vec3<T> t0 = Vec3<T>::load(d.wrap_xpos + 6 * (w + 1));
        const Vec3<T> t1 = Vec3<T>::load(d.wrap_xpos + 6 * (w + 1) + 3);
        if (m.body_weldid[b0] != m.body_weldid[bg]) f(p0, b0, t0, bg, scale);
        if (m.body_weldid[bg] != m.body_weldid[b1]) f(t1, bg, p1, b1, scale);
      } else if (m.body_weldid[b0] != m.body_weldid[b1]) {
        f(p0, b0, p1, b1, scale);
      }
      j += 2;
    } else {
      const int b1 = m.site_bodyid[m.wrap_objid[w + 1]];
      if (m.body_weldid[b0] != m.body_weldid[b1])
        f(p0, b0, Vec3<T>::load(d.wrap_xpos + 6 * (w + 1)), b1, scale);
      j += 1;
    }
  }
}

// Length of tendon t; fills its entries of d.wrap_xpos and calls
// on_piece(pa, ba, pb, bb, dir, scale) for every straight piece (start pa on body ba, end pb on
// body bb, unit direction dir from pa to pb as piece_dir gives it, scale = 1/D). Requires
// kinematics (site_xpos, geom_xpos, geom_xmat).
template <typename T, typename OnPiece>
SINEW_HD T tendon_length_pieces(const ModelView<T>& m, WorldData<T>& d, int t, OnPiece&& on_piece) {
  const int adr = m.tendon_adr[t], num = m.tendon_num[t];
  T* wx = d.wrap_xpos;
  if (num <= 0) return T(0);
  T len = 0;
  if (m.wrap_type[adr] == kWrapJoint) {
    for (int w = adr; w < adr + num; ++w)
      for (int k = 0; k < 6; ++k) wx[6 * w + k] = 0;
    for (int w = adr; w < adr + num; ++w)
      len += m.wrap_prm[w] * d.qpos[m.jnt_qposadr[m.wrap_objid[w]]];
    return len;
  }
  // site positions first (geom entries are filled below, a pulley entry stays zero)
  for (int w = adr; w < adr + num; ++w) {
    T* e = wx + 6 * w;
    if (m.wrap_type[w] == kWrapSite) {
      const T* sx = d.site_xpos + 3 * m.wrap_objid[w];
      e[0] = sx[0];
      e[1] = sx[1];
      e[2] = sx[2];
      e[3] = -1;
      e[4] = 0;
      e[5] = 0;
    } else {
      for (int k = 0; k < 6; ++k) e[k] = 0;
    }
  }
  // one straight piece a -> b: its length, and on_piece with its unit direction (normalize3's
  // rule for a zero vector)
  T scale = 1;
  auto piece = [&](const Vec3<T>& a, int ba, const Vec3<T>& b, int bb) {
    Vec3<T> dir = b - a;
    const T n = wrapdetail::normalize3(dir);
    on_piece(a, ba, b, bb, dir, scale);
    return n;
  };
  T divisor = 1;
  int j = 0;
  while (j < num - 1) {
    const int w = adr + j;
    const int type0 = m.wrap_type[w], type1 = m.wrap_type[w + 1];
    if (type0 == kWrapPulley || type1 == kWrapPulley) {
      if (type0 == kWrapPulley) {
        divisor = m.wrap_prm[w];
        scale = T(1) / divisor;
      }
      ++j;
      continue;
    }
    const Vec3<T> p0 = Vec3<T>::load(wx + 6 * w);
    const int b0 = m.site_bodyid[m.wrap_objid[w]];
    if (tendondetail::is_wrap_geom(type1)) {
      const int g = m.wrap_objid[w + 1];
      const Vec3<T> p1 = Vec3<T>::load(wx + 6 * (w + 2));
      const int b1 = m.site_bodyid[m.wrap_objid[w + 2]];
      // side site id stored as a real (MuJoCo rounds it)
      const T sp = m.wrap_prm[w + 1];
      const int sid = static_cast<int>(sp < 0 ? sp - T(0.5) : sp + T(0.5));
      Vec3<T> side, t0, t1;
      if (sid >= 0) side = Vec3<T>::load(d.site_xpos + 3 * sid);
      const T wlen =
          wrap_geom(p0, p1, Vec3<T>::load(d.geom_xpos + 3 * g), Mat3<T>::load(d.geom_xmat + 9 * g),
                    m.geom_size[3 * g], type1, sid >= 0 ? &side : nullptr, t0, t1);
      if (wlen < 0) {
        len += piece(p0, b0, p1, b1) / divisor;
        p0.store(wx + 6 * (w + 1));
        p0.store(wx + 6 * (w + 1) + 3);
      } else {
        const int bg = m.geom_bodyid[g];
        const T l0 = piece(p0, b0, t0, bg);
        const T l1 = piece(t1, bg, p1, b1);
        len += (l0 + wlen + l1) / divisor;
        wx[6 * w + 3] = wlen;
        t0.store(wx + 6 * (w + 1));
        t1.store(wx + 6 * (w + 1) + 3);
      }
      j += 2;
    } else {
      const int b1 = m.site_bodyid[m.wrap_objid[w + 1]];
      len += piece(p0, b0, Vec3<T>::load(wx + 6 * (w + 1)), b1) / divisor;
      j += 1;
    }
  }
  return len;
}

// Length of tendon t; fills its entries of d.wrap_xpos. Requires kinematics.
template <typename T>
SINEW_HD T tendon_length(const ModelView<T>& m, WorldData<T>& d, int t) {
  return tendon_length_pieces(m, d, t,
                              [](const Vec3<T>&, int, const Vec3<T>&, int, const Vec3<T>&, T) {});
}

// Length of tendon t and the unit wrenches of a spatial tendon, kept for the velocity and the
// force projection of the same forward pass: a tendon's J^T tension is a sum of point forces
// +-(tension / D) dir at its piece ends, i.e. of body wrenches tension * W with
// W = +-(1 / D) [(p - c) x dir; dir] about the reference point c of cvel/cdof, and its velocity
// dL/dt = J qvel = sum W . cvel_b (dir . v_p = W . cvel_b). Pieces whose ends are rigidly
// connected (one weld group) are left out, and the world takes no wrench. Each end adds to the
// previous entry when both lie on the same body, so a via-point shared by two pieces costs one
// entry. Entries of tendon t sit at 2 * tendon_adr[t] in d.ten_wrench (6 per entry: torque,
// force) and d.ten_wrench_body, d.ten_wrench_num[t] of them. Requires kinematics and com_pos.
template <typename T>
SINEW_HD T tendon_length_wrenches(const ModelView<T>& m, WorldData<T>& d, int t) {
  const int base = 2 * m.tendon_adr[t];
  int n = 0;
  auto add = [&](int b, const Vec3<T>& p, const Vec3<T>& dir, T s) {
    if (b <= 0) return;  // the world does not move and takes no force
    const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
    const Vec3<T> tau = cross(p - off, dir) * s, f = dir * s;
    if (n > 0 && d.ten_wrench_body[base + n - 1] == b) {
      tendondetail::add_wrench(d.ten_wrench + 6 * (base + n - 1), tau, f);
    } else {
      d.ten_wrench_body[base + n] = b;
      T* w = d.ten_wrench + 6 * (base + n++);
      for (int k = 0; k < 6; ++k) w[k] = 0;
      tendondetail::add_wrench(w, tau, f);
    }
  };
  const T len = tendon_length_pieces(
      m, d, t, [&](const Vec3<T>& pa, int ba, const Vec3<T>& pb, int bb, const Vec3<T>& dir, T s) {
        if (m.body_weldid[ba] == m.body_weldid[bb]) return;
        add(ba, pa, dir, -s);
        add(bb, pb, dir, s);
      });
  d.ten_wrench_num[t] = n;
  return len;
}

// Tendon stage: d.ten_length and d.wrap_xpos for every tendon, and the unit wrenches of the
// spatial tendons (tendon_length_wrenches) that tendon_velocity and tendon_apply_force_cached
// use. Requires kinematics; the wrenches also com_pos.
template <typename T>
SINEW_HD void tendon(const ModelView<T>& m, WorldData<T>& d) {
  for (int t = 0; t < m.size.ntendon; ++t) d.ten_length[t] = tendon_length_wrenches(m, d, t);
}

// Velocity dL/dt of tendon t (= J qvel) from body velocities: fixed tendons sum prm * qvel;
// spatial tendons sum dir . (v_end - v_start) / D over their straight pieces. Requires tendon(),
// com_pos and com_vel in the current state.
template <typename T>
SINEW_HD T tendon_velocity_one(const ModelView<T>& m, const WorldData<T>& d, int t) {
  const int adr = m.tendon_adr[t], num = m.tendon_num[t];
  if (num <= 0) return T(0);
  T vel = 0;
  if (m.wrap_type[adr] == kWrapJoint) {
    for (int w = adr; w < adr + num; ++w)
      vel += m.wrap_prm[w] * d.qvel[m.jnt_dofadr[m.wrap_objid[w]]];
    return vel;
  }
  for_each_tendon_piece(m, d, t,
                        [&](const Vec3<T>& pa, int ba, const Vec3<T>& pb, int bb, T scale) {
                          const Vec3<T> dir = tendondetail::piece_dir(pa, pb);
                          const Vec3<T> va = tendondetail::point_velocity(m, d, ba, pa);
                          const Vec3<T> vb = tendondetail::point_velocity(m, d, bb, pb);
                          vel += scale * dot(dir, vb - va);
                        });
  return vel;
}

// Velocity stage: d.ten_velocity for every tendon; spatial tendons from the unit wrenches of
// tendon() (dL/dt = sum W . cvel_b). Requires tendon(), com_pos and com_vel in the current state.
template <typename T>
SINEW_HD void tendon_velocity(const ModelView<T>& m, WorldData<T>& d) {
  for (int t = 0; t < m.size.ntendon; ++t) {
    const int adr = m.tendon_adr[t];
    if (m.tendon_num[t] <= 0 || m.wrap_type[adr] == kWrapJoint) {
      d.ten_velocity[t] = tendon_velocity_one(m, d, t);
      continue;
    }
    const int base = 2 * adr;
    T v0 = 0, v1 = 0;
    for (int e = 0; e < d.ten_wrench_num[t]; ++e) {
      const T* u = d.ten_wrench + 6 * (base + e);
      const T* v = d.cvel + 6 * d.ten_wrench_body[base + e];
      v0 += u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
      v1 += u[3] * v[3] + u[4] * v[4] + u[5] * v[5];
    }
    d.ten_velocity[t] = v0 + v1;
  }
}

// Writes row[0..nv) = dL/dq of tendon t (MuJoCo's ten_J row; moment arm = -row). Requires
// tendon() and com_pos in the current state. For analysis and tests: the forward step uses
// tendon_apply_force instead.
template <typename T>
SINEW_HD void tendon_jacobian(const ModelView<T>& m, const WorldData<T>& d, int t, T* row) {
  for (int k = 0; k < m.size.nv; ++k) row[k] = 0;
  const int adr = m.tendon_adr[t], num = m.tendon_num[t];
  if (num <= 0) return;
  if (m.wrap_type[adr] == kWrapJoint) {
    for (int w = adr; w < adr + num; ++w) row[m.jnt_dofadr[m.wrap_objid[w]]] += m.wrap_prm[w];
    return;
  }
  for_each_tendon_piece(m, d, t,
                        [&](const Vec3<T>& pa, int ba, const Vec3<T>& pb, int bb, T scale) {
                          const Vec3<T> dir = tendondetail::piece_dir(pa, pb);
                          add_point_jacobian(m, d, bb, pb, dir, scale, row);
                          add_point_jacobian(m, d, ba, pa, dir, -scale, row);
                        });
}

// Adds the point force f at world point p on body b to d.cfrc_ext[b] as a wrench (torque, force)
// about the subtree com of b's tree root (the reference point of cdof and cvel).
template <typename T>
SINEW_HD SINEW_INLINE void add_point_wrench(const ModelView<T>& m, WorldData<T>& d, int b,
                                            const Vec3<T>& p, const Vec3<T>& f) {
  if (b <= 0) return;  // the world does not move
  const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
  tendondetail::add_wrench(d.cfrc_ext + 6 * b, cross(p - off, f), f);
}

// Zeroes d.cfrc_ext (before a round of tendon_apply_force calls).
template <typename T>
SINEW_HD void clear_external_wrenches(const ModelView<T>& m, WorldData<T>& d) {
  for (int i = 0; i < 6 * m.size.nbody; ++i) d.cfrc_ext[i] = 0;
}

// Adds the generalized force J^T tension of tendon t without forming J. Spatial tendons add
// point forces to d.cfrc_ext (project them afterwards with project_external_wrenches, once for
// all tendons); fixed tendons add prm * tension directly to qfrc[dof]. Requires tendon() and
// com_pos in the current state. tension follows MuJoCo's sign: negative pulls.
template <typename T>
SINEW_HD void tendon_apply_force(const ModelView<T>& m, WorldData<T>& d, int t, T tension,
                                 T* qfrc) {
  const int adr = m.tendon_adr[t], num = m.tendon_num[t];
  if (num <= 0 || tension == T(0)) return;
  if (m.wrap_type[adr] == kWrapJoint) {
    for (int w = adr; w < adr + num; ++w)
      qfrc[m.jnt_dofadr[m.wrap_objid[w]]] += m.wrap_prm[w] * tension;
    return;
  }
  // J^T tension = sum over pieces (tension/D) (Jp(end)^T dir - Jp(start)^T dir)
  for_each_tendon_piece(m, d, t,
                        [&](const Vec3<T>& pa, int ba, const Vec3<T>& pb, int bb, T scale) {
                          const Vec3<T> f = tendondetail::piece_dir(pa, pb) * (tension * scale);
                          add_point_wrench(m, d, bb, pb, f);
                          add_point_wrench(m, d, ba, pa, -f);
                        });
}

// tendon_apply_force with the unit wrenches that tendon() stored in the current state
// (the forward step's actuation and passive stages): one scaled add per entry.
template <typename T>
SINEW_HD void tendon_apply_force_cached(const ModelView<T>& m, WorldData<T>& d, int t, T tension,
                                        T* qfrc) {
  const int adr = m.tendon_adr[t];
  if (m.tendon_num[t] <= 0 || m.wrap_type[adr] == kWrapJoint) {
    tendon_apply_force(m, d, t, tension, qfrc);  // fixed tendons add to qfrc directly
    return;
  }
  if (tension == T(0)) return;
  const int base = 2 * adr;
  for (int e = 0; e < d.ten_wrench_num[t]; ++e) {
    T* w = d.cfrc_ext + 6 * d.ten_wrench_body[base + e];
    const T* u = d.ten_wrench + 6 * (base + e);
    for (int k = 0; k < 6; ++k) w[k] += tension * u[k];
  }
}

// qfrc[k] += cdof_k . (sum of d.cfrc_ext over the subtree of dof k's body): the generalized force
// of the external wrenches, by one backward pass over the bodies (Featherstone 2008, RNEA's
// backward pass with external forces). Consumes d.cfrc_ext: on return it holds the subtree sums.
// Requires com_pos (cdof) in the current state.
template <typename T>
SINEW_HD void project_external_wrenches(const ModelView<T>& m, WorldData<T>& d, T* qfrc) {
  for (int b = m.size.nbody - 1; b > 0; --b) {
    const int p = m.body_parent[b];
    if (p <= 0) continue;
    T* wp = d.cfrc_ext + 6 * p;
    const T* wb = d.cfrc_ext + 6 * b;
    for (int k = 0; k < 6; ++k) wp[k] += wb[k];
  }
  for (int k = 0; k < m.size.nv; ++k)
    qfrc[k] +=
        sdot(Spatial<T>::load(d.cdof + 6 * k), Spatial<T>::load(d.cfrc_ext + 6 * m.dof_bodyid[k]));
}

// qfrc += sum_t J_t^T tension[t] for all tendons (clears and consumes d.cfrc_ext).
template <typename T>
SINEW_HD void tendon_apply_forces(const ModelView<T>& m, WorldData<T>& d, const T* tension,
                                  T* qfrc) {
  clear_external_wrenches(m, d);
  for (int t = 0; t < m.size.ntendon; ++t) tendon_apply_force(m, d, t, tension[t], qfrc);
  project_external_wrenches(m, d, qfrc);
}

}  // namespace sinew
