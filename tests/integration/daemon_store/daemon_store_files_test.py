# SPDX-License-Identifier: Apache-2.0
"""The running daemon's database files, end to end (real ibackupmond, real ibackupmon-sim):

    daemon_store_files_test.py outside_sqlite   an outside `sqlite3 DB 'SELECT ...'` (read-write
        open, then close) while the daemon runs leaves -wal and -shm in place; every write after
        it is visible to readers and survives a SIGKILL of the daemon
    daemon_store_files_test.py modes            started by hand under umask 022, the database,
        -wal, -shm are 0640 and the runtime directory (control socket) 0750
    daemon_store_files_test.py locked_sessions  a device unplugged and plugged back twice while
        another process holds the database's write lock for longer than the busy timeout: once
        the lock is gone every transition is in the database, at the time it happened
    daemon_store_files_test.py locked_cycles    a backup completed while another process holds the
        write lock: nothing is written meanwhile, and once the lock is gone the
        next cycle records the backup, exactly once (cycle writes are not queued: the device
        still reports the fact, the next cycle carries it)
    daemon_store_files_test.py locked_minute    the write lock held for 60 s by another process:
        throughout, `ibackupmonctl acks` (the control socket, on the daemon's io thread) and
        `status` answer within 2 s and probe cycles keep completing (counted from /metrics);
        afterwards nothing is lost: a backup the device reported during the lock, just before it
        was unplugged (so no later cycle carries it), is recorded exactly once, and every attach
        and detach made during the lock is there with its time
    daemon_store_files_test.py disk_full        the database on a tmpfs that fills up: each
        distinct error is logged once a minute, not on every probe (exits 77, "skipped", where a
        tmpfs cannot be mounted, 1 under CI=true; recovery with little space freed: store_fs_test)

Environment: DAEMON, SIM, CTL (built binaries), SQLITE3 (the sqlite3 command-line shell; the
test exits 77, "skipped", without it)."""
import os
import signal
import sqlite3 as sqlite
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_metrics"))
from monitoring_kit import (Processes, http_get, mount_tmpfs, parse_exposition,  # noqa: E402
                            skip, wait_for)
from daemon_kit import sim_ctl, start_daemon_with_sim  # noqa: E402

UDIDS = [f"00008030-000D5107E000{i:04d}" for i in range(1, 3)]
APPLE_EPOCH = 978307200  # 2001-01-01 in Unix seconds: backup dates count from there
# The daemon stamps an attach or detach when its usbmuxd thread reads the event, a moment after
# the simulator's ctl returned: slack for a loaded machine, far below the lock held in the
# tests (12 s, 60 s), whose release time is what a wrong stamp would show.
EVENT_SLACK_S = 3


def fleet_text():
    return "".join(f"""
[[device]]
udid = "{u}"
name = "iPhone-Store-{i}"
[device.values."com.apple.mobile.backup"]
CloudBackupEnabled = true
LastCloudBackupDate = "ago:2h"
""" for i, u in enumerate(UDIDS, 1))


def sqlite3(db, sql, readonly=True):
    argv = [os.environ["SQLITE3"]] + (["-readonly"] if readonly else []) + [db, sql]
    r = subprocess.run(argv, capture_output=True, timeout=60)
    assert r.returncode == 0, f"{argv} failed ({r.returncode}): {r.stderr!r}"
    return r.stdout.decode().strip()


def deleted_files(pid):
    """Files the process still has open although they were unlinked."""
    out = []
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.endswith(" (deleted)"):
            out.append(target)
    return out


def backup_events(db, udid):
    return int(sqlite3(db, "SELECT count(*) FROM backup_events b JOIN devices d "
                           f"ON d.id = b.device_id WHERE d.udid = '{udid}'"))


def open_sessions(db, udid):
    return int(sqlite3(db, "SELECT count(*) FROM attach_sessions s JOIN devices d "
                           f"ON d.id = s.device_id WHERE d.udid = '{udid}' AND detached IS NULL"))


def start(procs, **kwargs):
    fleet = os.path.join(procs.dir, "fleet.toml")
    with open(fleet, "w") as f:
        f.write(fleet_text())
    daemon = start_daemon_with_sim(procs, fleet, **kwargs)
    daemon.wait_all_probed(len(UDIDS))
    return daemon


def outside_sqlite():
    with Processes() as procs:
        daemon = start(procs)
        db = daemon.db
        # What an admin or a backup script does: a plain read-write open, one query, close.
        sqlite3(db, "SELECT count(*) FROM alert_outbox", readonly=False)
        for suffix in ("-wal", "-shm"):
            assert os.path.exists(db + suffix), f"{db}{suffix} was deleted under the daemon"
        gone = deleted_files(daemon.pid)
        assert not gone, f"the daemon writes into unlinked files: {gone}"

        # Writes after it reach readers: a new backup date and a detach.
        u, other = UDIDS[0], UDIDS[1]
        before = backup_events(db, u)
        new_date = int(time.time()) - 60 - APPLE_EPOCH  # newer than "ago:2h", not in the future
        sim_ctl(procs, "set", u, "com.apple.mobile.backup", "LastCloudBackupDate",
                f"int:{new_date}")
        sim_ctl(procs, "detach", other)
        wait_for("the new backup event visible to a reader",
                 lambda: (procs.check_alive(), backup_events(db, u) > before)[1], timeout=60)
        wait_for("the detach visible to a reader",
                 lambda: (procs.check_alive(), open_sessions(db, other) == 0)[1], timeout=60)
        events = backup_events(db, u)

        # ...and survive a crash.
        os.kill(daemon.pid, signal.SIGKILL)
        procs.strict.discard("daemon")
        wait_for("the daemon gone", lambda: not os.path.exists(f"/proc/{daemon.pid}/fd")
                 or [p for n, p, _ in procs.procs if n == "daemon"][0].poll() is not None,
                 timeout=30)
        assert backup_events(db, u) == events, "a backup event was lost by the SIGKILL"
        assert open_sessions(db, other) == 0, "a detach was lost by the SIGKILL"
        assert sqlite3(db, "PRAGMA integrity_check") == "ok"
        print(f"ok: -wal/-shm kept; {events} backup events and the detach survived SIGKILL")


def modes():
    os.umask(0o022)  # what an admin's shell has: group and others may read new files
    with Processes() as procs:
        run_dir = os.path.join(procs.dir, "run", "ibackupmon")
        daemon = start(procs, control_socket=os.path.join(run_dir, "control.sock"))
        db = daemon.db
        wait_for("-wal and -shm", lambda: os.path.exists(db + "-wal")
                 and os.path.exists(db + "-shm"), timeout=30)
        found = {p: stat.S_IMODE(os.stat(p).st_mode)
                 for p in (db, db + "-wal", db + "-shm", run_dir, os.path.dirname(run_dir))}
        want = {db: 0o640, db + "-wal": 0o640, db + "-shm": 0o640, run_dir: 0o750,
                os.path.dirname(run_dir): 0o750}
        wrong = {p: f"{oct(m)} (want {oct(want[p])})" for p, m in found.items() if m != want[p]}
        assert not wrong, f"modes under umask 022: {wrong}"
        print("ok: database files 0640, runtime directory 0750 under umask 022")


def sessions(db, udid):
    rows = sqlite3(db, "SELECT s.attached, coalesce(s.detached, -1) FROM attach_sessions s JOIN "
                       f"devices d ON d.id = s.device_id WHERE d.udid = '{udid}' "
                       "ORDER BY s.attached, s.detached IS NULL")
    return [tuple(int(v) for v in line.split("|")) for line in rows.splitlines()]


def locked_sessions():
    # Holding the lock this long is the scenario itself (a backup script, an admin's write),
    # not a wait for a condition: longer than two of the daemon's 5 s busy timeouts.
    hold = 12
    with Processes() as procs:
        daemon = start(procs)
        db, u = daemon.db, UDIDS[0]
        assert len(sessions(db, u)) == 1, sessions(db, u)
        lock = sqlite.connect(db, isolation_level=None, timeout=30)
        lock.execute("BEGIN IMMEDIATE")
        t_detach = time.time()
        for _ in range(2):  # a flaky cable: out, in, out, in
            sim_ctl(procs, "detach", u)
            sim_ctl(procs, "attach", u)
        t_attach = time.time()
        time.sleep(hold)
        lock.execute("ROLLBACK")
        lock.close()
        t_unlock = time.time()

        def both():
            procs.check_alive()
            s = sessions(db, u)
            return s if len(s) == 3 and s[2][1] == -1 else None
        s = wait_for("both detaches and re-attaches recorded", both, timeout=60)
        (_, detached), (attached, detached2), (attached2, _) = s
        for what, t in (("detach", detached), ("re-attach", attached),
                        ("second detach", detached2), ("second re-attach", attached2)):
            assert int(t_detach) <= t <= int(t_attach) + EVENT_SLACK_S, (
                f"{what} recorded at {t}, not when it happened ({int(t_detach)}..{int(t_attach)}; "
                f"the lock went at {int(t_unlock)})")
        log = open(os.path.join(procs.dir, "daemon.log")).read()
        assert "database is locked" in log, "the daemon never met the lock"
        print(f"ok: sessions {s}, lock released at {int(t_unlock)}")


def locked_cycles():
    # Holding the lock is the scenario itself, as in locked_sessions: longer than two of the
    # daemon's 5 s busy timeouts, so probe cycles meet it.
    hold = 12
    with Processes() as procs:
        daemon = start(procs)
        db, u = daemon.db, UDIDS[0]
        before = backup_events(db, u)
        lock = sqlite.connect(db, isolation_level=None, timeout=30)
        lock.execute("BEGIN IMMEDIATE")
        locked_at = cycles_done(daemon)
        # A backup completes while nothing can be written.
        new_date = int(time.time()) - 60 - APPLE_EPOCH
        sim_ctl(procs, "set", u, "com.apple.mobile.backup", "LastCloudBackupDate",
                f"int:{new_date}")
        time.sleep(hold)
        # /metrics is served from its own thread throughout. Probing is not: each write waits
        # out the busy timeout on the io thread (docs/reliability.md), so the count is printed,
        # not asserted.
        during = cycles_done(daemon)
        assert backup_events(db, u) == before, "a write got through the lock"
        lock.execute("ROLLBACK")
        lock.close()
        wait_for("the backup made during the lock recorded",
                 lambda: (procs.check_alive(), backup_events(db, u) == before + 1)[1],
                 timeout=60)
        settled = cycles_done(daemon)
        wait_for("two more probe rounds", lambda: cycles_done(daemon) >= settled + 2 * len(UDIDS),
                 timeout=60)
        assert backup_events(db, u) == before + 1, "the backup was recorded more than once"
        log = open(os.path.join(procs.dir, "daemon.log")).read()
        assert "database is locked" in log, "the daemon never met the lock"
        print(f"ok: {during - locked_at:.0f} probe cycles counted during a {hold}s lock; the "
              "backup made meanwhile recorded once after it")


def timed_ctl(*args):
    """Seconds one ibackupmonctl command took; fails if it fails."""
    t = time.monotonic()
    r = subprocess.run([os.environ["CTL"], *args], capture_output=True, timeout=30)
    took = time.monotonic() - t
    assert r.returncode in (0, 1, 2, 3), f"ibackupmonctl {args} failed ({r.returncode}): " \
        f"{r.stderr!r}"
    return took


def locked_minute():
    # Holding the lock for a minute is the scenario itself: the fixed wait is the fault.
    hold = 60
    with Processes() as procs:
        daemon = start(procs)
        db, u, flapper = daemon.db, UDIDS[0], UDIDS[1]
        before = backup_events(db, u)
        socket = os.path.join(procs.dir, "control.sock")
        lock = sqlite.connect(db, isolation_level=None, timeout=30)
        lock.execute("BEGIN EXCLUSIVE")
        t_lock = time.time()
        locked_at = cycles_done(daemon)

        # A backup completes during the lock; once the daemon has read it, the device goes away,
        # so only the read the store refused holds it.
        new_date = int(time.time()) - 60 - APPLE_EPOCH
        sim_ctl(procs, "set", u, "com.apple.mobile.backup", "LastCloudBackupDate",
                f"int:{new_date}")
        wait_for("the daemon read the new backup date", lambda: any(
            n == "ibackupmon_backup_last_success_timestamp_seconds" and ls.get("udid") == u and
            v == new_date + APPLE_EPOCH for n, ls, v in parse_exposition(
                http_get(daemon.metrics_url))), timeout=20)
        sim_ctl(procs, "detach", u)
        # The other device flaps: unplugged, back, unplugged, back.
        for _ in range(2):
            sim_ctl(procs, "detach", flapper)
            sim_ctl(procs, "attach", flapper)
        t_flapped = time.time()

        # The control socket and the read-only status, sampled through the rest of the lock.
        slowest = {"acks": 0.0, "status": 0.0}
        samples = 0
        while time.time() < t_lock + hold:
            procs.check_alive()
            slowest["acks"] = max(slowest["acks"], timed_ctl("acks", "--socket", socket))
            slowest["status"] = max(slowest["status"], timed_ctl("status", "--db", db))
            samples += 1
            time.sleep(1)
        during = cycles_done(daemon) - locked_at
        assert backup_events(db, u) == before, "a write got through the lock"
        lock.execute("ROLLBACK")
        lock.close()
        t_unlock = time.time()
        log = open(os.path.join(procs.dir, "daemon.log")).read()
        print(f"{during:.0f} probe cycles completed during the {hold}s lock (2 devices, 2 s "
              f"interval); slowest acks {slowest['acks']:.2f}s, status "
              f"{slowest['status']:.2f}s over {samples} samples")
        assert "database is locked" in log, "the daemon never met the lock"
        assert slowest["acks"] < 2, f"the control socket took {slowest['acks']:.1f}s"
        assert slowest["status"] < 2, f"status took {slowest['status']:.1f}s"
        # One device is probed every 2 s throughout (the other only between its flaps): well
        # over 10 cycles even on a loaded machine; one write per 5 s would allow 12 at most.
        assert during >= 20, f"only {during:.0f} probe cycles during the lock"

        wait_for("the backup read during the lock recorded",
                 lambda: (procs.check_alive(), backup_events(db, u) == before + 1)[1],
                 timeout=30)

        def flaps():
            procs.check_alive()
            s = sessions(db, flapper)
            return s if len(s) == 3 and s[2][1] == -1 else None
        s = wait_for("both detaches and re-attaches recorded", flaps, timeout=30)
        (_, detached), (attached, detached2), (attached2, _) = s
        for what, t in (("detach", detached), ("re-attach", attached),
                        ("second detach", detached2), ("second re-attach", attached2)):
            assert int(t_lock) <= t <= int(t_flapped) + EVENT_SLACK_S, (
                f"{what} recorded at {t}, not when it happened ({int(t_lock)}..{int(t_flapped)}"
                f"; the lock went at {int(t_unlock)})")
        (last_attached, last_detached) = sessions(db, u)[-1]
        assert int(t_lock) <= last_detached <= int(t_flapped) + EVENT_SLACK_S, \
            (last_attached, last_detached)
        settled = cycles_done(daemon)
        wait_for("two more probe rounds", lambda: cycles_done(daemon) >= settled + 4, timeout=60)
        sim_ctl(procs, "attach", u)
        wait_for("a probe of the re-attached device", lambda: cycles_done(daemon) >= settled + 8,
                 timeout=60)
        assert backup_events(db, u) == before + 1, "the backup was recorded more than once"
        print(f"ok: backup recorded once after the lock, flapper sessions {s}")


def cycles_done(daemon):
    """Probe cycles of all devices so far: every cycle runs each probe once."""
    text = http_get(daemon.metrics_url)
    return max((float(v) for n, _, v in parse_exposition(text)
                if n == "ibackupmon_probe_duration_seconds_count"), default=0)


def disk_full():
    with Processes() as procs:
        mnt = os.path.join(procs.dir, "mnt")
        os.makedirs(mnt)
        mount_tmpfs(mnt, "size=4m")
        try:
            daemon = start(procs, db=os.path.join(mnt, "ibackupmon.db"))
            filler = os.path.join(mnt, "filler")
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                while os.write(fd, b"f" * 4096) > 0:
                    pass
            except OSError:  # ENOSPC: not one page left
                pass
            os.close(fd)
            log_path = os.path.join(procs.dir, "daemon.log")
            wait_for("a disk-full error in the log", lambda: (procs.check_alive(), "disk full"
                     in open(log_path).read())[1], timeout=60)
            full_at = len(open(log_path).read())
            cycles = cycles_done(daemon)
            # Ten probe cycles while the disk stays full (each tries to write and fails).
            wait_for("10 more probe cycles", lambda: cycles_done(daemon) >= cycles + 10,
                     timeout=90)
            lines = [line.split(" ", 2)[-1] for line in open(log_path).read()[full_at:]
                     .splitlines() if " error " in line]
            worst = max((lines.count(m) for m in set(lines)), default=0)
            assert worst <= 1, (f"an error repeated {worst} times in 10 probe cycles: "
                                f"{max(set(lines), key=lines.count)}")

            print(f"ok: {len(lines)} error lines in 10 probe cycles on a full disk, none repeated")
        finally:
            for name, p, _ in procs.procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=30)
            subprocess.run(["umount", "-l", mnt])


if __name__ == "__main__":
    if not os.environ.get("SQLITE3"):
        skip("the sqlite3 command-line shell is not installed (package sqlite3)")
    {"outside_sqlite": outside_sqlite, "modes": modes,
     "locked_sessions": locked_sessions, "locked_cycles": locked_cycles,
     "locked_minute": locked_minute,
     "disk_full": disk_full}[sys.argv[1]]()
