// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// .npy / .npz reader (rl/motion/npy.h) on the fixtures of tests/data/motion/ (make_fixtures.py):
// every supported dtype, order and header version, pickled entries skipped, and every malformed
// file rejected with a message naming the file (and the archive entry).
#include "rl/motion/npy.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "rl/motion/clip_io.h"
#include "rl/motion/clip_ops.h"
#include "tests/motion/motion_test_util.h"

using namespace sinew::motion;
using namespace sinew::motion::test;

TEST_CASE("npy: <f8 C order, <f4 Fortran order, <i8 version 2, <i4 version 3, scalar") {
  NpyArray a = read_npy(fixture("f8_c.npy"));
  CHECK(a.descr == "<f8");
  REQUIRE(a.shape == std::vector<int64_t>{2, 3});
  CHECK(a.data == std::vector<double>{0.5, 1, 2, 3, 4, 5.25});
  CHECK(a.at(1, 2) == 5.25);

  NpyArray f = read_npy(fixture("f4_fortran.npy"));
  REQUIRE(f.shape == std::vector<int64_t>{2, 3});
  CHECK(f.data == std::vector<double>{0, 1, 2, 3, 4, 5});  // back in C order
  CHECK(f.at(1, 0) == 3);

  NpyArray i8 = read_npy(fixture("i8_v2.npy"));
  CHECK(i8.shape == std::vector<int64_t>{4});
  CHECK(i8.data == std::vector<double>{-2, -1, 0, 7});

  NpyArray i4 = read_npy(fixture("i4_v3.npy"));
  CHECK(i4.shape == std::vector<int64_t>{2, 2});
  CHECK(i4.data == std::vector<double>{1, -2, 3, 2147483647});

  NpyArray s = read_npy(fixture("scalar.npy"));
  CHECK(s.shape.empty());
  CHECK(s.size() == 1);
  CHECK(s.scalar() == 2.5);
  CHECK(contains(error_of([&] { a.scalar(); }), "expected a single number"));
}

TEST_CASE("npy: a pickled object array is skipped, never read") {
  NpyArray o = read_npy(fixture("object.npy"));
  CHECK(o.pickled);
  CHECK(o.data.empty());
  CHECK(o.descr == "|O");
}

TEST_CASE("npy: malformed files are rejected with the file named") {
  struct Case {
    const char* file;
    const char* what;
  };
  const Case cases[] = {
      {"bad_magic.npy", "bad magic"},
      {"truncated_header.npy", "truncated npy header"},
      {"truncated_data.npy", "truncated npy data (48 bytes expected, 40 present)"},
      {"wrong_dtype.npy", "unsupported dtype '>f8'"},
      {"does_not_exist.npy", "cannot open"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    std::string msg = error_of([&] { read_npy(fixture(c.file)); });
    CHECK(contains(msg, fixture(c.file) + ": "));
    CHECK(contains(msg, c.what));
  }
}

TEST_CASE("npz: stored entries in archive order; the pickled entry is skipped") {
  NpzFile z = read_npz(fixture("small.npz"));
  REQUIRE(z.arrays.size() == 3);
  CHECK(z.arrays[0].name == "a");
  CHECK(z.arrays[1].name == "rate");
  CHECK(z.arrays[2].name == "notes");
  const NpyArray& a = z.get("a");
  CHECK(a.shape == std::vector<int64_t>{3, 2});
  CHECK(a.data == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(z.get("rate").scalar() == 30.0);
  REQUIRE(z.find("notes") != nullptr);
  CHECK(z.find("notes")->pickled);
  CHECK(z.find("missing") == nullptr);
  std::string msg = error_of([&] { z.get("notes"); });
  CHECK(contains(msg, fixture("small.npz") + ": entry 'notes' is a pickled object array"));
  CHECK(contains(error_of([&] { z.get("missing"); }), "no entry 'missing'"));
}

TEST_CASE("npz: deflated entries, corrupt data and non-zip files name the file and entry") {
  std::string msg = error_of([] { read_npz(fixture("deflated.npz")); });
  CHECK(contains(msg, fixture("deflated.npz") + ": entry a.npy: "));
  CHECK(contains(msg, "deflate"));

  // one flipped byte in the payload of small.npz fails the CRC of that entry
  std::string bytes = read_file_bytes(fixture("small.npz"));
  size_t at = bytes.find("\x93NUMPY");
  REQUIRE(at != std::string::npos);
  const std::string tmp =
      (std::filesystem::temp_directory_path() / "sinew_motion_corrupt.npz").string();
  std::string bad = bytes;
  bad[at + 100] = static_cast<char>(bad[at + 100] ^ 0x5a);
  std::ofstream(tmp, std::ios::binary) << bad;
  msg = error_of([&] { read_npz(tmp); });
  CHECK(contains(msg, tmp + ": entry a.npy: CRC mismatch"));

  std::ofstream(tmp, std::ios::binary) << "not a zip archive at all, just text long enough";
  CHECK(contains(error_of([&] { read_npz(tmp); }), tmp + ": not a zip archive"));
  std::remove(tmp.c_str());
}

TEST_CASE("npz clip: small.npz with explicit keys; the bundled MS-Human-700 walking cycle") {
  NpzClipOptions opt;
  opt.qpos_key = "a";
  opt.fps_key = "rate";
  opt.points_key = "";
  opt.root = RootLayout();
  Clip c = read_npz_clip(fixture("small.npz"), opt);
  CHECK(c.nframe() == 3);
  CHECK(c.nq() == 2);
  CHECK(c.qpos_names[1] == "q1");
  CHECK(c.fps() == doctest::Approx(30));
  CHECK(c.qpos_at(2)[1] == 6);

  opt.fps_key = "notes";
  CHECK(contains(error_of([&] { read_npz_clip(fixture("small.npz"), opt); }),
                 "entry 'notes' is a pickled object array"));
  opt.fps_key = "a";
  CHECK(contains(error_of([&] { read_npz_clip(fixture("small.npz"), opt); }),
                 "expected a single number"));
  opt.fps_key = "rate";
  opt.qpos_key = "rate";
  CHECK(contains(error_of([&] { read_npz_clip(fixture("small.npz"), opt); }),
                 "entry 'rate' is not 2-D"));

  Clip w = load_clip("models/motions/msgym/walking_gait.npz");
  CHECK(w.nframe() == 117);
  CHECK(w.nq() == 85);
  CHECK(w.npoint() == 81);
  CHECK(w.fps() == doctest::Approx(100));
  CHECK(w.loop);
  CHECK_FALSE(w.closed);
  // about 1.2 m forward per cycle along world x, at about 1.04 m/s
  Vec3d off = cycle_offset(w);
  CHECK(off.x == doctest::Approx(1.2049).epsilon(1e-3));
  CHECK(std::abs(off.y) < 0.05);
  CHECK(off.x / cycle_period(w) == doctest::Approx(1.03).epsilon(0.02));
}
