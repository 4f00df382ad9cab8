// SPDX-License-Identifier: Apache-2.0
// CUDA device discovery that never throws: usable from tests (to skip when there is no GPU), the
// CLI and benchmarks. Defined in device.cu; only available when built with SINEW_CUDA
// (targets that link sinew_cuda see SINEW_HAVE_CUDA=1).
#pragma once

#include <string>

namespace sinew {

// Number of CUDA devices the runtime can use; 0 when there is no device, no driver, or any
// other CUDA error (the error is cleared).
int cuda_device_count();

// "NAME (sm_XY, N MiB)" for device `index`, or an empty string on error.
std::string cuda_device_name(int index);

}  // namespace sinew
