// SPDX-License-Identifier: Apache-2.0
// Per-frame inverse kinematics on a Sinew model for retargeting: damped least squares
// (Levenberg-Marquardt) on weighted point targets over the engine's own kinematics and point
// Jacobians, with joint couplings enforced by projection (the chain rule inside the step, exact
// projection after it), limits kept by a clamping loop, the floor kept by one-sided rows on the
// model's collision geometry, and temporal smoothness as a Tikhonov term towards the previous
// frame. Ball and free joints (a free root) step on their quaternions, so any orientation works.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/model.h"
#include "rl/motion/clip.h"

namespace sinew::motion {

// A point fixed in a body: world position xpos[body] + xmat[body] * local.
struct BodyPoint {
  std::string name;
  int body = 0;
  Vec3d local;  // in the body frame (m)
};

// A point of a model's collision geometry: a sphere of `radius` about `local` in `body` (capsule
// end spheres, sphere centres, box corners and mesh vertices, radius 0).
struct CollisionPoint {
  int body = 0;
  Vec3d local;
  double radius = 0;
};
// Every colliding geom's points (contype or conaffinity set; planes excluded).
std::vector<CollisionPoint> collision_points(const Model& m);

struct IkOptions {
  int max_iterations = 60;
  double step_tolerance = 1e-7;  // stop when no coordinate moves more than this (rad or m)
  double damping = 1e-4;  // initial Levenberg-Marquardt lambda^2 (m^2 per unit dof^2), adapted
  double smooth = 1e-4;   // weight of |q - q_prev|^2 (m^2 per rad^2): temporal smoothness
  double rest = 1e-5;     // weight of |q - qpos0|^2 on non-root dofs: resolves redundancy
  double floor_weight =
      10;              // scale of a floor-penetration row (a key point's rows have its weight)
  double floor_z = 0;  // height of the floor (m)
};

struct IkReport {
  int iterations = 0;
  double cost = 0;               // weighted squared residual plus regularisation at the solution
  double floor_penetration = 0;  // deepest collision point below the floor (m, >= 0)
};

class IkSolver {
 public:
  // The model is referenced, not copied: keep it alive. `points` are the IK targets' carriers.
  IkSolver(const Model& m, std::vector<BodyPoint> points, const IkOptions& opt = {});
  ~IkSolver();
  IkSolver(const IkSolver&) = delete;
  IkSolver& operator=(const IkSolver&) = delete;

  int npoint() const;
  const std::vector<BodyPoint>& points() const;
  // Moves qpos [nq] (in: warm start, projected onto the couplings and limits first) so that the
  // points reach targets [np][3] (weights [np], 0 = ignored); q_prev [nq] anchors the smoothness
  // term (nullptr: none).
  IkReport solve(const double* targets, const double* weights, const double* q_prev, double* qpos);
  // World positions at qpos: the points [np][3] and every body's origin [nbody][3] (may be null).
  void positions(const double* qpos, double* points, double* bodies);
  // Deepest point of the collision geometry (capsules, spheres, boxes, mesh vertices) below the
  // floor at qpos (m, >= 0).
  double floor_penetration(const double* qpos);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// dq [nv] with integrate_pos(q0, dq, 1) == q1: differences for hinges and slides, body-frame
// rotation vectors for ball and free joints (MuJoCo's mj_differentiatePos).
void qpos_difference(const Model& m, const double* q1, const double* q0, double* dq);

// Largest amount (rad or m) by which a limited joint leaves its range at qpos; 0 inside.
double limit_violation(const Model& m, const double* qpos, std::string* worst = nullptr);

// Clamps limited hinge and slide joints into their ranges.
void clamp_to_limits(const Model& m, double* qpos);

}  // namespace sinew::motion
