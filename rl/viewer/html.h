// SPDX-License-Identifier: Apache-2.0
// The self-contained HTML viewer of `sinew export` (docs/viewer.md): one file that opens from
// disk with no server. It inlines three.js and its GLTFLoader and OrbitControls (Debian's
// libjs-three, the UMD builds under /usr/share/javascript/three) and the .glb itself (base64),
// which the page parses with GLTFLoader: bodies play through three.js's AnimationMixer, the
// muscle lines from the per-frame accessors named in the glb's extras. Controls: play/pause,
// time slider, speed, follow; orbit/pan/zoom with the mouse. `?t=SECONDS` opens paused at
// that time; `?check=1` also writes pixel statistics of the first rendered frame into
// <pre id="sinew-check"> (read by the browser test through --dump-dom).
#pragma once

#include <string>

namespace sinew::viewer {

// The three scripts the page inlines.
struct ThreeJs {
  std::string three, gltf_loader, orbit_controls;
};

// Default location of Debian's libjs-three.
constexpr const char* kThreeJsDir = "/usr/share/javascript/three";

// Reads three.min.js, examples/js/loaders/GLTFLoader.js and examples/js/controls/
// OrbitControls.js under `dir`; throws std::runtime_error naming a missing file (and the
// package that provides it).
ThreeJs read_three_js(const std::string& dir = kThreeJsDir);

// Base64 (RFC 4648, with padding, no line breaks).
std::string base64(const std::string& bytes);

// The page: `title` (escaped), the scripts, the .glb bytes.
std::string viewer_html(const std::string& glb, const ThreeJs& js, const std::string& title);

}  // namespace sinew::viewer
