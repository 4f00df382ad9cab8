// SPDX-License-Identifier: Apache-2.0
// Variants of a task's model that the environments build on request (env parameters):
//   free_root (track): the root joints replaced by one free joint (motion::with_free_root);
//   fibres (arm26_reach): every muscle split into k identical parallel fibres on the same path,
//     each with 1/k of the peak force — the body and the task stay the same while the action
//     dimension grows k-fold (issue 6's ablation: arm26 with |A| = 6, 48, 198, 702).
#pragma once

#include <string>

#include "engine/model.h"

namespace sinew::rl {

struct ModelVariant {
  bool free_root = false;
  int fibres = 1;
};

// The model `m` split into k fibres per muscle actuator (names "<name>_f<i>", i = 0..k-1, in
// actuator order, each muscle's fibres consecutive): MuJoCo muscles keep force < 0 (F0 = scale /
// acc0, acc0 unchanged since the path is) with scale / k, or force / k when force >= 0. Throws
// naming an actuator that is not a MuJoCo-compatible muscle. k = 1 returns m.
Model with_split_fibres(const Model& m, int k);

// Loads the model file (find_model_file's search) and applies the variant.
Model load_model_variant(const std::string& path, const ModelVariant& v);

}  // namespace sinew::rl
