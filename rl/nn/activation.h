// SPDX-License-Identifier: Apache-2.0
// Hidden-layer activations as SINEW_HD scalar functions (host and device, float and double):
// y = f(z) and the derivative dy/dz given both z and y (whichever is cheaper to use).
#pragma once

#include "engine/core/hd.h"

namespace sinew::nn {

enum class Activation { kTanh, kRelu, kElu, kSilu };

SINEW_HD SINEW_INLINE float s_tanh(float x) { return ::tanhf(x); }
SINEW_HD SINEW_INLINE double s_tanh(double x) { return ::tanh(x); }
SINEW_HD SINEW_INLINE float s_expm1(float x) { return ::expm1f(x); }
SINEW_HD SINEW_INLINE double s_expm1(double x) { return ::expm1(x); }

// Logistic sigmoid 1 / (1 + e^-z).
template <typename T>
SINEW_HD SINEW_INLINE T sigmoid(T z) {
  return T(1) / (T(1) + s_exp(-z));
}

// ELU with alpha = 1 (Clevert et al. 2016): z for z > 0, e^z - 1 otherwise.
template <typename T>
SINEW_HD SINEW_INLINE T elu(T z) {
  return z > T(0) ? z : s_expm1(z);
}

// SiLU / swish (Elfwing et al. 2018): z * sigmoid(z).
template <typename T>
SINEW_HD SINEW_INLINE T silu(T z) {
  return z * sigmoid(z);
}

template <typename T>
SINEW_HD SINEW_INLINE T relu(T z) {
  return z > T(0) ? z : T(0);
}

template <typename T>
SINEW_HD SINEW_INLINE T activate(Activation a, T z) {
  switch (a) {
    case Activation::kTanh:
      return s_tanh(z);
    case Activation::kRelu:
      return relu(z);
    case Activation::kElu:
      return elu(z);
    case Activation::kSilu:
      return silu(z);
  }
  return z;
}

// dy/dz at z, with y = activate(a, z): tanh 1 - y^2; relu [z > 0]; elu 1 (z > 0) or y + 1;
// silu s (1 + z (1 - s)) with s = sigmoid(z).
template <typename T>
SINEW_HD SINEW_INLINE T activate_grad(Activation a, T z, T y) {
  switch (a) {
    case Activation::kTanh:
      return T(1) - y * y;
    case Activation::kRelu:
      return z > T(0) ? T(1) : T(0);
    case Activation::kElu:
      return z > T(0) ? T(1) : y + T(1);
    case Activation::kSilu: {
      const T s = sigmoid(z);
      return s * (T(1) + z * (T(1) - s));
    }
  }
  return T(1);
}

}  // namespace sinew::nn
