// SPDX-License-Identifier: Apache-2.0
// Reading and writing models in the Sinew JSON model format, version 1 (docs/model-format.md).
// Every error names the file, the JSON path (RFC 6901 pointer) and what was expected.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>

#include "engine/model.h"

namespace sinew {

// Schema version written by save_model_json and the only one load_model_json accepts.
constexpr int kModelFormatVersion = 1;

// A model that cannot be read: message "<file>: <json path>: <what was expected>".
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads a model file, dispatching on its extension (.json; .xml is refused with a pointer to the
// MJCF importer). Returns a finalized model. Throws ModelError.
Model load_model(const std::string& path);

// Builds a finalized model from a parsed v1 document; `source_name` names it in messages and is
// stored in Model::source. Throws ModelError.
Model load_model_json(const nlohmann::json& doc, const std::string& source_name);

// The v1 document of a model: every value explicit (orientations as quaternions, inertias as
// principal moments with their frame), so that it reloads to identical arrays.
nlohmann::json model_to_json(const Model& m);

// Writes model_to_json(m) to `path` (indented). Throws ModelError when the file cannot be written.
void save_model_json(const Model& m, const std::string& path);

}  // namespace sinew
