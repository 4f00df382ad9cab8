// SPDX-License-Identifier: Apache-2.0
#include "rl/track/reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/coupling.h"
#include "engine/data.h"
#include "engine/kinematics.h"
#include "engine/model_io.h"
#include "rl/env/physics_env.h"
#include "rl/motion/clip_io.h"
#include "rl/motion/clip_ops.h"
#include "rl/motion/retarget.h"

namespace sinew::track {

Reference reference_from_qpos(const Model& m, std::vector<double> qpos, double dt, double period) {
  Reference r;
  r.dt = dt;
  r.period = period;
  r.nq = m.size.nq;
  r.nv = m.size.nv;
  r.nbody = m.size.nbody;
  r.nframe = static_cast<int>(qpos.size() / std::max(r.nq, 1));
  if (r.nframe < 2 || qpos.size() != static_cast<size_t>(r.nframe) * r.nq)
    throw std::invalid_argument("reference: needs at least two frames of nq coordinates");
  const ModelView<double> mv = m.view();
  for (int f = 0; f < r.nframe; ++f) project_couplings(mv, qpos.data() + size_t(f) * r.nq);
  std::vector<double> time(r.nframe);
  for (int f = 0; f < r.nframe; ++f) time[f] = f * dt;
  // qvel by central differences on the manifold (one-sided at the ends)
  const motion::Clip c = motion::model_clip(m, qpos, time, false, false);
  r.qpos = std::move(qpos);
  r.qvel = c.qvel;
  Data<double> data(m, 1);
  WorldData<double> d = data.world(0);
  r.xpos.resize(static_cast<size_t>(r.nframe) * r.nbody * 3);
  r.xquat.resize(static_cast<size_t>(r.nframe) * r.nbody * 4);
  for (int f = 0; f < r.nframe; ++f) {
    std::copy_n(r.qpos_at(f), r.nq, d.qpos);
    kinematics(mv, d);
    std::copy_n(d.xpos, 3 * r.nbody, r.xpos.begin() + size_t(f) * r.nbody * 3);
    std::copy_n(d.xquat, 4 * r.nbody, r.xquat.begin() + size_t(f) * r.nbody * 4);
  }
  return r;
}

Reference reference_from_model_clip(const Model& m, const motion::Clip& clip, double dt,
                                    int nframe) {
  // tracking-model coordinate i <- clip coordinate col[i], matched by name (the names of
  // motion::model_clip: the joint name; <joint>_x/_y/_z and _qw.._qz for free and ball joints)
  std::vector<std::string> names;
  for (int j = 0; j < m.size.njnt; ++j) {
    const std::string& n = m.jnt_name[j];
    const int t = m.jnt_type[j];
    if (t == kJointFree)
      for (const char* s : {"_x", "_y", "_z"}) names.push_back(n + s);
    if (t == kJointFree || t == kJointBall)
      for (const char* s : {"_qw", "_qx", "_qy", "_qz"}) names.push_back(n + s);
    else
      names.push_back(n);
  }
  std::vector<int> col(m.size.nq, -1);
  for (int i = 0; i < m.size.nq; ++i) {
    const auto it = std::find(clip.qpos_names.begin(), clip.qpos_names.end(), names[i]);
    if (it == clip.qpos_names.end())
      throw std::invalid_argument(clip.source + ": the clip has no coordinate '" + names[i] +
                                  "' of model " + m.source);
    col[i] = static_cast<int>(it - clip.qpos_names.begin());
  }
  std::vector<double> src(clip.nq()), q(static_cast<size_t>(nframe) * m.size.nq);
  for (int f = 0; f < nframe; ++f) {
    motion::sample_looped(clip, f * dt, src.data(), nullptr, nullptr);
    for (int i = 0; i < m.size.nq; ++i) q[size_t(f) * m.size.nq + i] = src[col[i]];
  }
  const double period = clip.loop ? motion::cycle_period(clip) : clip.duration();
  return reference_from_qpos(m, std::move(q), dt, period);
}

motion::Clip load_named_clip(const std::string& clip_path, const std::string& clip_model_path) {
  motion::Clip clip = motion::load_clip(rl::find_model_file(clip_path));
  const bool named = !clip.model.empty() || clip.qpos_names.empty() ||
                     (clip.nq() > 0 && clip.qpos_names[0] != "q0");
  if (!named) {  // a bare model trajectory: retarget onto its own model first
    const std::string mp = rl::find_model_file(clip_model_path);
    const Model src_model = load_model(mp);
    motion::RetargetOptions opt;
    opt.fps = 0;  // keep the source's frames; sampled at dt below
    clip = motion::retarget(clip, src_model, clip_model_path, opt);
  }
  return clip;
}

Reference load_reference(const Model& m, const std::string& clip_path,
                         const std::string& clip_model_path, double dt, int nframe) {
  return reference_from_model_clip(m, load_named_clip(clip_path, clip_model_path), dt, nframe);
}

}  // namespace sinew::track
