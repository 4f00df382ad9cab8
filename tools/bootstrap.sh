#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs Sinew's build and test dependencies (Debian/Ubuntu packages), idempotently: packages
# already installed are left alone, `apt-get update` runs at most once and only when something is
# missing. Works as root, or through sudo when not root. The CUDA toolkit is optional and not
# installed here (the CUDA backend is built whenever nvcc is present).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make
  libeigen3-dev nlohmann-json3-dev libcxxopts-dev doctest-dev libbenchmark-dev
  libpugixml-dev libqhull-dev libtinyobjloader-dev
  clang-format gnuplot-nox
  libjs-three chromium-headless-shell
)

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "bootstrap: this script installs Debian packages (dpkg/apt-get not found);" \
       "install by hand: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "bootstrap: missing packages (${missing[*]}) and not root, no sudo; install them as root" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
