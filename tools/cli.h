// SPDX-License-Identifier: Apache-2.0
// The `sinew` command line: one function per subcommand, dispatched from main.cpp.
#pragma once

namespace sinew::cli {

// Each subcommand parses its own arguments (argv[0] is the subcommand name) and returns the
// process exit code; errors are printed to stderr with the offending file or option named.
int cmd_info(int argc, char** argv);
int cmd_sim(int argc, char** argv);
int cmd_import(int argc, char** argv);
int cmd_probe(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_plot(int argc, char** argv);
int cmd_retarget(int argc, char** argv);
int cmd_export(int argc, char** argv);

}  // namespace sinew::cli
