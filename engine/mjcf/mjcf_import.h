// SPDX-License-Identifier: Apache-2.0
// MJCF (MuJoCo XML) importer: compiles a MuJoCo model file into a finalized sinew::Model with
// MuJoCo's semantics (defaults classes, compiler options, inertia from geoms, legacy mesh
// inertia, tendons, actuators, joint equalities, contact excludes, keyframes, options).
// Supported input and the warnings it emits: docs/mjcf-import.md.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"

namespace sinew {

struct MjcfImportResult {
  Model model;
  // Ignored input, one line per kind: "<file>:<line>: element 'visual' ignored (rendering
  // only)" (with the number of occurrences when more than one).
  std::vector<std::string> warnings;
  // Names of actuators whose lengthrange was not given in the file (muscles among them get
  // one from MuJoCo's procedure, engine/lengthrange.h; its notes are in `warnings`).
  std::vector<std::string> missing_lengthrange;
};

// Imports an MJCF file. Errors (syntax, unknown elements or attributes, missing files, unknown
// classes or names, invalid values) throw ModelError ("<file>:<line>: <what>").
MjcfImportResult import_mjcf(const std::string& path);

// import_mjcf(path).model, printing nothing (callers that want the warnings use import_mjcf).
Model load_mjcf(const std::string& path);

}  // namespace sinew
