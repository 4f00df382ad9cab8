// SPDX-License-Identifier: Apache-2.0
// Scalar functions the muscle models need beyond engine/core/hd.h, with one spelling for float
// and double on host and device (the CUDA math library provides all of them for device code).
#pragma once

#include <cmath>

#include "engine/core/hd.h"

namespace sinew {

SINEW_HD SINEW_INLINE double muscle_tanh(double x) { return ::tanh(x); }
SINEW_HD SINEW_INLINE float muscle_tanh(float x) { return ::tanhf(x); }
SINEW_HD SINEW_INLINE double muscle_asinh(double x) { return ::asinh(x); }
SINEW_HD SINEW_INLINE float muscle_asinh(float x) { return ::asinhf(x); }
SINEW_HD SINEW_INLINE double muscle_log(double x) { return ::log(x); }
SINEW_HD SINEW_INLINE float muscle_log(float x) { return ::logf(x); }

}  // namespace sinew
