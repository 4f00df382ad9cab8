// SPDX-License-Identifier: Apache-2.0
#include "engine/cpu/thread_pool.h"

#include <algorithm>

namespace sinew::cpu {

namespace {
void chunk(int n, int parts, int index, int& begin, int& end) {
  const int base = n / parts, extra = n % parts;
  begin = index * base + std::min(index, extra);
  end = begin + base + (index < extra ? 1 : 0);
}
}  // namespace

ThreadPool::ThreadPool(int nthreads) {
  if (nthreads <= 0) nthreads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads_ = nthreads;
  for (int i = 1; i < nthreads_; ++i) threads_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::worker(int index) {
  long seen = 0;
  for (;;) {
    const std::function<void(int, int)>* job;
    int n;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
    }
    int begin, end;
    chunk(n, nthreads_, index, begin, end);
    if (begin < end) (*job)(begin, end);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(int n, const std::function<void(int, int)>& fn) {
  if (nthreads_ == 1 || n <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    job_n_ = n;
    pending_ = nthreads_ - 1;
    ++generation_;
  }
  start_cv_.notify_all();
  int begin, end;
  chunk(n, nthreads_, 0, begin, end);
  if (begin < end) fn(begin, end);
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, [&] { return pending_ == 0; });
}

}  // namespace sinew::cpu
