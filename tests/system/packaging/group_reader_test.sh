#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# "Members of group ibackupmon can run ibackupmonctl without root." The service writes the
# database with UMask=0027 in a 0750 directory (files 0640); an admin who is only in the group
# reads it. SQLite's WAL mode needs the -wal and -shm files, which such a reader can neither
# write nor create, so this is tested for real: the writer (the Store, opened as ibackupmond
# does) runs as one uid, the readers (the Store read-only, as ibackupmonctl opens it, and
# ibackupmonctl itself when built) as another uid that only shares the group.
#   group_reader_test.sh STORE_ACCESS BIN_DIR MODE
# MODE is the state the daemon left the database in:
#   running  the writer holds the database open (the daemon is up: the normal case)
#   stopped  the writer closed it (daemon stopped): -wal and -shm stay for readers, and the
#            writer starts again and writes after the group member has read
#   crashed  the writer was SIGKILLed: its last commits are only in the -wal, and the reader
#            must see them (reading the main file alone would not)
#   legacy   stopped, and -wal/-shm are gone (a database closed by a version that deleted them,
#            or an admin who did): the reader still works
# Needs root to switch uids (setpriv); exits 77 (skipped) otherwise, 1 under CI=true.
set -euo pipefail
helper=$1 bin=$2 mode=$3
. "$(dirname "$0")/root_tests.sh"  # skip(), and the root and setpriv checks
fail() { echo "FAIL: $*"; exit 1; }

# Unused ids, not entries in /etc/passwd: nothing on the host changes.
service_uid=61571 reader_uid=61572
scratch=$(mktemp -d)
chmod 0755 "$scratch"
writer_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$writer_pid" ]; then kill "$writer_pid" 2>/dev/null || true; wait "$writer_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

state="$scratch/state"
db="$state/ibackupmon.db"
mkdir -m 0750 "$state"
chown "$service_uid:$service_uid" "$state"

# The writer as the unit runs the daemon: its own uid and group, umask 0027. It holds the
# database open until fd 3 (its stdin, a FIFO) is closed.
start_writer() {
  rm -f "$scratch/hold" "$scratch/writer.out"
  mkfifo "$scratch/hold"
  (
    umask 0027
    exec setpriv --reuid=$service_uid --regid=$service_uid --clear-groups \
      "$helper" write "$db" <"$scratch/hold" >"$scratch/writer.out" 2>&1
  ) &
  writer_pid=$!
  exec 3>"$scratch/hold"
  # A deadline, not a pace: the writer migrates and commits first, slow under a busy CI host.
  local deadline=$((SECONDS + 60))
  until grep -q ready "$scratch/writer.out" 2>/dev/null; do
    kill -0 "$writer_pid" 2>/dev/null || { cat "$scratch/writer.out"; fail "writer exited"; }
    [ $SECONDS -lt $deadline ] || { cat "$scratch/writer.out"; fail "writer not ready in 60 s"; }
    sleep 0.05
  done
}
stop_writer() {
  exec 3>&-
  wait "$writer_pid" || { cat "$scratch/writer.out"; fail "writer failed"; }
  writer_pid=
}
kill_writer() {
  kill -KILL "$writer_pid"
  wait "$writer_pid" 2>/dev/null || true
  writer_pid=
  exec 3>&-
}

as_reader() { setpriv --reuid=$reader_uid --regid=$reader_uid --groups=$service_uid "$@"; }
as_stranger() { setpriv --reuid=$reader_uid --regid=$reader_uid --clear-groups "$@"; }

read_as_member() {
  if as_stranger "$helper" read "$db" >/dev/null 2>&1; then
    fail "a user outside the service group read the database"
  fi
  as_reader "$helper" read "$db" ||
    fail "a member of the service group cannot read the database ($mode writer)"
  if [ -x "$bin/ibackupmonctl" ]; then
    # Someone outside the group is told why, not that the database is missing.
    as_stranger "$bin/ibackupmonctl" --db "$db" status >/dev/null 2>"$scratch/err" || true
    grep -q 'Permission denied' "$scratch/err" ||
      fail "a non-member's ibackupmonctl does not say 'Permission denied': $(cat "$scratch/err")"
    local rc=0
    as_reader "$bin/ibackupmonctl" --db "$db" status --json >"$scratch/out.json" 2>"$scratch/err" || rc=$?
    cat "$scratch/err"
    if [ -s "$scratch/err" ] ||
      ! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$scratch/out.json"; then
      fail "ibackupmonctl status as a group member failed ($mode writer, exit $rc)"
    fi
    grep -q 00008110-0000000000000PKG "$scratch/out.json" ||
      fail "ibackupmonctl status as a group member does not list the recorded device"
    echo "ibackupmonctl status --json as a group member: exit $rc, valid JSON with the device"
  else
    echo "note: $bin/ibackupmonctl not built; checked the Store's read-only open only"
  fi
  # A reader must leave no file of its own behind: the daemon could not use it.
  local foreign
  foreign=$(find "$state" -mindepth 1 ! -uid $service_uid)
  [ -z "$foreign" ] || { ls -ln "$state"; fail "the reader left files the service does not own: $foreign"; }
}

start_writer
perm=$(stat -c '%a' "$db")
[ "$perm" = 640 ] || fail "database is mode $perm, want 640 (UMask=0027)"

case "$mode" in
running) ;;
stopped)
  stop_writer
  for f in "$db-wal" "$db-shm"; do
    [ -e "$f" ] || fail "$(basename "$f") was deleted on close; group members need it"
    [ "$(stat -c '%a %u %g' "$f")" = "640 $service_uid $service_uid" ] ||
      fail "$(basename "$f") is $(stat -c '%a %u:%g' "$f"), want 640 owned by the service"
  done
  [ "$(stat -c %s "$db-wal")" = 0 ] || fail "the -wal kept $(stat -c %s "$db-wal") bytes after close"
  ;;
crashed)
  kill_writer
  [ "$(stat -c %s "$db-wal")" -gt 0 ] || fail "the killed writer left no WAL content to read"
  ;;
legacy)
  stop_writer
  rm -f "$db-wal" "$db-shm"
  ;;
*) fail "unknown mode '$mode'" ;;
esac
echo "state directory ($mode writer):"
ls -ln "$state"
read_as_member

if [ "$mode" != running ]; then
  # The daemon starts again after a group member has read: it opens and writes as before, and
  # its quick_check at open finds nothing wrong.
  start_writer
  stop_writer
  read_as_member
  echo "writer restarted and wrote after the group member's read"
fi
echo "PASS: a member of the service group reads the WAL database ($mode writer)"
