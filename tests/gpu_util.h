// SPDX-License-Identifier: Apache-2.0
// GPU tests skip themselves when no CUDA device can be used:
//   TEST_CASE("..." * doctest::skip(!sinew_gpu_available())) { ... }
// Builds without CUDA (SINEW_HAVE_CUDA undefined) always report false.
#pragma once

#if defined(SINEW_HAVE_CUDA)
#include "engine/cuda/device.h"
#endif

// True when Sinew was built with CUDA and the runtime sees at least one device.
inline bool sinew_gpu_available() {
#if defined(SINEW_HAVE_CUDA)
  return sinew::cuda_device_count() > 0;
#else
  return false;
#endif
}
