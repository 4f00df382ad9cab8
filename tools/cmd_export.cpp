// SPDX-License-Identifier: Apache-2.0
// `sinew export MOTION --model MODEL -o OUT.glb [--html OUT.html]`: a motion (clip or recorded
// trajectory) on a model as a glTF 2.0 animation and/or a self-contained HTML viewer
// (docs/viewer.md; code in rl/viewer/).
#include <chrono>
#include <cstdio>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <string>

#include "engine/model_io.h"
#include "rl/env/physics_env.h"
#include "rl/motion/clip_io.h"
#include "rl/motion/retarget.h"
#include "rl/viewer/export.h"
#include "rl/viewer/html.h"
#include "rl/viewer/trajectory.h"
#include "tools/cli.h"

namespace sinew::cli {

namespace {

bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int cmd_export(int argc, char** argv) {
  cxxopts::Options opts(
      "sinew export",
      "Export a motion on a model as a glTF 2.0 animation (.glb: bone meshes, muscles coloured\n"
      "by activation, the reference as a ghost) and/or one self-contained HTML viewer that\n"
      "opens from disk (three.js inlined). MOTION: a clip on the model (Sinew clip .json, .npz\n"
      "qpos trajectory) or a recorded trajectory (a Sinew clip with per-frame \"act\" and\n"
      "\"ref_qpos\"), docs/viewer.md.");
  opts.add_options()("motion", "motion or trajectory", cxxopts::value<std::string>())(
      "m,model", "the model (.json or .xml; default: the motion's \"model\")",
      cxxopts::value<std::string>())("o,out", "output .glb (or .html: the viewer only)",
                                     cxxopts::value<std::string>())(
      "html", "also write the HTML viewer here", cxxopts::value<std::string>())(
      "reference", "clip drawn as the ghost (overrides the trajectory's ref_qpos)",
      cxxopts::value<std::string>())("no-ghost", "do not draw the reference")(
      "no-muscles", "do not draw the muscles")(
      "fps", "resample to this rate (0 keeps the motion's frames)",
      cxxopts::value<double>()->default_value("0"))("frames",
                                                    "export at most this many frames (0: all)",
                                                    cxxopts::value<int>()->default_value("0"))(
      "ghost-offset", "ghost's sideways (+y) offset in m (0: from the body's size)",
      cxxopts::value<double>()->default_value("0"))(
      "primitives", "draw primitive geoms: auto (when no mesh is drawn), on, off",
      cxxopts::value<std::string>()->default_value("auto"))(
      "simplify", "merge mesh vertices closer than this cell size (m; 0: full meshes)",
      cxxopts::value<double>()->default_value("0"))(
      "mesh-dir", "directory the model's mesh file paths start from (default: found)",
      cxxopts::value<std::string>())("three-dir", "three.js (Debian libjs-three) directory",
                                     cxxopts::value<std::string>()->default_value(
                                         viewer::kThreeJsDir))("h,help", "show this help");
  opts.parse_positional({"motion"});
  opts.positional_help("MOTION");
  const cxxopts::ParseResult r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("motion") || (!r.count("out") && !r.count("html"))) {
    std::cerr << "sinew export: needs MOTION and -o OUT.glb or --html OUT.html\n"
              << opts.help() << std::endl;
    return 2;
  }
  const auto t_start = std::chrono::steady_clock::now();
  std::string glb_path, html_path;
  if (r.count("out"))
    (ends_with(r["out"].as<std::string>(), ".html") ? html_path : glb_path) =
        r["out"].as<std::string>();
  if (r.count("html")) html_path = r["html"].as<std::string>();

  const viewer::Trajectory traj = viewer::read_trajectory(r["motion"].as<std::string>());
  if (!r.count("model") && traj.clip.model.empty())
    throw std::runtime_error(traj.clip.source +
                             ": the motion names no model; give one with --model MODEL");
  const std::string model_path =
      r.count("model") ? r["model"].as<std::string>() : rl::find_model_file(traj.clip.model);
  Model model = load_model(model_path);
  if (traj.clip.model_root == "free") model = motion::with_free_root(model);
  if (traj.clip.nq() != model.size.nq)
    throw std::runtime_error(traj.clip.source + ": the motion has " +
                             std::to_string(traj.clip.nq()) + " coordinates, the model " +
                             model_path + " has nq = " + std::to_string(model.size.nq) +
                             " (retarget it first: sinew retarget)");
  if (!traj.act.empty() && traj.na != model.size.na)
    throw std::runtime_error(
        traj.clip.source + ": 'act' has " + std::to_string(traj.na) +
        " values per frame, the model has na = " + std::to_string(model.size.na));
  motion::Clip reference;
  const bool has_reference = r.count("reference") > 0;
  if (has_reference) reference = motion::load_clip(r["reference"].as<std::string>());
  viewer::Frames frames = viewer::export_frames(traj, r["fps"].as<double>(), r["frames"].as<int>(),
                                                has_reference ? &reference : nullptr);

  viewer::ExportOptions opt;
  if (r.count("mesh-dir")) opt.mesh_dir = r["mesh-dir"].as<std::string>();
  const std::string prim = r["primitives"].as<std::string>();
  if (prim != "auto" && prim != "on" && prim != "off")
    throw std::runtime_error("--primitives must be auto, on or off");
  opt.primitives = prim == "auto" ? -1 : (prim == "on" ? 1 : 0);
  opt.muscles = r.count("no-muscles") == 0;
  opt.ghost = r.count("no-ghost") == 0;
  opt.ghost_offset = r["ghost-offset"].as<double>();
  opt.simplify = r["simplify"].as<double>();
  viewer::ExportReport rep;
  const std::string glb = viewer::export_glb(model, model_path, frames, opt, &rep);
  for (const std::string& w : rep.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf(
      "frames %d (%.3g s), bodies %d, geoms %d, distinct meshes %d (%ld triangles, %ld "
      "vertices)\n",
      rep.nframe, frames.time.back() - frames.time.front(), rep.nbody, rep.ngeom, rep.nmesh,
      rep.ntriangle, rep.nvertex);
  std::printf("muscles %d (%d path points per frame, %s), ghost %s\n", rep.nmuscle,
              rep.nmuscle_point, rep.activations ? "coloured by activation" : "no activations",
              rep.ghost ? ("at +" + std::to_string(rep.ghost_offset) + " m y").c_str() : "none");
  std::printf("glb %.2f MB: meshes %.2f, body animation %.2f, muscles %.2f\n", rep.glb_bytes / 1e6,
              rep.mesh_bytes / 1e6, rep.animation_bytes / 1e6, rep.muscle_bytes / 1e6);
  if (!glb_path.empty()) {
    write_file(glb_path, glb);
    std::printf("wrote %s\n", glb_path.c_str());
  }
  if (!html_path.empty()) {
    const std::string html =
        viewer::viewer_html(glb, viewer::read_three_js(r["three-dir"].as<std::string>()),
                            "sinew: " + traj.clip.source + " on " + model_path);
    write_file(html_path, html);
    std::printf("wrote %s (%.2f MB)\n", html_path.c_str(), html.size() / 1e6);
  }
  std::printf("time %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());
  return 0;
}

}  // namespace sinew::cli
