#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctest's stand-in for a test whose tool was not found when cmake configured the build
# (cmake/IbackupmonToolTests.cmake): exit 77, "skipped", and say why; under CI=true, exit 1.
test_name=$1
missing=$2
if [ "${CI:-}" = true ]; then
  echo "FAIL: $test_name needs $missing, not found when the build was configured;" \
    "CI=true makes a missing tool a failure (scripts/deps.sh installs it; then re-run cmake)"
  exit 1
fi
echo "SKIP: $test_name needs $missing, not found when the build was configured" \
  "(install it, e.g. with scripts/deps.sh, and re-run cmake)"
exit 77
