// SPDX-License-Identifier: Apache-2.0
// Random kinematic trees with every joint type, built directly as Model arrays, for identity
// tests (ABA vs RNEA vs CRBA) and grid-emulation tests.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/core/quat.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew::test {

inline Quat<double> random_quat(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  return quat_normalized(Quat<double>(n(rng), n(rng), n(rng), n(rng)));
}

inline Vec3<double> random_unit(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  Vec3<double> v(n(rng), n(rng), n(rng));
  normalize(v);
  return v;
}

// A random tree of `nbody_moving` bodies. Bodies attached to the world may get a free joint; the
// others get 0-3 joints drawn from hinge, slide and ball (a ball only as a body's sole joint).
inline Model random_tree(std::mt19937_64& rng, int nbody_moving, bool allow_free = true) {
  std::uniform_real_distribution<double> u(-1, 1), pos(0.05, 1.0);
  Model m;
  m.source = "random_tree";
  struct J {
    int type, body;
  };
  std::vector<int> parent(1, -1);
  std::vector<J> joints;
  for (int b = 1; b <= nbody_moving; ++b) {
    const int p = static_cast<int>(rng() % b);
    parent.push_back(p);
    const int kind = static_cast<int>(rng() % 6);
    if (p == 0 && allow_free && kind == 0) {
      joints.push_back({kJointFree, b});
    } else if (kind == 1) {
      joints.push_back({kJointBall, b});
    } else if (kind == 5 && b > 1) {
      // welded body: no joint
    } else {
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i)
        joints.push_back({(rng() % 3 == 0) ? kJointSlide : kJointHinge, b});
    }
  }
  Sizes& s = m.size;
  s.nbody = nbody_moving + 1;
  s.njnt = static_cast<int>(joints.size());
  for (const J& j : joints) {
    s.nq += joint_nq(j.type);
    s.nv += joint_nv(j.type);
  }
  m.resize();
  m.body_name.resize(s.nbody);
  int qa = 0, da = 0;
  for (int b = 0; b < s.nbody; ++b) {
    m.body_name[b] = "b" + std::to_string(b);
    m.body_parent[b] = b == 0 ? 0 : parent[b];
    if (b == 0) {
      m.body_quat[0] = m.body_iquat[0] = 1;
      continue;
    }
    Vec3<double>(u(rng), u(rng), u(rng)).store(&m.body_pos[3 * b]);
    random_quat(rng).store(&m.body_quat[4 * b]);
    m.body_mass[b] = 0.5 + 2 * pos(rng);
    Vec3<double>(0.3 * u(rng), 0.3 * u(rng), 0.3 * u(rng)).store(&m.body_ipos[3 * b]);
    random_quat(rng).store(&m.body_iquat[4 * b]);
    // principal moments satisfying the triangle inequality
    const double a = pos(rng), c = pos(rng);
    m.body_inertia[3 * b] = a;
    m.body_inertia[3 * b + 1] = c;
    m.body_inertia[3 * b + 2] = std::fabs(a - c) + 0.5 * (a + c - std::fabs(a - c)) * pos(rng);
  }
  int jid = 0;
  for (int b = 0; b < s.nbody; ++b) {
    m.body_jntadr[b] = jid;
    m.body_dofadr[b] = da;
    while (jid < s.njnt && joints[jid].body == b) {
      const int t = joints[jid].type;
      m.jnt_type[jid] = t;
      m.jnt_bodyid[jid] = b;
      m.jnt_qposadr[jid] = qa;
      m.jnt_dofadr[jid] = da;
      Vec3<double>(0.2 * u(rng), 0.2 * u(rng), 0.2 * u(rng)).store(&m.jnt_pos[3 * jid]);
      random_unit(rng).store(&m.jnt_axis[3 * jid]);
      m.jnt_solref[2 * jid] = 0.02;
      m.jnt_solref[2 * jid + 1] = 1;
      const double si[5] = {0.9, 0.95, 0.001, 0.5, 2};
      for (int i = 0; i < 5; ++i) m.jnt_solimp[5 * jid + i] = si[i];
      if (t == kJointFree) {
        for (int i = 0; i < 3; ++i) m.qpos0[qa + i] = m.body_pos[3 * b + i];
        for (int i = 0; i < 4; ++i) m.qpos0[qa + 3 + i] = m.body_quat[4 * b + i];
      } else if (t == kJointBall) {
        m.qpos0[qa] = 1;
      } else {
        m.qpos0[qa] = 0.3 * u(rng);  // a joint ref
      }
      for (int k = 0; k < joint_nv(t); ++k) {
        m.dof_bodyid[da + k] = b;
        m.dof_jntid[da + k] = jid;
        m.dof_armature[da + k] = 0.01 * pos(rng);
        m.dof_damping[da + k] = 0.1 * pos(rng);
      }
      qa += joint_nq(t);
      da += joint_nv(t);
      ++m.body_jntnum[b];
      m.body_dofnum[b] += joint_nv(t);
      ++jid;
    }
  }
  m.qpos_spring = m.qpos0;
  m.finalize();
  return m;
}

// Random qpos (unit quaternions) and qvel in world w of d.
template <typename T>
void random_state(std::mt19937_64& rng, const Model& m, WorldData<T>& d, double vscale = 1.0) {
  std::uniform_real_distribution<double> u(-1, 1);
  for (int j = 0; j < m.size.njnt; ++j) {
    const int qa = m.jnt_qposadr[j];
    switch (m.jnt_type[j]) {
      case kJointFree:
        for (int i = 0; i < 3; ++i) d.qpos[qa + i] = static_cast<T>(u(rng));
        {
          const Quat<double> q = random_quat(rng);
          d.qpos[qa + 3] = static_cast<T>(q.w);
          d.qpos[qa + 4] = static_cast<T>(q.x);
          d.qpos[qa + 5] = static_cast<T>(q.y);
          d.qpos[qa + 6] = static_cast<T>(q.z);
        }
        break;
      case kJointBall: {
        const Quat<double> q = random_quat(rng);
        d.qpos[qa] = static_cast<T>(q.w);
        d.qpos[qa + 1] = static_cast<T>(q.x);
        d.qpos[qa + 2] = static_cast<T>(q.y);
        d.qpos[qa + 3] = static_cast<T>(q.z);
        break;
      }
      default:
        d.qpos[qa] = static_cast<T>(2 * u(rng));
    }
  }
  for (int k = 0; k < m.size.nv; ++k) d.qvel[k] = static_cast<T>(vscale * u(rng));
}

}  // namespace sinew::test
