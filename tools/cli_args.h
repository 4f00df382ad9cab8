// SPDX-License-Identifier: Apache-2.0
// Argument parsing shared by the `sinew` subcommands that take one positional MODEL.
#pragma once

#include <cxxopts.hpp>
#include <iostream>
#include <optional>
#include <string>

namespace sinew::cli {

// Parses argv with MODEL as the positional argument. Returns the parse result, or nothing when
// the command must exit with `exit_code`: 0 after printing --help, 2 after a missing MODEL.
inline std::optional<cxxopts::ParseResult> parse_model_args(cxxopts::Options& opts, int argc,
                                                            char** argv, const char* command,
                                                            int& exit_code,
                                                            const char* positional = "MODEL") {
  opts.parse_positional({"model"});
  opts.positional_help(positional);
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    exit_code = 0;
    return std::nullopt;
  }
  if (!r.count("model")) {
    std::cerr << "sinew " << command << ": missing MODEL\n" << opts.help() << std::endl;
    exit_code = 2;
    return std::nullopt;
  }
  return r;
}

}  // namespace sinew::cli
