// SPDX-License-Identifier: Apache-2.0
// Triangle meshes for the viewer export: the visual meshes of a model's mesh geoms (the files
// its MJCF named, kept as Model::mesh_file; the Sinew model stores only the convex-hull
// vertices used for collision) and tessellated primitive geoms (sphere, capsule, cylinder, box,
// ellipsoid), all in the geom's frame, in metres.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/model.h"

namespace sinew::viewer {

struct TriMesh {
  std::vector<float> pos;           // [nvert][3] geom frame (m)
  std::vector<float> normal;        // [nvert][3] unit
  std::vector<std::uint32_t> face;  // [nface][3] counter-clockwise seen from outside
  int nvert() const { return static_cast<int>(pos.size() / 3); }
  int nface() const { return static_cast<int>(face.size() / 3); }
};

// Area-weighted vertex normals from the faces (smooth shading).
void compute_normals(TriMesh& t);

// A primitive geom (kGeomSphere, kGeomCapsule, kGeomCylinder, kGeomBox, kGeomEllipsoid) with
// MuJoCo's size meaning (radius, half-length along z, half-sizes, radii), `seg` segments around.
TriMesh primitive_mesh(int type, const double* size, int seg = 20);

// The mesh file `file` (Model::mesh_file, relative to the source model's directory) for the
// model loaded from `model_path`: `mesh_dir`/file when mesh_dir is given; else the model's own
// directory, then each directory <model dir>/src/<name>/ (where `sinew import`ed models keep
// their sources: models/ms_human_700.json -> models/src/ms_human_700/). "" when not found.
std::string find_mesh_file(const std::string& model_path, const std::string& file,
                           const std::string& mesh_dir);

// Reads mesh `mesh` of `m` from `path` (STL or OBJ) and puts its triangles in the frame of the
// stored vertices: the importer moved them to the mesh's principal frame (MuJoCo's mesh
// processing), so the file is processed the same way (scale found from the bounding boxes,
// legacy or exact volume rule) and accepted only when its convex hull reproduces the stored
// vertices. Returns false with `why` set when the file cannot be read or does not match.
bool load_visual_mesh(const Model& m, int mesh, const std::string& path, TriMesh* out,
                      std::string* why);

// Vertex-clustering simplification (Rossignac & Borrel 1993): vertices are merged per cube of
// side `cell` (m), degenerate faces dropped, normals recomputed. cell <= 0 leaves t unchanged.
void cluster_simplify(TriMesh& t, double cell);

}  // namespace sinew::viewer
