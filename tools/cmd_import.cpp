// SPDX-License-Identifier: Apache-2.0
// `sinew import MODEL.xml -o MODEL.json`: converts an MJCF (MuJoCo XML) model into a Sinew JSON
// model, printing what the importer ignored.
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <string>

#include "engine/mjcf/mjcf_import.h"
#include "engine/model_io.h"
#include "tools/cli.h"

namespace sinew::cli {

int cmd_import(int argc, char** argv) {
  cxxopts::Options opts("sinew import",
                        "Convert an MJCF (MuJoCo XML) model into a Sinew JSON model.");
  opts.add_options()("model", "MJCF file (.xml)", cxxopts::value<std::string>())(
      "o,output", "output JSON file", cxxopts::value<std::string>())(
      "q,quiet", "do not print the importer's warnings")("h,help", "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL.xml -o MODEL.json");
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("model") || !r.count("output")) {
    std::cerr << "sinew import: need MODEL.xml and -o MODEL.json\n" << opts.help() << std::endl;
    return 2;
  }
  const std::string in = r["model"].as<std::string>(), out = r["output"].as<std::string>();
  MjcfImportResult res = import_mjcf(in);
  if (!r.count("quiet")) {
    for (const std::string& w : res.warnings) std::cerr << w << "\n";
    if (!res.missing_lengthrange.empty()) {
      std::cerr << "note: " << res.missing_lengthrange.size()
                << " actuator(s) give no lengthrange (muscles: computed by MuJoCo's procedure):";
      for (const std::string& n : res.missing_lengthrange)
        std::cerr << " " << (n.empty() ? "?" : n);
      std::cerr << "\n";
    }
  }
  save_model_json(res.model, out);
  const Sizes& s = res.model.size;
  std::printf(
      "%s: %d bodies, %d joints, %d geoms, %d sites, %d meshes, %d tendons, %d actuators, "
      "%d equalities, %.6g kg -> %s\n",
      in.c_str(), s.nbody - 1, s.njnt, s.ngeom, s.nsite, s.nmesh, s.ntendon, s.nu, s.neq,
      res.model.total_mass(), out.c_str());
  return 0;
}

}  // namespace sinew::cli
