// SPDX-License-Identifier: Apache-2.0
#include "rl/viewer/html.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sinew::viewer {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path +
                             " (three.js for the HTML viewer: install the Debian package "
                             "libjs-three, or give its directory with --three-dir)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string escape_html(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else if (c == '&')
      o += "&amp;";
    else if (c == '"')
      o += "&quot;";
    else
      o += c;
  }
  return o;
}

// A script body must not close its element early.
std::string script_safe(const std::string& js) {
  std::string o;
  o.reserve(js.size());
  for (std::size_t i = 0; i < js.size(); ++i) {
    if (js[i] == '<' && js.compare(i, 8, "</script") == 0) {
      o += "<\\/script";
      i += 7;
    } else {
      o += js[i];
    }
  }
  return o;
}

constexpr const char* kStyle = R"CSS(
html, body { margin: 0; height: 100%; overflow: hidden; background: #1d2230; color: #dde3ee;
  font: 13px/1.3 sans-serif; }
canvas { display: block; }
#info { position: absolute; left: 10px; top: 8px; pointer-events: none; opacity: 0.9;
  white-space: pre; }
#legend { position: absolute; right: 10px; top: 8px; display: none; align-items: center; gap: 6px; }
#legend div { width: 120px; height: 10px;
  background: linear-gradient(to right, rgb(38,89,255), rgb(255,20,13)); }
#panel { position: absolute; left: 0; right: 0; bottom: 0; display: flex; gap: 10px;
  align-items: center; padding: 6px 10px; background: rgba(16, 19, 28, 0.85); }
#panel button { width: 64px; }
#time { flex: 1; }
#clock { font-variant-numeric: tabular-nums; min-width: 150px; }
)CSS";

constexpr const char* kBody = R"HTML(
<div id="info">loading...</div>
<div id="legend"><span>activation 0</span><div></div><span>1</span></div>
<div id="panel">
  <button id="play">Pause</button>
  <input id="time" type="range" min="0" max="10000" value="0">
  <span id="clock">0.000 s</span>
  <label>speed <select id="speed"><option>0.25</option><option>0.5</option>
    <option selected>1</option><option>2</option></select></label>
  <label><input id="follow" type="checkbox" checked> follow</label>
</div>
<pre id="sinew-check" style="display:none">pending</pre>
)HTML";

// The viewer. Sinew's scene is Z-up; the glb's root node turns it to three.js's Y-up, so the
// floor is y = 0 here and Sinew's +y (the ghost's side) is three.js's -z.
constexpr const char* kViewerJs = R"JS(
(function () {
  'use strict';
  var BG = 0x1d2230;
  var params = new URLSearchParams(window.location.search);
  var checkMode = params.has('check');
  var out = document.getElementById('sinew-check');
  var info = document.getElementById('info');
  function report(obj) { out.textContent = JSON.stringify(obj); }
  function fail(msg) { report({ error: String(msg) }); info.textContent = 'error: ' + msg; }
  window.addEventListener('error', function (e) { fail(e.message); });

  function decodeGlb() {
    var s = document.getElementById('sinew-glb').textContent.replace(/\s+/g, '');
    var bin = window.atob(s), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; ++i) u[i] = bin.charCodeAt(i);
    return u.buffer;
  }

  var renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.setSize(window.innerWidth, window.innerHeight);
  document.body.insertBefore(renderer.domElement, document.body.firstChild);
  var scene = new THREE.Scene();
  scene.background = new THREE.Color(BG);
  var camera = new THREE.PerspectiveCamera(35, window.innerWidth / window.innerHeight, 0.01, 500);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x3a3f4c, 0.85));
  var sun = new THREE.DirectionalLight(0xffffff, 0.75);
  sun.position.set(4, 8, 5);
  scene.add(sun);
  // a 10 m floor grid (0.5 m cells) that moves with the body in whole cells; a larger one
  // reaches behind the camera, where SwiftShader drops lines
  var grid = new THREE.GridHelper(10, 20, 0x6a7590, 0x465066);
  scene.add(grid);
  var controls = new THREE.OrbitControls(camera, renderer.domElement);

  var mixer = null, times = null, tBegin = 0, tEnd = 0, model = null, ghost = null;
  var muscles = null;  // { line, m, pos, owner, act }
  var state = { t: 0, playing: true, speed: 1, follow: true };
  var followFrom = null;
  var slider = document.getElementById('time'), clock = document.getElementById('clock');
  var playBtn = document.getElementById('play');

  function frameAt(t) {  // last frame with times[i] <= t
    var lo = 0, hi = times.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function activationColor(a, c, k) {
    if (!(a >= 0)) { c[k] = 0.62; c[k + 1] = 0.55; c[k + 2] = 0.55; return; }
    if (a > 1) a = 1;
    c[k] = 0.15 + 0.85 * a; c[k + 1] = 0.35 * (1 - a) + 0.08 * a; c[k + 2] = 1 - 0.95 * a;
  }

  function updateMuscles(t) {
    if (!muscles) return;
    var i = frameAt(t), j = Math.min(i + 1, times.length - 1);
    var a = j > i ? Math.min(1, Math.max(0, (t - times[i]) / (times[j] - times[i]))) : 0;
    var np = muscles.m.points, P = muscles.pos, geo = muscles.line.geometry;
    var dst = geo.attributes.position.array, o0 = i * np * 3, o1 = j * np * 3;
    for (var k = 0; k < np * 3; ++k) dst[k] = P[o0 + k] + a * (P[o1 + k] - P[o0 + k]);
    geo.attributes.position.needsUpdate = true;
    if (muscles.act) {
      var nt = muscles.m.tendons.length, A = muscles.act, col = geo.attributes.color.array;
      for (var p = 0; p < np; ++p) {
        var tn = muscles.owner[p];
        activationColor(A[i * nt + tn] * (1 - a) + A[j * nt + tn] * a, col, 3 * p);
      }
      geo.attributes.color.needsUpdate = true;
    }
  }

  function rootPosition() {
    var v = new THREE.Vector3();
    if (model && model.children.length) model.children[0].getWorldPosition(v);
    return v;
  }

  function setTime(t) {
    if (t < tBegin) t = tBegin;
    if (t > tEnd) t = tEnd;
    state.t = t;
    // just inside the clip: at its very end a repeating action would wrap to the first frame
    if (mixer) mixer.setTime(Math.max(0, Math.min(t, tEnd - 1e-6 * Math.max(1, tEnd))));
    dirty = true;
    updateMuscles(t);
    scene.updateMatrixWorld(true);
    var rp = rootPosition();
    grid.position.set(0.5 * Math.round(rp.x / 0.5), 0, 0.5 * Math.round(rp.z / 0.5));
    if (state.follow && followFrom) {
      var p = rootPosition();
      var d = new THREE.Vector3(p.x - followFrom.x, 0, p.z - followFrom.z);
      camera.position.add(d);
      controls.target.add(d);
      followFrom = p;
    }
    var i = frameAt(t);
    clock.textContent = t.toFixed(3) + ' s  frame ' + i + '/' + (times.length - 1);
    if (tEnd > tBegin) slider.value = String(Math.round(10000 * (t - tBegin) / (tEnd - tBegin)));
  }

  function fitCamera() {
    var box = new THREE.Box3().setFromObject(model);
    if (ghost) box.union(new THREE.Box3().setFromObject(ghost));
    var c = box.getCenter(new THREE.Vector3()), r = Math.max(0.05, box.getSize(new THREE.Vector3()).length() / 2);
    var fov = camera.fov * Math.PI / 180, aspect = camera.aspect;
    var dist = r / Math.sin(Math.min(fov, 2 * Math.atan(Math.tan(fov / 2) * aspect)) / 2);
    var dir = new THREE.Vector3(1, 0.3, 0.5).normalize();
    camera.position.copy(c).addScaledVector(dir, dist * 1.02);
    camera.near = dist / 100; camera.far = dist * 100;
    camera.updateProjectionMatrix();
    controls.target.copy(c);
    controls.update();
  }

  // Pixel statistics of the rendered frame, for the browser test: pixels that differ from the
  // background, and bright ("bone") pixels, overall and inside the body's projected box.
  function pixelCheck(extra) {
    var gl = renderer.getContext(), w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
    var px = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
    var bg = new THREE.Color(BG), br = Math.round(bg.r * 255), bgg = Math.round(bg.g * 255), bb = Math.round(bg.b * 255);
    var box = new THREE.Box3().setFromObject(model), x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (var n = 0; n < 8; ++n) {
      var v = new THREE.Vector3(n & 1 ? box.max.x : box.min.x, n & 2 ? box.max.y : box.min.y, n & 4 ? box.max.z : box.min.z).project(camera);
      var sx = (v.x + 1) / 2 * w, sy = (1 - v.y) / 2 * h;  // top-left origin
      x0 = Math.min(x0, sx); x1 = Math.max(x1, sx); y0 = Math.min(y0, sy); y1 = Math.max(y1, sy);
    }
    x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
    x1 = Math.min(w - 1, Math.ceil(x1)); y1 = Math.min(h - 1, Math.ceil(y1));
    var res = { width: w, height: h, nonbg: 0, bright: 0, body_box: [x0, y0, x1, y1], body_nonbg: 0, body_bright: 0 };
    for (var y = 0; y < h; ++y) {
      for (var x = 0; x < w; ++x) {
        var k = 4 * ((h - 1 - y) * w + x);  // readPixels rows start at the bottom
        var r = px[k], g = px[k + 1], b = px[k + 2];
        var diff = Math.max(Math.abs(r - br), Math.abs(g - bgg), Math.abs(b - bb)) > 24;
        var bright = r + g + b > 360;
        var inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
        if (diff) { res.nonbg++; if (inside) res.body_nonbg++; }
        if (bright) { res.bright++; if (inside) res.body_bright++; }
      }
    }
    for (var key in extra) res[key] = extra[key];
    report(res);
  }

  function render() {
    controls.update();
    renderer.render(scene, camera);
  }

  // Frames are drawn only when something changed (playing, time set, camera moved): an idle
  // page costs nothing, which matters for software WebGL in a headless browser.
  var last = null, dirty = true;
  controls.addEventListener('change', function () { dirty = true; });
  function tick(now) {
    window.requestAnimationFrame(tick);
    var dt = last === null ? 0 : (now - last) / 1000;
    last = now;
    if (state.playing && tEnd > tBegin) {
      var t = state.t + dt * state.speed;
      if (t > tEnd) t = tBegin + ((t - tEnd) % (tEnd - tBegin));
      setTime(t);
    }
    if (dirty) {
      dirty = false;
      render();
    }
  }
  function fitFollow() { followFrom = rootPosition(); }

  function start(gltf, sinew) {
    var n = times.length;
    tBegin = times[0]; tEnd = times[n - 1];
    var t0 = params.has('t') ? parseFloat(params.get('t')) : tBegin;
    if (params.has('t') || checkMode) state.playing = false;
    playBtn.textContent = state.playing ? 'Pause' : 'Play';
    setTime(t0);
    fitCamera();
    fitFollow();
    info.textContent = (sinew.model || 'sinew') + '  ' + n + ' frames, ' + (tEnd - tBegin).toFixed(2) + ' s' +
        (ghost ? '\nghost: reference, ' + (+sinew.ghost_offset || 0).toFixed(2) + ' m to the left' : '') +
        '\ndrag: orbit   right-drag: pan   wheel: zoom   space: play/pause   arrows: step';
    if (muscles && muscles.act) document.getElementById('legend').style.display = 'flex';
    render();
    dirty = false;
    if (checkMode)
      pixelCheck({ frames: n, bodies: model.children.length, ghost: !!ghost,
                   muscle_points: muscles ? muscles.m.points : 0, animations: gltf.animations.length });
    window.requestAnimationFrame(tick);
  }

  playBtn.onclick = function () { state.playing = !state.playing; playBtn.textContent = state.playing ? 'Pause' : 'Play'; };
  slider.oninput = function () {
    state.playing = false; playBtn.textContent = 'Play';
    setTime(tBegin + (tEnd - tBegin) * parseFloat(slider.value) / 10000);
  };
  document.getElementById('speed').onchange = function (e) { state.speed = parseFloat(e.target.value); };
  document.getElementById('follow').onchange = function (e) {
    state.follow = e.target.checked;
    fitFollow();
  };
  window.addEventListener('keydown', function (e) {
    if (!times) return;
    if (e.key === ' ') { playBtn.onclick(); e.preventDefault(); }
    var i = frameAt(state.t);
    if (e.key === 'ArrowRight') { state.playing = false; setTime(times[Math.min(i + 1, times.length - 1)]); }
    if (e.key === 'ArrowLeft') { state.playing = false; setTime(times[Math.max(i - 1, 0)]); }
    playBtn.textContent = state.playing ? 'Pause' : 'Play';
  });
  window.addEventListener('resize', function () {
    camera.aspect = window.innerWidth / window.innerHeight;
    camera.updateProjectionMatrix();
    renderer.setSize(window.innerWidth, window.innerHeight);
    dirty = true;
  });

  new THREE.GLTFLoader().parse(decodeGlb(), '', function (gltf) {
    scene.add(gltf.scene);
    var root = gltf.scene.getObjectByName('sinew');
    var sinew = (root && root.userData.sinew) || {};
    model = gltf.scene.getObjectByName('model');
    ghost = gltf.scene.getObjectByName('reference') || null;
    if (!model) { fail('no "model" node in the glb'); return; }
    if (gltf.animations.length) {
      mixer = new THREE.AnimationMixer(gltf.scene);
      mixer.clipAction(gltf.animations[0]).play();
    }
    var line = null;
    gltf.scene.traverse(function (o) { if (o.userData && o.userData.sinew_muscles) line = o; });
    var m = line ? line.userData.sinew_muscles : null;
    var dep = function (i) { return i >= 0 ? gltf.parser.getDependency('accessor', i) : Promise.resolve(null); };
    var tIndex = m ? m.times : -1;
    if (!m) {  // no muscles: the times are the animation's input
      var s0 = gltf.parser.json.animations ? gltf.parser.json.animations[0].samplers[0] : null;
      tIndex = s0 ? s0.input : -1;
    }
    Promise.all([dep(tIndex), dep(m ? m.positions : -1), dep(m ? m.point_tendon : -1), dep(m ? m.activation : -1)])
      .then(function (r) {
        times = r[0] ? r[0].array : new Float32Array([0]);
        if (m) {
          var geo = line.geometry, np = m.points;
          var setAttr = (geo.setAttribute || geo.addAttribute).bind(geo);
          setAttr('position', new THREE.BufferAttribute(new Float32Array(np * 3), 3));
          setAttr('color', new THREE.BufferAttribute(new Float32Array(geo.attributes.color.array), 3));
          line.frustumCulled = false;
          muscles = { line: line, m: m, pos: r[1].array, owner: r[2].array, act: r[3] ? r[3].array : null };
        }
        start(gltf, sinew);
      })
      .catch(function (e) { fail(e && e.message ? e.message : e); });
  }, function (e) { fail('glTF: ' + (e && e.message ? e.message : e)); });
})();
)JS";

}  // namespace

ThreeJs read_three_js(const std::string& dir) {
  ThreeJs js;
  js.three = read_file(dir + "/three.min.js");
  js.gltf_loader = read_file(dir + "/examples/js/loaders/GLTFLoader.js");
  js.orbit_controls = read_file(dir + "/examples/js/controls/OrbitControls.js");
  return js;
}

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    o += k[v >> 18], o += k[(v >> 12) & 63], o += k[(v >> 6) & 63], o += k[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    o += k[v >> 18], o += k[(v >> 12) & 63];
    o += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    o += '=';
  }
  return o;
}

std::string viewer_html(const std::string& glb, const ThreeJs& js, const std::string& title) {
  std::string o;
  o.reserve(glb.size() * 4 / 3 + js.three.size() + js.gltf_loader.size() + 200000);
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>";
  o += escape_html(title);
  o += "</title>\n<!-- sinew export: three.js r111 (MIT licence, libjs-three) and the glTF "
       "animation are inlined; docs/viewer.md -->\n<style>";
  o += kStyle;
  o += "</style></head><body>";
  o += kBody;
  for (const std::string* s : {&js.three, &js.gltf_loader, &js.orbit_controls}) {
    o += "<script>\n";
    o += script_safe(*s);
    o += "\n</script>\n";
  }
  o += "<script id=\"sinew-glb\" type=\"application/octet-stream\">";
  o += base64(glb);
  o += "</script>\n<script>";
  o += kViewerJs;
  o += "</script>\n</body></html>\n";
  return o;
}

}  // namespace sinew::viewer
