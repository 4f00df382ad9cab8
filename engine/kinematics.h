// SPDX-License-Identifier: Apache-2.0
// Position- and velocity-dependent tree quantities for one world:
//   kinematics  : body, joint and geom poses, positions of the sites the step reads (MuJoCo's
//                 mj_kinematics semantics; every geom and site pose on request)
//   com_pos     : subtree centres of mass, com-based body inertias (cinert) and dof motion
//                 subspaces (cdof), world-aligned about each tree's subtree com (mj_comPos)
//   com_vel     : body spatial velocities (cvel) and cdof_dot = cvel x cdof (mj_comVel)
// Spatial conventions are in docs/notation.md.
#pragma once

#include "engine/core/quat.h"
#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// World rotation R * mat(q) of a frame with local orientation q (4 numbers) on a body with world
// rotation R; R itself when q is the identity (all of MS-Human-700's 2856 sites), which saves
// the quaternion conversion and the 3x3 product.
template <typename T>
SINEW_HD Mat3<T> child_rotation(const Mat3<T>& R, const T* q) {
  if (q[0] == T(1) && q[1] == T(0) && q[2] == T(0) && q[3] == T(0)) return R;
  return R * quat_to_mat(Quat<T>::load(q));
}

// Global poses of bodies (xpos, xquat, xmat), inertial frame positions (xipos), joint anchors and
// axes (xanchor, xaxis), and the poses of the geoms and positions of the sites the step uses
// (all of them, and ximat: all_geom_site_poses). Joints of one body are applied in order; hinge and
// slide displacements are measured from qpos0 (the joint's `ref`).
template <typename T>
SINEW_HD void kinematics(const ModelView<T>& m, WorldData<T>& d) {
  // world body
  Vec3<T>().store(d.xpos);
  Quat<T>().store(d.xquat);
  Mat3<T>::identity().store(d.xmat);
  Vec3<T>().store(d.xipos);
  Mat3<T>::identity().store(d.ximat);
  for (int b = 1; b < m.size.nbody; ++b) {
    const int p = m.body_parent[b];
    // frame from the parent and the body offset
    Vec3<T> pos = Vec3<T>::load(d.xpos + 3 * p) +
                  Mat3<T>::load(d.xmat + 9 * p) * Vec3<T>::load(m.body_pos + 3 * b);
    Quat<T> quat = Quat<T>::load(d.xquat + 4 * p) * Quat<T>::load(m.body_quat + 4 * b);
    // joints in order
    for (int j = m.body_jntadr[b]; j < m.body_jntadr[b] + m.body_jntnum[b]; ++j) {
      const T* q = d.qpos + m.jnt_qposadr[j];
      const int type = m.jnt_type[j];
      if (type == kJointFree) {
        pos = Vec3<T>::load(q);
        quat = quat_normalized(Quat<T>::load(q + 3));
        pos.store(d.xanchor + 3 * j);
        Vec3<T>(0, 0, 1).store(d.xaxis + 3 * j);
        continue;
      }
      const Vec3<T> jpos = Vec3<T>::load(m.jnt_pos + 3 * j);
      const Vec3<T> jaxis = Vec3<T>::load(m.jnt_axis + 3 * j);
      const Vec3<T> anchor = rotate(quat, jpos) + pos;
      const Vec3<T> axis = rotate(quat, jaxis);
      anchor.store(d.xanchor + 3 * j);
      axis.store(d.xaxis + 3 * j);
      if (type == kJointSlide) {
        pos += axis * (q[0] - m.qpos0[m.jnt_qposadr[j]]);
      } else {
        // rotation about the anchor: ball uses its quaternion, hinge the angle from qpos0
        Quat<T> qloc = type == kJointBall
                           ? quat_normalized(Quat<T>::load(q))
                           : quat_axis_angle(jaxis, q[0] - m.qpos0[m.jnt_qposadr[j]]);
        quat = quat_normalized(quat * qloc);
        pos = anchor - rotate(quat, jpos);
      }
    }
    quat = quat_normalized(quat);
    const Mat3<T> R = quat_to_mat(quat);
    pos.store(d.xpos + 3 * b);
    quat.store(d.xquat + 4 * b);
    R.store(d.xmat + 9 * b);
    (pos + R * Vec3<T>::load(m.body_ipos + 3 * b)).store(d.xipos + 3 * b);
  }
  for (int i = 0; i < m.size.ngeom && m.geom_uselist[i] >= 0; ++i) {
    const int g = m.geom_uselist[i];
    const int b = m.geom_bodyid[g];
    const Mat3<T> R = Mat3<T>::load(d.xmat + 9 * b);
    (Vec3<T>::load(d.xpos + 3 * b) + R * Vec3<T>::load(m.geom_pos + 3 * g))
        .store(d.geom_xpos + 3 * g);
    child_rotation(R, m.geom_quat + 4 * g).store(d.geom_xmat + 9 * g);
  }
  // sites come grouped by body: reload the body frame only when the body changes
  Mat3<T> R = Mat3<T>::identity();
  Vec3<T> x;
  for (int i = 0, b = -1; i < m.size.nsite && m.site_uselist[i] >= 0; ++i) {
    const int s = m.site_uselist[i];
    if (m.site_bodyid[s] != b) {
      b = m.site_bodyid[s];
      R = Mat3<T>::load(d.xmat + 9 * b);
      x = Vec3<T>::load(d.xpos + 3 * b);
    }
    (x + R * Vec3<T>::load(m.site_pos + 3 * s)).store(d.site_xpos + 3 * s);
  }
}

// Poses of every geom (geom_xpos, geom_xmat) and site (site_xpos, site_xmat), and the body
// inertial frames' orientations ximat (com_pos uses lumped inertias instead). Not part of the
// step, which computes only the geoms and site positions it reads (m.geom_used, m.site_used:
// collision and wrap geoms, tendon via points and side sites; MS-Human-700-Locomotion uses 600 of
// its 2856 sites, and 40 of its 349 geoms, the rest being visual meshes): writing 12 numbers per
// site was half of kinematics' time (memory traffic). Call after kinematics where all are needed
// (probe, viewers, golden tests, retargeting).
template <typename T>
SINEW_HD void all_geom_site_poses(const ModelView<T>& m, WorldData<T>& d) {
  for (int b = 1; b < m.size.nbody; ++b)
    child_rotation(Mat3<T>::load(d.xmat + 9 * b), m.body_iquat + 4 * b).store(d.ximat + 9 * b);
  for (int g = 0; g < m.size.ngeom; ++g) {
    const int b = m.geom_bodyid[g];
    const Mat3<T> R = Mat3<T>::load(d.xmat + 9 * b);
    (Vec3<T>::load(d.xpos + 3 * b) + R * Vec3<T>::load(m.geom_pos + 3 * g))
        .store(d.geom_xpos + 3 * g);
    child_rotation(R, m.geom_quat + 4 * g).store(d.geom_xmat + 9 * g);
  }
  for (int s = 0; s < m.size.nsite; ++s) {
    const int b = m.site_bodyid[s];
    const Mat3<T> R = Mat3<T>::load(d.xmat + 9 * b);
    (Vec3<T>::load(d.xpos + 3 * b) + R * Vec3<T>::load(m.site_pos + 3 * s))
        .store(d.site_xpos + 3 * s);
    child_rotation(R, m.site_quat + 4 * s).store(d.site_xmat + 9 * s);
  }
}

// Subtree centres of mass, spatial inertias (cinert, one per moving weld group on its root body)
// and dof motion axes (cdof), all world-aligned and taken about the subtree com of the body's tree
// root (MuJoCo's mj_comPos).
template <typename T>
SINEW_HD void com_pos(const ModelView<T>& m, WorldData<T>& d) {
  const int nbody = m.size.nbody;
  // subtree com: mass-weighted sum of xipos, accumulated leaves to root
  for (int b = 0; b < nbody; ++b)
    (Vec3<T>::load(d.xipos + 3 * b) * m.body_mass[b]).store(d.subtree_com + 3 * b);
  for (int b = nbody - 1; b > 0; --b) {
    const int p = m.body_parent[b];
    (Vec3<T>::load(d.subtree_com + 3 * p) + Vec3<T>::load(d.subtree_com + 3 * b))
        .store(d.subtree_com + 3 * p);
  }
  for (int b = 0; b < nbody; ++b) {
    const T ms = m.body_subtreemass[b];
    const Vec3<T> c = Vec3<T>::load(d.subtree_com + 3 * b);
    (ms > T(1e-15) ? c / ms : Vec3<T>::load(d.xipos + 3 * b)).store(d.subtree_com + 3 * b);
  }
  // body inertias about the offset point, one per moving weld group (lumped onto the group's
  // root body in Model::finalize, merge_welded_inertia; zero for the other bodies)
  for (int b = 0; b < nbody; ++b) {
    T* out = d.cinert + 10 * b;
    const T mass = m.body_wmass[b];
    if (!(mass > T(0))) {
      for (int k = 0; k < 10; ++k) out[k] = 0;
      continue;
    }
    const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
    const Mat3<T> R = Mat3<T>::load(d.xmat + 9 * b);
    const T* w = m.body_winertia + 6 * b;
    Mat3<T> Iw;
    Iw(0, 0) = w[0], Iw(1, 1) = w[1], Iw(2, 2) = w[2];
    Iw(0, 1) = Iw(1, 0) = w[3];
    Iw(0, 2) = Iw(2, 0) = w[4];
    Iw(1, 2) = Iw(2, 1) = w[5];
    const Vec3<T> c = Vec3<T>::load(d.xpos + 3 * b) + R * Vec3<T>::load(m.body_wipos + 3 * b);
    SpatialInertia<T>::from_com(mass, c - off, R * Iw * R.transpose()).store(out);
  }
  // dof motion subspaces
  for (int j = 0; j < m.size.njnt; ++j) {
    const int b = m.jnt_bodyid[j];
    const int da = m.jnt_dofadr[j];
    const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
    const Vec3<T> anchor = Vec3<T>::load(d.xanchor + 3 * j);
    const Mat3<T> R = Mat3<T>::load(d.xmat + 9 * b);
    switch (m.jnt_type[j]) {
      case kJointFree:
        for (int k = 0; k < 3; ++k) {
          Vec3<T> e;
          e[k] = 1;
          Spatial<T>(Vec3<T>(), e).store(d.cdof + 6 * (da + k));
        }
        for (int k = 0; k < 3; ++k) {
          const Vec3<T> ax = R.col(k);
          Spatial<T>(ax, cross(ax, off - anchor)).store(d.cdof + 6 * (da + 3 + k));
        }
        break;
      case kJointBall:
        for (int k = 0; k < 3; ++k) {
          const Vec3<T> ax = R.col(k);
          Spatial<T>(ax, cross(ax, off - anchor)).store(d.cdof + 6 * (da + k));
        }
        break;
      case kJointSlide:
        Spatial<T>(Vec3<T>(), Vec3<T>::load(d.xaxis + 3 * j)).store(d.cdof + 6 * da);
        break;
      default: {  // hinge
        const Vec3<T> ax = Vec3<T>::load(d.xaxis + 3 * j);
        Spatial<T>(ax, cross(ax, off - anchor)).store(d.cdof + 6 * da);
      }
    }
  }
}

// Body spatial velocities cvel and the dof velocity-product axes cdof_dot (MuJoCo's mj_comVel):
// for hinge/slide dofs cdof_dot = cvel x cdof with cvel accumulated up to that dof; a ball's three
// dofs share the velocity before the ball; a free joint's translations have cdof_dot = 0.
template <typename T>
SINEW_HD void com_vel(const ModelView<T>& m, WorldData<T>& d) {
  Spatial<T>().store(d.cvel);
  for (int b = 1; b < m.size.nbody; ++b) {
    Spatial<T> v = Spatial<T>::load(d.cvel + 6 * m.body_parent[b]);
    for (int j = m.body_jntadr[b]; j < m.body_jntadr[b] + m.body_jntnum[b]; ++j) {
      const int da = m.jnt_dofadr[j];
      const int type = m.jnt_type[j];
      int first = da, n = joint_nv(type);
      if (type == kJointFree) {
        for (int k = 0; k < 3; ++k) {
          Spatial<T>().store(d.cdof_dot + 6 * (da + k));
          v += Spatial<T>::load(d.cdof + 6 * (da + k)) * d.qvel[da + k];
        }
        first = da + 3;
        n = 3;
      }
      Spatial<T> dv;
      for (int k = first; k < first + n; ++k) {
        const Spatial<T> s = Spatial<T>::load(d.cdof + 6 * k);
        cross_motion(v, s).store(d.cdof_dot + 6 * k);
        dv += s * d.qvel[k];
      }
      v += dv;
    }
    v.store(d.cvel + 6 * b);
  }
}

}  // namespace sinew
