// SPDX-License-Identifier: Apache-2.0
// Mesh mass properties as MuJoCo compiles them (src/user/user_mesh.cc, mjCMesh::Process,
// ComputeVolume, ComputeInertia; doc/modeling.rst "Mesh inertia"), and the convex hull (qhull).
//
// Per triangle (a, b, c): n = (b - a) x (c - a), area A = |n|/2, unit normal n/|n|, centroid
// g = (a + b + c)/3. Pyramid volume over apex p: V = ((g - p) . n_unit) A / 3; the legacy rule
// takes |V| (so open or inconsistently oriented meshes still get a positive volume).
//  1. face centroid c_f = sum(A g) / sum(A)
//  2. volume and centre of mass with apex c_f: com = sum(V (3/4 g + 1/4 c_f)) / sum(V)
//  3. second moments with apex com (vertices relative to com), volume recomputed the same way:
//     P_jk += V/20 (2 (d_j d_k + e_j e_k + f_j f_k) + d_j e_k + d_k e_j + d_j f_k + d_k f_j
//                   + e_j f_k + e_k f_j)      (tetrahedron with one vertex at the origin)
//     inertia = [P_yy + P_zz, P_xx + P_zz, P_xx + P_yy; -P_xy, -P_xz, -P_yz]; the volume of
//     step 3 is the one MuJoCo keeps (mass = density * volume).
//  4. principal axes (eigenvalues in decreasing order, as mjuu_eig3); the vertices are moved
//     into the principal frame at com and rounded to float (MuJoCo stores float vertices).
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>

extern "C" {
#include <libqhull_r/qhull_ra.h>
}

#include "engine/mjcf/mesh.h"

namespace sinew::mjcf {

namespace {

constexpr double kMinVal = 1e-15;  // MuJoCo's mjMINVAL

// Area of triangle (a, b, c); unit normal and centroid (MuJoCo's `triangle`).
double triangle(const double* a, const double* b, const double* c, double normal[3],
                double center[3]) {
  for (int i = 0; i < 3; ++i) center[i] = (a[i] + b[i] + c[i]) / 3;
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
  normal[0] = u[1] * v[2] - u[2] * v[1];
  normal[1] = u[2] * v[0] - u[0] * v[2];
  normal[2] = u[0] * v[1] - u[1] * v[0];
  const double len =
      std::sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
  if (len < kMinVal) return 0;
  for (int i = 0; i < 3; ++i) normal[i] /= len;
  return 0.5 * len;
}

// Vertices of the convex hull of `pts` (n points), as indices; empty when qhull fails.
std::vector<int> hull_vertices(const std::vector<double>& pts) {
  const int n = static_cast<int>(pts.size() / 3);
  std::vector<coordT> coords(pts.begin(), pts.end());
  qhT qh_storage;
  qhT* qh = &qh_storage;
  FILE* errfile = std::fopen("/dev/null", "w");
  QHULL_LIB_CHECK
  qh_zero(qh, errfile);
  char options[] = "qhull Qt";
  std::vector<int> out;
  const int exitcode = qh_new_qhull(qh, 3, n, coords.data(), False, options, nullptr, errfile);
  if (!exitcode) {
    vertexT* vertex;
    FORALLvertices { out.push_back(qh_pointid(qh, vertex->point)); }
    std::sort(out.begin(), out.end());
  }
  qh_freeqhull(qh, !qh_ALL);
  int curlong, totlong;
  qh_memfreeshort(qh, &curlong, &totlong);
  if (errfile) std::fclose(errfile);
  return out;
}

}  // namespace

ProcessedMesh process_mesh(const RawMesh& raw, const double scale[3], bool legacy) {
  const int nv = static_cast<int>(raw.vert.size() / 3);
  const int nf = static_cast<int>(raw.face.size() / 3);
  std::vector<double> v(raw.vert.begin(), raw.vert.end());
  for (int i = 0; i < nv; ++i)
    for (int k = 0; k < 3; ++k) v[3 * i + k] *= scale[k];
  std::vector<int> face = raw.face;
  if (scale[0] * scale[1] * scale[2] < 0)  // mirrored: keep the faces' orientation outward
    for (int f = 0; f < nf; ++f) std::swap(face[3 * f + 1], face[3 * f + 2]);
  for (int idx : face)
    if (idx < 0 || idx >= nv) throw std::runtime_error("face index out of range");
  auto vert = [&](const std::vector<double>& arr, int f, int j) {
    return &arr[3 * face[3 * f + j]];
  };
  double normal[3], center[3];

  // 1. face centroid
  double facecen[3] = {0, 0, 0}, area_sum = 0;
  for (int f = 0; f < nf; ++f) {
    const double a = triangle(vert(v, f, 0), vert(v, f, 1), vert(v, f, 2), normal, center);
    for (int k = 0; k < 3; ++k) facecen[k] += a * center[k];
    area_sum += a;
  }
  if (area_sum < kMinVal) throw std::runtime_error("mesh surface area is too small");
  for (double& c : facecen) c /= area_sum;

  // 2. volume and centre of mass (apex at the face centroid)
  double com[3] = {0, 0, 0}, vol = 0;
  for (int f = 0; f < nf; ++f) {
    const double a = triangle(vert(v, f, 0), vert(v, f, 1), vert(v, f, 2), normal, center);
    double V = ((center[0] - facecen[0]) * normal[0] + (center[1] - facecen[1]) * normal[1] +
                (center[2] - facecen[2]) * normal[2]) *
               a / 3;
    if (legacy) V = std::fabs(V);
    vol += V;
    for (int k = 0; k < 3; ++k) com[k] += V * (center[k] * 3.0 / 4.0 + facecen[k] / 4.0);
  }
  if (vol < kMinVal)
    throw std::runtime_error(vol < 0 ? "mesh volume is negative (misoriented triangles)"
                                     : "mesh volume is too small");
  for (double& c : com) c /= vol;

  // 3. second moments about the centre of mass
  std::vector<double> vc(v);
  for (int i = 0; i < nv; ++i)
    for (int k = 0; k < 3; ++k) vc[3 * i + k] -= com[k];
  static const int kIdx[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  double P[6] = {0, 0, 0, 0, 0, 0}, total = 0;
  for (int f = 0; f < nf; ++f) {
    const double *D = vert(vc, f, 0), *E = vert(vc, f, 1), *F = vert(vc, f, 2);
    const double a = triangle(D, E, F, normal, center);
    double V = (center[0] * normal[0] + center[1] * normal[1] + center[2] * normal[2]) * a / 3;
    if (legacy) V = std::fabs(V);
    total += V;
    for (int j = 0; j < 6; ++j) {
      const int p = kIdx[j][0], q = kIdx[j][1];
      P[j] += V / 20 *
              (2 * (D[p] * D[q] + E[p] * E[q] + F[p] * F[q]) + D[p] * E[q] + D[q] * E[p] +
               D[p] * F[q] + D[q] * F[p] + E[p] * F[q] + E[q] * F[p]);
    }
  }
  Eigen::Matrix3d I;
  I << P[1] + P[2], -P[3], -P[4], -P[3], P[0] + P[2], -P[5], -P[4], -P[5], P[0] + P[1];

  // 4. principal axes, decreasing moments, proper rotation
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(I);
  Eigen::Vector3d ev = eig.eigenvalues();
  Eigen::Matrix3d R = eig.eigenvectors();
  Eigen::Matrix3d Rs;
  double evs[3];
  for (int k = 0; k < 3; ++k) {
    evs[k] = ev(2 - k);
    Rs.col(k) = R.col(2 - k);
  }
  if (Rs.determinant() < 0) Rs.col(2) *= -1;
  if (!(evs[0] > 0)) throw std::runtime_error("eigenvalue of mesh inertia must be positive");
  ProcessedMesh out;
  out.volume = total;
  std::copy(com, com + 3, out.pos);
  std::copy(evs, evs + 3, out.inertia);
  Eigen::Quaterniond q(Rs);
  q.normalize();
  if (q.w() < 0) q.coeffs() *= -1;
  out.quat[0] = q.w(), out.quat[1] = q.x(), out.quat[2] = q.y(), out.quat[3] = q.z();
  out.vert.resize(3 * static_cast<size_t>(nv));
  for (int i = 0; i < nv; ++i) {
    const Eigen::Vector3d p =
        Rs.transpose() * Eigen::Vector3d(vc[3 * i], vc[3 * i + 1], vc[3 * i + 2]);
    for (int k = 0; k < 3; ++k) out.vert[3 * i + k] = static_cast<float>(p(k));
  }
  const std::vector<int> h = hull_vertices(out.vert);
  out.hull_ok = h.size() >= 4;
  if (out.hull_ok) {
    for (int i : h) out.hull.insert(out.hull.end(), &out.vert[3 * i], &out.vert[3 * i] + 3);
  } else {
    out.hull = out.vert;
  }
  return out;
}

}  // namespace sinew::mjcf
