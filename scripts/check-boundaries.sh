#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the real include graph of lib/, daemon/ and tools/ against the layer rules, and that each
# third-party API stays inside its folder. Every failure names the rule it breaks:
#   check-boundaries: rule "probes must not include store or metrics": lib/probes/foo.cpp includes store/store.h
#
# Usage: scripts/check-boundaries.sh [ROOT]   (ROOT defaults to this checkout)
#
# Layers and the layers each may include (its own headers are always allowed). The arrows form a
# DAG; a layer's CMake target links every layer it includes (checked below, "links what it
# includes").
#
#   layer        folder       may include
#   core         lib/core     (nothing; third-party: tl::expected and date/date.h only)
#   cli          lib/cli      core                  (the programs' command lines, on CLI11)
#   config       lib/config   core
#   device       lib/device   core
#   probes       lib/probes   core device
#   backup       lib/backup   core device           (local backups: the idevicebackup2 child)
#   diagnosis    lib/diagnosis core config            (pure: no I/O, no logging)
#   store        lib/store    core
#   report       lib/report   core
#   alert        lib/alert    core config store report
#   metrics      lib/metrics  core alert report
#   app          lib/app      core cli config device probes backup diagnosis store report alert
#                             metrics
#   daemon       daemon/      every lib layer
#   ctl          tools/ctl    core cli config store report
#   sim          tools/sim    core cli
#
# Third-party headers and the folders that may include them:
#   tl::expected                          anywhere (core's Expected<T> vocabulary)
#   CLI11                                 lib/cli (the others use it through cli/command_line.h)
#   date (Howard Hinnant's)               lib/core, date/date.h only (RFC 3339 times; not the
#                                         time-zone database of date/tz.h)
#   libimobiledevice, usbmuxd, libplist   lib/device, tools/sim
#   sqlite3                               lib/store, tools/sim (the simulated device's Manifest.db)
#   prometheus-cpp                        lib/metrics
#   zlib                                  lib/metrics
#   libcurl                               lib/alert
#   OpenSSL                               lib/device, tools/sim
#   systemd                               lib/app
#   Boost.Asio                            lib/app, daemon, tools/sim
#   Boost.Beast                           lib/app
#   toml++                                lib/config, tools/sim (the simulator's own fleet files)
#   nlohmann/json                         lib/store, lib/alert, lib/report, lib/app, tools/ctl,
#                                         tools/sim; never <nlohmann/json.hpp> in a header that
#                                         another folder includes (headers use json_fwd.hpp)
set -euo pipefail
export LC_ALL=C
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
fail=0

lib_layers="core cli config device probes backup diagnosis store report alert metrics app"
declare -A allowed=(
  [core]=""
  [cli]="core"
  [config]="core"
  [device]="core"
  [probes]="core device"
  [backup]="core device"
  [diagnosis]="core config"
  [store]="core"
  [report]="core"
  [alert]="core config store report"
  [metrics]="core alert report"
  [app]="core cli config device probes backup diagnosis store report alert metrics"
  [daemon]="$lib_layers"
  [ctl]="core cli config store report"
  [sim]="core cli"
)
# Rules stated on their own; an arrow missing from the table without one here is reported as
# "<layer> may include only ...".
declare -A named=(
  [diagnosis:device]="diagnosis must not include device, store or probes"
  [diagnosis:store]="diagnosis must not include device, store or probes"
  [diagnosis:probes]="diagnosis must not include device, store or probes"
  [probes:store]="probes must not include store or metrics"
  [probes:metrics]="probes must not include store or metrics"
  [device:store]="device must not include store"
  [store:device]="store must not include device"
  [metrics:store]="metrics must not include store"
  [sim:app]="the simulator (tools/sim) must not include lib/app"
  [ctl:device]="the CLI (tools/ctl) must not include device"
)
# The folder and CMakeLists.txt of each layer.
declare -A folder=([daemon]=daemon [ctl]=tools/ctl [sim]=tools/sim)
for l in $lib_layers; do folder[$l]=lib/$l; done

violation() {  # violation RULE FILE WHAT
  echo "check-boundaries: rule \"$1\": $2 $3" >&2
  fail=1
}

layer_of() {  # layer_of PATH: sets layer to its layer name, empty outside the checked folders
  case $1 in
    lib/*/*) layer=${1#lib/} layer=${layer%%/*} ;;
    daemon/*) layer=daemon ;;
    tools/ctl/*) layer=ctl ;;
    tools/sim/*) layer=sim ;;
    *) layer="" ;;
  esac
}

# Every include line once, as "FILE<TAB>\"path\"" or "FILE<TAB><path>".
mapfile -t includes < <(grep -rHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' \
  --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.in' lib daemon tools 2>/dev/null |
  sed -E 's@^([^:]+):[[:space:]]*#[[:space:]]*include[[:space:]]*(["<][^">]*[">]).*@\1\t\2@' | sort)

# --- Layer arrows: every #include "x/..." (or <x/...>) whose first folder is a lib layer.
declare -A used=()  # "from:to" -> first file showing the arrow
for line in "${includes[@]}"; do
  f=${line%%$'\t'*}
  inc=${line#*$'\t'}
  inc=${inc:1:-1}
  [[ $inc == */* ]] || continue
  layer_of "$f"
  from=$layer
  [ -n "$from" ] || continue
  to=${inc%%/*}
  [ "$to" = "$from" ] && continue
  case " $lib_layers " in *" $to "*) ;; *) continue ;; esac
  if [[ " ${allowed[$from]} " == *" $to "* ]]; then
    [ -n "${used[$from:$to]:-}" ] || used[$from:$to]="$f"
    continue
  fi
  rule=${named[$from:$to]:-}
  if [ -z "$rule" ]; then
    if [ -z "${allowed[$from]}" ]; then
      rule="$from must not include another layer"
    else
      rule="$from may include only ${allowed[$from]// /, }"
    fi
  fi
  violation "$rule" "$f" "includes $inc"
done

# --- A layer's target links the layers it includes (its CMakeLists.txt names ibackupmon_<layer>).
for arrow in "${!used[@]}"; do
  from=${arrow%%:*}
  to=${arrow#*:}
  cml=${folder[$from]}/CMakeLists.txt
  [ -f "$cml" ] || continue
  if ! sed 's/#.*//' "$cml" | grep -qw "ibackupmon_$to"; then
    violation "a layer's target links every layer it includes" "${used[$arrow]}" \
      "includes $to/ but $cml does not link ibackupmon_$to"
  fi
done

# --- Third-party headers: each inside the folders that own it.
std_header='^[a-z_0-9]+$'  # C++ standard library headers: <vector>, <cstdio>, ...
# Angle includes as "FILE<TAB>path".
mapfile -t angle < <(printf '%s\n' "${includes[@]}" | sed -nE 's@^([^\t]+)\t<(.*)>$@\1\t\2@p')
third_party() {  # third_party RULE INCLUDE_REGEX ALLOWED_PATH_REGEX
  local line f inc
  for line in "${angle[@]}"; do
    f=${line%%$'\t'*}
    inc=${line#*$'\t'}
    [[ $inc =~ $2 ]] || continue
    [[ $f =~ $3 ]] && continue
    violation "$1" "$f" "includes <$inc>"
  done
}
third_party "libimobiledevice, usbmuxd and libplist stay in lib/device (and tools/sim)" \
  '^((libimobiledevice|plist|usbmuxd)/|usbmuxd(-proto)?\.h$)' '^(lib/device|tools/sim)/'
third_party "CLI11 stays in lib/cli" '^CLI/' '^lib/cli/'
third_party "sqlite3 stays in lib/store (and tools/sim)" '^sqlite3(ext)?\.h$' '^(lib/store|tools/sim)/'
third_party "prometheus-cpp stays in lib/metrics" '^prometheus/' '^lib/metrics/'
third_party "zlib stays in lib/metrics" '^zlib\.h$' '^lib/metrics/'
third_party "libcurl stays in lib/alert" '^curl/' '^lib/alert/'
third_party "OpenSSL stays in lib/device (and tools/sim)" '^openssl/' '^(lib/device|tools/sim)/'
third_party "systemd stays in lib/app" '^systemd/' '^lib/app/'
third_party "Boost.Asio stays in lib/app, daemon and tools/sim" '^boost/asio' \
  '^(lib/app|daemon|tools/sim)/'
third_party "Boost.Beast stays in lib/app" '^boost/beast' '^lib/app/'
third_party "toml++ stays in lib/config (and tools/sim)" '^toml\+\+/' '^(lib/config|tools/sim)/'
third_party "date stays in lib/core (RFC 3339 times)" '^date/' '^lib/core/'
third_party "nlohmann/json stays in lib/store, lib/alert, lib/report, lib/app, tools/ctl, tools/sim" \
  '^nlohmann/' '^(lib/(store|alert|report|app)|tools/(ctl|sim))/'

# nlohmann/json.hpp is heavy and would leak JSON into every includer: a header that another
# folder includes declares nlohmann::json through <nlohmann/json_fwd.hpp> instead.
for line in "${angle[@]}"; do
  f=${line%%$'\t'*}
  [ "${line#*$'\t'}" = nlohmann/json.hpp ] || continue
  case $f in *.h | *.hpp) ;; *) continue ;; esac
  dir=${f%/*}
  # lib headers are included as "<layer>/<name>.h", the tools' own headers by their name.
  case $f in lib/*) name=${f#lib/} ;; *) name=${f##*/} ;; esac
  includers=$(grep -rlE "#[[:space:]]*include[[:space:]]*[\"<]$name[\">]" \
    lib daemon tools tests bench 2>/dev/null | grep -v "^$dir/[^/]*$" || true)
  if [ -n "$includers" ]; then
    violation "headers included from another folder use <nlohmann/json_fwd.hpp>, not json.hpp" \
      "$f" "includes <nlohmann/json.hpp> and is included by $(echo "$includers" | head -n1)"
  fi
done

# --- core: the standard library, the POSIX headers of its socket client, tl::expected and
# date/date.h (not date/tz.h: the time-zone database is not used).
posix_header='^(sys/(socket|time|types|un)|unistd)\.h$'
for line in "${angle[@]}"; do
  f=${line%%$'\t'*}
  inc=${line#*$'\t'}
  [[ $f == lib/core/* ]] || continue
  [[ $inc =~ $std_header || $inc =~ $posix_header || $inc == tl/expected.hpp ||
    $inc == date/date.h ]] && continue
  violation "core uses no third-party library other than tl::expected and date/date.h" "$f" \
    "includes <$inc>"
done

# --- diagnosis: pure functions of their inputs. No file, console or socket I/O and no logging
# (a log line is I/O): standard headers other than the stream/file ones, and tl::expected.
io_rule="diagnosis does no I/O (no files, sockets, console or logging)"
for line in "${angle[@]}"; do
  f=${line%%$'\t'*}
  inc=${line#*$'\t'}
  [[ $f == lib/diagnosis/* ]] || continue
  if [[ $inc =~ ^(fstream|iostream|cstdio|filesystem|syncstream)$ ]] ||
    { ! [[ $inc =~ $std_header ]] && [ "$inc" != tl/expected.hpp ]; }; then
    violation "$io_rule" "$f" "includes <$inc>"
  fi
done
if [ -d lib/diagnosis ]; then
  while IFS= read -r hit; do
    violation "$io_rule" "${hit%%:*}" "calls ${hit#*:}"
  done < <(grep -roE 'std::(cout|cerr|clog)|\b(f?printf|fopen|freopen|puts|fputs|fwrite|fread|popen|socket|connect|syslog)[[:space:]]*\(|std::filesystem::|spdlog::' \
    lib/diagnosis | sort -u)
fi

[ $fail -eq 0 ] && echo "check-boundaries: ok"
exit $fail
