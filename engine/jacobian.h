// SPDX-License-Identifier: Apache-2.0
// Point Jacobians along a body's ancestor chain, from the com-based dof axes (engine/kinematics.h):
// the velocity of a world point p rigidly attached to body b is sum_k (cdof_k.lin + cdof_k.ang x
// (p - subtree_com[rootid])) qvel_k over b's ancestor dofs.
#pragma once

#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// Adds the velocity of point p on body b times `scale` along `dir` to a Jacobian row:
// row += scale * dir^T Jp(b, p), walking the dofs of b's ancestor chain.
template <typename T>
SINEW_HD void add_point_jacobian(const ModelView<T>& m, const WorldData<T>& d, int b,
                                 const Vec3<T>& p, const Vec3<T>& dir, T scale, T* row) {
  if (b <= 0) return;
  const Vec3<T> off = Vec3<T>::load(d.subtree_com + 3 * m.body_rootid[b]);
  const Vec3<T> r = p - off;
  // last dof of b or of its nearest ancestor with dofs
  int k = -1;
  for (int bb = b; bb > 0 && k < 0; bb = m.body_parent[bb])
    if (m.body_dofnum[bb] > 0) k = m.body_dofadr[bb] + m.body_dofnum[bb] - 1;
  for (; k >= 0; k = m.dof_parentid[k]) {
    const Spatial<T> s = Spatial<T>::load(d.cdof + 6 * k);
    row[k] += scale * dot(dir, s.lin + cross(s.ang, r));
  }
}

}  // namespace sinew
