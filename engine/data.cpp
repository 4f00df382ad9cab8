// SPDX-License-Identifier: Apache-2.0
#include "engine/data.h"

#include <cstring>

#include "engine/model.h"

namespace sinew {

namespace {
constexpr std::size_t kAlign = 64;
std::size_t align_up(std::size_t x) { return (x + kAlign - 1) / kAlign * kAlign; }
}  // namespace

template <typename T>
std::size_t data_bytes(const Sizes& s, int nworld) {
  const int nbody = s.nbody, njnt = s.njnt, nq = s.nq, nv = s.nv, ngeom = s.ngeom;
  const int nsite = s.nsite, nconmax = s.nconmax, nefcmax = s.nefcmax;
  const int ntendon = s.ntendon, nwrap = s.nwrap, nu = s.nu, na = s.na;
  (void)nbody, (void)njnt, (void)nq, (void)nv, (void)ngeom, (void)nsite, (void)nconmax;
  (void)nefcmax, (void)ntendon, (void)nwrap, (void)nu, (void)na;
  std::size_t total = 0;
  const std::size_t nw = static_cast<std::size_t>(nworld);
#define SINEW_X(name, count) total += align_up(sizeof(T) * nw * static_cast<std::size_t>(count));
  SINEW_DATA_REAL_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count) total += align_up(sizeof(int) * nw * static_cast<std::size_t>(count));
  SINEW_DATA_INT_FIELDS(SINEW_X)
#undef SINEW_X
  return total;
}

template <typename T>
void data_carve(const Sizes& s, int nworld, unsigned char* base, DataView<T>& v) {
  const int nbody = s.nbody, njnt = s.njnt, nq = s.nq, nv = s.nv, ngeom = s.ngeom;
  const int nsite = s.nsite, nconmax = s.nconmax, nefcmax = s.nefcmax;
  const int ntendon = s.ntendon, nwrap = s.nwrap, nu = s.nu, na = s.na;
  (void)nbody, (void)njnt, (void)nq, (void)nv, (void)ngeom, (void)nsite, (void)nconmax;
  (void)nefcmax, (void)ntendon, (void)nwrap, (void)nu, (void)na;
  v.nworld = nworld;
  v.size = s;
  std::size_t off = 0;
  const std::size_t nw = static_cast<std::size_t>(nworld);
#define SINEW_X(name, count)                 \
  v.name = reinterpret_cast<T*>(base + off); \
  off += align_up(sizeof(T) * nw * static_cast<std::size_t>(count));
  SINEW_DATA_REAL_FIELDS(SINEW_X)
#undef SINEW_X
#define SINEW_X(name, count)                   \
  v.name = reinterpret_cast<int*>(base + off); \
  off += align_up(sizeof(int) * nw * static_cast<std::size_t>(count));
  SINEW_DATA_INT_FIELDS(SINEW_X)
#undef SINEW_X
}

template <typename T>
Data<T>::Data(const Model& m, int nworld) {
  const std::size_t bytes = data_bytes<T>(m.size, nworld);
  buffer_.assign(bytes + kAlign, 0);
  const auto addr = reinterpret_cast<std::uintptr_t>(buffer_.data());
  aligned_ = buffer_.data() + (align_up(addr) - addr);
  data_carve<T>(m.size, nworld, aligned_, view_);
  reset(m);
}

template <typename T>
void Data<T>::reset(const Model& m, int w) {
  const int lo = w < 0 ? 0 : w, hi = w < 0 ? view_.nworld : w + 1;
  for (int i = lo; i < hi; ++i) {
    WorldData<T> d = view_.world(i);
    for (int k = 0; k < m.size.nq; ++k) d.qpos[k] = static_cast<T>(m.qpos0[k]);
    for (int k = 0; k < m.size.nv; ++k) {
      d.qvel[k] = d.qacc[k] = d.qacc_warmstart[k] = d.qfrc_applied[k] = 0;
    }
    for (int k = 0; k < m.size.na; ++k) d.act[k] = 0;
    for (int k = 0; k < m.size.nu; ++k) d.ctrl[k] = 0;
    *d.time = 0;
    *d.flag = kFlagNone;
    *d.ncon = *d.nefc = 0;
  }
}

template <typename T>
void Data<T>::reset_keyframe(const Model& m, int k, int w) {
  reset(m, w);
  WorldData<T> d = view_.world(w);
  for (int i = 0; i < m.size.nq; ++i) d.qpos[i] = static_cast<T>(m.key_qpos[k * m.size.nq + i]);
  for (int i = 0; i < m.size.nv; ++i) d.qvel[i] = static_cast<T>(m.key_qvel[k * m.size.nv + i]);
  for (int i = 0; i < m.size.na; ++i) d.act[i] = static_cast<T>(m.key_act[k * m.size.na + i]);
  for (int i = 0; i < m.size.nu; ++i) d.ctrl[i] = static_cast<T>(m.key_ctrl[k * m.size.nu + i]);
  *d.time = static_cast<T>(m.key_time[k]);
}

template std::size_t data_bytes<double>(const Sizes&, int);
template std::size_t data_bytes<float>(const Sizes&, int);
template void data_carve<double>(const Sizes&, int, unsigned char*, DataView<double>&);
template void data_carve<float>(const Sizes&, int, unsigned char*, DataView<float>&);
template class Data<double>;
template class Data<float>;

}  // namespace sinew
