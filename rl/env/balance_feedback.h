// SPDX-License-Identifier: Apache-2.0
// A fixed muscle-space balance controller under the standing policy (issue 4, task c): once per
// action it turns a few posture errors into desired joint torques and finds the excitations
// nearest to the policy's that produce them.
//
// Desired generalized force on each feedback joint k (a leg hinge whose name contains one of the
// `joints` substrings):
//     tau_k = -kp (q_k - q*_k) - kd qdot_k                                     (posture)
//           - [k is an ankle_angle]   (com_kp c + com_kd cdot)                 (ankle strategy)
//           - [k is a hip_adduction]  s_k (list_kp phi + list_kd phidot)       (hip load/unload)
// where q* is the reference pose, c the whole-body centre of mass ahead (world +x, the model's
// facing direction) of the mean ankle (talus) position relative to its value in q*, cdot its
// difference quotient over one action, phi the pelvis list and s_k = +1 for a right ("_r") and
// -1 for a left ("_l") hip (the mirrored OpenSim hip axes; the sign was found empirically on
// MS-Human-700, docs/training.md). The ankle strategy and the hip load/unload strategy are the
// two classical human balance strategies (Winter 1995, Gait & Posture 3:193).
//
// The excitation x in [0, 1]^nu then solves the box-constrained least-squares problem
//     min_x |J (x - x0) - tau|^2 + lambda |x - x0|^2,    x0 = a* + action,
// with J = d qfrc_actuator / d a on the feedback joints at (q*, a*) (muscle/static_activation.h)
// and lambda = reg * mean(diag(J^T J)), by a few sweeps of projected coordinate descent
// warm-started at clip(x0). With zero torques and x0 in [0, 1] it returns x0. It plays the role of
// MASS's muscle-coordination layer below a PD target policy (Lee et al. 2019, ACM TOG 38:73), here
// as a fixed linearisation rather than a learned network. J is taken with respect to the
// activation state while x is an excitation: the activation dynamics (10-40 ms) delay the torques
// within the 20 ms action, a lag the gains were tuned with.
#pragma once

#include <string>
#include <vector>

#include "engine/data.h"
#include "engine/model.h"
#include "rl/config_reader.h"

namespace sinew::rl {

struct BalanceFeedbackParams {
  double kp = 0, kd = 0;          // posture gains, N m / rad and N m s / rad
  double com_kp = 0, com_kd = 0;  // centre-of-mass gains on the ankles, N m / m and N m s / m
  double list_kp = 0,
         list_kd = 0;  // pelvis-list gains on the hip adductors, N m / rad, N m s / rad
  double reg = 1e-3;   // relative Tikhonov weight lambda / mean(diag(J^T J))
  int sweeps = 50;     // coordinate-descent sweeps per action
  // '+'-separated substrings of the joint names the feedback acts on ('+' because --param
  // splits at commas)
  std::string joints = "ankle_angle+subtalar+knee_angle+hip_flexion+hip_adduction+hip_rotation";
  bool enabled() const {
    return kp > 0 || kd > 0 || com_kp > 0 || com_kd > 0 || list_kp > 0 || list_kd > 0;
  }
};

// Reads the feedback_* keys of a task's parameters (names as the fields above).
BalanceFeedbackParams read_balance_feedback(ConfigReader& p);

class BalanceFeedback {
 public:
  // ref_qpos: q* (nq); ff: a* (nu); list_joint: the pelvis-list hinge; hinges: the qpos
  // addresses of the hinges the feedback may act on (the independent ones: a hinge that a
  // coupling drives must not be pushed against its constraint), filtered by `joints`. Throws
  // naming the model when none matches, or the centre-of-mass term is asked for without talus
  // bodies.
  BalanceFeedback(const Model& m, const std::vector<double>& ref_qpos, const std::vector<float>& ff,
                  int list_joint, const std::vector<int>& hinges, const BalanceFeedbackParams& p,
                  int num_worlds);
  // Forget world w's previous centre-of-mass position (its next action has cdot = 0).
  void reset(int w);
  // x: nu excitations x0 in, the solution out; d: world w's state; dt: time between actions;
  // offset (optional, num_joints() entries, rad): added to the posture targets q*_k of the
  // feedback joints (the target-posture action mode of locomotion_stand).
  void apply(int w, const WorldData<double>& d, double dt, float* x,
             const double* offset = nullptr);
  int num_joints() const { return static_cast<int>(dofs_.size()); }
  // The centre of mass ahead of the mean talus position (m), world +x, from xpos and xipos alone
  // (current after kinematics(), as between actions).
  double com_ahead(const WorldData<double>& d) const;

 private:
  const Model& m_;
  BalanceFeedbackParams p_;
  std::vector<double> ref_;         // q*
  std::vector<int> dofs_, qadr_;    // feedback joints: dof and qpos addresses
  std::vector<char> ankle_;         // per feedback joint: an ankle_angle
  std::vector<int> hip_side_;       // per feedback joint: +1 right / -1 left hip_adduction, 0
  std::vector<double> jac_, hess_;  // J (joints x nu), J^T J + lambda I (nu x nu)
  std::vector<int> talus_;          // talus bodies
  int list_q_ = -1, list_v_ = -1;   // pelvis list qpos / dof address
  double com0_ = 0;                 // com_ahead at q*
  std::vector<double> com_prev_;    // per world; NaN after reset
};

}  // namespace sinew::rl
