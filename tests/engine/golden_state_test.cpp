// SPDX-License-Identifier: Apache-2.0
// ctest-labels: physics
// The engine against MuJoCo 3.17.0 at random states of the five reference models (issue 3, "Done
// when"): tests/data/state_golden/<model>.{json,bin}, written by tools/oracle/state_golden.py
// (format and states: tests/data/README.md). Every model is imported from its MJCF file under
// models/src (copied from ../shared/data/models) (the test skips a model whose file is absent) with
// MuJoCo's compiled actuator_lengthrange and acc0, so that actuator forces compare like for like;
// Sinew's own acc0 is compared separately. Error = ||a - b||_inf / max(||b||_inf, floor) per state
// (per body for inertias, per tendon row for Jacobians); the largest over all states is printed per
// model and quantity (MESSAGE) and checked against the tolerance.
//
// Known caveat, with its own tolerance: tendons whose wrap geom has its side site inside the geom
// (two in MS-Human-700). MuJoCo 3.17 solves that inside-wrap problem iteratively and its tangent
// point is ~1e-8 m off the exact stationary point that Sinew computes, which shows in the
// velocity (~1e-7 relative) and the Jacobian (~1e-6 relative) of those tendons only.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/data.h"
#include "engine/forward.h"
#include "engine/integrate.h"
#include "engine/model.h"
#include "engine/model_io.h"
#include "engine/rnea.h"
#include "muscle/muscle_model.h"
#include "muscle/tendon.h"
#include "tests/util/golden_bin.h"

using namespace sinew;
using sinew::testutil::GoldenBin;

namespace {

const char* kModels = "models/src/";
const char* kGolden = "tests/data/state_golden/";

// Tolerances of the "Done when" table: {tol, floor}.
struct Tol {
  double tol, floor;
};
const Tol kMass{1e-6, 1e-6}, kInertia{1e-6, 1e-9}, kPos{1e-9, 1}, kLen{1e-9, 1}, kVel{1e-8, 1};
const Tol kJac{1e-7, 0.01}, kForce{1e-6, 1}, kPassive{1e-6, 1}, kMassMatrix{1e-6, 1};
const Tol kQaccSmooth{1e-6, 1}, kQacc{1e-4, 1};
// Side site inside the wrap geom (see the header comment): velocities and Jacobian rows of those
// tendons only.
const Tol kInsideVel{1e-7, 1}, kInsideJac{1e-5, 0.01};
// Sinew's acc0 (set_actuator_const at qpos0) against MuJoCo's: both are |M^-1 moment|; compared
// as one vector (the norm), since actuators whose tendon spans no dof have acc0 = 0 in
// Sinew and a round-off value (~1e-16) in MuJoCo.
const Tol kAcc0{1e-6, 0};

double rel_err(const double* a, const double* b, int n, double floor) {
  double e = 0, s = floor;
  for (int i = 0; i < n; ++i) {
    e = std::max(e, std::fabs(a[i] - b[i]));
    s = std::max(s, std::fabs(b[i]));
  }
  return s > 0 ? e / s : e;
}

// Largest error of one quantity over all states, with the state where it occurs.
struct Worst {
  double err = 0;
  int state = -1;
  void add(double e, int s) {
    if (!(e <= err)) {  // also keeps a NaN
      err = e;
      state = s;
    }
  }
};

void report(const std::string& model, const char* what, const Worst& w, Tol t) {
  MESSAGE(model << ": " << std::string(what) << ": max error " << w.err << " (state " << w.state
                << "), tol " << t.tol << " (floor " << t.floor << ")");
  CHECK_MESSAGE(w.err <= t.tol, model << ": " << std::string(what) << ": max error " << w.err
                                      << " (state " << w.state << ") exceeds " << t.tol);
}

// Tendons with a wrap geom whose side site lies inside the geom at the current state.
std::vector<bool> side_inside_tendons(const Model& m, const WorldData<double>& d) {
  std::vector<bool> inside(m.size.ntendon, false);
  for (int t = 0; t < m.size.ntendon; ++t) {
    for (int w = m.tendon_adr[t]; w < m.tendon_adr[t] + m.tendon_num[t]; ++w) {
      const int type = m.wrap_type[w];
      if (type != kWrapSphere && type != kWrapCylinder) continue;
      const int sid = static_cast<int>(std::lround(m.wrap_prm[w]));
      if (sid < 0) continue;
      const int g = m.wrap_objid[w];
      Eigen::Vector3d p;
      for (int k = 0; k < 3; ++k) p[k] = d.site_xpos[3 * sid + k] - d.geom_xpos[3 * g + k];
      const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> R(d.geom_xmat + 9 * g);
      const Eigen::Vector3d l = R.transpose() * p;
      const double r = m.geom_size[3 * g];
      const double dist = type == kWrapSphere ? l.norm() : std::hypot(l.x(), l.y());
      if (dist < r) inside[t] = true;
    }
  }
  return inside;
}

struct StateArrays {
  std::vector<double> qpos, qvel, act, ctrl;
};

// Sets world d to golden state s and runs forward; also crba (forward skips it when no
// constraint row is active).
void run_state(const Model& m, Data<double>& data, const StateArrays& st, int s) {
  const ModelView<double> mv = m.view();
  data.reset(m);
  WorldData<double> d = data.world(0);
  const Sizes& z = m.size;
  std::copy_n(st.qpos.begin() + s * z.nq, z.nq, d.qpos);
  std::copy_n(st.qvel.begin() + s * z.nv, z.nv, d.qvel);
  std::copy_n(st.act.begin() + s * z.na, z.na, d.act);
  std::copy_n(st.ctrl.begin() + s * z.nu, z.nu, d.ctrl);
  forward(mv, d);
  all_geom_site_poses(mv, d);
  crba(mv, d);
}

// Loads the model with MuJoCo's compiled lengthrange (acc0 recomputed by set_actuator_const),
// compares compiled quantities; returns false when the model file is absent.
bool load(const std::string& name, const std::string& xml, const GoldenBin& g, Model& m) {
  const std::string path = kModels + xml;
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped " << name << ": " << path
                       << " not found (models are read from the shared "
                          "data)");
    return false;
  }
  m = load_model(path);
  const nlohmann::json& sz = g.index()["sizes"];
  REQUIRE(m.size.nq == sz["nq"].get<int>());
  REQUIRE(m.size.nv == sz["nv"].get<int>());
  REQUIRE(m.size.nbody == sz["nbody"].get<int>());
  REQUIRE(m.size.nsite == sz["nsite"].get<int>());
  REQUIRE(m.size.ntendon == sz["ntendon"].get<int>());
  REQUIRE(m.size.nu == sz["nu"].get<int>());
  REQUIRE(m.size.na == sz["na"].get<int>());
  const std::vector<double> lr = g.f8("actuator_lengthrange");
  std::copy(lr.begin(), lr.end(), m.actuator_lengthrange.begin());
  set_actuator_const(m);
  return true;
}

void check_compiled(const std::string& name, Model& m, const GoldenBin& g) {
  const int nbody = m.size.nbody, nu = m.size.nu;
  Worst wm, wi;
  const std::vector<double> mass = g.f8("body_mass"), inert = g.f8("body_inertia_full");
  for (int b = 0; b < nbody; ++b) {
    wm.add(rel_err(&m.body_mass[b], &mass[b], 1, kMass.floor), b);
    const double* q = &m.body_iquat[4 * b];
    const Eigen::Matrix3d R = Eigen::Quaterniond(q[0], q[1], q[2], q[3]).toRotationMatrix();
    const Eigen::Matrix3d I =
        R *
        Eigen::Vector3d(m.body_inertia[3 * b], m.body_inertia[3 * b + 1], m.body_inertia[3 * b + 2])
            .asDiagonal() *
        R.transpose();
    Eigen::Matrix<double, 3, 3, Eigen::RowMajor> Ir = I;
    wi.add(rel_err(Ir.data(), &inert[9 * b], 9, kInertia.floor), b);
  }
  report(name, "body masses (per body; 'state' = body)", wm, kMass);
  report(name, "body inertia tensors (per body; 'state' = body)", wi, kInertia);
  if (nu == 0) return;
  // Sinew's acc0 against MuJoCo's, then MuJoCo's acc0 into the muscle parameters
  const std::vector<double> acc0 = g.f8("actuator_acc0"), f0 = g.f8("actuator_peak_force");
  Worst wa, wf;
  wa.add(rel_err(m.actuator_acc0.data(), acc0.data(), nu, kAcc0.floor), 0);
  report(name, "Sinew's actuator_acc0 vs MuJoCo's (all actuators as one vector)", wa, kAcc0);
  int zero_moment = 0;
  for (int u = 0; u < nu; ++u) zero_moment += m.actuator_acc0[u] == 0.0;
  if (zero_moment)
    MESSAGE(name << ": " << zero_moment << " actuators move no dof (Sinew acc0 = 0, MuJoCo's a "
                 << "round-off value, so F0 = scale/acc0 is meaningless; MuJoCo's acc0 is used)");
  for (int u = 0; u < nu; ++u) {
    m.actuator_acc0[u] = acc0[u];
    if (m.actuator_model[u] == kMuscleMuJoCo && m.actuator_gaintype[u] == kGainMuscle) {
      double* prm = &m.actuator_muscleprm[16 * u];
      prm[mjmuscle::kAcc0] = acc0[u];
      const double F0 = mujoco_muscle_peak_force(prm);
      wf.add(rel_err(&F0, &f0[u], 1, kForce.floor), u);
    }
  }
  report(name, "muscle peak force F0 (per actuator; 'state' = actuator)", wf, kForce);
}

// part kSmooth: compiled quantities and everything up to qacc_smooth; part kConstrained: contact
// counts and the constrained qacc (MS-Human-700).
enum Part { kSmooth, kConstrained };

void check_model(const std::string& name, const std::string& xml, Part part = kSmooth) {
  const GoldenBin g(kGolden + name);
  CHECK(g.index()["mujoco_version"] == "3.17.0");
  Model m;
  if (!load(name, xml, g, m)) return;
  const bool smooth = part == kSmooth;
  if (smooth) {
    check_compiled(name, m, g);
  } else {  // MuJoCo's acc0 into the muscle parameters, without the reports
    const std::vector<double> acc0 = g.f8("actuator_acc0");
    for (int u = 0; u < m.size.nu; ++u)
      if (m.actuator_model[u] == kMuscleMuJoCo)
        m.actuator_muscleprm[16 * u + mjmuscle::kAcc0] = acc0[u];
  }

  const Sizes& z = m.size;
  const int ns = g.index()["nstate"].get<int>();
  const int nv = z.nv, nb = z.nbody, nsite = z.nsite, nt = z.ntendon, nu = z.nu;
  StateArrays st{g.f8("qpos"), g.f8("qvel"), g.f8("act"), g.f8("ctrl")};
  const std::vector<double> xpos = g.f8("xpos"), site = g.f8("site_xpos");
  const std::vector<double> tlen = g.f8("ten_length"), tvel = g.f8("ten_velocity");
  const std::vector<double> alen = g.f8("actuator_length"), avel = g.f8("actuator_velocity");
  const std::vector<double> afrc = g.f8("actuator_force"), qfa = g.f8("qfrc_actuator");
  const std::vector<double> qfp = g.f8("qfrc_passive"), qfb = g.f8("qfrc_bias");
  const std::vector<double> qM = g.f8("qM"), qas = g.f8("qacc_smooth"), qacc = g.f8("qacc");
  const std::vector<int32_t> jnnz = g.i4("ten_J_nnz"), jcol = g.i4("ten_J_col");
  const std::vector<int32_t> ncon = g.i4("ncon"), nefc = g.i4("nefc");
  const std::vector<int32_t> constrained = g.i4("constrained");
  const std::vector<double> jval = g.f8("ten_J_val");

  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  std::vector<double> row(nv), ref(nv), bias(nv), a(nv), b(nv);
  std::vector<bool> inside(nt, false);
  Worst w_xpos, w_site, w_len, w_vel, w_vel_in, w_jac, w_jac_in, w_alen, w_avel, w_force;
  Worst w_qfa, w_pass, w_bias, w_M, w_qas, w_qacc, w_qacc_con;
  int con_mismatch = 0, efc_mismatch = 0;
  std::ostringstream mismatches;
  size_t jc = 0;
  for (int s = 0; s < ns; ++s) {
    run_state(m, data, st, s);
    // the caveat tendons: side site inside the wrap geom in this state
    const std::vector<bool> in_s = side_inside_tendons(m, d);
    for (int t = 0; t < nt; ++t) inside[t] = inside[t] || in_s[t];
    w_xpos.add(rel_err(d.xpos, &xpos[s * 3 * nb], 3 * nb, kPos.floor), s);
    w_site.add(rel_err(d.site_xpos, &site[s * 3 * nsite], 3 * nsite, kPos.floor), s);
    if (nt) w_len.add(rel_err(d.ten_length, &tlen[s * nt], nt, kLen.floor), s);
    // velocities: the per-state norm, split into the two tendon groups
    double vscale = kVel.floor, ev = 0, ev_in = 0;
    for (int t = 0; t < nt; ++t) {
      vscale = std::max(vscale, std::fabs(tvel[s * nt + t]));
      const double e = std::fabs(d.ten_velocity[t] - tvel[s * nt + t]);
      if (in_s[t])
        ev_in = std::max(ev_in, e);
      else
        ev = std::max(ev, e);
      std::fill(ref.begin(), ref.end(), 0.0);
      for (int i = 0; i < jnnz[s * nt + t]; ++i, ++jc) ref[jcol[jc]] = jval[jc];
      tendon_jacobian(mv, d, t, row.data());
      (in_s[t] ? w_jac_in : w_jac).add(rel_err(row.data(), ref.data(), nv, kJac.floor), s);
    }
    w_vel.add(ev / vscale, s);
    w_vel_in.add(ev_in / vscale, s);
    if (nu) {
      w_alen.add(rel_err(d.actuator_length, &alen[s * nu], nu, kLen.floor), s);
      w_avel.add(rel_err(d.actuator_velocity, &avel[s * nu], nu, kVel.floor), s);
      w_force.add(rel_err(d.actuator_force, &afrc[s * nu], nu, kForce.floor), s);
      w_qfa.add(rel_err(d.qfrc_actuator, &qfa[s * nv], nv, kForce.floor), s);
    }
    w_pass.add(rel_err(d.qfrc_passive, &qfp[s * nv], nv, kPassive.floor), s);
    rnea(mv, d, static_cast<const double*>(nullptr), bias.data());
    w_bias.add(rel_err(bias.data(), &qfb[s * nv], nv, kPassive.floor), s);
    dense_mass(mv, d);
    w_M.add(rel_err(d.qM, &qM[s * nv * nv], nv * nv, kMassMatrix.floor), s);
    w_qas.add(rel_err(d.qacc_smooth, &qas[s * nv], nv, kQaccSmooth.floor), s);
    const double eq = rel_err(d.qacc, &qacc[s * nv], nv, kQacc.floor);
    w_qacc.add(eq, s);
    if (constrained[s]) w_qacc_con.add(eq, s);
    if (std::getenv("SINEW_GOLDEN_VERBOSE"))  // per-state diagnosis
      std::printf("%s state %d: ncon %d (MuJoCo %d), nefc %d (%d), qacc error %.3g\n", name.c_str(),
                  s, *d.ncon, ncon[s], *d.nefc, nefc[s], eq);
    if (*d.ncon != ncon[s]) ++con_mismatch;
    if (*d.nefc != nefc[s]) ++efc_mismatch;
    if (*d.ncon != ncon[s] || *d.nefc != nefc[s])
      mismatches << " [state " << s << ": ncon " << *d.ncon << " vs " << ncon[s] << ", nefc "
                 << *d.nefc << " vs " << nefc[s] << "]";
  }
  if (smooth) {
    report(name, "body positions", w_xpos, kPos);
    report(name, "site positions", w_site, kPos);
    if (nt) {
      std::string in_names;
      for (int t = 0; t < nt; ++t)
        if (inside[t]) in_names += " " + m.tendon_name[t];
      MESSAGE(name << ": tendons with a side site inside the wrap geom:"
                   << (in_names.empty() ? " none" : in_names));
      report(name, "tendon lengths", w_len, kLen);
      report(name, "tendon velocities", w_vel, kVel);
      report(name, "tendon Jacobians (per row)", w_jac, kJac);
      if (!in_names.empty()) {
        report(name, "tendon velocities, side site inside (own tol)", w_vel_in, kInsideVel);
        report(name, "tendon Jacobians, side site inside (own tol)", w_jac_in, kInsideJac);
      }
    }
    if (nu) {
      report(name, "actuator lengths", w_alen, kLen);
      report(name, "actuator velocities", w_avel, kVel);
      report(name, "actuator forces", w_force, kForce);
      report(name, "qfrc_actuator", w_qfa, kForce);
    }
    report(name, "qfrc_passive", w_pass, kPassive);
    report(name, "qfrc_bias (rnea, qacc = 0)", w_bias, kPassive);
    report(name, "mass matrix", w_M, kMassMatrix);
    report(name, "qacc_smooth", w_qas, kQaccSmooth);
  }
  MESSAGE(name << ": contact count differs in " << con_mismatch << " of " << ns
               << " states, constraint rows in " << efc_mismatch << mismatches.str());
  if (!smooth) {
    CHECK_MESSAGE(con_mismatch == 0, name << ": contact counts differ:" << mismatches.str());
    report(name, "qacc, all states (couplings always active)", w_qacc, kQacc);
    report(name, "qacc, constrained states (contacts, limits, couplings)", w_qacc_con, kQacc);
  } else if (name.rfind("ms_human", 0) != 0) {
    // arm26, myomuscle, myofinger (joint and tendon limits where violated): beyond the issue's
    // qacc row, checked at the same tolerance
    report(name, "qacc (limits where active)", w_qacc, kQacc);
  }
}

}  // namespace

TEST_CASE("golden states: arm26") { check_model("arm26", "mujoco_arm26/arm26.xml"); }
TEST_CASE("golden states: myomuscle") { check_model("myomuscle", "myo_sim/basic/myomuscle.xml"); }
TEST_CASE("golden states: myofinger") {
  check_model("myofinger", "myo_sim/finger/myofinger_v0.xml");
}
TEST_CASE("golden states: MS-Human-700") {
  check_model("ms_human_700", "ms_human_700/MS-Human-700.xml");
}
TEST_CASE("golden states: MS-Human-700 Locomotion") {
  check_model("ms_human_700_locomotion", "ms_human_700/MS-Human-700-Locomotion.xml");
}

// Known engine differences (to be fixed in engine/collision.h; see tests/data/README.md):
// MuJoCo 3.17 uses the sum of the two geom margins as the contact margin (Sinew: the maximum),
// and orients the friction pyramid of a capsule-plane contact along the capsule axis projected
// on the plane (Sinew: mju_makeFrame's default tangent). With both changed the constrained qacc
// of every state matches to ~1e-10.
TEST_CASE("golden states: MS-Human-700 constrained qacc") {
  check_model("ms_human_700", "ms_human_700/MS-Human-700.xml", kConstrained);
}
TEST_CASE("golden states: MS-Human-700 Locomotion constrained qacc") {
  check_model("ms_human_700_locomotion", "ms_human_700/MS-Human-700-Locomotion.xml", kConstrained);
}

// Every MS-Human-700 tendon's Jacobian row equals central finite differences of its length
// along each dof (integrate_pos with +-h), at qpos0 and at three golden states.
TEST_CASE("golden states: MS-Human-700 tendon Jacobians vs finite differences") {
  const std::string xml = std::string(kModels) + "ms_human_700/MS-Human-700.xml";
  if (!std::filesystem::exists(xml)) {
    MESSAGE("skipped: " << xml << " not found");
    return;
  }
  const GoldenBin g(std::string(kGolden) + "ms_human_700");
  const Model m = load_model(xml);
  const ModelView<double> mv = m.view();
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  const int nv = m.size.nv, nq = m.size.nq, nt = m.size.ntendon;
  const std::vector<double> gq = g.f8("qpos");
  const double h = 1e-6;
  std::vector<double> q0(nq), e(nv), lp(nt), lm(nt), J(static_cast<size_t>(nt) * nv), row(nv);
  std::vector<double> fd(static_cast<size_t>(nt) * nv);
  Worst w, w_in;
  std::vector<bool> inside(nt, false);
  const int states[] = {-1, 0, 1, 2};
  for (int s : states) {
    for (int i = 0; i < nq; ++i) q0[i] = s < 0 ? m.qpos0[i] : gq[s * nq + i];
    auto lengths = [&](const double* q, double* out) {
      std::copy_n(q, nq, d.qpos);
      kinematics(mv, d);
      com_pos(mv, d);
      tendon(mv, d);
      std::copy_n(d.ten_length, nt, out);
    };
    lengths(q0.data(), lp.data());
    const std::vector<bool> in_s = side_inside_tendons(m, d);
    for (int t = 0; t < nt; ++t) {
      inside[t] = inside[t] || in_s[t];
      tendon_jacobian(mv, d, t, &J[static_cast<size_t>(t) * nv]);
    }
    for (int k = 0; k < nv; ++k) {
      std::fill(e.begin(), e.end(), 0.0);
      e[k] = 1;
      std::vector<double> qp = q0, qm = q0;
      integrate_pos(mv, qp.data(), e.data(), h);
      integrate_pos(mv, qm.data(), e.data(), -h);
      lengths(qp.data(), lp.data());
      lengths(qm.data(), lm.data());
      for (int t = 0; t < nt; ++t) fd[static_cast<size_t>(t) * nv + k] = (lp[t] - lm[t]) / (2 * h);
    }
    for (int t = 0; t < nt; ++t) {
      const double err =
          rel_err(&J[static_cast<size_t>(t) * nv], &fd[static_cast<size_t>(t) * nv], nv, 0.01);
      (in_s[t] ? w_in : w).add(err, s);
    }
  }
  MESSAGE("MS-Human-700 tendon Jacobian vs central differences (h = 1e-6): max error "
          << w.err << " (state " << w.state << ", -1 = qpos0), side-site-inside tendons "
          << w_in.err);
  CHECK(w.err <= 1e-6);
  CHECK(w_in.err <= 1e-6);
}
