// SPDX-License-Identifier: Apache-2.0
// One interface over all muscle models, and the registry that names them.
//
// A muscle model is a struct (an "adapter") with
//   kNumPrm, kNumDynPrm                                      parameter counts (<= the maxima below)
//   SINEW_HD static void gain_bias(const T* prm, T len, T vel, T* gain, T* bias)
//   SINEW_HD static T act_dot(const T* dynprm, T ctrl, T act)
//   SINEW_HD static void from_mujoco(const T* mj_prm, const T* mj_dynprm, T* prm, T* dynprm)
//   host metadata: kName, kTitle, kDoc, kPrmNames/kPrmDefaults/kPrmDocs and the kDynPrm* arrays
// and is registered by one line in SINEW_MUSCLE_MODELS below. Everything else (the model enum,
// the dispatch, the host registry) is generated from that list. docs/extending-muscles.md walks
// through adding a model.
//
// Conventions shared by all models: `len` and `vel` are the actuator length (m) and velocity
// (m/s), i.e. gear * tendon length and gear * tendon velocity; the actuator force is
// force = gain * act + bias in MuJoCo's sign (negative = pulling); act_dot is d(act)/dt (1/s)
// for a control `ctrl` (the neural excitation, nominally in [0, 1]). Parameters are flat arrays
// (per actuator: kMusclePrmMax and kMuscleDynPrmMax entries, the unused tail ignored).
#pragma once

#include <limits>
#include <string>

#include "engine/core/hd.h"
#include "muscle/muscle_degroote.h"
#include "muscle/muscle_mujoco.h"

namespace sinew {

// ---- registration: X(id, enum name, adapter). Ids are stable (they are stored in models) and
// must be 0, 1, 2, ... in order.
#define SINEW_MUSCLE_MODELS(X)      \
  X(0, kMuscleMuJoCo, MuJoCoMuscle) \
  X(1, kMuscleDeGroote, DeGrooteMuscle)

enum MuscleModel : int {
#define SINEW_MUSCLE_ENUM_(id, e, S) e = id,
  SINEW_MUSCLE_MODELS(SINEW_MUSCLE_ENUM_)
#undef SINEW_MUSCLE_ENUM_
};

// Number of registered models, and the per-actuator stride of the parameter arrays.
#define SINEW_MUSCLE_COUNT_(id, e, S) +1
constexpr int kNumMuscleModels = 0 SINEW_MUSCLE_MODELS(SINEW_MUSCLE_COUNT_);
#undef SINEW_MUSCLE_COUNT_
constexpr int kMusclePrmMax = 16;
constexpr int kMuscleDynPrmMax = 4;

namespace muscle_detail {
#define SINEW_MUSCLE_ID_(id, e, S) id,
constexpr int kIds[] = {SINEW_MUSCLE_MODELS(SINEW_MUSCLE_ID_)};
#undef SINEW_MUSCLE_ID_
constexpr bool ids_are_consecutive() {
  for (int i = 0; i < kNumMuscleModels; ++i)
    if (kIds[i] != i) return false;
  return true;
}
static_assert(ids_are_consecutive(), "muscle model ids must be 0, 1, 2, ... in list order");
#define SINEW_MUSCLE_SIZES_(id, e, S)                                             \
  static_assert(S::kNumPrm <= kMusclePrmMax && S::kNumDynPrm <= kMuscleDynPrmMax, \
                #S ": too many parameters for kMusclePrmMax / kMuscleDynPrmMax");
SINEW_MUSCLE_MODELS(SINEW_MUSCLE_SIZES_)
#undef SINEW_MUSCLE_SIZES_
}  // namespace muscle_detail

// ---- dispatch (host and device). An unknown model id yields NaN (the world gets flagged);
// loaders reject unknown ids with muscle_model_info() first.

// Gain (N per unit activation) and bias (N) of model `model` at actuator length and velocity.
template <typename T>
SINEW_HD SINEW_INLINE void muscle_gain_bias(int model, const T* prm, T len, T vel, T* gain,
                                            T* bias) {
  switch (model) {
#define SINEW_MUSCLE_CASE_(id, e, S)         \
  case e:                                    \
    S::gain_bias(prm, len, vel, gain, bias); \
    return;
    SINEW_MUSCLE_MODELS(SINEW_MUSCLE_CASE_)
#undef SINEW_MUSCLE_CASE_
    default:
      *gain = *bias = std::numeric_limits<T>::quiet_NaN();
  }
}

// Actuator force gain * act + bias (N, negative = pulling) of model `model`.
template <typename T>
SINEW_HD SINEW_INLINE T muscle_force(int model, const T* prm, T length, T velocity, T act) {
  T gain, bias;
  muscle_gain_bias(model, prm, length, velocity, &gain, &bias);
  return gain * act + bias;
}

// Activation rate d(act)/dt (1/s) of model `model` for control `ctrl`.
template <typename T>
SINEW_HD SINEW_INLINE T muscle_act_dot(int model, const T* dynprm, T ctrl, T act) {
  switch (model) {
#define SINEW_MUSCLE_CASE_(id, e, S) \
  case e:                            \
    return S::act_dot(dynprm, ctrl, act);
    SINEW_MUSCLE_MODELS(SINEW_MUSCLE_CASE_)
#undef SINEW_MUSCLE_CASE_
    default:
      return std::numeric_limits<T>::quiet_NaN();
  }
}

// Fills model `model`'s parameters from a MuJoCo muscle's (layout mjmuscle::Prm, DynPrm: gainprm,
// lengthrange, acc0; dynprm). Returns false for an unknown model.
template <typename T>
SINEW_HD SINEW_INLINE bool muscle_from_mujoco(int model, const T* mj_prm, const T* mj_dynprm,
                                              T* prm, T* dynprm) {
  switch (model) {
#define SINEW_MUSCLE_CASE_(id, e, S)                \
  case e:                                           \
    S::from_mujoco(mj_prm, mj_dynprm, prm, dynprm); \
    return true;
    SINEW_MUSCLE_MODELS(SINEW_MUSCLE_CASE_)
#undef SINEW_MUSCLE_CASE_
    default:
      return false;
  }
}

// ---- host registry (muscle/muscle_model.cpp)

// What tools and importers need to know about a model: its name and documentation, its
// parameter names, defaults (NaN = no default, must be given) and one-line descriptions.
struct MuscleModelInfo {
  int id;
  const char* name;   // registry key, e.g. "mujoco", "degroote2016"
  const char* title;  // one line
  const char* doc;    // a paragraph: equations, conventions, source
  int nprm;
  const char* const* prm_names;
  const double* prm_defaults;
  const char* const* prm_docs;
  int ndynprm;
  const char* const* dynprm_names;
  const double* dynprm_defaults;
  const char* const* dynprm_docs;
  // MuJoCo muscle parameters (mjmuscle layout) -> this model's parameters.
  void (*from_mujoco)(const double* mj_prm, const double* mj_dynprm, double* prm, double* dynprm);
};

// Number of registered models (= kNumMuscleModels).
int muscle_model_count();
// The model with id `id`, or nullptr when there is none.
const MuscleModelInfo* muscle_model_info(int id);
// Id of the model named `name` (exact match), or -1.
int muscle_model_id(const char* name);
// Index of parameter / dynamics parameter `name` of model `id`, or -1.
int muscle_prm_index(int id, const char* name);
int muscle_dynprm_index(int id, const char* name);
// Writes model `id`'s defaults into prm[kMusclePrmMax] and dynprm[kMuscleDynPrmMax] (unused tail
// set to 0). Returns false for an unknown model.
bool muscle_default_prm(int id, double* prm, double* dynprm);
// The registry as a JSON array (id, name, title, doc, parameters with name/default/doc; a NaN
// default is written as null), for `sinew` tools that list the models.
std::string muscle_models_json();

}  // namespace sinew
