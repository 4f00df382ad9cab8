// SPDX-License-Identifier: Apache-2.0
// Actuator length ranges computed by simulation, for actuators that do not give one (MuJoCo's
// compiler/lengthrange procedure, mj_setLengthRange in src/engine/engine_setconst.c, summarized
// in ../shared/docs/MUJOCO_SEMANTICS.md §1.5; written independently, no MuJoCo code copied).
//
// Per actuator and per side (shortest, longest): reset to qpos0, then for `inttotal` seconds at
// `timestep` with contacts, gravity, passive forces (joint springs and damping) and actuator
// forces off and joint limits and equality couplings on, every step
//   qvel <- qvel * exp(-h / max(0.01, timeconst))
//   moment = dL_actuator/dq at the current state (gear * tendon Jacobian, or gear at the dof)
//   qfrc_applied = s * accel * moment / |M^-1 moment|, s = -1 (shortest) or +1 (longest),
//                  scaled down to norm `maxforce` when maxforce > 0 and it is larger
//   one semi-implicit Euler step (Sinew's own engine/forward.h step)
// and the side's value is the smallest (largest) actuator length seen while time > inttotal -
// interval. It fails when a side's spread over that window exceeds tolrange * (max - min).
//
// Joint and tendon limits and joint couplings stay on during the procedure, as in MuJoCo.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"

namespace sinew {

// MuJoCo's <compiler><lengthrange> attributes and defaults.
struct LengthRangeOptions {
  enum Mode { kNone = 0, kMuscle = 1, kMuscleUser = 2, kAll = 3 };
  int mode = kMuscle;       // which actuators: none, muscles (gain or bias muscle), all
  bool useexisting = true;  // keep a given range (lengthrange[0] < lengthrange[1])
  bool uselimit = false;    // copy the range of a limited joint or tendon transmission
  double accel = 20;        // target acceleration norm |M^-1 qfrc| (1/s^2 in q units)
  double maxforce = 0;      // cap on |qfrc| (0: none)
  double timeconst = 1;     // velocity damping time constant (s), at least 0.01
  double timestep = 0.01;   // integration step (s); <= 0 keeps the model's
  double inttotal = 10;     // simulated time per side (s)
  double interval = 2;      // final window where lengths are recorded (s)
  double tolrange = 0.05;   // allowed spread in the window, relative to the range
};

// Computes actuator_lengthrange for the actuators selected by `opt` (mode, useexisting) and,
// when any changed, rebuilds the actuator constants (set_actuator_const: muscle parameters;
// acc0 does not change). Throws std::runtime_error naming the model and the actuator when a
// simulation becomes unstable, the range is empty or a side does not converge. Returns notes
// (one line per actuator whose range is not MuJoCo's procedure's, see the header comment).
// Uses up to `threads` threads (0: the hardware's count), one actuator per task.
std::vector<std::string> compute_lengthrange(Model& m, const LengthRangeOptions& opt = {},
                                             int threads = 0);

// Whether `opt` selects actuator u of m for computation (mode and useexisting).
bool lengthrange_needed(const Model& m, int u, const LengthRangeOptions& opt = {});

}  // namespace sinew
