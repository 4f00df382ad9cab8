// SPDX-License-Identifier: Apache-2.0
// `sinew info MODEL`: sizes, total mass and the body tree of a model.
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/model.h"
#include "engine/model_io.h"
#include "tools/cli.h"
#include "tools/cli_args.h"

namespace sinew::cli {

namespace {

const char* joint_type_name(int t) {
  switch (t) {
    case kJointFree:
      return "free";
    case kJointBall:
      return "ball";
    case kJointSlide:
      return "slide";
    default:
      return "hinge";
  }
}

void print_tree(const Model& m, int b, int depth) {
  std::string joints;
  for (int j = m.body_jntadr[b]; j < m.body_jntadr[b] + m.body_jntnum[b]; ++j) {
    joints += joints.empty() ? " [" : ", ";
    joints += std::string(joint_type_name(m.jnt_type[j])) + " " + m.jnt_name[j];
  }
  if (!joints.empty()) joints += "]";
  std::printf("%*s%s  %.4g kg%s\n", 2 * depth, "", m.body_name[b].c_str(), m.body_mass[b],
              joints.c_str());
  for (int c = b + 1; c < m.size.nbody; ++c)
    if (m.body_parent[c] == b) print_tree(m, c, depth + 1);
}

}  // namespace

int cmd_info(int argc, char** argv) {
  cxxopts::Options opts("sinew info", "Print a model's sizes, total mass and body tree.");
  opts.add_options()("model", "model file (.json)", cxxopts::value<std::string>())(
      "json", "print the summary as JSON")("h,help", "show this help");
  int exit_code = 0;
  const auto parsed = parse_model_args(opts, argc, argv, "info", exit_code);
  if (!parsed) return exit_code;
  const cxxopts::ParseResult& r = *parsed;
  const Model m = load_model(r["model"].as<std::string>());
  const Sizes& s = m.size;
  if (r.count("json")) {
    nlohmann::json j = {{"name", m.name},
                        {"source", m.source},
                        {"nbody", s.nbody},
                        {"njnt", s.njnt},
                        {"nq", s.nq},
                        {"nv", s.nv},
                        {"ngeom", s.ngeom},
                        {"nsite", s.nsite},
                        {"nmesh", s.nmesh},
                        {"nkey", s.nkey},
                        {"ntendon", s.ntendon},
                        {"nu", s.nu},
                        {"na", s.na},
                        {"neq", s.neq},
                        {"npair", s.npair},
                        {"nconmax", s.nconmax},
                        {"nefcmax", s.nefcmax},
                        {"total_mass", m.total_mass()},
                        {"timestep", m.opt.timestep}};
    std::cout << j.dump(2) << std::endl;
    return 0;
  }
  std::printf("model     %s (%s)\n", m.name.c_str(), m.source.c_str());
  std::printf("sizes     nbody %d  njnt %d  nq %d  nv %d  ngeom %d  nsite %d  nmesh %d  nkey %d\n",
              s.nbody, s.njnt, s.nq, s.nv, s.ngeom, s.nsite, s.nmesh, s.nkey);
  std::printf("muscles   ntendon %d  nwrap %d  nu %d  na %d  neq %d  nexclude %d\n", s.ntendon,
              s.nwrap, s.nu, s.na, s.neq, s.nexclude);
  std::printf("contacts  %d candidate geom pairs, up to %d contacts and %d constraint rows\n",
              s.npair, s.nconmax, s.nefcmax);
  std::printf("mass      %.6g kg\n", m.total_mass());
  std::printf("options   timestep %g s, integrator %s, gravity (%g, %g, %g)\n", m.opt.timestep,
              m.opt.integrator == kIntegratorRK4 ? "rk4" : "euler", m.opt.gravity[0],
              m.opt.gravity[1], m.opt.gravity[2]);
  std::printf("tree\n");
  print_tree(m, 0, 1);
  return 0;
}

}  // namespace sinew::cli
