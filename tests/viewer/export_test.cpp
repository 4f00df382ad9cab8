// SPDX-License-Identifier: Apache-2.0
// ctest-labels: browser
// `sinew export` (rl/viewer/): the .glb of a short arm26 trajectory and of MS-Human-700 is a
// well-formed glTF 2.0 binary (header, chunks, accessors inside their views, POSITION bounds,
// one key per frame, unique node names, muscle extras), MS-Human-700's visual meshes are found
// and aligned and its file stays small; then, when a headless Chromium is installed, the HTML
// viewer is rendered with software WebGL (SwiftShader): the page's own pixel check and a
// screenshot (PNG, read back through a second page) must show the body. Without Chromium the
// browser part is skipped with a message.
#include "rl/viewer/export.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model_io.h"
#include "rl/viewer/glb.h"
#include "rl/viewer/html.h"
#include "rl/viewer/meshes.h"
#include "rl/viewer/trajectory.h"

using namespace sinew;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kArm26 = "models/arm26.json";
const char* kHuman = "models/ms_human_700.json";

std::uint32_t u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

// A scratch directory, removed at the end of the test case unless SINEW_VIEWER_TEST_KEEP is set
// (then the page and the screenshot stay for a look).
struct WorkDir {
  fs::path path;
  WorkDir() : path(fs::temp_directory_path() / ("sinew_viewer_test_" + std::to_string(getpid()))) {
    fs::create_directories(path);
  }
  ~WorkDir() {
    std::error_code ec;
    if (!std::getenv("SINEW_VIEWER_TEST_KEEP")) fs::remove_all(path, ec);
  }
};

// The GLB framing read independently of rl/viewer/glb.cpp: JSON chunk and BIN chunk.
struct RawGlb {
  json doc;
  std::string bin;
};

RawGlb check_framing(const std::string& b) {
  RawGlb g;
  REQUIRE(b.size() >= 28);
  CHECK(b.compare(0, 4, "glTF") == 0);
  CHECK(u32(b, 4) == 2);
  CHECK(u32(b, 8) == b.size());
  const std::uint32_t jlen = u32(b, 12);
  CHECK(b.compare(16, 4, "JSON") == 0);
  CHECK(jlen % 4 == 0);
  REQUIRE(20 + jlen + 8 <= b.size());
  g.doc = json::parse(b.substr(20, jlen));
  const std::size_t at = 20 + jlen;
  const std::uint32_t blen = u32(b, at);
  CHECK(b.compare(at + 4, 4, std::string("BIN\0", 4)) == 0);
  CHECK(at + 8 + blen == b.size());
  g.bin = b.substr(at + 8, blen);
  return g;
}

int ncomp(const std::string& type) {
  return type == "SCALAR" ? 1 : type == "VEC2" ? 2 : type == "VEC3" ? 3 : type == "VEC4" ? 4 : 0;
}
int comp_bytes(int ct) { return ct == 5126 || ct == 5125 ? 4 : ct == 5123 ? 2 : 0; }

// Structure checks shared by every export; returns the muscle extras (null when none).
json check_gltf(const RawGlb& g, int T, int nbody_expected) {
  const json& d = g.doc;
  CHECK(d["asset"]["version"] == "2.0");
  REQUIRE(d["buffers"].size() == 1);
  CHECK(d["buffers"][0]["byteLength"].get<std::size_t>() <= g.bin.size());
  const json& views = d["bufferViews"];
  for (const json& v : views) {
    const std::size_t off = v.value("byteOffset", 0), len = v["byteLength"];
    CHECK(off % 4 == 0);
    CHECK(off + len <= g.bin.size());
  }
  const json& acc = d["accessors"];
  for (const json& a : acc) {
    const json& v = views[a["bufferView"].get<int>()];
    const int n = ncomp(a["type"]), cb = comp_bytes(a["componentType"]);
    REQUIRE(n > 0);
    REQUIRE(cb > 0);
    CHECK(a["count"].get<std::size_t>() * n * cb <= v["byteLength"].get<std::size_t>());
    if (a.contains("min") && a["componentType"] == 5126) {  // bounds match the data
      const float* p =
          reinterpret_cast<const float*>(g.bin.data() + v.value("byteOffset", std::size_t{0}));
      for (int k = 0; k < n; ++k) {
        float lo = 1e30f, hi = -1e30f;
        for (int i = 0; i < a["count"].get<int>(); ++i)
          lo = std::min(lo, p[i * n + k]), hi = std::max(hi, p[i * n + k]);
        CHECK(a["min"][k].get<float>() == lo);
        CHECK(a["max"][k].get<float>() == hi);
      }
    }
  }
  // meshes reference existing accessors; indices stay below the vertex count
  for (const json& m : d["meshes"])
    for (const json& p : m["primitives"]) {
      const int pos = p["attributes"]["POSITION"];
      REQUIRE(pos < static_cast<int>(acc.size()));
      CHECK(acc[pos].contains("min"));
      const int nv = acc[pos]["count"];
      const json& ia = acc[p["indices"].get<int>()];
      const json& iv = views[ia["bufferView"].get<int>()];
      const char* base = g.bin.data() + iv.value("byteOffset", std::size_t{0});
      std::uint32_t top = 0;
      for (int i = 0; i < ia["count"].get<int>(); ++i)
        top = std::max<std::uint32_t>(top, ia["componentType"] == 5123
                                               ? reinterpret_cast<const std::uint16_t*>(base)[i]
                                               : reinterpret_cast<const std::uint32_t*>(base)[i]);
      CHECK(top < static_cast<std::uint32_t>(nv));
    }
  // unique node names (three.js binds animation tracks by name), valid children
  std::set<std::string> names;
  for (const json& n : d["nodes"]) {
    CHECK(names.insert(n["name"].get<std::string>()).second);
    if (n.contains("children"))
      for (int c : n["children"]) CHECK(c < static_cast<int>(d["nodes"].size()));
  }
  CHECK(d["scenes"][0]["nodes"].size() == 1);
  // one key per frame; two channels (translation, rotation) per animated body node
  const json& anim = d["animations"][0];
  int channels = 0;
  for (const json& s : anim["samplers"]) {
    CHECK(acc[s["input"].get<int>()]["count"] == T);
    CHECK(acc[s["output"].get<int>()]["count"] == T);
    CHECK(s["interpolation"] == "LINEAR");
  }
  for (const json& c : anim["channels"]) {
    ++channels;
    const std::string path = c["target"]["path"];
    CHECK((path == "translation" || path == "rotation"));
  }
  CHECK(channels == 2 * nbody_expected);
  for (const json& n : d["nodes"])
    if (n.contains("extras") && n["extras"].contains("sinew_muscles")) {
      const json& m = n["extras"]["sinew_muscles"];
      CHECK(m["frames"] == T);
      CHECK(acc[m["positions"].get<int>()]["count"] == T * m["points"].get<int>());
      CHECK(acc[m["point_tendon"].get<int>()]["count"] == m["points"]);
      CHECK(acc[m["times"].get<int>()]["count"] == T);
      if (m["activation"].get<int>() >= 0)
        CHECK(acc[m["activation"].get<int>()]["count"] == T * m["tendons"].size());
      return m;
    }
  return json();
}

// A short arm26 trajectory: both joints swing, activations ramp, the reference lags.
viewer::Frames arm26_frames(const Model& m, int T) {
  viewer::Frames fr;
  for (int f = 0; f < T; ++f) {
    fr.time.push_back(f / 30.0);
    for (int q = 0; q < m.size.nq; ++q) {
      fr.qpos.push_back(m.qpos0[q] + 0.6 * std::sin(0.5 * f + q));
      fr.ref_qpos.push_back(m.qpos0[q] + 0.6 * std::sin(0.5 * f + q - 0.4));
    }
    for (int a = 0; a < m.size.na; ++a) fr.act.push_back(std::fmod(0.2 * f + 0.15 * a, 1.0));
  }
  return fr;
}

std::string find_chromium() {
  if (const char* e = std::getenv("SINEW_CHROMIUM")) return e;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    for (const char* n : {"chromium-headless-shell", "chromium", "chromium-browser"})
      if (!dir.empty() && access((dir + "/" + n).c_str(), X_OK) == 0) return dir + "/" + n;
  return "";
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 65536> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

// The text of <pre id="ID"> in a --dump-dom output.
std::string pre_text(const std::string& dom, const std::string& id) {
  const std::string open = "<pre id=\"" + id + "\"";
  std::size_t a = dom.find(open);
  if (a == std::string::npos) return "";
  a = dom.find('>', a);
  const std::size_t b = dom.find("</pre>", a);
  return b == std::string::npos ? "" : dom.substr(a + 1, b - a - 1);
}

std::string chromium_cmd(const std::string& bin, const fs::path& profile,
                         const std::string& extra) {
  return "'" + bin + "' --headless --no-sandbox --disable-dev-shm-usage --no-first-run " +
         "--enable-unsafe-swiftshader --use-angle=swiftshader --enable-webgl " +
         "--hide-scrollbars --window-size=800,600 --virtual-time-budget=60000 " +
         "--user-data-dir='" + profile.string() + "' " + extra + " 2>/dev/null";
}

}  // namespace

TEST_CASE("arm26 trajectory: a well-formed glb with ghost and activation-coloured muscles") {
  const Model m = load_model(kArm26);
  const int T = 6;
  const viewer::Frames fr = arm26_frames(m, T);
  viewer::ExportReport rep;
  const std::string glb = viewer::export_glb(m, kArm26, fr, {}, &rep);
  CHECK(rep.warnings.empty());
  CHECK(rep.nframe == T);
  CHECK(rep.ghost);
  CHECK(rep.activations);
  CHECK(rep.nmuscle == m.size.ntendon);
  CHECK(rep.nbody > 0);
  CHECK(rep.ntriangle > 0);  // arm26 has no meshes: its primitive geoms are drawn
  const RawGlb g = check_framing(glb);
  const json mus = check_gltf(g, T, 2 * rep.nbody);
  REQUIRE(mus.is_object());
  CHECK(mus["tendons"].size() == static_cast<std::size_t>(m.size.ntendon));
  // the library's reader agrees with the independent one
  const viewer::Glb parsed = viewer::parse_glb(glb, "arm26.glb");
  CHECK(parsed.json == g.doc);
  CHECK_THROWS_WITH_AS(viewer::parse_glb(glb.substr(0, 40), "cut.glb"),
                       doctest::Contains("cut.glb"), std::runtime_error);

  // frame sizes that do not fit the model are refused
  viewer::Frames bad = fr;
  bad.act.pop_back();
  CHECK_THROWS_WITH_AS(viewer::export_glb(m, kArm26, bad, {}), doctest::Contains("act has"),
                       std::runtime_error);
}

TEST_CASE("trajectory files: a Sinew clip with act and ref_qpos, resampled") {
  const Model m = load_model(kArm26);
  const viewer::Frames fr = arm26_frames(m, 4);
  json j = {{"format", "sinew-clip"}, {"version", 1}, {"fps", 30.0}};
  json names = json::array(), qpos = json::array(), act = json::array(), ref = json::array();
  for (int q = 0; q < m.size.nq; ++q) names.push_back(m.jnt_name[q]);
  for (int f = 0; f < 4; ++f) {
    qpos.push_back(std::vector<double>(fr.qpos.begin() + f * m.size.nq,
                                       fr.qpos.begin() + (f + 1) * m.size.nq));
    ref.push_back(std::vector<double>(fr.ref_qpos.begin() + f * m.size.nq,
                                      fr.ref_qpos.begin() + (f + 1) * m.size.nq));
    act.push_back(
        std::vector<double>(fr.act.begin() + f * m.size.na, fr.act.begin() + (f + 1) * m.size.na));
  }
  j["qpos_names"] = names;
  j["qpos"] = qpos;
  j["act"] = act;
  j["ref_qpos"] = ref;
  const WorkDir wd;
  const fs::path p = wd.path / "traj.json";
  write_bytes(p, j.dump());
  const viewer::Trajectory t = viewer::read_trajectory(p.string());
  CHECK(t.na == m.size.na);
  CHECK(t.act == fr.act);
  CHECK(t.ref_qpos == fr.ref_qpos);
  const viewer::Frames all = viewer::export_frames(t, 0, 0, nullptr);
  CHECK(all.nframe() == 4);
  CHECK(all.act == fr.act);
  const viewer::Frames half = viewer::export_frames(t, 60, 3, nullptr);  // 60 Hz, 3 frames
  REQUIRE(half.nframe() == 3);
  CHECK(half.time[1] == doctest::Approx(1 / 60.0));
  CHECK(half.act[m.size.na] == doctest::Approx(0.5 * (fr.act[0] + fr.act[m.size.na])));
  j["act"][2] = std::vector<double>{0.5};
  write_bytes(p, j.dump());
  CHECK_THROWS_WITH_AS(viewer::read_trajectory(p.string()), doctest::Contains("'act' frame 2"),
                       std::runtime_error);
}

TEST_CASE("MS-Human-700: visual meshes found and aligned, glb under 30 MB") {
  const Model m = load_model(kHuman);
  if (viewer::find_mesh_file(kHuman, m.mesh_file[0], "").empty()) {
    MESSAGE("skipped: MS-Human-700 mesh files (models/src/ms_human_700/) not found");
    return;
  }
  viewer::Frames fr;
  const int T = 3;
  for (int f = 0; f < T; ++f) {
    fr.time.push_back(f / 30.0);
    fr.qpos.insert(fr.qpos.end(), m.qpos0.begin(), m.qpos0.end());
    fr.qpos[f * m.size.nq + 2] += 0.05 * f;  // pelvis_tx: walks forward
  }
  fr.ref_qpos = fr.qpos;
  viewer::ExportReport rep;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string glb = viewer::export_glb(m, kHuman, fr, {}, &rep);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const std::string& w : rep.warnings) MESSAGE(w);
  CHECK(rep.warnings.empty());
  MESSAGE("MS-Human-700, " << T << " frames: " << rep.nbody << " bodies, " << rep.nmesh
                           << " meshes, " << rep.ntriangle << " triangles, " << rep.nmuscle
                           << " muscles; glb " << glb.size() / 1e6 << " MB in " << sec << " s");
  CHECK(rep.nmuscle == 700);
  CHECK(rep.ntriangle > 100000);
  CHECK(glb.size() < 30u * 1000 * 1000);
  const RawGlb g = check_framing(glb);
  check_gltf(g, T, 2 * rep.nbody);
  CHECK(rep.ghost_offset > 0.5);  // a human's width and more
}

TEST_CASE("browser: headless Chromium renders the HTML viewer and the body is drawn") {
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    MESSAGE("skipped: no headless Chromium (install chromium-headless-shell or chromium)");
    return;
  }
  if (!fs::exists(std::string(viewer::kThreeJsDir) + "/three.min.js")) {
    MESSAGE("skipped: three.js not found (install libjs-three)");
    return;
  }
  const bool human = viewer::find_mesh_file(kHuman, "Geometry/r_femur.stl", "") != "";
  const char* model_path = human ? kHuman : kArm26;
  const Model m = load_model(model_path);
  viewer::Frames fr;
  if (human) {
    for (int f = 0; f < 4; ++f) {
      fr.time.push_back(f / 30.0);
      fr.qpos.insert(fr.qpos.end(), m.qpos0.begin(), m.qpos0.end());
      fr.act.insert(fr.act.end(), m.size.na, 0.25 * f);
    }
    fr.ref_qpos = fr.qpos;
  } else {
    fr = arm26_frames(m, 4);
  }
  viewer::ExportReport rep;
  const std::string glb = viewer::export_glb(m, model_path, fr, {}, &rep);
  const std::string html = viewer::viewer_html(glb, viewer::read_three_js(), "export test");
  const WorkDir wd;
  const fs::path dir = wd.path, page = dir / "viewer.html", png = dir / "frame.png";
  write_bytes(page, html);
  const std::string url = "file://" + fs::absolute(page).string();

  // 1. the page's own check: pixels of the WebGL canvas after the first frame
  auto t0 = std::chrono::steady_clock::now();
  const std::string dom =
      run(chromium_cmd(chromium, dir / "profile1", "--dump-dom '" + url + "?t=0&check=1'"));
  const double sec_dom =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string text = pre_text(dom, "sinew-check");
  INFO("page check: " << text);
  REQUIRE(!text.empty());
  REQUIRE(text != "pending");
  const json c = json::parse(text);
  REQUIRE(!c.contains("error"));
  CHECK(c["frames"] == fr.nframe());
  CHECK(c["ghost"] == true);
  const auto& box = c["body_box"];
  const int x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
  const double area = static_cast<double>(x1 - x0 + 1) * (y1 - y0 + 1);
  MESSAGE(model_path << ": page check " << text << " (" << sec_dom << " s)");
  CHECK(area > 0.02 * 800 * 600);                       // the body is in view, not a speck
  CHECK(c["body_bright"].get<double>() > 0.05 * area);  // and drawn: lit bone pixels

  // 2. a screenshot PNG, decoded by a second page (data: URI into a 2D canvas)
  t0 = std::chrono::steady_clock::now();
  run(chromium_cmd(chromium, dir / "profile2",
                   "--screenshot='" + png.string() + "' '" + url + "?t=0'"));
  const double sec_png =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(fs::exists(png));
  const std::string bytes = read_bytes(png);
  REQUIRE(bytes.size() > 24);
  CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  const std::uint32_t w = __builtin_bswap32(u32(bytes, 16)), h = __builtin_bswap32(u32(bytes, 20));
  CHECK(w == 800);
  CHECK(h == 600);
  std::ostringstream checker;
  checker
      << "<!DOCTYPE html><html><body><img id=\"shot\" src=\"data:image/png;base64,"
      << viewer::base64(bytes) << "\"><pre id=\"out\">pending</pre><script>"
      << "window.onload=function(){var i=document.getElementById('shot');"
      << "var c=document.createElement('canvas');c.width=i.naturalWidth;c.height=i.naturalHeight;"
      << "var g=c.getContext('2d');g.drawImage(i,0,0);"
      << "var d=g.getImageData(0,0,c.width,c.height).data,n=0,b=0;"
      << "for(var y=" << y0 << ";y<=" << y1 << ";++y)for(var x=" << x0 << ";x<=" << x1
      << ";++x){var k=4*(y*c.width+x);if(d[k]+d[k+1]+d[k+2]>360)b++;"
      << "if(Math.max(Math.abs(d[k]-29),Math.abs(d[k+1]-34),Math.abs(d[k+2]-48))>24)n++;}"
      << "document.getElementById('out').textContent=JSON.stringify({w:c.width,h:c.height,"
      << "body_nonbg:n,body_bright:b});};</script></body></html>";
  const fs::path check_page = dir / "png_check.html";
  write_bytes(check_page, checker.str());
  const std::string dom2 = run(chromium_cmd(
      chromium, dir / "profile3", "--dump-dom 'file://" + fs::absolute(check_page).string() + "'"));
  const std::string t2 = pre_text(dom2, "out");
  INFO("screenshot check: " << t2);
  REQUIRE(!t2.empty());
  REQUIRE(t2 != "pending");
  const json s = json::parse(t2);
  MESSAGE("screenshot " << png.string() << " (kept with SINEW_VIEWER_TEST_KEEP=1): " << t2 << " ("
                        << sec_png << " s)");
  CHECK(s["w"] == 800);
  CHECK(s["body_bright"].get<double>() > 0.05 * area);
  CHECK(s["body_bright"].get<double>() > 0.5 * c["body_bright"].get<double>());
}
