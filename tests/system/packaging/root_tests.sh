# SPDX-License-Identifier: Apache-2.0
# Sourced by the packaging tests that switch uids. skip exits 77, "skipped" for ctest
# (SKIP_RETURN_CODE); under CI=true, which runs as root with every tool installed, a skip is a
# failure.
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $* (CI=true: this test may not be skipped)"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to run processes as other uids"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
