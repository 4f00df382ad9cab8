// SPDX-License-Identifier: Apache-2.0
// Reader for NumPy's .npy arrays and .npz archives (own code, no NumPy needed): .npy versions
// 1.0/2.0/3.0, little-endian <f8 <f4 <i8 <i4, C or Fortran order; .npz = zip archive with stored
// (uncompressed, method 0) entries, as np.savez writes them. Object arrays ('|O', pickled) are
// never unpickled: they come back with `pickled = true` and no data. Errors throw
// std::runtime_error naming the file and the entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sinew::motion {

// One array, values converted to double and stored in C (row-major) order.
struct NpyArray {
  std::string name;            // entry name without ".npy" (npz) or the file path (npy)
  std::string descr;           // dtype as written in the header, e.g. "<f8"
  std::vector<int64_t> shape;  // () for a scalar
  bool pickled = false;        // object array: skipped, `data` empty
  std::vector<double> data;    // [prod(shape)] row-major

  int64_t size() const;  // number of elements, 1 for a scalar
  // Element (i, j) of a 2-D array; no bounds check.
  double at(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * shape[1] + j)]; }
  // The value of a one-element array; throws when the array has more or fewer elements.
  double scalar() const;
};

// Parses an in-memory .npy image; `where` names it in messages ("file.npz: entry x.npy").
NpyArray parse_npy(const std::string& bytes, const std::string& where);
// Reads a .npy file.
NpyArray read_npy(const std::string& path);

// All entries of an .npz archive, in archive order.
struct NpzFile {
  std::string path;
  std::vector<NpyArray> arrays;
  const NpyArray* find(const std::string& name) const;  // nullptr when absent
  // Throws when absent or pickled.
  const NpyArray& get(const std::string& name) const;
};

// Reads an .npz archive (stored entries only; a deflated entry throws, naming it).
NpzFile read_npz(const std::string& path);

// Reads a whole file into a string; throws "<path>: cannot open".
std::string read_file_bytes(const std::string& path);

}  // namespace sinew::motion
