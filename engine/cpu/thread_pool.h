// SPDX-License-Identifier: Apache-2.0
// A small persistent thread pool for data-parallel loops over worlds.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sinew::cpu {

class ThreadPool {
 public:
  // nthreads <= 0 uses std::thread::hardware_concurrency(). The calling thread also works, so
  // nthreads - 1 helper threads are started.
  explicit ThreadPool(int nthreads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int size() const { return nthreads_; }
  // Calls fn(begin, end) on contiguous chunks covering [0, n), one chunk per thread, and waits.
  // Chunk boundaries depend only on n and size(), never on timing.
  void parallel_for(int n, const std::function<void(int, int)>& fn);

 private:
  void worker(int index);
  int nthreads_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int, int)>* job_ = nullptr;
  int job_n_ = 0;
  long generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace sinew::cpu
