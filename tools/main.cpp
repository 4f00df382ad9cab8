// SPDX-License-Identifier: Apache-2.0
// `sinew`: the command-line entry point.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "tools/cli.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

const Command kCommands[] = {
    {"info", sinew::cli::cmd_info, "print a model's sizes, total mass and body tree"},
    {"sim", sinew::cli::cmd_sim, "simulate a batch of worlds and report throughput and health"},
    {"import", sinew::cli::cmd_import,
     "convert an MJCF (MuJoCo XML) model into a Sinew JSON model"},
    {"probe", sinew::cli::cmd_probe, "print what the engine computes at one state, as JSON"},
    {"bench", sinew::cli::cmd_bench, "single-thread physics steps/s with a per-stage breakdown"},
    {"train", sinew::cli::cmd_train, "train a muscle-driven policy with PPO (--config CFG.json)"},
    {"eval", sinew::cli::cmd_eval, "evaluate a checkpoint's deterministic policy on its task"},
    {"plot", sinew::cli::cmd_plot, "plot learning curves from training logs to a PNG"},
    {"retarget", sinew::cli::cmd_retarget,
     "retarget a motion clip onto a model: reference qpos, qvel, body positions"},
    {"export", sinew::cli::cmd_export,
     "export a motion as a glTF animation (.glb) and a self-contained HTML viewer"},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "sinew: whole-body musculoskeletal simulation and learning\n\n"
               "usage: sinew <command> [options]   (sinew <command> --help for details)\n\n"
               "commands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.help);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) {
      try {
        return c.run(argc - 1, argv + 1);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "sinew %s: error: %s\n", c.name, e.what());
        return 1;
      }
    }
  }
  std::fprintf(stderr, "sinew: unknown command '%s'\n\n", cmd.c_str());
  usage(stderr);
  return 2;
}
