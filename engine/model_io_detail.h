// SPDX-License-Identifier: Apache-2.0
// Internals of the Sinew JSON model loader shared by model_io.cpp (bodies, joints, geoms,
// sites, meshes, keyframes) and model_io_physics.cpp (tendons, actuators, equalities, contact
// excludes): message helpers and the typed JSON Reader. Not part of the public API.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/model.h"
#include "engine/model_io.h"

namespace sinew::model_io_detail {

using nlohmann::json;

// MuJoCo's defaults (XMLreference.rst: geom friction/solref/solimp, joint solreflimit/solimplimit)
constexpr double kFriction[3] = {1, 0.005, 0.0001};
constexpr double kSolref[2] = {0.02, 1};
constexpr double kSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};

inline std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

inline std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// RFC 6901 escaping of one reference token.
inline std::string token(const std::string& key) {
  std::string t;
  for (char c : key) t += c == '~' ? "~0" : (c == '/' ? "~1" : std::string(1, c));
  return t;
}

inline std::string at(const std::string& path, const std::string& key) {
  return path + "/" + token(key);
}
inline std::string at(const std::string& path, size_t i) { return path + "/" + std::to_string(i); }

// Short description of a JSON value for messages: `string "abc"`, `number 1.5`, `array of 2`.
inline std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return std::string("boolean ") + (v.get<bool>() ? "true" : "false");
    case json::value_t::string: {
      std::string s = v.dump();
      return "string " + (s.size() > 48 ? s.substr(0, 45) + "...\"" : s);
    }
    case json::value_t::array:
      return "an array of " + std::to_string(v.size());
    case json::value_t::object:
      return "an object";
    default:
      return "number " + v.dump();
  }
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
inline size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diag = up;
    }
  }
  return row[b.size()];
}

inline std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Reader: typed access to a JSON document with messages "<source>: <path>: <expectation>".

class Reader {
 public:
  explicit Reader(std::string source) : src_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ModelError(src_ + ": " + (path.empty() ? "/" : path) + ": " + what);
  }
  void require(bool ok, const std::string& path, const std::string& what) const {
    if (!ok) fail(path, what);
  }

  // `v` must be an object whose keys are all in `allowed`.
  void object(const json& v, const std::string& path,
              std::initializer_list<const char*> allowed) const {
    if (!v.is_object()) fail(path, "expected an object, got " + describe(v));
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (ok) continue;
      std::vector<std::string> names(allowed.begin(), allowed.end());
      std::string hint;
      size_t best = 3;  // suggest a key within edit distance 2
      for (const std::string& n : names) {
        const size_t d = edit_distance(it.key(), n);
        if (d < best) best = d, hint = "did you mean \"" + n + "\"? ";
      }
      fail(at(path, it.key()), "unknown key (" + hint + "allowed keys: " + join(names) + ")");
    }
  }

  double number(const json& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "expected a number, got " + describe(v));
    const double x = v.get<double>();
    if (!std::isfinite(x)) fail(path, "expected a finite number, got " + fmt(x));
    return x;
  }
  int integer(const json& v, const std::string& path) const {
    const double x = number(v, path);
    if (x != std::floor(x) || std::fabs(x) > 2147483647.0)
      fail(path, "expected an integer, got " + describe(v));
    return static_cast<int>(x);
  }
  bool boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) fail(path, "expected true or false, got " + describe(v));
    return v.get<bool>();
  }
  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string, got " + describe(v));
    return v.get<std::string>();
  }
  const json& array(const json& v, const std::string& path) const {
    if (!v.is_array()) fail(path, "expected an array, got " + describe(v));
    return v;
  }
  // Exactly n numbers.
  void numbers(const json& v, const std::string& path, int n, double* out) const {
    if (!v.is_array() || static_cast<int>(v.size()) != n)
      fail(path, "expected an array of " + std::to_string(n) + " numbers, got " + describe(v));
    for (int i = 0; i < n; ++i) out[i] = number(v[i], at(path, i));
  }
  // Index of `v` in `options`.
  int choice(const json& v, const std::string& path,
             const std::vector<std::string>& options) const {
    std::vector<std::string> q;
    for (const std::string& o : options) q.push_back(in_quotes(o));
    if (v.is_string())
      for (size_t i = 0; i < options.size(); ++i)
        if (v.get<std::string>() == options[i]) return static_cast<int>(i);
    fail(path, "expected one of " + join(q) + ", got " + (v.is_string() ? v.dump() : describe(v)));
  }

  // Optional members: nullptr / the default when absent.
  static const json* find(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }
  double number_or(const json& obj, const std::string& path, const char* key, double def) const {
    const json* v = find(obj, key);
    return v ? number(*v, at(path, key)) : def;
  }
  int integer_or(const json& obj, const std::string& path, const char* key, int def) const {
    const json* v = find(obj, key);
    return v ? integer(*v, at(path, key)) : def;
  }
  bool numbers_or(const json& obj, const std::string& path, const char* key, int n,
                  double* out) const {
    const json* v = find(obj, key);
    if (v) numbers(*v, at(path, key), n, out);
    return v != nullptr;
  }
  // A non-negative number (damping, stiffness, armature, margin, mass ...).
  double nonneg_or(const json& obj, const std::string& path, const char* key, double def) const {
    const double x = number_or(obj, path, key, def);
    require(x >= 0, at(path, key), "expected a number >= 0, got " + fmt(x));
    return x;
  }

  // "solref" / "solimp" of `obj` (MuJoCo's domains), when present.
  void solver_params(const json& obj, const std::string& path, double solref[2],
                     double solimp[5]) const {
    if (numbers_or(obj, path, "solref", 2, solref)) {
      const bool standard = solref[0] > 0 && solref[1] > 0;
      const bool direct = solref[0] <= 0 && solref[1] <= 0 && (solref[0] < 0 || solref[1] < 0);
      require(standard || direct, at(path, "solref"),
              "expected [timeconst > 0, dampratio > 0] or the direct form [-stiffness <= 0, "
              "-damping <= 0], got [" +
                  fmt(solref[0]) + ", " + fmt(solref[1]) + "]");
    }
    if (numbers_or(obj, path, "solimp", 5, solimp)) {
      const bool ok = solimp[0] > 0 && solimp[0] < 1 && solimp[1] > 0 && solimp[1] < 1 &&
                      solimp[2] >= 0 && solimp[3] > 0 && solimp[3] < 1 && solimp[4] >= 1;
      require(ok, at(path, "solimp"),
              "expected [dmin, dmax, width, midpoint, power] with dmin, dmax, midpoint in "
              "(0, 1), width >= 0, power >= 1");
    }
  }

  const std::string& source() const { return src_; }

 private:
  std::string src_;
};

// Names and types of the tree's elements (ids = positions), for references from the top-level
// sections; built by model_io.cpp once the worldbody is read.
struct TreeNames {
  std::vector<std::string> body, joint, geom, site;
  std::vector<int> joint_type, geom_type;
};

// Tendons, actuators, equalities and contact excludes of a document (model_io_physics.cpp):
// read() validates and resolves names; sizes() sets ntendon, nwrap, nu, na, neq, nexclude;
// fill() writes the arrays of a model resized with those sizes.
class PhysicsSections {
 public:
  void read(const Reader& r, const json& doc, const TreeNames& tree);
  void sizes(Sizes& s) const;
  void fill(Model& m) const;

  struct Wrap {
    int type = kWrapNone, objid = -1;
    double prm = 0;
  };
  struct Tendon {
    std::string name;
    std::vector<Wrap> path;
    bool limited = false;
    double range[2] = {0, 0}, stiffness = 0, damping = 0, springlength = -1;
    double solref[2] = {kSolref[0], kSolref[1]};
    double solimp[5] = {kSolimp[0], kSolimp[1], kSolimp[2], kSolimp[3], kSolimp[4]};
  };
  struct Actuator {
    std::string name;
    int trntype = kTrnJoint, trnid = -1, dyntype = kDynNone, gaintype = kGainFixed;
    int biastype = kBiasNone, model = 0;
    bool ctrllimited = false, forcelimited = false;
    double gear = 1, dynprm[kNumActPrm] = {1}, gainprm[kNumActPrm] = {1}, biasprm[kNumActPrm] = {};
    double ctrlrange[2] = {0, 0}, forcerange[2] = {0, 0}, lengthrange[2] = {0, 0};
  };
  struct Equality {
    std::string name;
    int obj1 = -1, obj2 = -1;
    bool active = true;
    double data[kNumEqData] = {0, 1, 0, 0, 0};
    double solref[2] = {kSolref[0], kSolref[1]};
    double solimp[5] = {kSolimp[0], kSolimp[1], kSolimp[2], kSolimp[3], kSolimp[4]};
  };

 private:
  void tendon(const Reader& r, const json& v, const std::string& path, const TreeNames& tree);
  void actuator(const Reader& r, const json& v, const std::string& path, const TreeNames& tree);
  void equality(const Reader& r, const json& v, const std::string& path, const TreeNames& tree);
  void name(const Reader& r, const json& obj, const std::string& path, const char* kind,
            std::string& out);

  std::vector<Tendon> tendons_;
  std::vector<Actuator> actuators_;
  std::vector<Equality> equalities_;
  std::vector<std::pair<int, int>> excludes_;
  std::map<std::string, std::map<std::string, std::string>> names_;  // kind -> name -> path
};

}  // namespace sinew::model_io_detail
