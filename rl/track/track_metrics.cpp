// SPDX-License-Identifier: Apache-2.0
#include "rl/track/track_metrics.h"

#include <cmath>
#include <stdexcept>

#include "engine/coupling.h"

namespace sinew::track {

std::vector<int> independent_hinges(const Model& m, int root_body) {
  std::vector<char> driven(m.size.njnt, 0);
  for (int e = 0; e < m.size.neq; ++e)
    if (is_coupling(m.eq_active.data(), m.eq_type.data(), e)) driven[m.eq_obj1id[e]] = 1;
  std::vector<int> out;
  for (int j = 0; j < m.size.njnt; ++j)
    if (m.jnt_type[j] == kJointHinge && m.jnt_bodyid[j] != root_body && !driven[j])
      out.push_back(j);
  return out;
}

std::vector<int> jointed_bodies(const Model& m) {
  std::vector<char> has(m.size.nbody, 0);
  for (int j = 0; j < m.size.njnt; ++j) has[m.jnt_bodyid[j]] = 1;
  std::vector<int> out;
  for (int b = 1; b < m.size.nbody; ++b)
    if (has[b]) out.push_back(b);
  return out;
}

TrackSelection default_selection(const Model& m) {
  TrackSelection s;
  s.bodies = jointed_bodies(m);
  if (s.bodies.empty()) throw std::invalid_argument(m.source + ": no body carries a joint");
  s.root_body = s.bodies.front();
  for (int j : independent_hinges(m, s.root_body)) {
    s.hinge_qpos.push_back(m.jnt_qposadr[j]);
    s.hinge_dof.push_back(m.jnt_dofadr[j]);
  }
  return s;
}

double quat_angle(const double* a, const double* b) {
  // conj(a) * b
  const double w = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const double x = a[0] * b[1] - a[1] * b[0] - a[2] * b[3] + a[3] * b[2];
  const double y = a[0] * b[2] + a[1] * b[3] - a[2] * b[0] - a[3] * b[1];
  const double z = a[0] * b[3] - a[1] * b[2] + a[2] * b[1] - a[3] * b[0];
  return 2 * std::atan2(std::sqrt(x * x + y * y + z * z), std::fabs(w));
}

FrameErrors frame_errors(const TrackSelection& s, const double* qpos, const double* xpos,
                         const double* xquat, const double* ref_qpos, const double* ref_xpos,
                         const double* ref_xquat) {
  constexpr double kDeg = 180.0 / M_PI;
  FrameErrors e;
  for (int q : s.hinge_qpos) e.joint_deg += std::fabs(qpos[q] - ref_qpos[q]);
  if (!s.hinge_qpos.empty()) e.joint_deg *= kDeg / double(s.hinge_qpos.size());
  const double* r = xpos + 3 * s.root_body;
  const double* rr = ref_xpos + 3 * s.root_body;
  int nrel = 0;
  for (int b : s.bodies) {
    const double* x = xpos + 3 * b;
    const double* xr = ref_xpos + 3 * b;
    double g = 0, l = 0;
    for (int k = 0; k < 3; ++k) {
      g += (x[k] - xr[k]) * (x[k] - xr[k]);
      const double d = (x[k] - r[k]) - (xr[k] - rr[k]);
      l += d * d;
    }
    e.body_mm += std::sqrt(g);
    if (b != s.root_body) {
      e.body_rel_mm += std::sqrt(l);
      ++nrel;
    }
  }
  if (!s.bodies.empty()) e.body_mm *= 1e3 / double(s.bodies.size());
  if (nrel > 0) e.body_rel_mm *= 1e3 / nrel;
  double d2 = 0;
  for (int k = 0; k < 3; ++k) d2 += (r[k] - rr[k]) * (r[k] - rr[k]);
  e.root_mm = 1e3 * std::sqrt(d2);
  e.root_deg = kDeg * quat_angle(ref_xquat + 4 * s.root_body, xquat + 4 * s.root_body);
  return e;
}

void EpisodeMetrics::add(const FrameErrors& e) {
  ++steps;
  sum.joint_deg += e.joint_deg;
  sum.body_mm += e.body_mm;
  sum.body_rel_mm += e.body_rel_mm;
  sum.root_mm += e.root_mm;
  sum.root_deg += e.root_deg;
}

FrameErrors EpisodeMetrics::mean() const {
  FrameErrors m;
  if (steps == 0) return m;
  const double k = 1.0 / steps;
  m.joint_deg = sum.joint_deg * k;
  m.body_mm = sum.body_mm * k;
  m.body_rel_mm = sum.body_rel_mm * k;
  m.root_mm = sum.root_mm * k;
  m.root_deg = sum.root_deg * k;
  return m;
}

}  // namespace sinew::track
