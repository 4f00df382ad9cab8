// SPDX-License-Identifier: Apache-2.0
#include "engine/model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/constraint.h"
#include "engine/crba.h"
#include "engine/data.h"
#include "engine/kinematics.h"

namespace sinew {

void Model::resize() {
  const Sizes& s = size;
  const int nbody = s.nbody, njnt = s.njnt, nq = s.nq, nv = s.nv, ngeom = s.ngeom;
  const int nsite = s.nsite, nmesh = s.nmesh, nmeshvert = s.nmeshvert, nkey = s.nkey;
  const int npair = s.npair, ntendon = s.ntendon, nwrap = s.nwrap, nu = s.nu, na = s.na;
  const int neq = s.neq, nexclude = s.nexclude;
  (void)npair, (void)ntendon, (void)nwrap, (void)nu, (void)na, (void)neq, (void)nexclude;
#define SINEW_X(name, count) name.assign(static_cast<size_t>(count), 0);
  SINEW_MODEL_INT_FIELDS(SINEW_X)
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  (void)nbody, (void)njnt, (void)nq, (void)nv, (void)ngeom, (void)nsite, (void)nmesh;
  (void)nmeshvert, (void)nkey;
}

namespace {

// Most contacts one geom pair can produce.
int pair_capacity(int t1, int t2, int per_pair) {
  if (t1 > t2) std::swap(t1, t2);
  if (t1 == kGeomPlane && (t2 == kGeomBox || t2 == kGeomMesh || t2 == kGeomCylinder))
    return per_pair;
  if (t1 == kGeomPlane && t2 == kGeomCapsule) return 2;
  if (t1 == kGeomCapsule && t2 == kGeomCapsule) return 2;
  if (t2 == kGeomBox || t2 == kGeomMesh) return per_pair;
  return 1;
}

double geom_bound(const Model& m, int g) {
  const double* s = &m.geom_size[3 * g];
  switch (m.geom_type[g]) {
    case kGeomPlane:
      return 0;
    case kGeomSphere:
      return s[0];
    case kGeomCapsule:
      return s[0] + s[1];
    case kGeomCylinder:
      return std::sqrt(s[0] * s[0] + s[1] * s[1]);
    case kGeomBox:
      return std::sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
    case kGeomMesh: {
      double r = 0;
      const int id = m.geom_dataid[g];
      for (int v = m.mesh_vertadr[id]; v < m.mesh_vertadr[id] + m.mesh_vertnum[id]; ++v) {
        const double* p = &m.mesh_vert[3 * v];
        r = std::max(r, std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]));
      }
      return r;
    }
  }
  return 0;
}

}  // namespace

namespace {

// Inertia of every moving weld group, lumped onto the group's root body (body_weldid[b] == b, a
// body with joints): mass body_wmass, centre of mass body_wipos and inertia about it body_winertia
// (xx, yy, zz, xy, xz, yz), both in the root's body frame. Bodies without joints move rigidly with
// their weld root, so com_pos builds one spatial inertia per group instead of one per body (the
// mass matrix, bias forces and energy are sums over bodies of the same motion); they and the
// bodies welded to the world get zero. Parallel-axis theorem: I = sum_b R_b I_b R_b^T +
// m_b (|d_b|^2 E - d_b d_b^T), d_b = c_b - c.
void merge_welded_inertia(Model& m) {
  const int nbody = m.size.nbody;
  std::vector<Vec3<double>> pos(nbody);  // body frame in its weld root's frame
  std::vector<Mat3<double>> rot(nbody, Mat3<double>::identity());
  std::vector<Mat3<double>> inertia(nbody);  // accumulated about the root frame origin
  std::vector<Vec3<double>> moment(nbody);   // sum m_b c_b
  for (int b = 0; b < nbody; ++b) {
    m.body_wmass[b] = 0;
    for (int k = 0; k < 3; ++k) m.body_wipos[3 * b + k] = 0;
    for (int k = 0; k < 6; ++k) m.body_winertia[6 * b + k] = 0;
  }
  for (int b = 1; b < nbody; ++b) {
    const int w = m.body_weldid[b];
    if (w == 0) continue;
    if (w != b) {
      const int p = m.body_parent[b];
      pos[b] = pos[p] + rot[p] * Vec3<double>::load(&m.body_pos[3 * b]);
      rot[b] = rot[p] * quat_to_mat(Quat<double>::load(&m.body_quat[4 * b]));
    }
    const double mb = m.body_mass[b];
    const Vec3<double> c = pos[b] + rot[b] * Vec3<double>::load(&m.body_ipos[3 * b]);
    const Mat3<double> R = rot[b] * quat_to_mat(Quat<double>::load(&m.body_iquat[4 * b]));
    const double* in = &m.body_inertia[3 * b];
    // inertia about the root frame origin: rotated principal inertia + m (|c|^2 E - c c^T)
    Mat3<double> Ib = R * Mat3<double>::diag(in[0], in[1], in[2]) * R.transpose();
    const Mat3<double> cx = Mat3<double>::skew(c);
    Ib = Ib + (cx.transpose() * cx) * mb;
    inertia[w] = inertia[w] + Ib;
    moment[w] = moment[w] + c * mb;
    m.body_wmass[w] += mb;
  }
  for (int w = 1; w < nbody; ++w) {
    const double mw = m.body_wmass[w];
    if (m.body_weldid[w] != w || !(mw > 0)) continue;
    const Vec3<double> c = moment[w] / mw;
    const Mat3<double> cx = Mat3<double>::skew(c);
    const Mat3<double> Ic = inertia[w] - (cx.transpose() * cx) * mw;  // back to the com
    c.store(&m.body_wipos[3 * w]);
    double* o = &m.body_winertia[6 * w];
    const int ij[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
    for (int k = 0; k < 6; ++k) o[k] = Ic(ij[k][0], ij[k][1]);
  }
}

// Row addresses, chain lengths and run starts of the packed layout of the tree `parent`
// (parent[k] < k): row k holds k's ancestor chain, root first (engine/crba.h).
void packed_layout(const std::vector<int>& parent, std::vector<int>& adr, std::vector<int>& num,
                   std::vector<int>& run) {
  const int nv = static_cast<int>(parent.size());
  for (int k = 0, a = 0; k < nv; ++k) {
    num[k] = 1 + (parent[k] >= 0 ? num[parent[k]] : 0);
    adr[k] = a;
    a += num[k];
    run[k] = (k > 0 && parent[k] == k - 1) ? run[k - 1] : k;
  }
}

}  // namespace

// The Newton Hessian H = M + J_A^T D J_A (engine/solver.h) has M's sparsity plus the entries of
// the active rows. A joint coupling between dofs on sibling branches (MS-Human-700's patella
// dofs follow the knee angle of the tibia, a sibling body) is always active and puts an entry
// outside M's pattern, which the factorization in M's layout can only take by the Woodbury
// identity, at a few extra tree solves per Newton iteration. Instead, the factor uses the
// elimination tree (Liu, "The role of elimination trees in sparse factorization", SIAM J.
// Matrix Anal. Appl. 11 (1990)) of the pattern of M plus every joint coupling, in the dof order
// eliminated from the last dof to the first (factor_tree's order): eliminating k joins its
// remaining neighbours, and k's parent is the largest of them. The factor's nonzeros lie on the
// chains of this tree, so the packed layout and algorithms of engine/crba.h apply unchanged with
// dof_Hparent in place of dof_parentid; each chain contains the kinematic chain (M's pattern is
// part of the input), so every row that lies on a kinematic chain also lies on an H chain. Without
// couplings across branches the two trees are equal.
void Model::hessian_elimination_tree() {
  const int nv = size.nv;
  // lower-triangular pattern, adj[k * nv + j] for j < k
  std::vector<char> adj(static_cast<size_t>(nv) * nv, 0);
  for (int k = 0; k < nv; ++k)
    for (int j = dof_parentid[k]; j >= 0; j = dof_parentid[j]) adj[k * nv + j] = 1;
  for (int e = 0; e < size.neq; ++e) {
    if (eq_type[e] != kEqJoint || eq_obj2id[e] < 0) continue;
    const int a = jnt_dofadr[eq_obj1id[e]], b = jnt_dofadr[eq_obj2id[e]];
    if (a != b) adj[std::max(a, b) * nv + std::min(a, b)] = 1;
  }
  for (int k = nv - 1; k >= 0; --k) {
    int p = -1;
    for (int j = k - 1; j >= 0 && p < 0; --j)
      if (adj[k * nv + j]) p = j;
    dof_Hparent[k] = p;
    for (int j = 0; p >= 0 && j < p; ++j)  // fill: k's other neighbours join its parent's row
      if (adj[k * nv + j]) adj[p * nv + j] = 1;
  }
  packed_layout(dof_Hparent, dof_Hadr, dof_Hnum, dof_Hrun);
  // every kinematic ancestor is an elimination-tree ancestor (M's entries fit the H layout)
  for (int k = 0; k < nv; ++k)
    for (int j = dof_parentid[k]; j >= 0; j = dof_parentid[j]) {
      int a = dof_Hparent[k];
      while (a > j) a = dof_Hparent[a];
      if (a != j)
        throw std::logic_error(source + ": internal error: dof " + std::to_string(j) +
                               " is not on the Hessian elimination chain of dof " +
                               std::to_string(k));
    }
}

void Model::finalize() {
  Sizes& s = size;
  // tree topology
  for (int b = 0; b < s.nbody; ++b) {
    const int p = body_parent[b];
    if (b > 0 && (p < 0 || p >= b))
      throw std::runtime_error(source + ": body " + std::to_string(b) +
                               ": parent must precede the body (depth-first order)");
    body_rootid[b] = b == 0 ? 0 : (p == 0 ? b : body_rootid[p]);
    body_depth[b] = b == 0 ? 0 : body_depth[p] + 1;
    body_weldid[b] = (b == 0 || body_jntnum[b] > 0) ? b : body_weldid[p];
  }
  for (int b = 0; b < s.nbody; ++b) {
    int parent_dof = -1;
    for (int a = body_parent[b]; b > 0 && a > 0 && parent_dof < 0; a = body_parent[a])
      if (body_dofnum[a] > 0) parent_dof = body_dofadr[a] + body_dofnum[a] - 1;
    for (int k = body_dofadr[b]; k < body_dofadr[b] + body_dofnum[b]; ++k)
      dof_parentid[k] = k == body_dofadr[b] ? parent_dof : k - 1;
  }
  // packed rows of tree-sparse matrices: row k holds k's ancestor chain, root first
  packed_layout(dof_parentid, dof_Madr, dof_Mnum, dof_Mrun);
  hessian_elimination_tree();
  // sites and geoms the step reads (tendon via points, wrap geoms and their side sites; geoms of
  // candidate collision pairs, marked below); kinematics skips the others (visual meshes)
  for (int i = 0; i < s.nsite; ++i) site_used[i] = 0;
  for (int g = 0; g < s.ngeom; ++g) geom_used[g] = 0;
  for (int w = 0; w < s.nwrap; ++w) {
    if (wrap_type[w] == kWrapSite) site_used[wrap_objid[w]] = 1;
    if (wrap_type[w] == kWrapSphere || wrap_type[w] == kWrapCylinder) {
      geom_used[wrap_objid[w]] = 1;
      if (wrap_prm[w] >= 0) site_used[static_cast<int>(wrap_prm[w])] = 1;
    }
  }
  for (int b = 0; b < s.nbody; ++b) body_subtreemass[b] = body_mass[b];
  for (int b = s.nbody - 1; b > 0; --b) body_subtreemass[body_parent[b]] += body_subtreemass[b];
  for (int g = 0; g < s.ngeom; ++g) geom_rbound[g] = geom_bound(*this, g);
  merge_welded_inertia(*this);
  // bodies whose subtree has lumped inertia or dofs: the only ones the inverse dynamics and the
  // composite inertias visit (MS-Human-700-Locomotion: 13 of 81)
  for (int b = 0; b < s.nbody; ++b) body_inertial[b] = body_wmass[b] > 0 || body_dofnum[b] > 0;
  for (int b = s.nbody - 1; b > 0; --b)
    if (body_inertial[b]) body_inertial[body_parent[b]] = 1;
  // candidate collision pairs (MuJoCo's filters: contype/conaffinity, same weld body, static
  // pairs, parent-child welds unless the parent is the world, and <contact><exclude>)
  pair_geom1.clear();
  pair_geom2.clear();
  s.nconmax = 0;
  for (int g1 = 0; g1 < s.ngeom; ++g1) {
    for (int g2 = g1 + 1; g2 < s.ngeom; ++g2) {
      if (!((geom_contype[g1] & geom_conaffinity[g2]) || (geom_contype[g2] & geom_conaffinity[g1])))
        continue;
      const int w1 = body_weldid[geom_bodyid[g1]], w2 = body_weldid[geom_bodyid[g2]];
      if (w1 == w2) continue;
      const int p1 = body_weldid[body_parent[w1]], p2 = body_weldid[body_parent[w2]];
      if ((w1 != 0 && p2 == w1) || (w2 != 0 && p1 == w2)) continue;
      if (geom_type[g1] == kGeomPlane && geom_type[g2] == kGeomPlane) continue;
      const int b1 = geom_bodyid[g1], b2 = geom_bodyid[g2];
      bool excluded = false;
      for (int e = 0; e < s.nexclude && !excluded; ++e)
        excluded = (exclude_body1[e] == b1 && exclude_body2[e] == b2) ||
                   (exclude_body1[e] == b2 && exclude_body2[e] == b1);
      if (excluded) continue;
      pair_geom1.push_back(g1);
      pair_geom2.push_back(g2);
      s.nconmax += pair_capacity(geom_type[g1], geom_type[g2], opt.nconmax_pair);
    }
  }
  s.npair = static_cast<int>(pair_geom1.size());
  for (int p = 0; p < s.npair; ++p) geom_used[pair_geom1[p]] = geom_used[pair_geom2[p]] = 1;
  // the used geoms and sites as compact lists ending with -1 (kinematics walks these)
  for (int g = 0, n = 0; g < s.ngeom; ++g) {
    geom_uselist[g] = -1;
    if (geom_used[g]) geom_uselist[n++] = g;
  }
  for (int i = 0, n = 0; i < s.nsite; ++i) {
    site_uselist[i] = -1;
    if (site_used[i]) site_uselist[n++] = i;
  }
  s.nconmax = std::min(s.nconmax, opt.nconmax);
  s.nlimited = 0;
  int limit_rows = 0;
  for (int j = 0; j < s.njnt; ++j) {
    if (!jnt_limited[j]) continue;
    ++s.nlimited;
    limit_rows += jnt_type[j] == kJointBall ? 1 : (jnt_type[j] == kJointFree ? 0 : 2);
  }
  for (int t = 0; t < s.ntendon; ++t)
    if (tendon_limited[t]) limit_rows += 2;
  s.nefcmax = s.neq + limit_rows + 4 * s.nconmax;

  // quantities at qpos0 (MuJoCo's mj_setConst): M, then the inverse inertias seen by bodies and
  // dofs, used by the constraint regularizer's diagonal approximation
  Data<double> d(*this, 1);
  ModelView<double> mv = view();
  WorldData<double> w = d.world(0);
  kinematics(mv, w);
  com_pos(mv, w);
  crba(mv, w);
  if (!factor_mass(mv, w)) {
    for (int k = s.nv - 1; k >= 0; --k)
      if (!(w.qLDiagInv[k] > 0))
        throw std::runtime_error(
            source + ": the mass matrix is singular at dof " + std::to_string(k) + " (body '" +
            (dof_bodyid[k] < (int)body_name.size() ? body_name[dof_bodyid[k]]
                                                   : std::to_string(dof_bodyid[k])) +
            "'): moving bodies need mass, inertia or armature");
  }
  double trace = 0;
  for (int k = 0; k < s.nv; ++k) trace += w.qM_tree[dof_Madr[k] + dof_Mnum[k] - 1];
  stat_meaninertia[0] = s.nv > 0 ? trace / s.nv : 1.0;
  std::vector<double> x(s.nv);
  auto minv_quad = [&](const std::vector<double>& row) {
    x = row;
    solve_mass(mv, w, x.data());
    double a = 0;
    for (int k = 0; k < s.nv; ++k) a += row[k] * x[k];
    return a;
  };
  std::vector<double> row(s.nv);
  for (int b = 0; b < s.nbody; ++b) {
    body_invweight0[2 * b] = body_invweight0[2 * b + 1] = 0;
    if (b == 0 || body_weldid[b] == 0) continue;
    const Vec3<double> p = Vec3<double>::load(&w.xipos[3 * b]);
    double tran = 0, rot = 0;
    for (int axis = 0; axis < 3; ++axis) {
      Vec3<double> e;
      e[axis] = 1;
      std::fill(row.begin(), row.end(), 0.0);
      add_point_jacobian(mv, w, b, p, e, 1.0, row.data());
      tran += minv_quad(row);
      std::fill(row.begin(), row.end(), 0.0);
      for (int k = body_dofadr[body_weldid[b]] + body_dofnum[body_weldid[b]] - 1; k >= 0;
           k = dof_parentid[k])
        row[k] = w.cdof[6 * k + axis];
      rot += minv_quad(row);
    }
    body_invweight0[2 * b] = tran / 3;
    body_invweight0[2 * b + 1] = rot / 3;
  }
  for (int j = 0; j < s.njnt; ++j) {
    const int da = jnt_dofadr[j], n = joint_nv(jnt_type[j]);
    std::vector<double> diag(n);
    for (int i = 0; i < n; ++i) {
      std::fill(row.begin(), row.end(), 0.0);
      row[da + i] = 1;
      diag[i] = minv_quad(row);
    }
    if (n == 6) {
      for (int i = 0; i < 3; ++i) dof_invweight0[da + i] = (diag[0] + diag[1] + diag[2]) / 3;
      for (int i = 3; i < 6; ++i) dof_invweight0[da + i] = (diag[3] + diag[4] + diag[5]) / 3;
    } else if (n == 3) {
      for (int i = 0; i < 3; ++i) dof_invweight0[da + i] = (diag[0] + diag[1] + diag[2]) / 3;
    } else {
      dof_invweight0[da] = diag[0];
    }
  }
  set_actuator_const(*this);
}

ModelView<double> Model::view() const {
  ModelView<double> v;
  v.size = size;
  v.opt = opt;
  v.timestep = opt.timestep;
  for (int i = 0; i < 3; ++i) v.gravity[i] = opt.gravity[i];
#define SINEW_X(name, count) v.name = name.data();
  SINEW_MODEL_INT_FIELDS(SINEW_X)
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  return v;
}

ModelView<float> Model::view_float(std::vector<float>& storage) const {
  size_t total = 0;
#define SINEW_X(name, count) total += name.size();
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  storage.resize(total);
  ModelView<float> v;
  v.size = size;
  v.opt = opt;
  v.timestep = static_cast<float>(opt.timestep);
  for (int i = 0; i < 3; ++i) v.gravity[i] = static_cast<float>(opt.gravity[i]);
#define SINEW_X(name, count) v.name = name.data();
  SINEW_MODEL_INT_FIELDS(SINEW_X)
#undef SINEW_X
  size_t off = 0;
#define SINEW_X(name, count)                                      \
  std::transform(name.begin(), name.end(), storage.begin() + off, \
                 [](double x) { return static_cast<float>(x); }); \
  v.name = storage.data() + off;                                  \
  off += name.size();
  SINEW_MODEL_REAL_FIELDS(SINEW_X)
#undef SINEW_X
  return v;
}

double Model::total_mass() const {
  double m = 0;
  for (double x : body_mass) m += x;
  return m;
}

}  // namespace sinew
