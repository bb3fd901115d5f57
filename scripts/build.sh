#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds into ${BUILD_DIR:-build}; extra arguments go to cmake's configure step.
# BUILD_TARGETS="a b" builds only those targets (and what they link); unset builds everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j "$jobs" "${targets[@]}"
