// SPDX-License-Identifier: Apache-2.0
// MJCF importer, XML layer: reads the main file and its <include>s into one element tree whose
// nodes remember their file and line, typed attribute access with MuJoCo's partial-array
// semantics, and the collector of "ignored input" warnings.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sinew::mjcf {

struct XmlNode {
  std::string tag;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::vector<std::unique_ptr<XmlNode>> children;
  std::shared_ptr<const std::string> file;  // file as named in messages
  int line = 0;

  const std::string* attr(const char* name) const;
  std::string where() const { return *file + ":" + std::to_string(line); }
};

// Reads `path` (the main model file): syntax errors, missing include files and include cycles
// throw ModelError naming the file and line. <include file=...> elements are replaced by the
// children of the included file's root; their paths are relative to the main file's directory.
std::unique_ptr<XmlNode> read_mjcf_tree(const std::string& path);

// Aggregated warnings: one line per (element, attribute, reason), with a count.
class Warnings {
 public:
  void add(const XmlNode& n, const std::string& what, const std::string& key = "");
  std::vector<std::string> lines() const;

 private:
  struct Entry {
    std::string where, what;
    int count = 0;
  };
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;
};

[[noreturn]] void fail(const XmlNode& n, const std::string& what);

// Attribute reader for one element: every attribute must be consumed by a reader call, or
// declared visual-only / unsupported (a warning), else finish() fails with "unknown attribute".
class Attrs {
 public:
  Attrs(const XmlNode& n, Warnings& w) : n_(n), w_(w), used_(n.attrs.size(), false) {}
  const XmlNode& node() const { return n_; }

  bool has(const char* name) const { return n_.attr(name) != nullptr; }
  bool str(const char* name, std::string* out);
  // Reads up to `maxn` numbers into out[0..k) and returns k (0 when absent). `exact`: k must be
  // maxn. A list longer than maxn is an error.
  int nums(const char* name, double* out, int maxn, bool exact);
  bool num(const char* name, double* out) { return nums(name, out, 1, true) == 1; }
  bool integer(const char* name, int* out);
  bool boolean(const char* name, bool* out);
  // Keyword among `words`: writes its index.
  bool keyword(const char* name, const std::vector<const char*>& words, int* out);
  // Reads any number of numbers (keyframes, user data).
  bool vector(const char* name, std::vector<double>* out);

  void visual(std::initializer_list<const char*> names);  // warn "(rendering only)"
  void unsupported(std::initializer_list<const char*> names, const char* why = "not supported");
  void finish();

 private:
  const std::string* take(const char* name);
  const XmlNode& n_;
  Warnings& w_;
  std::vector<bool> used_;
};

}  // namespace sinew::mjcf
