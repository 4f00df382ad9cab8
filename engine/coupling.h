// SPDX-License-Identifier: Apache-2.0
// Host helpers for MuJoCo joint couplings (<equality><joint polycoef>): the coupling target, the
// residual of a state and the projection of a state onto the couplings (used by `sinew sim` and
// by the learning environments to start from consistent states).
#pragma once

#include <algorithm>
#include <cmath>

#include "engine/model.h"

namespace sinew {

// Coupling of equality e at qpos q (MuJoCo <equality><joint polycoef>, refs = qpos0): the target
// value of joint 1, q1_ref + poly(q2 - q2_ref) (poly = c0 when there is no joint 2).
template <typename T>
double coupling_target(const ModelView<T>& m, const T* q, int e) {
  const T* c = m.eq_data + 5 * e;
  const int q1 = m.jnt_qposadr[m.eq_obj1id[e]];
  double rhs = double(c[0]);
  const int j2 = m.eq_obj2id[e];
  if (j2 >= 0) {
    const int q2 = m.jnt_qposadr[j2];
    const double x = double(q[q2]) - double(m.qpos0[q2]);
    rhs = double(c[0]) +
          x * (double(c[1]) + x * (double(c[2]) + x * (double(c[3]) + x * double(c[4]))));
  }
  return double(m.qpos0[q1]) + rhs;
}

inline bool is_coupling(const int* eq_active, const int* eq_type, int e) {
  return eq_active[e] && eq_type[e] == kEqJoint;
}

// Largest |(q1 - q1_ref) - poly(q2 - q2_ref)| over the active joint equalities.
template <typename T>
double coupling_residual(const ModelView<T>& m, const T* q) {
  double r = 0;
  for (int e = 0; e < m.size.neq; ++e)
    if (is_coupling(m.eq_active, m.eq_type, e))
      r = std::max(r,
                   std::fabs(double(q[m.jnt_qposadr[m.eq_obj1id[e]]]) - coupling_target(m, q, e)));
  return r;
}

// Sets every dependent joint to its coupling target, in equality order, repeating (up to 20
// sweeps) while a chain of couplings still moves a joint by more than 1e-15. Returns the sweeps.
template <typename T>
int project_couplings(const ModelView<T>& m, T* q) {
  for (int sweep = 1; sweep <= 20; ++sweep) {
    double change = 0;
    for (int e = 0; e < m.size.neq; ++e) {
      if (!is_coupling(m.eq_active, m.eq_type, e)) continue;
      T& q1 = q[m.jnt_qposadr[m.eq_obj1id[e]]];
      const T next = static_cast<T>(coupling_target(m, q, e));
      change = std::max(change, std::fabs(double(next) - double(q1)));
      q1 = next;
    }
    if (change <= 1e-15) return sweep;
  }
  return 20;
}

}  // namespace sinew
