// SPDX-License-Identifier: Apache-2.0
// Helpers for tests of model-loading errors: the message a load throws, or "(no error)".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/model_io.h"

namespace sinew::test {

// The ModelError message of loading `path`.
inline std::string file_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

// The ModelError message of loading the in-memory document `doc` (named "inline.json").
inline std::string error_of(const nlohmann::json& doc) {
  try {
    load_model_json(doc, "inline.json");
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace sinew::test
