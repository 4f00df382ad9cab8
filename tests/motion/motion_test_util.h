// SPDX-License-Identifier: Apache-2.0
// Helpers of the tests in tests/motion/: the message an action throws, and fixture paths.
#pragma once

#include <stdexcept>
#include <string>

namespace sinew::motion::test {

// The std::runtime_error message thrown by f(), or "(no error)".
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

inline std::string fixture(const std::string& name) { return "tests/data/motion/" + name; }

inline std::string deepmimic_motion(const std::string& name) {
  return "models/motions/deepmimic/motions/humanoid3d_" + name + ".txt";
}
inline const char* kDeepMimicCharacter = "models/motions/deepmimic/characters/humanoid3d.txt";

}  // namespace sinew::motion::test
