#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails when a tracked C++ file is not formatted per .clang-format.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fmt=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files '*.h' '*.cpp' '*.hpp' 2>/dev/null || find lib daemon tools tests bench -name '*.h' -o -name '*.cpp')
[ ${#files[@]} -eq 0 ] && exit 0
if ! "$fmt" --dry-run -Werror "${files[@]}"; then
  echo "check-format: run '$fmt -i' on the files above" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files ok"
