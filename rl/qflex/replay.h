// SPDX-License-Identifier: Apache-2.0
// Replay buffer of transitions (s, a, r, s', terminated) for the off-policy Qflex learner: a ring
// of `capacity` rows that overwrites the oldest once full, and uniform minibatches drawn with a
// caller-owned random stream (so a run is reproducible). s' is the next observation of the same
// episode — for a truncated step the final observation (time-limit bootstrap); `terminated`
// stops the bootstrap.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/env/rng.h"
#include "rl/nn/matrix.h"

namespace sinew::rl::qflex {

struct ReplayBatch {
  nn::Matrix obs, act, next_obs;  // [B][obs_dim], [B][act_dim], [B][obs_dim]
  std::vector<float> reward;
  std::vector<std::uint8_t> terminated;
};

class ReplayBuffer {
 public:
  ReplayBuffer() = default;
  ReplayBuffer(long capacity, int obs_dim, int act_dim);

  long capacity() const { return capacity_; }
  long size() const { return size_; }
  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }

  // Appends n transitions (row-major arrays of n rows).
  void add(int n, const float* obs, const float* act, const float* reward, const float* next_obs,
           const std::uint8_t* terminated);
  // B transitions drawn uniformly with replacement; throws std::logic_error when empty.
  void sample(int B, Rng& rng, ReplayBatch& out) const;

  // Section "SNWREPL" v1: sizes, write position, then the stored rows.
  void save(std::ostream& os) const;
  static ReplayBuffer load(std::istream& is, const std::string& what);

 private:
  long capacity_ = 0, size_ = 0, next_ = 0;
  int obs_dim_ = 0, act_dim_ = 0;
  std::vector<float> obs_, act_, reward_, next_obs_;
  std::vector<std::uint8_t> terminated_;
};

}  // namespace sinew::rl::qflex
