#!/bin/bash
# "Members of group ibackupmon can run ibackupmonctl without root." The service writes the
# database with UMask=0027 in a 0750 directory (files 0640); an admin who is only in the group
# reads it. SQLite's WAL mode needs the -shm file, which such a reader can neither write nor
# create, so this is tested for real: the writer (the Store, opened as ibackupmond does) runs as
# one uid, the readers (the Store read-only, as ibackupmonctl opens it, and ibackupmonctl itself
# when built) as another uid that only shares the group.
#   group_reader_test.sh STORE_ACCESS BIN_DIR running|stopped
# running: the writer holds the database open (the daemon is up: the normal case).
# stopped: the writer has closed it (the daemon is stopped).
# Needs root to switch uids (setpriv); exits 77 (skipped) otherwise.
set -euo pipefail
helper=$1 bin=$2 mode=$3
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to run processes as other uids"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) missing"; exit 77; }
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
mkfifo "$scratch/hold"

# The writer as the unit runs the daemon: its own uid and group, umask 0027.
(
  umask 0027
  exec setpriv --reuid=$service_uid --regid=$service_uid --clear-groups \
    "$helper" write "$db" <"$scratch/hold" >"$scratch/writer.out" 2>&1
) &
writer_pid=$!
exec 3>"$scratch/hold"   # keeps the writer's stdin open until we close it
for _ in $(seq 1 200); do
  grep -q ready "$scratch/writer.out" 2>/dev/null && break
  kill -0 "$writer_pid" 2>/dev/null || { cat "$scratch/writer.out"; fail "writer exited"; }
  sleep 0.05
done
grep -q ready "$scratch/writer.out" || { cat "$scratch/writer.out"; fail "writer not ready in 10 s"; }
perm=$(stat -c '%a' "$db")
[ "$perm" = 640 ] || fail "database is mode $perm, want 640 (UMask=0027)"

if [ "$mode" = stopped ]; then
  exec 3>&-
  wait "$writer_pid" || { cat "$scratch/writer.out"; fail "writer failed"; }
  writer_pid=
fi
echo "state directory ($mode writer):"
ls -ln "$state"

as_reader() { setpriv --reuid=$reader_uid --regid=$reader_uid --groups=$service_uid "$@"; }
as_stranger() { setpriv --reuid=$reader_uid --regid=$reader_uid --clear-groups "$@"; }

if as_stranger "$helper" read "$db" >/dev/null 2>&1; then
  fail "a user outside the service group read the database"
fi
as_reader "$helper" read "$db" ||
  fail "a member of the service group cannot read the database ($mode writer)"

if [ -x "$bin/ibackupmonctl" ]; then
  rc=0
  as_reader "$bin/ibackupmonctl" --db "$db" status --json >"$scratch/out.json" 2>"$scratch/err" || rc=$?
  cat "$scratch/err"
  if [ -s "$scratch/err" ] ||
    ! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$scratch/out.json"; then
    fail "ibackupmonctl status as a group member failed ($mode writer, exit $rc)"
  fi
  echo "ibackupmonctl status --json as a group member: exit $rc, valid JSON"
else
  echo "note: $bin/ibackupmonctl not built; checked the Store's read-only open only"
fi
echo "PASS: a member of the service group reads the WAL database ($mode writer)"
