// SPDX-License-Identifier: Apache-2.0
// MJCF importer, meshes: STL (binary and ASCII) and OBJ readers, MuJoCo's mesh processing
// (scale, volume and inertia by the legacy or exact rule, re-centring at the centre of mass and
// rotation to the principal axes) and the convex hull used for collision (qhull).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sinew::mjcf {

// Triangle mesh as read from a file: float32 vertices (x, y, z) and vertex indices per triangle.
struct RawMesh {
  std::vector<float> vert;
  std::vector<int> face;
};

// Reads an STL or OBJ file; `content_type` ("model/stl", "model/obj", or empty: by extension).
// Errors throw std::runtime_error (the caller adds the element's file and line).
RawMesh read_mesh_file(const std::string& path, const std::string& content_type);

struct ProcessedMesh {
  double volume = 0;              // volume by the chosen rule (m^3)
  double pos[3] = {0, 0, 0};      // centre of mass in the mesh file's frame (after scale)
  double quat[4] = {1, 0, 0, 0};  // principal frame in the mesh file's frame
  double inertia[3] = {0, 0, 0};  // principal moments per unit density (m^5)
  std::vector<double> vert;       // vertices in the principal frame (float-rounded)
  std::vector<double> hull;       // the convex hull's vertices (subset of vert)
  bool hull_ok = true;            // false: qhull failed (hull = all vertices)
};

// MuJoCo's mesh compilation (src/user/user_mesh.cc, mjCMesh::Process): vertices scaled, face
// centroid, pyramid volumes from it (|V| for the legacy rule), centre of mass, inertia about it,
// principal axes; then the vertices are moved into the principal frame and rounded to float.
ProcessedMesh process_mesh(const RawMesh& raw, const double scale[3], bool legacy);

}  // namespace sinew::mjcf
