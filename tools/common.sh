# SPDX-License-Identifier: Apache-2.0
# Shared by tools/demo.sh and tools/test.sh (sourced, not run): job count and the configure step
# of the `release` preset, so both scripts build the same tree the same way.
#   SINEW_JOBS  parallel build/test jobs (default: number of cores)
#   SINEW_CUDA  ON / OFF / auto (default auto: ON exactly when nvcc is found)

SINEW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SINEW_JOBS="${SINEW_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Finds nvcc on PATH, through CUDACXX, or in the default toolkit location; exports CUDACXX.
sinew_find_nvcc() {
  local c
  for c in "${CUDACXX:-}" "$(command -v nvcc 2>/dev/null || true)" /usr/local/cuda/bin/nvcc; do
    if [[ -n "$c" && -x "$c" ]]; then
      export CUDACXX="$c"
      return 0
    fi
  done
  return 1
}

# Decides SINEW_CUDA (ON when nvcc is found unless SINEW_CUDA=OFF; SINEW_CUDA=ON without nvcc is
# an error) and configures the release preset.
sinew_configure_release() {
  local want="${SINEW_CUDA:-auto}"
  case "$want" in
    ON | on | 1) want=ON ;;
    OFF | off | 0) want=OFF ;;
    auto) if sinew_find_nvcc; then want=ON; else want=OFF; fi ;;
    *) echo "SINEW_CUDA must be ON, OFF or auto (got '$want')" >&2; return 1 ;;
  esac
  if [[ "$want" == ON ]] && ! sinew_find_nvcc; then
    echo "SINEW_CUDA=ON but nvcc was not found (PATH, CUDACXX, /usr/local/cuda/bin)" >&2
    return 1
  fi
  # shellcheck disable=SC2034  # read by the scripts that source this file
  SINEW_CUDA_EFFECTIVE="$want"
  (cd "$SINEW_ROOT" && cmake --preset release -DSINEW_CUDA="$want")
}
