#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds into ${BUILD_DIR:-build}; extra arguments go to cmake's configure step.
# BUILD_TARGETS="a b" builds only those targets (and what they link); unset builds everything.
# A new build directory uses Ninja when it is installed (CMAKE_GENERATOR chooses otherwise); an
# existing one keeps the generator it was made with.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
generator=()
if [ ! -f "$build/CMakeCache.txt" ] && [ -z "${CMAKE_GENERATOR:-}" ] && command -v ninja >/dev/null
then
  # Ninja compiles a target's sources while the libraries it links are still being built; the
  # Makefile generator waits for each library first and leaves a core idle on the way.
  generator=(-G Ninja)
fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j "$jobs" "${targets[@]}"
