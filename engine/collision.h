// SPDX-License-Identifier: Apache-2.0
// Collision detection: narrowphase between geom pairs in the world frame, a dispatcher over geom
// types, and the collision stage that fills d.contact_* from the model's candidate pairs.
//
// Contact conventions (MuJoCo's mjContact, doc/computation §Collision detection):
//   normal  unit vector pointing from geom1 toward geom2 (the caller's order),
//   dist    signed distance between the two surfaces along the normal (< 0: penetration),
//   pos     midpoint between the two surface points,
//   a contact is reported when dist < margin.
// Geometry (MuJoCo's geom sizes): sphere radius = size[0]; capsule radius = size[0], half-length
// size[1] along local z; cylinder likewise; box half-sizes size[0..2]; plane normal = local z,
// infinite; mesh = convex hull of its vertices (local frame), tested vertex-wise against planes.
#pragma once

#include "engine/core/hd.h"
#include "engine/core/vec.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// Most contacts one narrowphase call writes.
constexpr int kMaxContactsPerPair = 4;

// One contact point in the world frame (see the conventions above).
template <typename T>
struct ContactPoint {
  Vec3<T> pos;
  Vec3<T> normal;
  T dist;
};

// World-frame geometry of one geom: pose (rot's columns are the geom axes), MuJoCo sizes, and
// for meshes the vertex array (3 per vertex, local frame).
template <typename T>
struct CollisionGeom {
  Vec3<T> pos;
  Mat3<T> rot;
  T size[3];
  const T* vert;
  int nvert;
};

// Builds a CollisionGeom from a pose and up to three sizes (no mesh).
template <typename T>
SINEW_HD CollisionGeom<T> make_collision_geom(const Vec3<T>& pos, const Mat3<T>& rot, T s0,
                                              T s1 = T(0), T s2 = T(0)) {
  CollisionGeom<T> g;
  g.pos = pos;
  g.rot = rot;
  g.size[0] = s0;
  g.size[1] = s1;
  g.size[2] = s2;
  g.vert = nullptr;
  g.nvert = 0;
  return g;
}

namespace collision_detail {

// Lengths below this are treated as zero when a direction is derived from them.
template <typename T>
SINEW_HD SINEW_INLINE T tiny() {
  return sizeof(T) == sizeof(float) ? T(1e-7) : T(1e-12);
}

// A unit vector perpendicular to the unit vector a, chosen deterministically.
template <typename T>
SINEW_HD Vec3<T> perpendicular(const Vec3<T>& a) {
  Vec3<T> e = (a.x < T(0.5) && a.x > T(-0.5)) ? Vec3<T>(1, 0, 0) : Vec3<T>(0, 1, 0);
  e -= a * dot(a, e);
  normalize(e);
  return e;
}

// Writes contact between spheres (c1, r1) and (c2, r2) if their distance is below margin; the
// normal points from 1 to 2, or is `fallback` when the centres coincide. Returns 0 or 1.
template <typename T>
SINEW_HD int sphere_sphere(const Vec3<T>& c1, T r1, const Vec3<T>& c2, T r2,
                           const Vec3<T>& fallback, T margin, ContactPoint<T>* out) {
  const Vec3<T> d = c2 - c1;
  const T len = norm(d);
  const T dist = len - r1 - r2;
  if (!(dist < margin)) return 0;
  const Vec3<T> n = len > tiny<T>() ? d * (T(1) / len) : fallback;
  out->normal = n;
  out->dist = dist;
  out->pos = c1 + n * (r1 + T(0.5) * dist);
  return 1;
}

// Inserts (pos, dist) into `out`, kept sorted by increasing dist with at most `cap` entries;
// on equal dist the earlier entry stays first. Returns the new count.
template <typename T>
SINEW_HD int insert_deepest(ContactPoint<T>* out, int n, int cap, const Vec3<T>& pos,
                            const Vec3<T>& normal, T dist) {
  int k = n < cap ? n : cap - 1;
  if (n >= cap && !(dist < out[cap - 1].dist)) return n;
  while (k > 0 && dist < out[k - 1].dist) {
    out[k] = out[k - 1];
    --k;
  }
  out[k].pos = pos;
  out[k].normal = normal;
  out[k].dist = dist;
  return n < cap ? n + 1 : cap;
}

// Closest points between segments c1 + a1*s, |s| <= h1 and c2 + a2*t, |t| <= h2 (unit axes):
// Ericson, Real-Time Collision Detection (2005) §5.1.9, in centre/half-length form.
template <typename T>
SINEW_HD void segment_segment(const Vec3<T>& c1, const Vec3<T>& a1, T h1, const Vec3<T>& c2,
                              const Vec3<T>& a2, T h2, T& s, T& t) {
  const Vec3<T> r = c1 - c2;
  const T b = dot(a1, a2), c = dot(a1, r), f = dot(a2, r);
  const T denom = T(1) - b * b;
  s = denom > tiny<T>() ? s_clamp((b * f - c) / denom, -h1, h1) : T(0);
  t = f + b * s;
  if (t < -h2 || t > h2) {
    t = s_clamp(t, -h2, h2);
    s = s_clamp(b * t - c, -h1, h1);
  }
}

// Signed distance from a point to a box of half-sizes h, both in the box frame (negative inside):
// length of the positive part of |x| - h plus min(max_i(|x_i| - h_i), 0).
template <typename T>
SINEW_HD T box_sdf(const Vec3<T>& x, const T* h) {
  const T qx = s_abs(x.x) - h[0], qy = s_abs(x.y) - h[1], qz = s_abs(x.z) - h[2];
  const Vec3<T> o(s_max(qx, T(0)), s_max(qy, T(0)), s_max(qz, T(0)));
  return norm(o) + s_min(s_max(qx, s_max(qy, qz)), T(0));
}

// Exact minimum of the box SDF f(t) = box_sdf(x0 + a t) over t in [-h, h] (box frame, |a| = 1).
// f is convex and piecewise: on each piece it is linear (inside the box, or outside with one
// coordinate clamped) or the root of a quadratic (outside with two or three coordinates clamped),
// so its minimum lies at a segment end, a breakpoint (x_i = -h_i, 0, h_i; or |x_i| - h_i =
// |x_j| - h_j inside), or the stationary point of a piece's quadratic; run() visits all of them
// and keeps the lowest (fmin at tmin; ties keep the first visited).
template <typename T>
struct LineBoxScan {
  Vec3<T> x0, a;
  const T* half;
  T fmin, tmin;
  SINEW_HD void visit(T t) {
    const T f = box_sdf(x0 + a * t, half);
    if (f < fmin) fmin = f, tmin = t;
  }
  SINEW_HD void run(T h) {
    visit(-h);
    visit(h);
    for (int i = 0; i < 3; ++i) {  // crossings of the planes x_i = -h_i, 0, h_i
      if (!(s_abs(a[i]) > tiny<T>())) continue;
      for (int k = -1; k <= 1; ++k) {
        const T t = (T(k) * half[i] - x0[i]) / a[i];
        if (t > -h && t < h) visit(t);
      }
    }
    for (int i = 0; i < 3; ++i) {  // inside: switches of the nearest face
      for (int j = i + 1; j < 3; ++j) {
        for (int sg = 0; sg < 4; ++sg) {
          const T si = (sg & 1) ? T(1) : T(-1), sj = (sg & 2) ? T(1) : T(-1);
          const T den = a[i] * si - a[j] * sj;
          if (!(s_abs(den) > tiny<T>())) continue;
          const T t = -(x0[i] * si - x0[j] * sj - half[i] + half[j]) / den;
          if (t > -h && t < h) visit(t);
        }
      }
    }
    for (int code = 0; code < 27; ++code) {  // stationary points: coordinate i clamped to
      T num = 0, den = 0;                    // -h_i, +h_i or free (base-3 digit 1, 2, 0)
      int nclamped = 0;
      for (int i = 0, c = code; i < 3; ++i, c /= 3) {
        if (c % 3 == 0) continue;
        const T target = c % 3 == 1 ? -half[i] : half[i];
        num += a[i] * (x0[i] - target);
        den += a[i] * a[i];
        ++nclamped;
      }
      if (nclamped >= 2 && den > tiny<T>()) visit(s_clamp(-num / den, -h, h));
    }
  }
};

// Clips [lo, hi] to the t with |x0 + a t| <= c (no constraint when a is ~0).
template <typename T>
SINEW_HD void clip_slab(T x0, T a, T c, T& lo, T& hi) {
  if (!(s_abs(a) > tiny<T>())) return;
  T t0 = (-c - x0) / a, t1 = (c - x0) / a;
  if (t0 > t1) {
    const T tmp = t0;
    t0 = t1;
    t1 = tmp;
  }
  lo = s_max(lo, t0);
  hi = s_min(hi, t1);
}

// The stretch [lo, hi] of [-h, h] around the minimizer tmin on which the box SDF along x0 + a t
// stays at its minimum because the segment is parallel (|a_i| <= ptol) to every active
// coordinate: those clamped outside the box (a face or an edge), or the nearest face inside
// (q_i = |x_i| - h_i within qtol of the largest; the most parallel one). Returns false
// (lo = hi = tmin) when the minimum is not flat.
template <typename T>
SINEW_HD bool flat_minimum(const Vec3<T>& x0, const Vec3<T>& a, T h, const T* half, T tmin, T ptol,
                           T qtol, T& lo, T& hi) {
  lo = hi = tmin;
  const Vec3<T> x = x0 + a * tmin;
  const T q[3] = {s_abs(x.x) - half[0], s_abs(x.y) - half[1], s_abs(x.z) - half[2]};
  const T qmax = s_max(q[0], s_max(q[1], q[2]));
  const bool outside = qmax > qtol;
  int face = -1;  // inside: the active face
  for (int i = 0; i < 3; ++i) {
    if (outside) {
      if (q[i] > qtol && s_abs(a[i]) > ptol) return false;
    } else if (q[i] >= qmax - qtol && (face < 0 || s_abs(a[i]) < s_abs(a[face]))) {
      face = i;
    }
  }
  if (!outside && s_abs(a[face]) > ptol) return false;
  T l = -h, u = h;
  for (int j = 0; j < 3; ++j) {
    if (outside && q[j] <= qtol) clip_slab(x0[j], a[j], half[j], l, u);
    if (!outside && j != face) clip_slab(x0[j], a[j], half[j] + q[face], l, u);
  }
  lo = s_min(l, tmin);
  hi = s_max(u, tmin);
  return true;
}

}  // namespace collision_detail

// ---- plane vs primitives (geom1 = plane) -------------------------------------------------------

// Plane vs sphere: at most 1 contact.
template <typename T>
SINEW_HD int collide_plane_sphere(const CollisionGeom<T>& plane, const CollisionGeom<T>& sphere,
                                  T margin, ContactPoint<T>* out) {
  const Vec3<T> n = plane.rot.col(2);
  const T r = sphere.size[0];
  const T dist = dot(n, sphere.pos - plane.pos) - r;
  if (!(dist < margin)) return 0;
  out->normal = n;
  out->dist = dist;
  out->pos = sphere.pos - n * (r + T(0.5) * dist);
  return 1;
}

// Plane vs capsule: each end cap is a sphere; at most 2 contacts (the +z end first, as MuJoCo's
// mjc_PlaneCapsule).
template <typename T>
SINEW_HD int collide_plane_capsule(const CollisionGeom<T>& plane, const CollisionGeom<T>& cap,
                                   T margin, ContactPoint<T>* out) {
  const Vec3<T> a = cap.rot.col(2) * cap.size[1];
  int n = 0;
  for (int side = 1; side >= -1; side -= 2) {
    CollisionGeom<T> end = cap;
    end.pos = cap.pos + a * T(side);
    n += collide_plane_sphere(plane, end, margin, out + n);
  }
  return n;
}

// Plane vs box: the deepest corners with dist < margin, at most maxcon (<= 4), deepest first.
template <typename T>
SINEW_HD int collide_plane_box(const CollisionGeom<T>& plane, const CollisionGeom<T>& box, T margin,
                               ContactPoint<T>* out, int maxcon = kMaxContactsPerPair) {
  const Vec3<T> n = plane.rot.col(2);
  const int cap = s_clamp(maxcon, 1, kMaxContactsPerPair);
  int count = 0;
  for (int i = 0; i < 8; ++i) {
    const Vec3<T> local((i & 1) ? box.size[0] : -box.size[0], (i & 2) ? box.size[1] : -box.size[1],
                        (i & 4) ? box.size[2] : -box.size[2]);
    const Vec3<T> w = box.pos + box.rot * local;
    const T dist = dot(n, w - plane.pos);
    if (!(dist < margin)) continue;
    count = collision_detail::insert_deepest(out, count, cap, w - n * (T(0.5) * dist), n, dist);
  }
  return count;
}

// Plane vs cylinder: the deepest rim point of the disc nearer the plane, the same rim point of
// the other disc, and two more rim points of the near disc at +-120 degrees (a support triangle
// when the cylinder stands upright); those with dist < margin, at most maxcon, deepest first.
template <typename T>
SINEW_HD int collide_plane_cylinder(const CollisionGeom<T>& plane, const CollisionGeom<T>& cyl,
                                    T margin, ContactPoint<T>* out,
                                    int maxcon = kMaxContactsPerPair) {
  const Vec3<T> n = plane.rot.col(2), a = cyl.rot.col(2);
  const T r = cyl.size[0], h = cyl.size[1];
  const T along = dot(a, n);
  const Vec3<T> near_end = cyl.pos + a * (along > T(0) ? -h : h);
  const Vec3<T> far_end = cyl.pos + a * (along > T(0) ? h : -h);
  // v: unit radial direction pointing most toward the plane
  Vec3<T> v = a * along - n;
  if (norm(v) > T(1e-4)) {
    normalize(v);
  } else {
    v = cyl.rot.col(0);
  }
  const Vec3<T> w = cross(a, v);
  const T c = T(-0.5), s = T(0.8660254037844386);  // cos, sin of 120 degrees
  const Vec3<T> pts[4] = {near_end + v * r, far_end + v * r, near_end + (v * c + w * s) * r,
                          near_end + (v * c - w * s) * r};
  const int cap = s_clamp(maxcon, 1, kMaxContactsPerPair);
  int count = 0;
  for (int i = 0; i < 4; ++i) {
    const T dist = dot(n, pts[i] - plane.pos);
    if (!(dist < margin)) continue;
    count =
        collision_detail::insert_deepest(out, count, cap, pts[i] - n * (T(0.5) * dist), n, dist);
  }
  return count;
}

// Plane vs convex mesh: vertices with dist < margin. When more than maxcon qualify, keeps the
// deepest, then greedily the ones that spread the support polygon most (farthest from the first,
// then largest triangle, then largest area added outside that triangle, all measured in the
// plane). Deepest first; ties go to the lower vertex index. Work is done in the mesh frame
// (3 multiply-adds per vertex); only the kept vertices are transformed to the world.
template <typename T>
SINEW_HD int collide_plane_mesh(const CollisionGeom<T>& plane, const CollisionGeom<T>& mesh,
                                T margin, ContactPoint<T>* out, int maxcon = kMaxContactsPerPair) {
  if (mesh.vert == nullptr || mesh.nvert <= 0) return 0;
  const Vec3<T> n = plane.rot.col(2);
  const Vec3<T> nl = mesh.rot.tmul(n);         // plane normal in the mesh frame
  const T off = dot(n, mesh.pos - plane.pos);  // dist of the mesh origin
  const int cap = s_clamp(maxcon, 1, kMaxContactsPerPair);
  // candidates and the deepest one
  int ncand = 0, ia = -1;
  T da = 0;
  for (int i = 0; i < mesh.nvert; ++i) {
    const T dist = dot(nl, Vec3<T>::load(mesh.vert + 3 * i)) + off;
    if (!(dist < margin)) continue;
    ++ncand;
    if (ia < 0 || dist < da) ia = i, da = dist;
  }
  if (ncand == 0) return 0;
  int chosen[kMaxContactsPerPair] = {ia, -1, -1, -1};
  int nsel = 1;
  if (ncand <= cap) {
    nsel = 0;
    for (int i = 0; i < mesh.nvert; ++i)
      if (dot(nl, Vec3<T>::load(mesh.vert + 3 * i)) + off < margin) chosen[nsel++] = i;
  } else {
    // greedy spread selection; p[k] are the chosen vertices (mesh frame)
    Vec3<T> p[kMaxContactsPerPair];
    p[0] = Vec3<T>::load(mesh.vert + 3 * ia);
    T orient = 0;  // sign of the triangle (p0, p1, p2) about nl
    while (nsel < cap) {
      int best = -1;
      T best_score = 0;
      for (int i = 0; i < mesh.nvert; ++i) {
        const Vec3<T> v = Vec3<T>::load(mesh.vert + 3 * i);
        if (!(dot(nl, v) + off < margin)) continue;
        bool taken = false;
        for (int k = 0; k < nsel; ++k) taken = taken || chosen[k] == i;
        if (taken) continue;
        const Vec3<T> u = v - p[0];
        T score;
        if (nsel == 1) {  // squared in-plane distance from the deepest vertex
          const T un = dot(nl, u);
          score = dot(u, u) - un * un;
        } else if (nsel == 2) {  // squared in-plane triangle area (x4)
          const T ar = dot(nl, cross(p[1] - p[0], u));
          score = ar * ar;
        } else {  // largest area outside one edge of the triangle (x2)
          score = 0;
          for (int e = 0; e < 3; ++e) {
            const Vec3<T>& q0 = p[e];
            const Vec3<T>& q1 = p[(e + 1) % 3];
            score = s_max(score, -orient * dot(nl, cross(q1 - q0, v - q0)));
          }
        }
        if (score > best_score) best = i, best_score = score;
      }
      if (best < 0) break;
      chosen[nsel] = best;
      p[nsel] = Vec3<T>::load(mesh.vert + 3 * best);
      if (nsel == 2) orient = dot(nl, cross(p[1] - p[0], p[2] - p[0])) > T(0) ? T(1) : T(-1);
      ++nsel;
    }
  }
  int count = 0;
  for (int k = 0; k < nsel; ++k) {
    const Vec3<T> w = mesh.pos + mesh.rot * Vec3<T>::load(mesh.vert + 3 * chosen[k]);
    const T dist = dot(n, w - plane.pos);
    if (k == 0 || ncand <= cap)  // keep the spread order after the deepest
      count = collision_detail::insert_deepest(out, count, cap, w - n * (T(0.5) * dist), n, dist);
    else
      out[count++] = ContactPoint<T>{w - n * (T(0.5) * dist), n, dist};
  }
  return count;
}

// ---- pairs of primitives ------------------------------------------------------------------------

// Sphere vs sphere: at most 1 contact; coincident centres give the normal +z.
template <typename T>
SINEW_HD int collide_sphere_sphere(const CollisionGeom<T>& s1, const CollisionGeom<T>& s2, T margin,
                                   ContactPoint<T>* out) {
  return collision_detail::sphere_sphere(s1.pos, s1.size[0], s2.pos, s2.size[0], Vec3<T>(0, 0, 1),
                                         margin, out);
}

// Sphere vs capsule: the sphere against the closest point of the capsule's segment; at most 1.
template <typename T>
SINEW_HD int collide_sphere_capsule(const CollisionGeom<T>& sph, const CollisionGeom<T>& cap,
                                    T margin, ContactPoint<T>* out) {
  const Vec3<T> a = cap.rot.col(2);
  const T t = s_clamp(dot(a, sph.pos - cap.pos), -cap.size[1], cap.size[1]);
  return collision_detail::sphere_sphere(sph.pos, sph.size[0], cap.pos + a * t, cap.size[0],
                                         collision_detail::perpendicular(a), margin, out);
}

// Capsule vs capsule: closest points of the two segments; (nearly) parallel overlapping segments
// give 2 contacts at the ends of the overlap. At most 2 contacts.
template <typename T>
SINEW_HD int collide_capsule_capsule(const CollisionGeom<T>& c1, const CollisionGeom<T>& c2,
                                     T margin, ContactPoint<T>* out) {
  using collision_detail::sphere_sphere;
  const Vec3<T> a1 = c1.rot.col(2), a2 = c2.rot.col(2);
  const T h1 = c1.size[1], h2 = c2.size[1], r1 = c1.size[0], r2 = c2.size[0];
  const Vec3<T> fallback = collision_detail::perpendicular(a1);
  const T b = dot(a1, a2);
  if (T(1) - b * b < T(1e-6)) {
    // parallel: overlap of segment 2's projection with [-h1, h1] along a1
    const T c = dot(a1, c1.pos - c2.pos);
    const T e0 = -c - b * h2, e1 = -c + b * h2;
    const T lo = s_max(s_min(e0, e1), -h1), hi = s_min(s_max(e0, e1), h1);
    if (hi - lo > T(1e-6) * (h1 + h2 + r1 + r2)) {
      const T f = dot(a2, c1.pos - c2.pos);
      int n = 0;
      for (int k = 0; k < 2; ++k) {
        const T s = k == 0 ? lo : hi;
        const T t = s_clamp(f + b * s, -h2, h2);
        n += sphere_sphere(c1.pos + a1 * s, r1, c2.pos + a2 * t, r2, fallback, margin, out + n);
      }
      return n;
    }
  }
  T s, t;
  collision_detail::segment_segment(c1.pos, a1, h1, c2.pos, a2, h2, s, t);
  return sphere_sphere(c1.pos + a1 * s, r1, c2.pos + a2 * t, r2, fallback, margin, out);
}

namespace collision_detail {

// Sphere (centre c, radius r) vs box; normal from the sphere toward the box. At most 1 contact.
// Outside: from the closest box point; inside: through the face of least penetration.
template <typename T>
SINEW_HD int sphere_box(const Vec3<T>& c, T r, const CollisionGeom<T>& box, T margin,
                        ContactPoint<T>* out) {
  const T* h = box.size;
  const Vec3<T> x = box.rot.tmul(c - box.pos);  // centre in the box frame
  Vec3<T> q(s_clamp(x.x, -h[0], h[0]), s_clamp(x.y, -h[1], h[1]), s_clamp(x.z, -h[2], h[2]));
  Vec3<T> nl;  // normal in the box frame, sphere -> box
  T dist;
  const Vec3<T> d = q - x;
  const T len = norm(d);
  if (len > tiny<T>()) {
    nl = d * (T(1) / len);
    dist = len - r;
  } else {
    int axis = 0;
    T depth = h[0] - s_abs(x.x);
    for (int i = 1; i < 3; ++i) {
      const T di = h[i] - s_abs(x[i]);
      if (di < depth) axis = i, depth = di;
    }
    const T sgn = x[axis] < T(0) ? T(-1) : T(1);
    q[axis] = sgn * h[axis];
    nl[axis] = -sgn;
    dist = -depth - r;
  }
  if (!(dist < margin)) return 0;
  const Vec3<T> n = box.rot * nl;
  const Vec3<T> qw = box.pos + box.rot * q;
  out->normal = n;
  out->dist = dist;
  out->pos = (c + n * r + qw) * T(0.5);
  return 1;
}

}  // namespace collision_detail

// Sphere vs box: at most 1 contact (normal from the sphere toward the box).
template <typename T>
SINEW_HD int collide_sphere_box(const CollisionGeom<T>& sph, const CollisionGeom<T>& box, T margin,
                                ContactPoint<T>* out) {
  return collision_detail::sphere_box(sph.pos, sph.size[0], box, margin, out);
}

// Capsule vs box. The box's signed distance along the capsule's segment is minimized exactly
// (LineBoxScan); sphere-box contacts are made at both segment ends, and at the minimizer or, when
// the minimum is flat (the segment parallel to a face or an edge within 1e-3 rad: lying on a face,
// bridging two edges of a smaller box, or hanging over one edge), at both ends of the flat
// stretch, whenever those are distinct from the segment ends. At most min(maxcon, 4) contacts with
// dist < margin, deepest first.
template <typename T>
SINEW_HD int collide_capsule_box(const CollisionGeom<T>& cap, const CollisionGeom<T>& box, T margin,
                                 ContactPoint<T>* out, int maxcon = kMaxContactsPerPair) {
  const Vec3<T> a = cap.rot.col(2);
  const T r = cap.size[0], h = cap.size[1];
  collision_detail::LineBoxScan<T> scan;
  scan.x0 = box.rot.tmul(cap.pos - box.pos);
  scan.a = box.rot.tmul(a);
  scan.half = box.size;
  scan.tmin = -h;
  scan.fmin = collision_detail::box_sdf(scan.x0 - scan.a * h, box.size);
  scan.run(h);
  const T tol = T(1e-3) * (r + h);
  const T scale = s_abs(scan.x0.x) + s_abs(scan.x0.y) + s_abs(scan.x0.z) + h + box.size[0] +
                  box.size[1] + box.size[2];
  const T qtol = T(16) * (sizeof(T) == sizeof(float) ? T(1.2e-7) : T(2.3e-16)) * scale;
  T ts[4] = {-h, h, 0, 0};
  int nt = 2;
  T lo, hi;
  if (!(h > tol)) {  // (nearly) a sphere: one test at the centre
    ts[0] = 0;
    nt = 1;
  } else if (collision_detail::flat_minimum(scan.x0, scan.a, h, box.size, scan.tmin, T(1e-3), qtol,
                                            lo, hi) &&
             hi - lo > tol) {
    if (lo > -h + tol) ts[nt++] = lo;
    if (hi < h - tol) ts[nt++] = hi;
  } else if (scan.tmin > -h + tol && scan.tmin < h - tol) {
    ts[nt++] = scan.tmin;
  }
  const int cap_n = s_clamp(maxcon, 1, kMaxContactsPerPair);
  int count = 0;
  for (int k = 0; k < nt; ++k) {
    ContactPoint<T> c;
    if (collision_detail::sphere_box(cap.pos + a * ts[k], r, box, margin, &c))
      count = collision_detail::insert_deepest(out, count, cap_n, c.pos, c.normal, c.dist);
  }
  return count;
}

// ---- dispatch and the collision stage -----------------------------------------------------------

// Narrowphase for geoms ordered so that type1 <= type2 (GeomType order). Unsupported pairs
// (box-box, mesh vs anything but a plane, cylinder vs anything but a plane) give 0.
template <typename T>
SINEW_HD int collide_ordered(int type1, const CollisionGeom<T>& g1, int type2,
                             const CollisionGeom<T>& g2, T margin, ContactPoint<T>* out,
                             int maxcon = kMaxContactsPerPair) {
  if (type1 == kGeomPlane) {
    switch (type2) {
      case kGeomSphere:
        return collide_plane_sphere(g1, g2, margin, out);
      case kGeomCapsule:
        return collide_plane_capsule(g1, g2, margin, out);
      case kGeomCylinder:
        return collide_plane_cylinder(g1, g2, margin, out, maxcon);
      case kGeomBox:
        return collide_plane_box(g1, g2, margin, out, maxcon);
      case kGeomMesh:
        return collide_plane_mesh(g1, g2, margin, out, maxcon);
      default:
        return 0;
    }
  }
  if (type1 == kGeomSphere) {
    switch (type2) {
      case kGeomSphere:
        return collide_sphere_sphere(g1, g2, margin, out);
      case kGeomCapsule:
        return collide_sphere_capsule(g1, g2, margin, out);
      case kGeomBox:
        return collide_sphere_box(g1, g2, margin, out);
      default:
        return 0;
    }
  }
  if (type1 == kGeomCapsule) {
    switch (type2) {
      case kGeomCapsule:
        return collide_capsule_capsule(g1, g2, margin, out);
      case kGeomBox:
        return collide_capsule_box(g1, g2, margin, out, maxcon);
      default:
        return 0;
    }
  }
  return 0;
}

// World-frame geometry of geom g from the model and d.geom_xpos / d.geom_xmat.
template <typename T>
SINEW_HD CollisionGeom<T> collision_geom(const ModelView<T>& m, const WorldData<T>& d, int g) {
  CollisionGeom<T> G;
  G.pos = Vec3<T>::load(d.geom_xpos + 3 * g);
  G.rot = Mat3<T>::load(d.geom_xmat + 9 * g);
  for (int k = 0; k < 3; ++k) G.size[k] = m.geom_size[3 * g + k];
  G.vert = nullptr;
  G.nvert = 0;
  const int id = m.geom_dataid[g];
  if (m.geom_type[g] == kGeomMesh && id >= 0) {
    G.vert = m.mesh_vert + 3 * m.mesh_vertadr[id];
    G.nvert = m.mesh_vertnum[id];
  }
  return G;
}

// Contacts between geoms g1 and g2 with dist < margin into out[0..kMaxContactsPerPair); normals
// point from g1 to g2 whatever the type order. maxcon caps the box/mesh/cylinder pairs (MuJoCo
// keeps up to 4); capsule-plane and capsule-capsule give up to 2 regardless. Returns the count.
template <typename T>
SINEW_HD int collide_geoms(const ModelView<T>& m, const WorldData<T>& d, int g1, int g2, T margin,
                           ContactPoint<T>* out, int maxcon = kMaxContactsPerPair) {
  const int t1 = m.geom_type[g1], t2 = m.geom_type[g2];
  const bool swap = t1 > t2;
  const CollisionGeom<T> G1 = collision_geom(m, d, swap ? g2 : g1);
  const CollisionGeom<T> G2 = collision_geom(m, d, swap ? g1 : g2);
  const int n = collide_ordered(swap ? t2 : t1, G1, swap ? t1 : t2, G2, margin, out, maxcon);
  if (swap)
    for (int k = 0; k < n; ++k) out[k].normal = -out[k].normal;
  return n;
}

// Contact frame from a normal (MuJoCo's mju_makeFrame rule): row 0 = unit normal n; row 1 = the
// y axis (or the z axis when |n_y| >= 0.5) made orthogonal to n and normalized; row 2 = n x row 1.
template <typename T>
SINEW_HD void make_contact_frame(const Vec3<T>& normal, T* frame,
                                 const Vec3<T>& tangent = Vec3<T>()) {
  Vec3<T> n = normal;
  normalize(n);
  // first tangent: the hint when given (|hint|^2 >= 0.25), else world y, or z when the normal
  // is close to y (MuJoCo's mju_makeFrame); made orthogonal to n, (1, 0, 0) if that vanishes
  Vec3<T> t1 = norm2(tangent) >= T(0.25)         ? tangent
               : (n.y < T(0.5) && n.y > T(-0.5)) ? Vec3<T>(0, 1, 0)
                                                 : Vec3<T>(0, 0, 1);
  t1 -= n * dot(n, t1);
  if (normalize(t1) < T(1e-15)) t1 = Vec3<T>(1, 0, 0);
  const Vec3<T> t2 = cross(n, t1);
  n.store(frame);
  t1.store(frame + 3);
  t2.store(frame + 6);
}

namespace collision_detail {

// False when the bounding spheres (rbound <= 0: unbounded, e.g. planes) are farther apart than
// the margin; for a plane, when the other geom's bounding sphere lies above it beyond the margin.
template <typename T>
SINEW_HD bool may_touch(const ModelView<T>& m, const WorldData<T>& d, int g1, int g2, T margin) {
  const T r1 = m.geom_rbound[g1], r2 = m.geom_rbound[g2];
  const Vec3<T> p1 = Vec3<T>::load(d.geom_xpos + 3 * g1), p2 = Vec3<T>::load(d.geom_xpos + 3 * g2);
  if (r1 > T(0) && r2 > T(0)) {
    const T reach = r1 + r2 + margin;
    return norm2(p2 - p1) <= reach * reach;
  }
  if (m.geom_type[g1] == kGeomPlane && r2 > T(0)) {
    const Vec3<T> n(d.geom_xmat[9 * g1 + 2], d.geom_xmat[9 * g1 + 5], d.geom_xmat[9 * g1 + 8]);
    return dot(n, p2 - p1) <= r2 + margin;
  }
  if (m.geom_type[g2] == kGeomPlane && r1 > T(0)) {
    const Vec3<T> n(d.geom_xmat[9 * g2 + 2], d.geom_xmat[9 * g2 + 5], d.geom_xmat[9 * g2 + 8]);
    return dot(n, p1 - p2) <= r1 + margin;
  }
  return true;
}

}  // namespace collision_detail

// Collision stage: for each candidate pair (m.pair_geom1/2, already filtered by contype,
// conaffinity and body relations) whose bounding volumes may touch, runs the narrowphase with
// margin = the sum of both geom margins (MuJoCo 3.x getMargin) and appends the contacts to
// d.contact_* with MuJoCo's mixing (mj_contactParam, solmix 0.5 each): mu = max of the sliding
// frictions, solref = average (or the element-wise minimum when either uses the direct,
// non-positive form), solimp = average, dim = max condim (1 stays 1, anything else becomes 3:
// pyramidal with sliding friction only). Stops at m.size.nconmax contacts, dropping the rest in
// pair order. Sets *d.ncon. Requires d.geom_xpos and d.geom_xmat (kinematics).
template <typename T>
SINEW_HD void collision(const ModelView<T>& m, WorldData<T>& d) {
  const int nconmax = m.size.nconmax;
  const int maxcon = s_clamp(m.opt.nconmax_pair, 1, kMaxContactsPerPair);
  int ncon = 0;
  for (int i = 0; i < m.size.npair && ncon < nconmax; ++i) {
    const int g1 = m.pair_geom1[i], g2 = m.pair_geom2[i];
    const T margin = m.geom_margin[g1] + m.geom_margin[g2];
    if (!collision_detail::may_touch(m, d, g1, g2, margin)) continue;
    ContactPoint<T> buf[kMaxContactsPerPair];
    const int n = collide_geoms(m, d, g1, g2, margin, buf, maxcon);
    // capsule on a plane: the friction frame follows the capsule axis (mjc_PlaneCapsule)
    Vec3<T> hint;
    const int t1 = m.geom_type[g1], t2 = m.geom_type[g2];
    if ((t1 == kGeomPlane && t2 == kGeomCapsule) || (t2 == kGeomPlane && t1 == kGeomCapsule)) {
      const T* R = d.geom_xmat + 9 * (t1 == kGeomCapsule ? g1 : g2);
      hint = Vec3<T>(R[2], R[5], R[8]);
    }
    for (int k = 0; k < n && ncon < nconmax; ++k, ++ncon) {
      buf[k].pos.store(d.contact_pos + 3 * ncon);
      make_contact_frame(buf[k].normal, d.contact_frame + 9 * ncon, hint);
      d.contact_dist[ncon] = buf[k].dist;
      d.contact_margin[ncon] = margin;
      d.contact_mu[ncon] = s_max(m.geom_friction[3 * g1], m.geom_friction[3 * g2]);
      const T* sr1 = m.geom_solref + 2 * g1;
      const T* sr2 = m.geom_solref + 2 * g2;
      const bool direct = !(sr1[0] > T(0)) || !(sr2[0] > T(0));
      for (int j = 0; j < 2; ++j)
        d.contact_solref[2 * ncon + j] =
            direct ? s_min(sr1[j], sr2[j]) : T(0.5) * (sr1[j] + sr2[j]);
      for (int j = 0; j < 5; ++j)
        d.contact_solimp[5 * ncon + j] =
            T(0.5) * (m.geom_solimp[5 * g1 + j] + m.geom_solimp[5 * g2 + j]);
      const int dim = m.geom_condim[g1] > m.geom_condim[g2] ? m.geom_condim[g1] : m.geom_condim[g2];
      d.contact_dim[ncon] = dim == 1 ? 1 : 3;
      d.contact_geom[2 * ncon] = g1;
      d.contact_geom[2 * ncon + 1] = g2;
    }
  }
  *d.ncon = ncon;
}

}  // namespace sinew
