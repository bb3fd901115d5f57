#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Each third-party API lives in exactly one folder. tools/sim is its own program.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fail=0
check() {  # check REGEX ALLOWED_DIR_REGEX DESCRIPTION
  local hits
  hits=$(grep -rlE "$1" lib daemon tools 2>/dev/null | grep -vE "$2" || true)
  if [ -n "$hits" ]; then
    echo "check-boundaries: $3 used outside its folder:" >&2
    echo "$hits" >&2
    fail=1
  fi
}
check '#include <(libimobiledevice|usbmuxd|plist)/' '^(lib/device/|tools/sim/)' 'libimobiledevice/usbmuxd/plist'
check '#include <sqlite3\.h>' '^lib/store/' 'sqlite3'
check '#include <prometheus/' '^lib/metrics/' 'prometheus-cpp'
check '#include <curl/' '^lib/alert/' 'libcurl'
check '#include <boost/asio' '^(lib/app/|daemon/|tools/sim/)' 'Boost.Asio'
check '#include <boost/beast' '^lib/app/' 'Boost.Beast'
[ $fail -eq 0 ] && echo "check-boundaries: ok"
exit $fail
