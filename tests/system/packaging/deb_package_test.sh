#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb from the built tree with cpack and checks it as dpkg and an admin would see it:
# files, metadata, conffiles, maintainer scripts, the service user (systemd-sysusers --root), the
# shipped configuration (ibackupmond --check-config), and, as root, the whole dpkg life cycle in
# a scratch root: install, remove (configuration and history kept), purge (both gone). Not root,
# it checks all but the last and exits 77 (skipped); under CI=true (root) that is a failure.
set -euo pipefail
build=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Exits 77, "skipped" for ctest (SKIP_RETURN_CODE); under CI=true, which runs as root with every
# tool installed, a skip is a failure.
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $* (CI=true: this test may not be skipped)"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}

(cd "$build" && cpack -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1) ||
  { cat "$scratch/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(find "$scratch/out" -maxdepth 1 -name 'ibackupmon_*.deb' | head -1)
[ -n "$deb" ] || { cat "$scratch/cpack.log"; fail "cpack made no ibackupmon_*.deb"; }
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# --- metadata ---------------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends Suggests Section
[ "$(field Package)" = ibackupmon ] || fail "Package is '$(field Package)'"
depends=$(field Depends)
names=$(tr ',|' '\n' <<<"$depends" | sed 's/(.*//; s/ //g')
for pkg in libc6 libstdc++6 libsqlite3-0 libplist3 systemd; do
  grep -qx -- "$pkg" <<<"$names" || fail "Depends lacks $pkg: $depends"
done
[[ "$depends" == *-dev* ]] && fail "Depends names a -dev package: $depends"
[[ "$(field Recommends)" == *usbmuxd* ]] || fail "Recommends lacks usbmuxd"
[[ "$(field Recommends)" == *libimobiledevice-utils* ]] ||
  fail "Recommends lacks libimobiledevice-utils (idevicebackup2, [local_backup])"

# --- control files ------------------------------------------------------------------------------
dpkg-deb -e "$deb" "$scratch/control"
[ "$(cat "$scratch/control/conffiles")" = /etc/ibackupmon/ibackupmon.toml ] ||
  fail "conffiles is '$(cat "$scratch/control/conffiles")'"
for script in postinst prerm postrm; do
  [ -x "$scratch/control/$script" ] || fail "maintainer script $script missing or not executable"
  sh -n "$scratch/control/$script" || fail "$script is not valid sh"
done
grep -q systemd-sysusers "$scratch/control/postinst" || fail "postinst does not create the user"

# --- files ----------------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$scratch/files"
for f in /usr/sbin/ibackupmond /usr/bin/ibackupmonctl /usr/bin/ibackupmon-sim \
  /lib/systemd/system/ibackupmon.service /usr/lib/sysusers.d/ibackupmon.conf \
  /usr/lib/tmpfiles.d/ibackupmon.conf /etc/ibackupmon/ibackupmon.toml \
  /usr/share/man/man8/ibackupmond.8.gz /usr/share/man/man1/ibackupmonctl.1.gz \
  /usr/share/man/man1/ibackupmon-sim.1.gz /usr/share/man/man5/ibackupmon.toml.5.gz \
  /usr/share/doc/ibackupmon/README.md /usr/share/doc/ibackupmon/deploy/grafana/ibackupmon.json \
  /usr/share/doc/ibackupmon/deploy/prometheus/prometheus.yml \
  /usr/share/doc/ibackupmon/copyright /usr/share/doc/ibackupmon/changelog.gz; do
  grep -qx "$f" "$scratch/files" || fail "$f is not in the package"
done
if grep -E '^/usr/(include|local)|\.a$|/tests?/.*_test$|^/usr/lib/.*\.so' "$scratch/files"; then
  fail "the package carries build or test files (above)"
fi
dpkg-deb -c "$deb" | awk '$2 != "root/root" {print; bad=1} END {exit bad}' ||
  fail "files not owned by root/root"
echo "files: $(wc -l <"$scratch/files") entries, all expected ones present"

# --- every shared library a packaged binary needs comes from a package in Depends -----------
root="$scratch/root"
dpkg-deb -x "$deb" "$root"
for exe in "$root"/usr/sbin/* "$root"/usr/bin/*; do
  for soname in $(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64|x32|64bit/ && !found {print $NF; found = 1}')
    [ -n "$lib" ] || lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && !found {print $NF; found = 1}')
    [ -n "$lib" ] || fail "$(basename "$exe") needs $soname, which this host does not have"
    pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null) ||
      fail "no Debian package owns $lib (needed by $(basename "$exe"))"
    pkg=${pkg%%:*}
    # shlibs may name a virtual package the library package provides (libspdlog1.10-fmt9).
    provides=$(dpkg-query -W -f='${Provides}' "$pkg" | tr ',' '\n' | sed 's/(.*//; s/ //g')
    candidates=$(printf '%s\n' "$pkg" "$provides" | grep -v '^$')
    grep -qx -F -- "$candidates" <<<"$names" ||
      fail "$(basename "$exe") needs $soname from $pkg, which is not in Depends: $depends"
  done
done
echo "shared libraries: every NEEDED entry is provided by a package in Depends"

# --- Debian policy files: DEP-5 copyright, a changelog for this very version, lintian ----------
doc="$root/usr/share/doc/ibackupmon"
head -1 "$doc/copyright" |
  grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "copyright is not machine-readable (DEP-5): $(head -1 "$doc/copyright")"
grep -qx 'License: Apache-2.0' "$doc/copyright" ||
  fail "copyright does not state Apache-2.0 for the project's files"
gzip -dc "$doc/changelog.gz" >"$scratch/changelog"
logversion=$(dpkg-parsechangelog -l "$scratch/changelog" -S Version) ||
  fail "changelog.gz does not parse as a Debian changelog"
[ "$logversion" = "$(field Version)" ] ||
  fail "changelog's latest entry is $logversion, the package is $(field Version)"
echo "copyright: DEP-5, Apache-2.0; changelog.gz: latest entry $logversion"
if ! command -v lintian >/dev/null; then
  fail "lintian is not installed (scripts/packages.txt lists it: run scripts/deps.sh)"
fi
# Errors fail the test (lintian exits 1 on them); warnings are printed for the record.
lintian_rc=0
lintian --tag-display-limit 0 "$deb" >"$scratch/lintian.out" 2>&1 || lintian_rc=$?
grep -E '^[EW]:' "$scratch/lintian.out" || true
if [ "$lintian_rc" -ne 0 ] || grep -q '^E:' "$scratch/lintian.out"; then
  grep -q '^E:' "$scratch/lintian.out" || cat "$scratch/lintian.out"
  fail "lintian reports errors or failed to run (exit $lintian_rc, above)"
fi
echo "lintian: $(grep -c '^E:' "$scratch/lintian.out" || true) errors," \
  "$(grep -c '^W:' "$scratch/lintian.out" || true) warnings"

# --- the service user, from the packaged sysusers.d file ------------------------------------------
systemd-sysusers --root="$root" >/dev/null 2>&1 || fail "systemd-sysusers --root failed"
pw=$(grep '^ibackupmon:' "$root/etc/passwd") || fail "no ibackupmon in passwd"
gr=$(grep '^ibackupmon:' "$root/etc/group") || fail "no ibackupmon in group"
echo "passwd: $pw"; echo "group: $gr"
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
if [ "$uid" -le 0 ] || [ "$uid" -ge 1000 ]; then fail "uid $uid is not a system uid"; fi
[ "$gid" = "$(cut -d: -f3 <<<"$gr")" ] || fail "primary group is not ibackupmon"
[ "$home" = /var/lib/ibackupmon ] || fail "home is $home"
[[ "$shell" == */nologin ]] || fail "shell is $shell, not nologin"

# --- the shipped configuration is valid as shipped -------------------------------------------------
"$root/usr/sbin/ibackupmond" --check-config --config "$root/etc/ibackupmon/ibackupmon.toml" ||
  fail "ibackupmond --check-config rejects the shipped configuration"

# --- dpkg life cycle in a scratch root (needs root: dpkg --root chowns) -----------------------------
# Not root: what ran above passed, but the test as a whole did not run, so it says "skipped".
[ "$(id -u)" -eq 0 ] || skip "dpkg install/remove/purge need root (everything before them passed)"
life="$scratch/life"
mkdir -p "$life/var/lib/dpkg/info" "$life/var/lib/dpkg/updates" "$life/etc"
touch "$life/var/lib/dpkg/status" "$life/var/lib/dpkg/available"
dpkg_() {
  dpkg --root="$life" --force-script-chrootless --force-depends --log=/dev/null "$@" \
    >>"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg $*"; }
}
dpkg_ -i "$deb"
grep -q '^ibackupmon:' "$life/etc/passwd" || fail "postinst did not create the user"
state="$life/var/lib/ibackupmon"
[ "$(stat -c '%a %u' "$state")" = "750 $(grep '^ibackupmon:' "$life/etc/passwd" | cut -d: -f3)" ] ||
  fail "postinst made $state $(stat -c '%a %U' "$state"), want 750 ibackupmon"
echo 'history' >"$state/ibackupmon.db"
echo '# local edit' >>"$life/etc/ibackupmon/ibackupmon.toml"
dpkg_ -r ibackupmon
[ -f "$state/ibackupmon.db" ] || fail "remove deleted the history database"
grep -q '# local edit' "$life/etc/ibackupmon/ibackupmon.toml" || fail "remove lost the edited config"
[ ! -e "$life/usr/sbin/ibackupmond" ] || fail "remove left the daemon binary"
dpkg_ -P ibackupmon
[ ! -e "$state" ] || fail "purge left $state"
[ ! -e "$life/etc/ibackupmon/ibackupmon.toml" ] || fail "purge left the configuration"
echo "dpkg: install created user and 0750 state dir; remove kept config and history; purge removed both"
echo "PASS"
