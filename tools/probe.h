// SPDX-License-Identifier: Apache-2.0
// `sinew probe`'s engine side, header-only so tests can call it without the command line: reads a
// state (qpos, qvel, act, ctrl) from JSON and reports, as JSON, what the engine computes there
// (body and site positions, tendon lengths, velocities and sparse Jacobians, actuator lengths,
// velocities and forces, generalized forces by source, qacc_smooth, qacc, contacts and
// constraint rows). Sign conventions are MuJoCo's (muscle/tendon.h): ten_J = dL/dq, so the
// moment arm about a dof is -dL/dq; pulling actuator forces are negative.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data.h"
#include "engine/forward.h"
#include "engine/model.h"
#include "engine/rnea.h"
#include "muscle/tendon.h"

namespace sinew::probe {

struct State {
  std::vector<double> qpos, qvel, act, ctrl;
};

// The state given by `doc` (fields qpos, qvel, act, ctrl, each optional: qpos0, zeros); `file`
// names the document in errors. Throws std::runtime_error("<file>: field '<f>': ...").
inline State read_state(const Model& m, const nlohmann::json& doc, const std::string& file) {
  if (!doc.is_object()) throw std::runtime_error(file + ": expected a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "qpos" && it.key() != "qvel" && it.key() != "act" && it.key() != "ctrl")
      throw std::runtime_error(file + ": unknown field '" + it.key() +
                               "' (expected qpos, qvel, act, ctrl)");
  auto field = [&](const char* name, int n, const std::vector<double>& dflt) {
    if (!doc.contains(name)) return dflt;
    const nlohmann::json& v = doc[name];
    if (!v.is_array() || static_cast<int>(v.size()) != n)
      throw std::runtime_error(
          file + ": field '" + name + "': expected an array of " + std::to_string(n) +
          " numbers (the model's size), got " +
          (v.is_array() ? std::to_string(v.size()) + " entries" : v.type_name()));
    std::vector<double> out(n);
    for (int i = 0; i < n; ++i) {
      if (!v[i].is_number() || !std::isfinite(v[i].get<double>()))
        throw std::runtime_error(file + ": field '" + name + "': entry " + std::to_string(i) +
                                 " is not a finite number");
      out[i] = v[i].get<double>();
    }
    return out;
  };
  const Sizes& s = m.size;
  State st;
  st.qpos = field("qpos", s.nq, m.qpos0);
  st.qvel = field("qvel", s.nv, std::vector<double>(s.nv, 0.0));
  st.act = field("act", s.na, std::vector<double>(s.na, 0.0));
  st.ctrl = field("ctrl", s.nu, std::vector<double>(s.nu, 0.0));
  return st;
}

namespace detail {
inline std::string name_or(const std::vector<std::string>& names, int i, const char* kind) {
  return i < static_cast<int>(names.size()) && !names[i].empty()
             ? names[i]
             : std::string(kind) + std::to_string(i);
}
inline std::vector<double> vec(const double* p, int n) { return std::vector<double>(p, p + n); }
inline const char* constraint_name(int type) {
  switch (type) {
    case kCnstrLimitJoint:
      return "joint limit";
    case kCnstrContactPyramidal:
      return "contact (pyramidal)";
    case kCnstrContactFrictionless:
      return "contact (frictionless)";
    default:
      return "equality";
  }
}
}  // namespace detail

// Runs forward at state `st` and returns the report (keys documented in `sinew probe --help`).
inline nlohmann::json probe(const Model& m, const State& st) {
  using detail::name_or;
  using detail::vec;
  using nlohmann::json;
  const Sizes& s = m.size;
  const int nv = s.nv;
  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  std::copy(st.qpos.begin(), st.qpos.end(), d.qpos);
  std::copy(st.qvel.begin(), st.qvel.end(), d.qvel);
  std::copy(st.act.begin(), st.act.end(), d.act);
  std::copy(st.ctrl.begin(), st.ctrl.end(), d.ctrl);
  forward(mv, d);
  all_geom_site_poses(mv, d);  // every geom and site, not only those the step reads
  std::vector<double> bias(nv), row(nv);
  rnea(mv, d, static_cast<const double*>(nullptr), bias.data());

  json out;
  out["model"] = m.source;
  out["state"] = {{"qpos", st.qpos}, {"qvel", st.qvel}, {"act", st.act}, {"ctrl", st.ctrl}};
  json bodies = json::object(), sites = json::object();
  for (int b = 0; b < s.nbody; ++b)
    bodies[name_or(m.body_name, b, "body")] = vec(d.xpos + 3 * b, 3);
  for (int i = 0; i < s.nsite; ++i)
    sites[name_or(m.site_name, i, "site")] = vec(d.site_xpos + 3 * i, 3);
  out["body_pos"] = bodies;
  out["site_pos"] = sites;
  json tendons = json::object();
  for (int t = 0; t < s.ntendon; ++t) {
    tendon_jacobian(mv, d, t, row.data());
    json jac = json::array();
    for (int k = 0; k < nv; ++k)
      if (row[k] != 0) jac.push_back({k, row[k]});
    tendons[name_or(m.tendon_name, t, "tendon")] = {
        {"length", d.ten_length[t]}, {"velocity", d.ten_velocity[t]}, {"jacobian", jac}};
  }
  out["tendons"] = tendons;
  json acts = json::object();
  for (int u = 0; u < s.nu; ++u) {
    json a = {{"length", d.actuator_length[u]},
              {"velocity", d.actuator_velocity[u]},
              {"force", d.actuator_force[u]},
              {"ctrl", d.ctrl[u]}};
    const int adr = m.actuator_actadr[u];
    if (adr >= 0) {
      a["act"] = d.act[adr];
      a["act_dot"] = d.act_dot[adr];
    }
    acts[name_or(m.actuator_name, u, "actuator")] = a;
  }
  out["actuators"] = acts;
  json dofs = json::array();
  for (int k = 0; k < nv; ++k) dofs.push_back(name_or(m.jnt_name, m.dof_jntid[k], "joint"));
  out["dof_joint"] = dofs;
  out["qfrc_actuator"] = vec(d.qfrc_actuator, nv);
  out["qfrc_passive"] = vec(d.qfrc_passive, nv);
  out["qfrc_bias"] = bias;
  out["qfrc_constraint"] = vec(d.qfrc_constraint, nv);
  out["qacc_smooth"] = vec(d.qacc_smooth, nv);
  out["qacc"] = vec(d.qacc, nv);
  json contacts = json::array();
  for (int c = 0; c < *d.ncon; ++c)
    contacts.push_back({{"geom1", name_or(m.geom_name, d.contact_geom[2 * c], "geom")},
                        {"geom2", name_or(m.geom_name, d.contact_geom[2 * c + 1], "geom")},
                        {"dist", d.contact_dist[c]},
                        {"pos", vec(d.contact_pos + 3 * c, 3)},
                        {"normal", vec(d.contact_frame + 9 * c, 3)}});
  out["ncon"] = *d.ncon;
  out["contacts"] = contacts;
  json rows = json::array();
  for (int i = 0; i < *d.nefc; ++i)
    rows.push_back({{"type", detail::constraint_name(d.efc_type[i])},
                    {"id", d.efc_id[i]},
                    {"pos", d.efc_pos[i]},
                    {"force", d.efc_force[i]}});
  out["nefc"] = *d.nefc;
  out["constraints"] = rows;
  return out;
}

}  // namespace sinew::probe
