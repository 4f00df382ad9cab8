// SPDX-License-Identifier: Apache-2.0
// ctest-labels: gpu
// The CUDA driver runs the same stage functions as the CPU driver: compare a batch stepped on the
// device with the CPU result. Skips itself when no CUDA device is present.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/cpu/driver.h"
#include "engine/cuda/device.h"
#include "engine/cuda/driver.h"
#include "engine/model_io.h"

using namespace sinew;

TEST_CASE("CUDA step matches the CPU driver" * doctest::skip(sinew::cuda_device_count() == 0)) {
  Model m = load_model("models/humanoid30.json");
  const int nworld = 256, nstep = 20;
  Data<double> host(m, nworld), dev_result(m, nworld);
  for (int w = 0; w < nworld; ++w) {
    if (m.size.nkey > 0) host.reset_keyframe(m, 0, w);
    std::mt19937_64 rng(w);
    std::normal_distribution<double> n(0, 0.3);
    for (int k = 0; k < m.size.nv; ++k) host.world(w).qvel[k] = n(rng);
  }
  cuda::DeviceSim<double> sim(m, nworld);
  sim.upload(host);
  sim.step(nstep);
  sim.download(dev_result);
  cpu::ThreadPool pool(2);
  cpu::step(m.view(), host.view(), pool, nstep);
  double err = 0;
  for (int w = 0; w < nworld; ++w)
    for (int i = 0; i < m.size.nq; ++i)
      err = std::max(err, std::fabs(host.world(w).qpos[i] - dev_result.world(w).qpos[i]));
  MESSAGE("max |qpos_gpu - qpos_cpu| after " << nstep << " steps: " << err);
  CHECK(err < 1e-8);
}
