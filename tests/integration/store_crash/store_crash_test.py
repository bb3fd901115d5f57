# SPDX-License-Identifier: Apache-2.0
"""Crash test of the store: the real ibackupmond is SIGKILLed repeatedly, at random moments,
while ibackupmon-sim keeps changing backup dates, battery and power and plugs devices in and out.

After every kill, before the next start:
- `PRAGMA integrity_check` is "ok" (and `foreign_key_check` finds nothing);
- every backup event read from the database (a separate read-only connection; the file is WAL)
  right before the kill, or in any earlier round, is still there.
Every restart must open the killed database and record again: all but the "early" rounds wait
for a probe written after the restart before they kill.

  store_crash_test.py [--rounds 50] [--seed S]     (the seed is printed; pass it back to replay)
The seed is --seed, else IBACKUPMON_TEST_SEED (a number, or "random" for a new one), else
DEFAULT_SEED: the same delays before each kill on every plain run and in CI.
Environment: DAEMON, SIM (built binaries), as set by CMakeLists.txt.
"""
import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "metrics"))
from monitoring_kit import Processes, wait_for  # noqa: E402

DEVICES = 8
DEFAULT_SEED = 20240522  # as tests/support/test_seed.h
APPLE_EPOCH = 978307200  # 2001-01-01 in Unix seconds: backup dates count from there


def udid(i):
    return f"00008030-00C0A5E0000000{i:02d}"


def write_fleet(path):
    with open(path, "w") as f:
        for i in range(DEVICES):
            f.write(f"""[[device]]
udid = "{udid(i)}"
name = "Crash-{i:02d}"
[device.values."com.apple.mobile.backup"]
CloudBackupEnabled = true
LastCloudBackupDate = "ago:2h"
""")


def write_config(d, db):
    path = os.path.join(d, "ibackupmon.toml")
    with open(path, "w") as f:
        f.write(f"""[storage]
path = "{db}"
[metrics]
listen = "127.0.0.1:0"
[probe]
interval = "1s"
timeout = "10s"
[alerts]
control_socket = "{os.path.join(d, 'control.sock')}"
""")
    return path


def sim_command(control, *args):
    """One command on the simulator's control socket (JSON array in, JSON object out)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(control)
        s.sendall((json.dumps([str(a) for a in args]) + "\n").encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    out = json.loads(reply)
    if not out.get("ok"):
        raise AssertionError(f"simulator refused {args}: {out.get('error')}")


class Changer(threading.Thread):
    """Keeps the simulated fleet changing: each new backup date is unique, so each probe that
    sees one commits a new backup event."""

    def __init__(self, control, rng):
        super().__init__(daemon=True)
        self.control, self.rng = control, rng
        self.stop = threading.Event()
        self.error = None
        self.commands = 0
        self.date = int(time.time()) - APPLE_EPOCH - 3 * 3600

    def step(self):
        r, u = self.rng.random(), udid(self.rng.randrange(DEVICES))
        self.date += 1
        if r < 0.45:
            sim_command(self.control, "set", u, "com.apple.mobile.backup", "LastCloudBackupDate",
                        f"int:{self.date}")
        elif r < 0.6:
            sim_command(self.control, "set", u, "com.apple.mobile.backup", "LastiTunesBackupDate",
                        f"int:{self.date}")
        elif r < 0.8:
            sim_command(self.control, "set", u, "com.apple.mobile.battery",
                        "BatteryCurrentCapacity", f"int:{self.rng.randrange(1, 101)}")
        elif r < 0.95:
            sim_command(self.control, "set", u, "com.apple.mobile.battery", "ExternalConnected",
                        f"bool:{'true' if self.rng.random() < 0.5 else 'false'}")
        else:  # unplug for a moment: attach sessions open and close too
            sim_command(self.control, "detach", u)
            sim_command(self.control, "attach", u)

    def run(self):
        try:
            while not self.stop.wait(0.02):  # pacing of the changes, not a wait for a condition
                self.step()
                self.commands += 1
        except Exception as e:  # reported by the main thread
            self.error = e


def read_db(db, query):
    """A separate read-only connection: sees what the daemon has committed, changes nothing."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def backup_events(db):
    if not os.path.exists(db):  # killed before it was created
        return set()
    try:
        return set(read_db(db, "SELECT d.udid, b.kind, b.at FROM backup_events b "
                               "JOIN devices d ON d.id = b.device_id"))
    except sqlite3.OperationalError as e:
        if "no such table" not in str(e):  # killed before the first migration committed
            raise
        return set()


def last_checked(db):
    try:
        return read_db(db, "SELECT coalesce(max(last_checked), 0) FROM devices")[0][0]
    except sqlite3.OperationalError:  # not created yet (first start)
        return 0


def check_after_kill(db, committed, round_no):
    if not os.path.exists(db):
        assert not committed, f"round {round_no}: the database is gone"
        return set()
    integrity = read_db(db, "PRAGMA integrity_check")
    assert integrity == [("ok",)], f"round {round_no}: integrity_check: {integrity}"
    fk = read_db(db, "PRAGMA foreign_key_check")
    assert fk == [], f"round {round_no}: foreign_key_check: {fk[:5]}"
    now = backup_events(db)
    lost = committed - now
    assert not lost, f"round {round_no}: {len(lost)} committed backup events lost: {sorted(lost)[:5]}"
    return now


class DaemonRunner:
    def __init__(self, procs, config, sock):
        self.procs, self.config = procs, config
        self.env = dict(os.environ, USBMUXD_SOCKET_ADDRESS="UNIX:" + sock)
        self.log_path = os.path.join(procs.dir, "daemon.log")

    def start(self):
        log = open(self.log_path, "ab")
        p = subprocess.Popen([os.environ["DAEMON"], "--config", self.config], stdout=log,
                             stderr=subprocess.STDOUT, cwd=self.procs.dir, env=self.env)
        log.close()
        return p

    def tail(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    def alive(self, p, what):
        if p.poll() is not None:
            raise AssertionError(f"daemon exited with {p.returncode} {what}:\n{self.tail()}")


def wait_new_probe(runner, p, db, after, timeout=60):
    """Until the restarted daemon has written a probe; a daemon that dies fails at once."""
    deadline = time.monotonic() + timeout
    while last_checked(db) <= after:
        runner.alive(p, "after a restart on the killed database")
        if time.monotonic() > deadline:
            raise AssertionError(f"no probe written {timeout}s after a restart:\n{runner.tail()}")
        time.sleep(0.05)


def test_seed():
    env = os.environ.get("IBACKUPMON_TEST_SEED", "")
    if env == "random":
        return random.SystemRandom().randrange(1 << 31)
    return int(env) if env else DEFAULT_SEED


def run_round(runner, db, rng, round_no, stats):
    before = last_checked(db)
    p = runner.start()
    try:
        if round_no % 4 == 1:  # early: during open, quick_check, migrations or the first probes
            time.sleep(rng.uniform(0, 0.5))  # the random kill moment itself
            mode = "early"
        else:
            wait_new_probe(runner, p, db, before)
            time.sleep(rng.uniform(0, 1.5))  # the random kill moment itself
            mode = "running"
            runner.alive(p, "while running")
        committed = backup_events(db)
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    stats[mode] += 1
    return committed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else test_seed()
    print(f"store_crash_test: seed {seed} (replay with --seed {seed} or"
          f" IBACKUPMON_TEST_SEED={seed}), {args.rounds} kills",
          flush=True)
    rng = random.Random(seed)
    with Processes() as procs:
        d = procs.dir
        fleet, sock = os.path.join(d, "fleet.toml"), os.path.join(d, "usbmuxd.sock")
        control, ready = os.path.join(d, "sim.ctl"), os.path.join(d, "sim.ready")
        write_fleet(fleet)
        procs.start("sim", [os.environ["SIM"], "--socket", sock, "--fleet", fleet, "--control",
                            control, "--ready-file", ready], strict=True)
        wait_for("simulator ready", lambda: os.path.exists(ready), timeout=30)
        db = os.path.join(d, "ibackupmon.db")
        runner = DaemonRunner(procs, write_config(d, db), sock)
        changer = Changer(control, random.Random(seed + 1))
        changer.start()
        ever, stats, t0 = set(), {"early": 0, "running": 0}, time.monotonic()
        try:
            for round_no in range(1, args.rounds + 1):
                procs.check_alive()
                committed = run_round(runner, db, rng, round_no, stats)
                ever |= committed
                if changer.error:
                    raise changer.error
                ever |= check_after_kill(db, ever, round_no)
            # The last restart on the many-times-killed database still works and stops cleanly.
            p = runner.start()
            wait_new_probe(runner, p, db, last_checked(db))
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=60) == 0, f"daemon exit {p.returncode}:\n{runner.tail()}"
            final = check_after_kill(db, ever, "final")
        finally:
            changer.stop.set()
            changer.join(timeout=60)
        # The test means something only if the daemon really recorded while being killed.
        assert len(final) >= 2 * DEVICES, f"only {len(final)} backup events recorded"
        print(f"store_crash_test: {args.rounds} kills ({stats['early']} early, "
              f"{stats['running']} while probing), {changer.commands} simulator changes, "
              f"{len(final)} backup events kept, {time.monotonic() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
