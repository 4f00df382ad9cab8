// SPDX-License-Identifier: Apache-2.0
// `sinew retarget CLIP --model MODEL -o OUT`: a motion clip (DeepMimic .txt, BVH, .npz qpos
// trajectory, Sinew clip .json) onto a Sinew model as a reference trajectory for tracking:
// qpos, qvel and body positions in the Sinew clip format (docs/retargeting.md).
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <string>

#include "engine/model_io.h"
#include "rl/motion/clip_io.h"
#include "rl/motion/retarget.h"
#include "tools/cli.h"

namespace sinew::cli {

namespace {

void print_report(const motion::RetargetReport& r, const motion::Clip& c) {
  if (!r.key_points.empty()) {
    std::printf("key point      mean (mm)   max (mm)\n");
    for (const motion::KeyPointResidual& k : r.key_points)
      std::printf("%-12s %10.1f %10.1f\n", k.name.c_str(), k.mean_mm, k.max_mm);
    std::printf("%-12s %10.1f\n", "all", r.mean_residual_mm);
    if (!r.skipped_key_points.empty()) {
      std::printf("skipped (rigid on the root body of this model):");
      for (const std::string& k : r.skipped_key_points) std::printf(" %s", k.c_str());
      std::printf("\n");
    }
  } else {
    std::printf(
        "input: coupling residual %.4g (projected), limit violation %.4g, floor penetration "
        "%.1f mm\n",
        r.input_coupling_residual, r.input_limit_violation, 1000 * r.input_floor_penetration_m);
  }
  std::printf("frames %d at %.4g Hz (%.4g s)%s\n", c.nframe(), c.fps(), c.duration(),
              c.loop ? (c.closed ? ", closed loop" : ", open loop") : "");
  std::printf("floor penetration max %.1f mm\n", 1000 * r.max_floor_penetration_m);
  std::printf("joint limit violation max %.3g%s%s\n", r.max_limit_violation,
              r.worst_limit_joint.empty() ? "" : " at ", r.worst_limit_joint.c_str());
  std::printf("coupling residual max %.3g\n", r.max_coupling_residual);
  std::printf("time %.2f s (%d IK iterations)\n", r.seconds, r.ik_iterations);
}

}  // namespace

int cmd_retarget(int argc, char** argv) {
  cxxopts::Options opts(
      "sinew retarget",
      "Retarget a motion clip onto a model and write the reference trajectory (qpos, qvel, body\n"
      "positions) in the Sinew clip format (docs/clip-format.md, docs/retargeting.md).\n"
      "CLIP: DeepMimic motion (.txt, character from ../characters/humanoid3d.txt), Sinew clip\n"
      "(.json), or a qpos trajectory of the model itself (.npz: qpos_traj, framerate).");
  opts.add_options()("clip", "motion clip", cxxopts::value<std::string>())(
      "m,model", "target model (.json or .xml)", cxxopts::value<std::string>())(
      "o,out", "output clip (.json)", cxxopts::value<std::string>())(
      "fps", "output frame rate in Hz (0 keeps the source rate)",
      cxxopts::value<double>()->default_value("30"))(
      "cycles", "looping clips: cycles chained by their own displacement",
      cxxopts::value<int>()->default_value("1"))(
      "free-root", "replace the model's root joints by a free joint (acrobatics)")(
      "character", "DeepMimic character file", cxxopts::value<std::string>())(
      "iterations", "IK iterations per frame", cxxopts::value<int>()->default_value("60"))(
      "smooth", "IK smoothness weight (m^2/rad^2)",
      cxxopts::value<double>()->default_value("1e-4"))(
      "no-clamp", "model clips: keep limit violations")("no-lift",
                                                        "model clips: keep floor penetration")(
      "source-model",
      "the model a bare qpos clip (.npz) belongs to, when it is not the target (e.g. the "
      "MS-Human-700 gait onto MS-Human-700-Locomotion): projected there first, then the target's "
      "coordinates are taken by joint name",
      cxxopts::value<std::string>())("h,help", "show this help");
  opts.parse_positional({"clip"});
  opts.positional_help("CLIP");
  const cxxopts::ParseResult r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("clip") || !r.count("model") || !r.count("out")) {
    std::cerr << "sinew retarget: needs CLIP, --model MODEL and -o OUT\n"
              << opts.help() << std::endl;
    return 2;
  }
  motion::LoadClipOptions lo;
  if (r.count("character")) lo.deepmimic_character = r["character"].as<std::string>();
  const motion::Clip src = motion::load_clip(r["clip"].as<std::string>(), lo);
  const std::string model_path = r["model"].as<std::string>();
  const Model model = load_model(model_path);
  motion::RetargetOptions opt;
  opt.fps = r["fps"].as<double>();
  opt.cycles = r["cycles"].as<int>();
  opt.free_root = r.count("free-root") > 0;
  opt.ik.max_iterations = r["iterations"].as<int>();
  opt.ik.smooth = r["smooth"].as<double>();
  opt.clamp_model_clips = r.count("no-clamp") == 0;
  opt.lift_model_clips = r.count("no-lift") == 0;
  if (opt.cycles < 1) throw std::runtime_error("--cycles must be >= 1");
  motion::RetargetReport rep;
  motion::Clip named = src;
  if (r.count("source-model")) {
    const std::string sp = r["source-model"].as<std::string>();
    if (!src.skeleton.joints.empty())
      throw std::runtime_error(src.source + ": --source-model is for qpos clips, not skeletons");
    motion::RetargetOptions so = opt;
    so.fps = 0;
    so.cycles = 1;
    so.free_root = false;
    motion::RetargetReport srep;
    named = motion::retarget(src, load_model(sp), sp, so, &srep);
    std::printf("on the source model %s: coupling residual before projection %.3g\n", sp.c_str(),
                srep.input_coupling_residual);
  }
  const motion::Clip out = motion::retarget(named, model, model_path, opt, &rep);
  motion::write_sinew_clip(out, r["out"].as<std::string>());
  print_report(rep, out);
  std::printf("wrote %s\n", r["out"].as<std::string>().c_str());
  return 0;
}

}  // namespace sinew::cli
