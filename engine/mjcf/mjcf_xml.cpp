// SPDX-License-Identifier: Apache-2.0
// MJCF importer, XML layer (pugixml): include expansion with file/line tracking, typed
// attribute parsing and the warning collector.
#include "engine/mjcf/mjcf_xml.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "engine/model_io.h"

namespace sinew::mjcf {

const std::string* XmlNode::attr(const char* name) const {
  for (const auto& a : attrs)
    if (a.first == name) return &a.second;
  return nullptr;
}

void fail(const XmlNode& n, const std::string& what) {
  throw ModelError(n.where() + ": <" + n.tag + ">: " + what);
}

namespace {

std::string dir_of(const std::string& path) {
  const size_t s = path.find_last_of('/');
  return s == std::string::npos ? "" : path.substr(0, s + 1);
}

bool read_text(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *text = ss.str();
  return true;
}

class TreeReader {
 public:
  explicit TreeReader(std::string main) : main_dir_(dir_of(main)) {}

  // Parses `path` and returns its root element converted to XmlNode (includes expanded).
  std::unique_ptr<XmlNode> parse(const std::string& path, const XmlNode* from) {
    std::string text;
    if (!read_text(path, &text)) {
      const std::string why = std::strerror(errno);
      if (from) fail(*from, "cannot open include file '" + path + "' (" + why + ")");
      throw ModelError(path + ": cannot open the model file (" + why + ")");
    }
    if (!open_.insert(path).second) fail(*from, "include cycle: '" + path + "' is already open");
    std::vector<size_t> newlines;
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') newlines.push_back(i);
    auto line_of = [&](ptrdiff_t off) {
      return static_cast<int>(std::lower_bound(newlines.begin(), newlines.end(),
                                               static_cast<size_t>(std::max<ptrdiff_t>(off, 0))) -
                              newlines.begin()) +
             1;
    };
    pugi::xml_document doc;
    const pugi::xml_parse_result r = doc.load_buffer(
        text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
    if (!r) {
      const int line = line_of(r.offset);
      const size_t bol = line > 1 ? newlines[line - 2] + 1 : 0;
      throw ModelError(path + ":" + std::to_string(line) + ": XML syntax error at column " +
                       std::to_string(r.offset - static_cast<ptrdiff_t>(bol) + 1) + ": " +
                       r.description());
    }
    pugi::xml_node root = doc.document_element();
    auto file = std::make_shared<const std::string>(path);
    if (!root || std::string(root.name()) != "mujoco")
      throw ModelError(path + ":" + std::to_string(root ? line_of(root.offset_debug()) : 1) +
                       ": the root element must be <mujoco>");
    auto out = convert(root, file, line_of);
    open_.erase(path);
    return out;
  }

 private:
  template <typename LineOf>
  std::unique_ptr<XmlNode> convert(const pugi::xml_node& x,
                                   const std::shared_ptr<const std::string>& file,
                                   const LineOf& line_of) {
    auto n = std::make_unique<XmlNode>();
    n->tag = x.name();
    n->file = file;
    n->line = line_of(x.offset_debug());
    for (const pugi::xml_attribute& a : x.attributes()) n->attrs.emplace_back(a.name(), a.value());
    for (const pugi::xml_node& c : x.children()) {
      if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
        std::string t = c.value();
        if (t.find_first_not_of(" \t\r\n") != std::string::npos)
          fail(*n, "unexpected text content '" + t.substr(0, 40) + "'");
        continue;
      }
      if (c.type() != pugi::node_element) continue;
      auto child = convert(c, file, line_of);
      if (child->tag == "include") {
        const std::string* f = child->attr("file");
        if (!f) fail(*child, "missing attribute 'file'");
        if (child->attrs.size() != 1) fail(*child, "only the attribute 'file' is allowed");
        const std::string p = (!f->empty() && (*f)[0] == '/') ? *f : main_dir_ + *f;
        auto sub = parse(p, child.get());
        for (auto& cc : sub->children) n->children.push_back(std::move(cc));
      } else {
        n->children.push_back(std::move(child));
      }
    }
    return n;
  }

  std::string main_dir_;
  std::set<std::string> open_;
};

}  // namespace

std::unique_ptr<XmlNode> read_mjcf_tree(const std::string& path) {
  TreeReader r(path);
  return r.parse(path, nullptr);
}

void Warnings::add(const XmlNode& n, const std::string& what, const std::string& key) {
  const std::string k = key.empty() ? what : key;
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    entries_[k] = Entry{n.where(), what, 1};
    order_.push_back(k);
  } else {
    ++it->second.count;
  }
}

std::vector<std::string> Warnings::lines() const {
  std::vector<std::string> out;
  for (const std::string& k : order_) {
    const Entry& e = entries_.at(k);
    std::string s = "warning: " + e.where + ": " + e.what;
    if (e.count > 1) s += " [" + std::to_string(e.count) + " occurrences]";
    out.push_back(s);
  }
  return out;
}

const std::string* Attrs::take(const char* name) {
  for (size_t i = 0; i < n_.attrs.size(); ++i)
    if (n_.attrs[i].first == name) {
      used_[i] = true;
      return &n_.attrs[i].second;
    }
  return nullptr;
}

bool Attrs::str(const char* name, std::string* out) {
  const std::string* v = take(name);
  if (v) *out = *v;
  return v != nullptr;
}

namespace {

// Splits on whitespace and parses doubles; false on a malformed number.
bool parse_numbers(const std::string& s, std::vector<double>* out) {
  const char* p = s.c_str();
  out->clear();
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
    if (!*p) break;
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(p, &end);
    if (end == p || errno == ERANGE || !std::isfinite(x)) return false;
    if (*end && *end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') return false;
    out->push_back(x);
    p = end;
  }
  return true;
}

}  // namespace

int Attrs::nums(const char* name, double* out, int maxn, bool exact) {
  const std::string* v = take(name);
  if (!v) return 0;
  std::vector<double> x;
  if (!parse_numbers(*v, &x))
    fail(n_, "attribute '" + std::string(name) + "': expected finite numbers, got \"" + *v + "\"");
  const int k = static_cast<int>(x.size());
  if (k > maxn || k == 0 || (exact && k != maxn))
    fail(n_, "attribute '" + std::string(name) + "': expected " + (exact ? "" : "up to ") +
                 std::to_string(maxn) + " number" + (maxn > 1 ? "s" : "") + ", got " +
                 std::to_string(k));
  std::copy(x.begin(), x.end(), out);
  return k;
}

bool Attrs::vector(const char* name, std::vector<double>* out) {
  const std::string* v = take(name);
  if (!v) return false;
  if (!parse_numbers(*v, out))
    fail(n_, "attribute '" + std::string(name) + "': expected finite numbers, got \"" + *v + "\"");
  return true;
}

bool Attrs::integer(const char* name, int* out) {
  double x;
  if (!num(name, &x)) return false;
  if (x != std::floor(x) || std::fabs(x) > 2e9)
    fail(n_, "attribute '" + std::string(name) + "': expected an integer");
  *out = static_cast<int>(x);
  return true;
}

bool Attrs::boolean(const char* name, bool* out) {
  int k;
  if (!keyword(name, {"false", "true"}, &k)) return false;
  *out = k == 1;
  return true;
}

bool Attrs::keyword(const char* name, const std::vector<const char*>& words, int* out) {
  const std::string* v = take(name);
  if (!v) return false;
  for (size_t i = 0; i < words.size(); ++i)
    if (*v == words[i]) {
      *out = static_cast<int>(i);
      return true;
    }
  std::string list;
  for (const char* w : words) list += (list.empty() ? "\"" : ", \"") + std::string(w) + "\"";
  fail(n_,
       "attribute '" + std::string(name) + "': expected one of " + list + ", got \"" + *v + "\"");
}

void Attrs::visual(std::initializer_list<const char*> names) {
  for (const char* nm : names)
    if (take(nm))
      w_.add(n_, "attribute '" + std::string(nm) + "' of <" + n_.tag + "> ignored (rendering only)",
             n_.tag + "@" + nm);
}

void Attrs::unsupported(std::initializer_list<const char*> names, const char* why) {
  for (const char* nm : names)
    if (take(nm))
      w_.add(n_, "attribute '" + std::string(nm) + "' of <" + n_.tag + "> ignored (" + why + ")",
             n_.tag + "@" + nm);
}

void Attrs::finish() {
  for (size_t i = 0; i < n_.attrs.size(); ++i)
    if (!used_[i]) fail(n_, "unknown or unsupported attribute '" + n_.attrs[i].first + "'");
}

}  // namespace sinew::mjcf
