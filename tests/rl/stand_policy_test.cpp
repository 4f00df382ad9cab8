// SPDX-License-Identifier: Apache-2.0
// ctest-labels: learning
// The committed standing policy (models/policies/locomotion_stand_qflex: Qflex on target-posture
// actions, averaged acting copies, 2.15 M samples on MS-Human-700-Locomotion) evaluated as
// `sinew eval` does it, on 32 worlds pushed at the 0.5 m/s in uniform directions: most
// episodes stay upright for 5 s (86 % of the 100 evaluation episodes with an x86-64-v3 build; the
// bound leaves room for other builds' float rounding, which balance amplifies), far above the
// balance controller alone (0 %).
#include <doctest/doctest.h>

#include <memory>

#include "rl/env/env.h"
#include "rl/ppo/evaluate.h"
#include "rl/qflex/qflex_trainer.h"

using namespace sinew;

TEST_CASE("the committed Qflex standing policy survives most 0.5 m/s pushes") {
  const std::string path = "models/policies/locomotion_stand_qflex/checkpoint.bin";
  rl::TrainConfig base;
  rl::qflex::QflexConfig qc;
  rl::qflex::read_qflex_checkpoint_config(path, base, qc);
  base.threads = 1;
  qc.buffer_size = 1;
  rl::qflex::QflexTrainer tr(base, qc);
  tr.load_checkpoint(path, false);
  REQUIRE(tr.has_averaged_policy());
  const int N = 32;
  auto run = [&](const rl::PolicyFn& policy) {
    std::unique_ptr<rl::Env> env = rl::make_env(base.task, base.env_params, N, 1000004);
    return rl::evaluate(*env, policy);
  };
  const rl::EvalSummary p = run(tr.deterministic_policy());
  const rl::EvalSummary z = run(rl::constant_policy(tr.env().spec().act_dim, 0.f));
  MESSAGE("policy: " << p.score_mean << " s upright, " << 100 * p.success_rate
                     << " % for 5 s; controller alone: " << z.score_mean << " s, "
                     << 100 * z.success_rate << " %");
  CHECK(p.success_rate >= 0.6);
  CHECK(p.score_mean >= 3 * z.score_mean);
}
