// SPDX-License-Identifier: Apache-2.0
// `sinew probe MODEL --state STATE.json`: what the engine computes at one state, as JSON
// (tools/probe.h), to check an imported model against another engine or experimental data.
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/model.h"
#include "engine/model_io.h"
#include "tools/cli.h"
#include "tools/cli_args.h"
#include "tools/probe.h"

namespace sinew::cli {

int cmd_probe(int argc, char** argv) {
  cxxopts::Options opts(
      "sinew probe",
      "Print, as JSON, what the engine computes at one state of a model: body and site positions "
      "(body_pos, site_pos, by name), tendons (length, velocity, jacobian = sparse [dof, dL/dq] "
      "pairs; moment arm = -dL/dq), actuators (length, velocity, force, ctrl, act, act_dot), "
      "generalized forces by source (qfrc_actuator, qfrc_passive, qfrc_bias = Coriolis + "
      "gravity, qfrc_constraint; dof_joint names each dof), qacc_smooth (unconstrained), qacc "
      "(constrained), contacts (ncon, geoms, dist, pos, normal) and constraint rows (nefc, type, "
      "id, pos, force). STATE.json holds qpos, qvel, act, ctrl, each optional (default: the "
      "model's qpos0, zero velocity, activation and control).");
  opts.add_options()("model", "model file (.json or MJCF .xml)", cxxopts::value<std::string>())(
      "state", "state file (JSON object with qpos, qvel, act, ctrl)",
      cxxopts::value<std::string>())("o,output", "write the report to a file instead of stdout",
                                     cxxopts::value<std::string>())(
      "indent", "JSON indentation (-1: one line)", cxxopts::value<int>()->default_value("1"))(
      "h,help", "show this help");
  int exit_code = 0;
  const auto parsed =
      parse_model_args(opts, argc, argv, "probe", exit_code, "MODEL --state STATE.json");
  if (!parsed) return exit_code;
  const cxxopts::ParseResult& r = *parsed;
  const Model m = load_model(r["model"].as<std::string>());
  for (int u = 0; u < m.size.nu; ++u)
    if (m.actuator_gaintype[u] == kGainMuscle && m.actuator_lengthrange[2 * u] == 0 &&
        m.actuator_lengthrange[2 * u + 1] == 0)
      std::cerr << "sinew probe: warning: muscle '" << m.actuator_name[u]
                << "' has no lengthrange (MuJoCo computes one); its forces are not meaningful"
                << std::endl;
  nlohmann::json doc = nlohmann::json::object();
  std::string state_file = "(no --state: qpos0)";
  if (r.count("state")) {
    state_file = r["state"].as<std::string>();
    std::ifstream in(state_file);
    if (!in) {
      std::cerr << "sinew probe: " << state_file << ": cannot open" << std::endl;
      return 1;
    }
    try {
      doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
      std::cerr << "sinew probe: " << state_file << ": invalid JSON: " << e.what() << std::endl;
      return 1;
    }
  }
  const nlohmann::json out = probe::probe(m, probe::read_state(m, doc, state_file));
  const int indent = r["indent"].as<int>();
  if (r.count("output")) {
    const std::string path = r["output"].as<std::string>();
    std::ofstream f(path);
    if (!f) {
      std::cerr << "sinew probe: " << path << ": cannot write" << std::endl;
      return 1;
    }
    f << out.dump(indent) << "\n";
  } else {
    std::cout << out.dump(indent) << std::endl;
  }
  return 0;
}

}  // namespace sinew::cli
