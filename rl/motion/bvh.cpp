// SPDX-License-Identifier: Apache-2.0
#include "rl/motion/bvh.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "rl/motion/npy.h"

namespace sinew::motion {

namespace {

struct Token {
  std::string text;
  int line;
};

// Whitespace-separated tokens of the hierarchy with their line numbers; braces stand alone.
std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> out;
  std::istringstream in(text);
  std::string line;
  int ln = 0;
  while (std::getline(in, line)) {
    ++ln;
    std::string cur;
    auto flush = [&] {
      if (!cur.empty()) out.push_back({cur, ln});
      cur.clear();
    };
    for (char ch : line) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        flush();
      } else if (ch == '{' || ch == '}') {
        flush();
        out.push_back({std::string(1, ch), ln});
      } else {
        cur += ch;
      }
    }
    flush();
  }
  return out;
}

// Channel codes: 0..2 = X/Y/Z position, 3..5 = X/Y/Z rotation.
int channel_code(const std::string& s) {
  static const char* kNames[] = {"Xposition", "Yposition", "Zposition",
                                 "Xrotation", "Yrotation", "Zrotation"};
  for (int k = 0; k < 6; ++k)
    if (s == kNames[k]) return k;
  return -1;
}

struct BvhJoint {
  std::vector<int> channels;
};

class Parser {
 public:
  Parser(const std::vector<Token>& t, const std::string& where, const BvhOptions& opt)
      : t_(t), where_(where), opt_(opt) {}

  [[noreturn]] void fail(const std::string& what) const {
    int line = pos_ < t_.size() ? t_[pos_].line : (t_.empty() ? 0 : t_.back().line);
    throw std::runtime_error(where_ + ": line " + std::to_string(line) + ": " + what);
  }
  const std::string& next() {
    if (pos_ >= t_.size()) fail("unexpected end of file in HIERARCHY");
    return t_[pos_++].text;
  }
  void expect(const std::string& s) {
    if (next() != s) {
      --pos_;
      fail("expected '" + s + "', found '" + t_[pos_].text + "'");
    }
  }
  double number() {
    const std::string& s = next();
    try {
      size_t used = 0;
      double v = std::stod(s, &used);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    --pos_;
    fail("expected a number, found '" + s + "'");
  }
  Vec3d offset() {
    expect("OFFSET");
    double x = number(), y = number(), z = number();
    Vec3d p(x * opt_.scale, y * opt_.scale, z * opt_.scale);
    return opt_.y_up ? yup_to_zup(p) : p;
  }

  // ROOT/JOINT body after its name: { OFFSET CHANNELS children }.
  void joint(const std::string& name, int parent, Skeleton& s, std::vector<BvhJoint>& bj) {
    expect("{");
    SkeletonJoint j;
    j.name = name;
    j.parent = parent;
    j.offset = offset();
    BvhJoint b;
    if (pos_ < t_.size() && t_[pos_].text == "CHANNELS") {
      ++pos_;
      double n = number();
      if (n < 0 || n > 6 || n != std::floor(n)) fail("bad channel count");
      for (int k = 0; k < static_cast<int>(n); ++k) {
        int c = channel_code(next());
        if (c < 0) {
          --pos_;
          fail("joint " + name + ": CHANNELS " + std::to_string(static_cast<int>(n)) + " but '" +
               t_[pos_].text + "' is not a channel name");
        }
        if (c < 3 && parent >= 0)
          fail("joint " + name + ": position channels are supported on the root only");
        b.channels.push_back(c);
      }
    }
    bool rotates = false;
    for (int c : b.channels) rotates |= c >= 3;
    j.type = parent < 0 ? JointType::kFree : (rotates ? JointType::kSpherical : JointType::kFixed);
    if (j.type != JointType::kFixed) {
      j.qpos_adr = s.nq;
      s.nq += j.type == JointType::kFree ? 7 : 4;
    }
    int self = static_cast<int>(s.joints.size());
    s.joints.push_back(j);
    bj.push_back(b);
    children(self, s, bj);
  }

  void children(int self, Skeleton& s, std::vector<BvhJoint>& bj) {
    for (;;) {
      const std::string& k = next();
      if (k == "}") return;
      if (k == "JOINT") {
        std::string name = next();
        joint(name, self, s, bj);
      } else if (k == "End") {
        expect("Site");
        expect("{");
        s.sites.push_back({s.joints[self].name + "_end", self, offset()});
        expect("}");
      } else {
        --pos_;
        fail("expected JOINT, End Site or '}', found '" + k + "'");
      }
    }
  }

  size_t pos_ = 0;

 private:
  const std::vector<Token>& t_;
  std::string where_;
  BvhOptions opt_;
};

Quatd euler_channels(const std::vector<int>& ch, const double* v) {
  static const Vec3d kAxes[3] = {Vec3d(1, 0, 0), Vec3d(0, 1, 0), Vec3d(0, 0, 1)};
  Quatd q;
  for (size_t k = 0; k < ch.size(); ++k)
    if (ch[k] >= 3) q = q * quat_axis_angle(kAxes[ch[k] - 3], v[k] * M_PI / 180.0);
  return q;
}

// One frame's channel values into qpos.
void frame_to_qpos(const Skeleton& s, const std::vector<BvhJoint>& bj, const double* v,
                   const BvhOptions& opt, double* q) {
  size_t k = 0;
  for (size_t i = 0; i < s.joints.size(); ++i) {
    const std::vector<int>& ch = bj[i].channels;
    const SkeletonJoint& j = s.joints[i];
    Quatd r = euler_channels(ch, v + k);
    if (opt.y_up) r = yup_to_zup(r);
    if (j.type == JointType::kFree) {
      Vec3d p;
      for (size_t c = 0; c < ch.size(); ++c)
        if (ch[c] < 3) p[ch[c]] = v[k + c] * opt.scale;
      (opt.y_up ? yup_to_zup(p) : p).store(q + j.qpos_adr);
      r.store(q + j.qpos_adr + 3);
    } else if (j.type == JointType::kSpherical) {
      r.store(q + j.qpos_adr);
    }
    k += ch.size();
  }
}

// MOTION section: "Frames: N", "Frame Time: dt", then one line of values per frame.
void read_motion(std::istringstream& in, int& ln, const std::string& where, size_t nch,
                 std::vector<double>& values, int& nframe, double& dt) {
  auto fail = [&](const std::string& w) {
    throw std::runtime_error(where + ": line " + std::to_string(ln) + ": " + w);
  };
  std::string line;
  auto next_line = [&]() -> bool {
    while (std::getline(in, line)) {
      ++ln;
      if (line.find_first_not_of(" \t\r") != std::string::npos) return true;
    }
    return false;
  };
  if (!next_line() || sscanf(line.c_str(), " Frames: %d", &nframe) != 1 || nframe < 1)
    fail("expected 'Frames: N' (N >= 1)");
  if (!next_line() || sscanf(line.c_str(), " Frame Time: %lf", &dt) != 1 || !(dt > 0))
    fail("expected 'Frame Time: seconds' (> 0)");
  for (int f = 0; f < nframe; ++f) {
    if (!next_line())
      fail("MOTION declares " + std::to_string(nframe) + " frames, found " + std::to_string(f));
    std::istringstream ls(line);
    std::string tok;
    size_t n = 0;
    while (ls >> tok) {
      try {
        values.push_back(std::stod(tok));
      } catch (const std::exception&) {
        fail("frame " + std::to_string(f) + ": '" + tok + "' is not a number");
      }
      ++n;
    }
    if (n != nch)
      fail("frame " + std::to_string(f) + " has " + std::to_string(n) +
           " values, CHANNELS declare " + std::to_string(nch));
  }
}

}  // namespace

Clip parse_bvh(const std::string& text, const std::string& where, const BvhOptions& opt) {
  size_t mpos = text.find("MOTION");
  if (text.find("HIERARCHY") == std::string::npos)
    throw std::runtime_error(where + ": no HIERARCHY section (not a BVH file)");
  if (mpos == std::string::npos) throw std::runtime_error(where + ": no MOTION section");
  std::vector<Token> tokens = tokenize(text.substr(0, mpos));
  Parser p(tokens, where, opt);
  p.expect("HIERARCHY");
  p.expect("ROOT");
  Clip c;
  c.source = where;
  std::vector<BvhJoint> bj;
  std::string root = p.next();
  p.joint(root, -1, c.skeleton, bj);
  if (p.pos_ != tokens.size())
    p.fail("unexpected '" + tokens[p.pos_].text + "' after the root joint");
  size_t nch = 0;
  for (const BvhJoint& b : bj) nch += b.channels.size();

  std::istringstream in(text.substr(mpos + 6));
  int ln =
      static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(mpos), '\n')) + 1;
  std::string rest;
  std::getline(in, rest);  // remainder of the MOTION line
  std::vector<double> values;
  int nframe = 0;
  double dt = 0;
  read_motion(in, ln, where, nch, values, nframe, dt);

  name_skeleton_qpos(c);
  c.qpos.assign(static_cast<size_t>(nframe) * c.skeleton.nq, 0.0);
  for (int f = 0; f < nframe; ++f) {
    c.time.push_back(f * dt);
    frame_to_qpos(c.skeleton, bj, values.data() + static_cast<size_t>(f) * nch, opt, c.qpos_at(f));
  }
  compute_skeleton_points(c);
  c.validate();
  return c;
}

Clip read_bvh(const std::string& path, const BvhOptions& opt) {
  return parse_bvh(read_file_bytes(path), path, opt);
}

}  // namespace sinew::motion
