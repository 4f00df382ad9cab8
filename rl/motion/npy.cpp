// SPDX-License-Identifier: Apache-2.0
// .npy / .npz parsing. Formats: NumPy's NEP 1 (format.py docstring) for .npy; PKWARE APPNOTE.TXT
// sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.16 (end of central directory).
#include "rl/motion/npy.h"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sinew::motion {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

uint32_t read_u32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
  return v;
}
uint16_t read_u16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(b[at]) |
                               (static_cast<unsigned char>(b[at + 1]) << 8));
}

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zip stores it.
uint32_t crc32(const char* p, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i)
    c = table[(c ^ static_cast<unsigned char>(p[i])) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// The text following `'key':` in the header dict, with leading blanks removed.
size_t find_value(const std::string& h, const std::string& key, const std::string& where) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) fail(where, "npy header has no '" + key + "' key");
  size_t c = h.find(':', k);
  if (c == std::string::npos) fail(where, "npy header: no ':' after '" + key + "'");
  ++c;
  while (c < h.size() && h[c] == ' ') ++c;
  return c;
}

struct Header {
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
};

Header parse_header(const std::string& h, const std::string& where) {
  Header out;
  size_t d = find_value(h, "descr", where);
  if (d >= h.size() || (h[d] != '\'' && h[d] != '"'))
    fail(where, "unsupported dtype (structured arrays are not read): " + h);
  size_t e = h.find(h[d], d + 1);
  if (e == std::string::npos) fail(where, "npy header: unterminated descr string");
  out.descr = h.substr(d + 1, e - d - 1);
  size_t f = find_value(h, "fortran_order", where);
  if (h.compare(f, 4, "True") == 0) {
    out.fortran = true;
  } else if (h.compare(f, 5, "False") != 0) {
    fail(where, "npy header: fortran_order is neither True nor False");
  }
  size_t s = find_value(h, "shape", where);
  if (s >= h.size() || h[s] != '(') fail(where, "npy header: shape is not a tuple");
  size_t close = h.find(')', s);
  if (close == std::string::npos) fail(where, "npy header: unterminated shape tuple");
  std::string inner = h.substr(s + 1, close - s - 1);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t a = item.find_first_not_of(" L");
    if (a == std::string::npos) continue;  // trailing comma of a 1-tuple
    try {
      size_t used = 0;
      long long v = std::stoll(item.substr(a), &used);
      if (v < 0) throw std::invalid_argument("negative");
      out.shape.push_back(v);
    } catch (const std::exception&) {
      fail(where, "npy header: bad shape entry '" + item + "'");
    }
  }
  return out;
}

template <typename T>
void convert(const char* p, size_t n, std::vector<double>& out) {
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

// Fortran (column-major) to C (row-major) order.
std::vector<double> fortran_to_c(const std::vector<double>& f, const std::vector<int64_t>& shape) {
  std::vector<double> c(f.size());
  size_t nd = shape.size();
  std::vector<int64_t> idx(nd, 0);
  for (size_t lin = 0; lin < f.size(); ++lin) {  // lin = C index; idx its multi-index
    size_t fi = 0, stride = 1;
    for (size_t k = 0; k < nd; ++k) {
      fi += static_cast<size_t>(idx[k]) * stride;
      stride *= static_cast<size_t>(shape[k]);
    }
    c[lin] = f[fi];
    for (size_t k = nd; k-- > 0;) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return c;
}

}  // namespace

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

double NpyArray::scalar() const {
  if (pickled || data.size() != 1)
    throw std::runtime_error(name + ": expected a single number, got " +
                             std::to_string(data.size()) + " values");
  return data[0];
}

NpyArray parse_npy(const std::string& b, const std::string& where) {
  static const char kMagic[] = "\x93NUMPY";
  if (b.size() < 10 || b.compare(0, 6, kMagic, 6) != 0)
    fail(where, "not an .npy array (bad magic; expected \\x93NUMPY)");
  int major = static_cast<unsigned char>(b[6]);
  size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = read_u16(b, 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail(where, "truncated npy header");
    hlen = read_u32(b, 8);
    hstart = 12;
  } else {
    fail(where, "unsupported npy version " + std::to_string(major));
  }
  if (hstart + hlen > b.size())
    fail(where, "truncated npy header (" + std::to_string(hlen) + " header bytes announced, " +
                    std::to_string(b.size() - hstart) + " present)");
  Header h = parse_header(b.substr(hstart, hlen), where);
  NpyArray a;
  a.name = where;
  a.descr = h.descr;
  a.shape = h.shape;
  if (h.descr == "|O" || h.descr == "O" || h.descr == "<O") {
    a.pickled = true;  // pickled object array: skipped, never executed
    return a;
  }
  size_t item = 0;
  if (h.descr == "<f8" || h.descr == "<i8") item = 8;
  if (h.descr == "<f4" || h.descr == "<i4") item = 4;
  if (item == 0)
    fail(where, "unsupported dtype '" + h.descr + "' (supported: <f8 <f4 <i8 <i4, little-endian)");
  size_t n = static_cast<size_t>(a.size());
  size_t off = hstart + hlen;
  if (b.size() - off < n * item)
    fail(where, "truncated npy data (" + std::to_string(n * item) + " bytes expected, " +
                    std::to_string(b.size() - off) + " present)");
  const char* p = b.data() + off;
  if (h.descr == "<f8") convert<double>(p, n, a.data);
  if (h.descr == "<f4") convert<float>(p, n, a.data);
  if (h.descr == "<i8") convert<int64_t>(p, n, a.data);
  if (h.descr == "<i4") convert<int32_t>(p, n, a.data);
  if (h.fortran && a.shape.size() > 1) a.data = fortran_to_c(a.data, a.shape);
  return a;
}

std::string read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

NpyArray read_npy(const std::string& path) {
  NpyArray a = parse_npy(read_file_bytes(path), path);
  a.name = path;
  return a;
}

namespace {

// Offset of the end-of-central-directory record (signature PK\5\6), searching back over a
// comment of at most 65535 bytes.
size_t find_eocd(const std::string& b, const std::string& path) {
  if (b.size() < 22) fail(path, "not a zip archive (too short for an end-of-central-directory)");
  size_t lo = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (size_t at = b.size() - 22 + 1; at-- > lo;) {
    if (read_u32(b, at) == 0x06054b50u) return at;
  }
  fail(path, "not a zip archive (no end-of-central-directory record)");
}

// Bytes of one stored entry whose central-directory header starts at `cd`; advances `cd`.
std::string read_entry(const std::string& b, size_t& cd, std::string& name,
                       const std::string& path) {
  if (cd + 46 > b.size() || read_u32(b, cd) != 0x02014b50u)
    fail(path, "corrupt zip central directory");
  uint16_t method = read_u16(b, cd + 10);
  uint32_t crc = read_u32(b, cd + 16);
  uint32_t csize = read_u32(b, cd + 20), usize = read_u32(b, cd + 24);
  uint16_t nlen = read_u16(b, cd + 28), xlen = read_u16(b, cd + 30), clen = read_u16(b, cd + 32);
  uint32_t local = read_u32(b, cd + 42);
  if (cd + 46 + nlen > b.size()) fail(path, "corrupt zip central directory (entry name)");
  name = b.substr(cd + 46, nlen);
  cd += 46 + nlen + xlen + clen;
  std::string where = path + ": entry " + name;
  if (csize == 0xFFFFFFFFu || usize == 0xFFFFFFFFu || local == 0xFFFFFFFFu)
    fail(where, "zip64 entries are not supported");
  if (method != 0)
    fail(where, "compression method " + std::to_string(method) + (method == 8 ? " (deflate)" : "") +
                    " is not supported; only stored entries (np.savez, not np.savez_compressed)");
  if (local + 30 > b.size() || read_u32(b, local) != 0x04034b50u)
    fail(where, "bad local file header");
  size_t data = local + 30 + read_u16(b, local + 26) + read_u16(b, local + 28);
  if (data + csize > b.size()) fail(where, "truncated entry data");
  std::string bytes = b.substr(data, csize);
  if (crc32(bytes.data(), bytes.size()) != crc) fail(where, "CRC mismatch (corrupt archive)");
  return bytes;
}

}  // namespace

NpzFile read_npz(const std::string& path) {
  std::string b = read_file_bytes(path);
  size_t eocd = find_eocd(b, path);
  uint16_t count = read_u16(b, eocd + 10);
  uint32_t cd = read_u32(b, eocd + 16);
  if (count == 0xFFFF || cd == 0xFFFFFFFFu) fail(path, "zip64 archives are not supported");
  NpzFile out;
  out.path = path;
  size_t at = cd;
  for (int i = 0; i < count; ++i) {
    std::string name;
    std::string bytes = read_entry(b, at, name, path);
    NpyArray a = parse_npy(bytes, path + ": entry " + name);
    a.name = name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0
                 ? name.substr(0, name.size() - 4)
                 : name;
    out.arrays.push_back(std::move(a));
  }
  return out;
}

const NpyArray* NpzFile::find(const std::string& name) const {
  for (const NpyArray& a : arrays)
    if (a.name == name) return &a;
  return nullptr;
}

const NpyArray& NpzFile::get(const std::string& name) const {
  const NpyArray* a = find(name);
  if (!a) throw std::runtime_error(path + ": no entry '" + name + "'");
  if (a->pickled)
    throw std::runtime_error(path + ": entry '" + name + "' is a pickled object array (skipped)");
  return *a;
}

}  // namespace sinew::motion
