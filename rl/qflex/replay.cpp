// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/replay.h"

#include <algorithm>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl::qflex {

ReplayBuffer::ReplayBuffer(long capacity, int obs_dim, int act_dim)
    : capacity_(capacity), obs_dim_(obs_dim), act_dim_(act_dim) {
  if (capacity < 1 || obs_dim < 1 || act_dim < 1)
    throw std::invalid_argument("ReplayBuffer: capacity and dimensions must be >= 1");
  const std::size_t c = static_cast<std::size_t>(capacity);
  obs_.resize(c * obs_dim);
  next_obs_.resize(c * obs_dim);
  act_.resize(c * act_dim);
  reward_.resize(c);
  terminated_.resize(c);
}

void ReplayBuffer::add(int n, const float* obs, const float* act, const float* reward,
                       const float* next_obs, const std::uint8_t* terminated) {
  const std::size_t O = obs_dim_, A = act_dim_;
  for (int k = 0; k < n; ++k) {
    const std::size_t i = static_cast<std::size_t>(next_);
    std::copy_n(obs + k * O, O, &obs_[i * O]);
    std::copy_n(next_obs + k * O, O, &next_obs_[i * O]);
    std::copy_n(act + k * A, A, &act_[i * A]);
    reward_[i] = reward[k];
    terminated_[i] = terminated[k];
    next_ = (next_ + 1) % capacity_;
    size_ = std::min(size_ + 1, capacity_);
  }
}

void ReplayBuffer::sample(int B, Rng& rng, ReplayBatch& out) const {
  if (size_ == 0) throw std::logic_error("ReplayBuffer::sample: the buffer is empty");
  out.obs.resize(B, obs_dim_);
  out.next_obs.resize(B, obs_dim_);
  out.act.resize(B, act_dim_);
  out.reward.resize(B);
  out.terminated.resize(B);
  for (int k = 0; k < B; ++k) {
    const std::size_t i = static_cast<std::size_t>(rng.next() % static_cast<std::uint64_t>(size_));
    std::copy_n(&obs_[i * obs_dim_], obs_dim_, &out.obs(k, 0));
    std::copy_n(&next_obs_[i * obs_dim_], obs_dim_, &out.next_obs(k, 0));
    std::copy_n(&act_[i * act_dim_], act_dim_, &out.act(k, 0));
    out.reward[k] = reward_[i];
    out.terminated[k] = terminated_[i];
  }
}

void ReplayBuffer::save(std::ostream& os) const {
  write_magic(os, "SNWREPL", 1);
  for (long v : {capacity_, size_, next_}) write_pod(os, static_cast<std::int64_t>(v));
  write_pod(os, static_cast<std::int32_t>(obs_dim_));
  write_pod(os, static_cast<std::int32_t>(act_dim_));
  const std::size_t n = static_cast<std::size_t>(size_);  // rows [0, size) are the filled ones
  write_array(os, obs_.data(), n * obs_dim_);
  write_array(os, next_obs_.data(), n * obs_dim_);
  write_array(os, act_.data(), n * act_dim_);
  write_array(os, reward_.data(), n);
  write_array(os, terminated_.data(), n);
}

ReplayBuffer ReplayBuffer::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWREPL", 1, what);
  const auto capacity = read_pod<std::int64_t>(is, what, "replay capacity");
  const auto size = read_pod<std::int64_t>(is, what, "replay size");
  const auto next = read_pod<std::int64_t>(is, what, "replay position");
  const auto O = read_pod<std::int32_t>(is, what, "replay obs_dim");
  const auto A = read_pod<std::int32_t>(is, what, "replay act_dim");
  if (capacity < 1 || capacity > (1LL << 34) || size < 0 || size > capacity || next < 0 ||
      next >= capacity || O < 1 || A < 1)
    throw std::runtime_error(what + ": inconsistent replay buffer header");
  ReplayBuffer b(static_cast<long>(capacity), O, A);
  b.size_ = static_cast<long>(size);
  b.next_ = static_cast<long>(next);
  const std::size_t n = static_cast<std::size_t>(size);
  read_array(is, b.obs_.data(), n * O, what, "replay observations");
  read_array(is, b.next_obs_.data(), n * O, what, "replay next observations");
  read_array(is, b.act_.data(), n * A, what, "replay actions");
  read_array(is, b.reward_.data(), n, what, "replay rewards");
  read_array(is, b.terminated_.data(), n, what, "replay terminations");
  return b;
}

}  // namespace sinew::rl::qflex
