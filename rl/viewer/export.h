// SPDX-License-Identifier: Apache-2.0
// The viewer export (`sinew export`, docs/viewer.md): a motion on a model as a glTF 2.0 binary
// animation (.glb). Per frame the engine's kinematics gives every body's pose and the tendon
// stage the muscle paths (d.wrap_xpos); the file holds
//   - one node per drawn body (world pose animated: translation + rotation, LINEAR), with its
//     geoms as child nodes: the visual meshes of mesh geoms (shared by every node that uses
//     them), tessellated primitives where the model has no meshes;
//   - the reference motion as a ghost: a second set of body nodes in a semi-transparent material,
//     offset sideways (+y) by `ghost_offset`;
//   - the muscles (spatial tendons) as one LINES mesh showing frame 0, coloured by activation
//     (blue 0 -> red 1); the per-frame points and activations are accessors named in the muscle
//     node's extras ("sinew_muscles"), which the HTML viewer (html.h) plays back.
// Sinew is Z-up, glTF Y-up: the root node turns the scene by -90 degrees about x.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"

namespace sinew::viewer {

// What is drawn, per frame: times [T] (s, increasing), qpos [T][nq]; optionally act [T][na]
// (muscle activations, the model's act layout) and ref_qpos [T][nq] (the reference, drawn as
// the ghost).
struct Frames {
  std::vector<double> time, qpos, act, ref_qpos;
  int nframe() const { return static_cast<int>(time.size()); }
};

struct ExportOptions {
  std::string mesh_dir;     // where Model::mesh_file paths start ("": found, see find_mesh_file)
  int primitives = -1;      // draw primitive geoms: 1 yes, 0 no, -1 only when no mesh is drawn
  bool muscles = true;      // draw spatial tendons
  bool ghost = true;        // draw ref_qpos when present
  double ghost_offset = 0;  // m along +y; <= 0: automatic (from the body's size)
  double simplify = 0;      // vertex-clustering cell (m) for visual meshes; 0 keeps them whole
};

// Counts for the report and the documentation.
struct ExportReport {
  int nframe = 0, nbody = 0, ngeom = 0, nmesh = 0;  // drawn bodies, geoms, distinct geometries
  long ntriangle = 0, nvertex = 0;                  // of the distinct geometries
  int nmuscle = 0, nmuscle_point = 0;               // drawn tendons, path points per frame
  bool ghost = false, activations = false;
  double ghost_offset = 0;
  std::size_t glb_bytes = 0, mesh_bytes = 0, animation_bytes = 0, muscle_bytes = 0;
  std::vector<std::string> warnings;  // meshes not found or not matching, ...
};

// The .glb bytes for `frames` on `m` (loaded from `model_path`, which locates mesh files).
// Throws std::runtime_error when the frames do not fit the model (sizes, times).
std::string export_glb(const Model& m, const std::string& model_path, const Frames& frames,
                       const ExportOptions& opt, ExportReport* report = nullptr);

// Blue (activation 0) to red (1); grey for a negative value (no activation known).
void activation_color(double a, float rgb[3]);

}  // namespace sinew::viewer
