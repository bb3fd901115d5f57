#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file the repository tracks names its licence in an SPDX line within its first
# three lines (after a shebang). Fixtures and fuzz corpora are data, not source. With --fix,
# the line is inserted where it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
tag='SPDX-License-Identifier: Apache-2.0'
fix=0
[ "${1:-}" = --fix ] && fix=1

# The comment that carries the line, by the file's kind; empty for files that are not source.
comment_for() {
  case "$1" in
    tests/fixtures/* | tests/fuzz/corpus/*) ;;
    *.cpp | *.h | *.c | *.cpp.in) echo '//' ;;
    *.py | *.sh | *.cmake | */CMakeLists.txt | CMakeLists.txt | .ci/run | packaging/debian/post* | \
      packaging/debian/pre*) echo '#' ;;
    *.sql) echo '--' ;;
  esac
}

missing=()
while IFS= read -r f; do
  c=$(comment_for "$f")
  [ -n "$c" ] || continue
  head -n 3 "$f" | grep -qF "$tag" && continue
  if [ "$fix" = 1 ]; then
    if head -n 1 "$f" | grep -q '^#!'; then
      sed -i "1a $c $tag" "$f"
    else
      sed -i "1i $c $tag" "$f"
    fi
  else
    missing+=("$f")
  fi
done < <(git ls-files --cached --others --exclude-standard)

if [ ${#missing[@]} -gt 0 ]; then
  echo "licence: these source files lack the line '$tag' in their first three lines" >&2
  echo "(scripts/check-licence.sh --fix adds it):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "licence: every source file names Apache-2.0"
