// SPDX-License-Identifier: Apache-2.0
#include "rl/env/model_variants.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/model_io.h"
#include "rl/env/physics_env.h"
#include "rl/motion/retarget.h"

namespace sinew::rl {

Model with_split_fibres(const Model& m, int k) {
  if (k < 1) throw std::invalid_argument(m.source + ": fibres must be >= 1");
  if (k == 1) return m;
  nlohmann::json doc = model_to_json(m);
  if (!doc.contains("actuators") || doc["actuators"].empty())
    throw std::invalid_argument(m.source + ": no muscle actuators to split into fibres");
  nlohmann::json split = nlohmann::json::array();
  for (const nlohmann::json& a : doc.at("actuators")) {
    const std::string name = a.value("name", std::string());
    if (a.value("gaintype", std::string()) != "muscle" ||
        a.value("muscle_model", std::string("mujoco")) != "mujoco")
      throw std::invalid_argument(m.source + ": actuator '" + name +
                                  "' is not a MuJoCo-compatible muscle; fibres need one");
    nlohmann::json f = a;
    // gainprm/biasprm: [range0, range1, force, scale, lmin, lmax, vmax, fpmax, fvmax]
    for (const char* key : {"gainprm", "biasprm"}) {
      nlohmann::json& p = f.at(key);
      if (p.at(2).get<double>() >= 0)
        p[2] = p.at(2).get<double>() / k;
      else
        p[3] = p.at(3).get<double>() / k;
    }
    for (int i = 0; i < k; ++i) {
      f["name"] = name + "_f" + std::to_string(i);
      split.push_back(f);
    }
  }
  doc["actuators"] = split;
  return load_model_json(doc, m.source + " (" + std::to_string(k) + " fibres per muscle)");
}

Model load_model_variant(const std::string& path, const ModelVariant& v) {
  Model m = load_model(find_model_file(path));
  if (v.fibres != 1) m = with_split_fibres(m, v.fibres);
  if (v.free_root) m = motion::with_free_root(m);
  return m;
}

}  // namespace sinew::rl
