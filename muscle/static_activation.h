// SPDX-License-Identifier: Apache-2.0
// Static optimisation of muscle activations at one pose: the activations a in [0, 1]^nu that hold
// the model still, i.e. minimise
//     sum_k w_k qacc_k(a)^2 + reg * mean_diag(J^T W J) * |a|^2
// at the given qpos with zero velocity, where qacc(a) is the engine's constrained acceleration
// (contacts, equality constraints, passive and muscle forces all included) with every muscle's
// activation state set to a. This is the inverse-dynamics form of OpenSim's static optimisation
// (Anderson & Pandy 2001, J Biomech 34:153) with the joint torques replaced by the accelerations
// the forward pass produces, so that the unknown contact forces need no separate model.
//
// qacc is affine in the activations at a fixed state except through the contact solver, so the
// problem is solved by Gauss-Newton: a Jacobian J = d qacc / d a by forward differences (nu + 1
// forward passes), a box-constrained quadratic programme solved by projected coordinate descent,
// a step halved until the residual decreases.
//
// A keyframe that floats a few millimetres above the ground has no contacts, so nothing the
// muscles do holds it. With `settle_qpos` / `settle_dof` (a vertical root slide) the pose is first
// lowered along that slide, by bisection, until the contacts carry the body's weight at a = 0
// (qacc of that dof >= 0); the pose used is returned in `qpos`.
#pragma once

#include <vector>

#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

struct StaticActivationOptions {
  std::vector<double> dof_weight;  // w_k per dof (nv); empty: 1 for every dof
  double reg = 1e-4;               // relative Tikhonov weight (see the objective above)
  int iterations = 6;              // Gauss-Newton iterations
  double fd_step = 0.02;           // activation step of the forward differences
  int settle_qpos = -1;            // qpos address of a vertical slide to settle along; -1: none
  int settle_dof = -1;             // its dof address
  double settle_range = 0.2;       // how far down to search (m)
};

struct StaticActivationResult {
  std::vector<double> act;   // nu activations in [0, 1]
  std::vector<double> qpos;  // the pose they hold (the input, settled when asked)
  double rms_qacc_zero = 0;  // weighted RMS of qacc at a = 0
  double rms_qacc = 0;       // at a = act
  int forward_passes = 0;
};

// Sets every actuator's control and, where it has one, its activation state to a[u] (nu values):
// the state static_activation solves for, e.g. to start an episode at its result.
template <class A>
void set_activation(const Model& m, WorldData<double>& d, const A* a) {
  for (int u = 0; u < m.size.nu; ++u) {
    d.ctrl[u] = a[u];
    if (m.actuator_actadr[u] >= 0) d.act[m.actuator_actadr[u]] = a[u];
  }
}

// Throws std::invalid_argument (naming the model) when qpos has the wrong size, the model has no
// actuators, or an actuator's force does not depend on an activation state or control in [0, 1].
StaticActivationResult static_activation(const Model& m, const std::vector<double>& qpos,
                                         const StaticActivationOptions& opt = {});

// min 0.5 a^T H a + b^T a over a in [0, 1]^n (H: n x n row-major, positive semi-definite) by
// projected coordinate descent warm-started at a, until no coordinate moves by tol or after
// max_sweeps sweeps. Coordinates with H_ii <= 0 are left where they are.
void unit_box_qp(const std::vector<double>& H, const std::vector<double>& b, std::vector<double>& a,
                 int max_sweeps = 2000, double tol = 1e-10);

// d qacc / d a (nv x nu, row-major) at qpos with zero velocity and every muscle's activation
// state and control at act: central differences of step fd_step (one-sided at a bound of
// [0, 1]). The linear map from activation changes to accelerations that a feedback law around a
// static-optimisation pose can invert (rl/env/stand_env.cpp). With actuator_force, d qfrc_actuator
// / d a instead (the generalized forces of the muscles alone: moment arms times d force / d a).
// Throws on wrong sizes.
std::vector<double> activation_jacobian(const Model& m, const std::vector<double>& qpos,
                                        const std::vector<double>& act, double fd_step = 0.02,
                                        bool actuator_force = false);

}  // namespace sinew
