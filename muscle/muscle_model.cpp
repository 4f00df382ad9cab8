// SPDX-License-Identifier: Apache-2.0
// The host-side muscle model registry, generated from SINEW_MUSCLE_MODELS (muscle_model.h).
#include "muscle/muscle_model.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

namespace sinew {

namespace {

template <typename S>
void from_mujoco_double(const double* mj_prm, const double* mj_dynprm, double* prm,
                        double* dynprm) {
  S::from_mujoco(mj_prm, mj_dynprm, prm, dynprm);
}

const MuscleModelInfo kRegistry[] = {
#define SINEW_MUSCLE_INFO_(id, e, S) \
  {id,                               \
   S::kName,                         \
   S::kTitle,                        \
   S::kDoc,                          \
   S::kNumPrm,                       \
   S::kPrmNames,                     \
   S::kPrmDefaults,                  \
   S::kPrmDocs,                      \
   S::kNumDynPrm,                    \
   S::kDynPrmNames,                  \
   S::kDynPrmDefaults,               \
   S::kDynPrmDocs,                   \
   &from_mujoco_double<S>},
    SINEW_MUSCLE_MODELS(SINEW_MUSCLE_INFO_)
#undef SINEW_MUSCLE_INFO_
};
static_assert(sizeof(kRegistry) / sizeof(kRegistry[0]) == kNumMuscleModels, "registry size");

int find_name(const char* const* names, int n, const char* name) {
  if (!name) return -1;
  for (int i = 0; i < n; ++i)
    if (std::strcmp(names[i], name) == 0) return i;
  return -1;
}

nlohmann::json param_list(int n, const char* const* names, const double* defaults,
                          const char* const* docs) {
  nlohmann::json a = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    nlohmann::json p = {{"index", i}, {"name", names[i]}, {"doc", docs[i]}};
    p["default"] = std::isnan(defaults[i]) ? nlohmann::json(nullptr) : nlohmann::json(defaults[i]);
    a.push_back(p);
  }
  return a;
}

}  // namespace

int muscle_model_count() { return kNumMuscleModels; }

const MuscleModelInfo* muscle_model_info(int id) {
  return (id >= 0 && id < kNumMuscleModels) ? &kRegistry[id] : nullptr;
}

int muscle_model_id(const char* name) {
  if (!name) return -1;
  for (const MuscleModelInfo& m : kRegistry)
    if (std::strcmp(m.name, name) == 0) return m.id;
  return -1;
}

int muscle_prm_index(int id, const char* name) {
  const MuscleModelInfo* m = muscle_model_info(id);
  return m ? find_name(m->prm_names, m->nprm, name) : -1;
}

int muscle_dynprm_index(int id, const char* name) {
  const MuscleModelInfo* m = muscle_model_info(id);
  return m ? find_name(m->dynprm_names, m->ndynprm, name) : -1;
}

bool muscle_default_prm(int id, double* prm, double* dynprm) {
  const MuscleModelInfo* m = muscle_model_info(id);
  if (!m) return false;
  for (int i = 0; i < kMusclePrmMax; ++i) prm[i] = i < m->nprm ? m->prm_defaults[i] : 0.0;
  for (int i = 0; i < kMuscleDynPrmMax; ++i)
    dynprm[i] = i < m->ndynprm ? m->dynprm_defaults[i] : 0.0;
  return true;
}

std::string muscle_models_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const MuscleModelInfo& m : kRegistry) {
    out.push_back(
        {{"id", m.id},
         {"name", m.name},
         {"title", m.title},
         {"doc", m.doc},
         {"prm", param_list(m.nprm, m.prm_names, m.prm_defaults, m.prm_docs)},
         {"dynprm", param_list(m.ndynprm, m.dynprm_names, m.dynprm_defaults, m.dynprm_docs)}});
  }
  return out.dump(2);
}

}  // namespace sinew
