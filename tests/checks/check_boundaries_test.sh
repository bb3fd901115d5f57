#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/check-boundaries.sh passes on the tree and fails, naming the rule, on a copy of it with
# one deliberately wrong include (or link) per case.
# Usage: check_boundaries_test.sh SOURCE_DIR
set -euo pipefail
export LC_ALL=C
src=$(cd "${1:?usage: $0 SOURCE_DIR}" && pwd)
checker=$src/scripts/check-boundaries.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

if ! out=$("$checker" "$src" 2>&1); then
  echo "FAIL: the tree itself breaks a rule:" >&2
  echo "$out" >&2
  exit 1
fi
echo "ok: the tree passes"

tree=$work/tree
mkdir -p "$tree"
cp -r "$src/lib" "$src/daemon" "$src/tools" "$tree/"

# bad_file NAME PATH TEXT EXPECTED_LINE: PATH (inside the copy) holds TEXT, and the checker's
# output must hold EXPECTED_LINE. All cases share one run of the checker.
names=()
expected=()
bad_file() {
  printf '// SPDX-License-Identifier: Apache-2.0\n%s\n' "$3" >>"$tree/$2"
  names+=("$1")
  expected+=("$4")
}

p='check-boundaries: rule'
bad_file "a probe including the store" lib/probes/bad_probe.cpp '#include "store/store.h"' \
  "$p \"probes must not include store or metrics\": lib/probes/bad_probe.cpp includes store/store.h"
bad_file "a probe including metrics" lib/probes/bad_probe.h '#include "metrics/families.h"' \
  "$p \"probes must not include store or metrics\": lib/probes/bad_probe.h includes metrics/families.h"
bad_file "diagnosis including device" lib/diagnosis/bad.cpp '#include "device/device_session.h"' \
  "$p \"diagnosis must not include device, store or probes\": lib/diagnosis/bad.cpp includes device/device_session.h"
bad_file "diagnosis including probes" lib/diagnosis/bad.cpp '#include "probes/probe.h"' \
  "$p \"diagnosis must not include device, store or probes\": lib/diagnosis/bad.cpp includes probes/probe.h"
bad_file "diagnosis reading a file" lib/diagnosis/bad.cpp '#include <fstream>' \
  "$p \"diagnosis does no I/O (no files, sockets, console or logging)\": lib/diagnosis/bad.cpp includes <fstream>"
bad_file "diagnosis logging" lib/diagnosis/bad.cpp '#include <spdlog/spdlog.h>' \
  "$p \"diagnosis does no I/O (no files, sockets, console or logging)\": lib/diagnosis/bad.cpp includes <spdlog/spdlog.h>"
bad_file "diagnosis writing to the console" lib/diagnosis/bad.cpp 'void f() { std::cerr << 1; }' \
  "$p \"diagnosis does no I/O (no files, sockets, console or logging)\": lib/diagnosis/bad.cpp calls std::cerr"
bad_file "device including the store" lib/device/bad.cpp '#include "store/store.h"' \
  "$p \"device must not include store\": lib/device/bad.cpp includes store/store.h"
bad_file "the store including device" lib/store/bad.cpp '#include "device/device_session.h"' \
  "$p \"store must not include device\": lib/store/bad.cpp includes device/device_session.h"
bad_file "metrics including the store" lib/metrics/bad.cpp '#include "store/store.h"' \
  "$p \"metrics must not include store\": lib/metrics/bad.cpp includes store/store.h"
bad_file "the simulator including lib/app" tools/sim/bad.cpp '#include "app/monitor.h"' \
  "$p \"the simulator (tools/sim) must not include lib/app\": tools/sim/bad.cpp includes app/monitor.h"
bad_file "the CLI including device" tools/ctl/bad.cpp '#include "device/device_session.h"' \
  "$p \"the CLI (tools/ctl) must not include device\": tools/ctl/bad.cpp includes device/device_session.h"
bad_file "core including a higher layer" lib/core/bad.h '#include "alert/feed_observer.h"' \
  "$p \"core must not include another layer\": lib/core/bad.h includes alert/feed_observer.h"
bad_file "core using a third-party library" lib/core/bad.h '#include <spdlog/spdlog.h>' \
  "$p \"core uses no third-party library other than tl::expected and date/date.h\": lib/core/bad.h includes <spdlog/spdlog.h>"
bad_file "core using date's time-zone database" lib/core/bad.cpp '#include <date/tz.h>' \
  "$p \"core uses no third-party library other than tl::expected and date/date.h\": lib/core/bad.cpp includes <date/tz.h>"
bad_file "date outside lib/core" lib/report/bad.cpp '#include <date/date.h>' \
  "$p \"date stays in lib/core (RFC 3339 times)\": lib/report/bad.cpp includes <date/date.h>"
bad_file "an arrow missing from the table" lib/report/bad.cpp '#include "app/monitor.h"' \
  "$p \"report may include only core\": lib/report/bad.cpp includes app/monitor.h"
bad_file "usbmuxd.h outside lib/device" lib/probes/bad.cpp '#include <usbmuxd.h>' \
  "$p \"libimobiledevice, usbmuxd and libplist stay in lib/device (and tools/sim)\": lib/probes/bad.cpp includes <usbmuxd.h>"
bad_file "sqlite3 outside lib/store" lib/app/bad.cpp '#include <sqlite3.h>' \
  "$p \"sqlite3 stays in lib/store (and tools/sim)\": lib/app/bad.cpp includes <sqlite3.h>"
bad_file "CLI11 outside lib/cli" tools/ctl/bad_cli.cpp '#include <CLI/CLI.hpp>' \
  "$p \"CLI11 stays in lib/cli\": tools/ctl/bad_cli.cpp includes <CLI/CLI.hpp>"
bad_file "toml++ outside lib/config" lib/app/bad.cpp '#include <toml++/toml.h>' \
  "$p \"toml++ stays in lib/config (and tools/sim)\": lib/app/bad.cpp includes <toml++/toml.h>"
bad_file "nlohmann/json in diagnosis" lib/diagnosis/bad.cpp '#include <nlohmann/json.hpp>' \
  "$p \"nlohmann/json stays in lib/store, lib/alert, lib/report, lib/app, tools/ctl, tools/sim\": lib/diagnosis/bad.cpp includes <nlohmann/json.hpp>"

# A header another folder includes must not pull in all of nlohmann/json.
printf '// SPDX-License-Identifier: Apache-2.0\n#include "report/bad_json.h"\n' >"$tree/tools/ctl/uses_bad_json.cpp"
bad_file "json.hpp in a shared header" lib/report/bad_json.h '#include <nlohmann/json.hpp>' \
  "$p \"headers included from another folder use <nlohmann/json_fwd.hpp>, not json.hpp\": lib/report/bad_json.h includes <nlohmann/json.hpp> and is included by tools/ctl/uses_bad_json.cpp"

# Including a layer is allowed only when the target also links it.
sed -i 's/ibackupmon_config//' "$tree/lib/diagnosis/CMakeLists.txt"
first_config_include=$(grep -rlE '#include "config/' "$tree/lib/diagnosis" | sort | head -n1)
names+=("a layer included but not linked")
expected+=("$p \"a layer's target links every layer it includes\": ${first_config_include#"$tree"/} includes config/ but lib/diagnosis/CMakeLists.txt does not link ibackupmon_config")

rc=0
out=$("$checker" "$tree" 2>&1) || rc=$?
if [ "$rc" -eq 0 ]; then
  echo "FAIL: the checker passed a tree with wrong includes:" >&2
  echo "$out" >&2
  exit 1
fi
for i in "${!names[@]}"; do
  if grep -qxF -- "${expected[$i]}" <<<"$out"; then
    echo "ok: ${names[$i]}"
  else
    echo "FAIL: ${names[$i]}: expected the line" >&2
    echo "  ${expected[$i]}" >&2
    failures=$((failures + 1))
  fi
done
if [ "$failures" -ne 0 ]; then
  echo "the checker printed:" >&2
  echo "$out" | sed 's/^/  /' >&2
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures case(s) failed" >&2
  exit 1
fi
echo "all cases passed"
