# SPDX-License-Identifier: Apache-2.0
"""Soak test: the real ibackupmond against ibackupmon-sim with a fleet of 100+ devices, driven by
thousands of random events (seeded) while /metrics is scraped all along.

Events, drawn from one seeded RNG: attach and detach (about three devices in four attached),
a quick unplug/replug of one device (two sessions within a second), battery level and external
power changes, iCloud and computer backups completing (a new LastCloudBackupDate or
LastiTunesBackupDate), and a usbmuxd restart (`restart-usbmuxd 0..2`) every 200-400 events.
A device completes its next backup only once the daemon has recorded its previous one (the
database is read back between events): two backups between two reads are one backup to any
reader of the device, so only observable backups are part of the truth.

Asserted:
- the daemon stays alive and pings the systemd watchdog (NOTIFY_SOCKET, WATCHDOG_USEC) the whole
  time, never leaving a gap longer than WATCHDOG_USEC (what systemd would kill it for);
- open fds, threads and RSS, sampled through the event phase, do not grow: the second half's
  maximum is at most the first half's maximum plus the slack below; for sockets, whose maxima
  are instants of probe churn, also the floor of a quiet window after the events against one
  before them;
- every /metrics scrape answers 200 with a whole exposition;
- after the events, awaited by condition: every device's `connected` in `ibackupmonctl status
  --json` is the simulator's attached/detached, its battery level the last one set (attached
  devices), its last backup dates the newest completed; every backup completed is in
  backup_events exactly once and nothing else is; at most one open attach session per device,
  open exactly when the device is attached, and no two sessions of a device overlap.

Sizes (environment): SOAK_DEVICES (120), SOAK_EVENTS (3000), SOAK_SECONDS (90: the event phase's
pacing), SOAK_LONG=1 (the long run: SOAK_EVENTS 20000 over SOAK_SECONDS 3600 unless set).
Seed: SOAK_SEED, else IBACKUPMON_TEST_SEED (a number or "random"), else a fixed default; it is
printed. Environment: DAEMON, SIM, CTL (built binaries), as set by CMakeLists.txt.
"""
import datetime
import gzip
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration", "metrics"))
from monitoring_kit import Processes, free_port, parse_exposition, wait_for  # noqa: E402

DEFAULT_SEED = 20240522  # as tests/support/test_seed.h
APPLE_EPOCH = 978307200  # 2001-01-01 in Unix seconds: device backup dates count from there
# The daemon pings every WATCHDOG_USEC / 2 (5 s) from its io thread; the unit file's WatchdogSec
# is 60 s. 10 s, not less: on the shared 2-core machine a 3 s limit was missed once by 10 ms
# (store writes with fsync run on the io thread while other builds load the disk).
WATCHDOG_USEC = 10_000_000
PROBE_INTERVAL_S = 10

# Slack of "the second half's maximum <= the first half's maximum + slack", per resource:
# - fds other than sockets (the database and its WAL, the log, eventfds, timerfds, epoll): +2.
#   They do not depend on the load; 2 leave room for SQLite reopening its -shm mapping.
# - sockets churn: each sample catches the daemon with 0 to `probe.concurrency` (8) lockdown
#   connections in flight, device lookups on usbmuxd, the scrapers' connections, so the maxima
#   of the halves are instants of that churn (the first soak runs saw maxima 8 apart without a
#   leak), and with probes starting 30 times a second the floor is not reached in every half
#   either. So sockets get two checks: during the events the maximum may rise by at most the
#   churn's width, 2 x concurrency (plus the restarts' leak below); and the floor (minimum) of a quiet window of one probe
#   interval after the events, when only the periodic probes run, may be at most 2 above the
#   floor of the same window before the events, plus one per usbmuxd restart: libusbmuxd 2.0.2
#   (Debian 12) reconnects its Listen connection without closing the old one, which stays in
#   CLOSE_WAIT (docs/reliability.md, "Known defects"). Any other socket leaked per restart or
#   per hundred events exceeds that.
# - threads: +2. The pool is bounded and nothing hangs in this fleet (abandoned workers would be
#   replaced and legitimately add threads); libusbmuxd's event thread is restarted with each
#   usbmuxd restart, so two at once can be seen for a moment.
# - RSS: 10 % or 8 MiB, whichever is larger: malloc arenas and SQLite's page cache settle within
#   the first minute; heap fragmentation moves a few MiB without a leak.
PROBE_CONCURRENCY = 8
OTHER_FD_SLACK, SOCKET_FLOOR_SLACK, SOCKET_MAX_SLACK = 2, 2, 2 * PROBE_CONCURRENCY
THREAD_SLACK = 2
RSS_SLACK_RATIO, RSS_SLACK_KIB = 0.10, 8 * 1024


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v else default


def soak_seed():
    for name in ("SOAK_SEED", "IBACKUPMON_TEST_SEED"):
        v = os.environ.get(name, "")
        if v == "random":
            return random.SystemRandom().randrange(1 << 31)
        if v:
            return int(v)
    return DEFAULT_SEED


def udid(i):
    return f"00008110-50AC{i:012d}"


def apple_now():
    return int(time.time()) - APPLE_EPOCH


# ---------------------------------------------------------------- the simulator and its truth

def sim_command(control, *args):
    """One command on the simulator's control socket (a JSON array in, a JSON object back): the
    protocol `ibackupmon-sim ctl` speaks, without a process per event."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(control)
        s.sendall((json.dumps([str(a) for a in args]) + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n") and (chunk := s.recv(65536)):
            reply += chunk
    out = json.loads(reply)
    if not out.get("ok"):
        raise AssertionError(f"simulator refused {args}: {out.get('error')}")
    return out.get("output", "")


class Fleet:
    """What the simulator's devices are, as the test made them: the truth at the end."""

    def __init__(self, n, rng):
        self.udids = [udid(i) for i in range(n)]
        # One device in five starts unplugged; some of those are attached for the first time
        # during the soak.
        self.attached = {u: rng.random() >= 0.2 for u in self.udids}
        self.ever_attached = {u for u, a in self.attached.items() if a}
        start = apple_now() - 3 * 3600
        self.battery = {u: rng.randrange(30, 101) for u in self.udids}
        self.power = {u: True for u in self.udids}
        # Every backup date the devices ever reported: (udid, kind, unix seconds).
        self.backups = {(u, "icloud", start - i + APPLE_EPOCH) for i, u in enumerate(self.udids)}
        self.last = {(u, "icloud"): start - i for i, u in enumerate(self.udids)}
        # Backups not yet recorded by the daemon; a device with one completes no other.
        self.pending = set(self.backups)

    def write(self, path):
        with open(path, "w") as f:
            for i, u in enumerate(self.udids):
                f.write(f"""[[device]]
udid = "{u}"
name = "Soak-{i:03d}"
attached = {"true" if self.attached[u] else "false"}
[device.values."com.apple.mobile.backup"]
CloudBackupEnabled = true
LastCloudBackupDate = {self.last[(u, "icloud")]}
[device.values."com.apple.mobile.battery"]
BatteryCurrentCapacity = {self.battery[u]}
ExternalConnected = true
""")

    def has_pending(self, u):
        return any(p[0] == u for p in self.pending)


# ---------------------------------------------------------------- the daemon's side, read back

def read_db(db, query, args=()):
    """A separate read-only connection: sees what the daemon has committed, changes nothing."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def recorded_backups(db):
    """Every backup event with its count (the primary key makes each 1; counted, not assumed)."""
    rows = read_db(db, "SELECT d.udid, b.kind, b.at, count(*) FROM backup_events b "
                       "JOIN devices d ON d.id = b.device_id GROUP BY d.udid, b.kind, b.at")
    return {(u, k, at): n for u, k, at, n in rows}


def sessions(db):
    rows = read_db(db, "SELECT d.udid, s.attached_ms, s.attached, s.detached FROM attach_sessions s"
                       " JOIN devices d ON d.id = s.device_id ORDER BY d.udid, s.attached_ms")
    out = {}
    for u, ms, attached, detached in rows:
        out.setdefault(u, []).append((ms, attached, detached))
    return out


def ctl_status(db):
    r = subprocess.run([os.environ["CTL"], "status", "--json", "--db", db], capture_output=True,
                       timeout=60)
    if r.returncode not in (0, 1, 2, 3):  # the Nagios verdicts; anything else is an error
        raise AssertionError(f"ibackupmonctl status --json: exit {r.returncode}: {r.stderr!r}")
    return {d["udid"]: d for d in json.loads(r.stdout)}


def epoch(rfc3339):
    return None if rfc3339 is None else int(datetime.datetime.fromisoformat(
        rfc3339.replace("Z", "+00:00")).timestamp())


# ---------------------------------------------------------------- watchers running beside the soak

class Background(threading.Thread):
    """A loop on its own thread until stop(); an exception ends the loop and is re-raised by
    check()."""

    def __init__(self, name):
        super().__init__(name=name, daemon=True)
        self.halt = threading.Event()
        self.error = None

    def run(self):
        try:
            self.loop()
        except Exception as e:  # reported on the main thread by check()
            self.error = e

    def check(self):
        if self.error:
            raise AssertionError(f"{self.name}: {self.error}") from self.error

    def stop(self):
        self.halt.set()
        self.join(timeout=60)
        self.check()


class Notifications(Background):
    """The NOTIFY_SOCKET systemd would listen on: every datagram with its arrival time."""

    def __init__(self, path):
        super().__init__("notify socket")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []  # (monotonic time, text)
        self.lock = threading.Lock()

    def loop(self):
        while not self.halt.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            with self.lock:
                self.messages.append((time.monotonic(), data.decode(errors="replace")))

    def times(self, what, since=0.0, until=float("inf")):
        with self.lock:
            return [t for t, m in self.messages if what in m.split("\n") and since <= t <= until]


class Scraper(Background):
    """Scrapes /metrics back to back (one plain, one gzip, as Prometheus asks); every answer must
    be 200 and a whole exposition."""

    def __init__(self, url, gzip_accept):
        super().__init__("scraper gzip" if gzip_accept else "scraper plain")
        self.url, self.gzip = url, gzip_accept
        self.count = 0

    def loop(self):
        while not self.halt.wait(0.05):  # pacing, not a wait for a condition
            req = urllib.request.Request(self.url)
            if self.gzip:
                req.add_header("Accept-Encoding", "gzip")
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 200, f"/metrics answered {r.status}"
                body = r.read()
                if r.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
            names = {n for n, _, _ in parse_exposition(body.decode())}
            assert "ibackupmon_usbmuxd_up" in names, "/metrics without ibackupmon_usbmuxd_up"
            self.count += 1


class Sampler(Background):
    """The daemon's open fds, threads and RSS, from /proc, twice a second."""

    def __init__(self, pid):
        super().__init__("resource sampler")
        self.pid = pid
        self.samples = []  # (monotonic time, fds but sockets, sockets, threads, rss KiB)

    def sample(self):
        fds = sockets = 0
        for fd in os.listdir(f"/proc/{self.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{self.pid}/fd/{fd}")
            except FileNotFoundError:  # closed between the listing and the readlink
                continue
            fds += 1
            sockets += target.startswith("socket:")
        threads = len(os.listdir(f"/proc/{self.pid}/task"))
        with open(f"/proc/{self.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        self.samples.append((time.monotonic(), fds - sockets, sockets, threads, rss))

    def loop(self):
        while not self.halt.wait(0.5):  # the sampling period
            self.sample()


# ---------------------------------------------------------------- the soak itself

class Soak:
    def __init__(self, procs, fleet, control, db, metrics_url, rng):
        self.procs, self.fleet, self.control, self.db = procs, fleet, control, db
        self.metrics_url, self.rng = metrics_url, rng
        self.counts = {}
        self.next_restart = rng.randrange(200, 401)
        self.restart_back = 0.0  # monotonic time the last usbmuxd restart is over

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    def sim(self, *args):
        return sim_command(self.control, *args)

    def plug(self):
        f = self.fleet
        attached = [u for u in f.udids if f.attached[u]]
        detached = [u for u in f.udids if not f.attached[u]]
        # Detach with weight 1 per attached device, attach with weight 3 per detached one: about
        # three devices in four stay attached.
        if self.rng.random() * (len(attached) + 3 * len(detached)) < len(attached):
            u = self.rng.choice(attached)
            self.sim("detach", u)
            f.attached[u] = False
            self.count("detach")
        else:
            u = self.rng.choice(detached)
            self.sim("attach", u)
            f.attached[u] = True
            f.ever_attached.add(u)
            self.count("attach")

    def flap(self):
        f = self.fleet
        u = self.rng.choice([u for u in f.udids if f.attached[u]])
        self.sim("detach", u)
        self.sim("attach", u)
        self.count("flap")

    def value(self):
        u = self.rng.choice(self.fleet.udids)
        if self.rng.random() < 0.7:
            level = self.rng.randrange(1, 101)
            self.sim("set", u, "com.apple.mobile.battery", "BatteryCurrentCapacity", f"int:{level}")
            self.fleet.battery[u] = level
        else:
            power = self.rng.random() < 0.8
            self.sim("set", u, "com.apple.mobile.battery", "ExternalConnected",
                     f"bool:{'true' if power else 'false'}")
            self.fleet.power[u] = power
        self.count("value")

    def backup(self):
        f = self.fleet
        ready = [u for u in f.udids if not f.has_pending(u)]
        if not ready:
            return self.value()
        u = self.rng.choice(ready)
        kind = "icloud" if self.rng.random() < 0.7 else "computer"
        date = apple_now() - 1
        if date <= f.last.get((u, kind), -1):
            return self.value()  # a second backup within the same second is the same backup
        key = "LastCloudBackupDate" if kind == "icloud" else "LastiTunesBackupDate"
        self.sim("set", u, "com.apple.mobile.backup", key, f"int:{date}")
        f.last[(u, kind)] = date
        f.backups.add((u, kind, date + APPLE_EPOCH))
        f.pending.add((u, kind, date + APPLE_EPOCH))
        self.count("backup_" + kind)

    def restart(self):
        seconds = self.rng.randrange(0, 3)
        self.sim("restart-usbmuxd", seconds)
        self.restart_back = time.monotonic() + seconds
        self.count("usbmuxd_restart")

    def event(self, i):
        if i >= self.next_restart and time.monotonic() > self.restart_back + 0.5:
            self.next_restart = i + self.rng.randrange(200, 401)
            return self.restart()
        r = self.rng.random()
        if r < 0.40:
            self.plug()
        elif r < 0.45:
            self.flap()
        elif r < 0.80:
            self.value()
        else:
            self.backup()

    def confirm_backups(self):
        """Forgets the pending backups the daemon has recorded."""
        seen = recorded_backups(self.db)
        self.fleet.pending = {b for b in self.fleet.pending if b not in seen}


def check_sim_agrees(soak):
    """The simulator's own list says what the test believes about every device."""
    listed = {}
    for line in soak.sim("list").splitlines():
        parts = line.split()
        listed[parts[0]] = parts[2] == "attached"
    wrong = [u for u in soak.fleet.udids if listed.get(u) != soak.fleet.attached[u]]
    assert not wrong, f"the simulator and the test disagree on {wrong[:5]}"


def final_mismatches(soak):
    """Everything that differs between the daemon's record and the truth; empty once converged."""
    f, out = soak.fleet, []
    status = ctl_status(soak.db)
    for u in f.udids:
        s = status.get(u)
        if u not in f.ever_attached:
            if s is not None:
                out.append(f"{u}: never attached, but listed by status")
            continue
        if s is None:
            out.append(f"{u}: attached at some point, not listed by status")
            continue
        if s["connected"] != f.attached[u]:
            out.append(f"{u}: connected {s['connected']}, the simulator says attached="
                       f"{f.attached[u]}")
        if f.attached[u] and s["battery_level"] != f.battery[u]:
            out.append(f"{u}: battery_level {s['battery_level']}, last set {f.battery[u]}")
        for kind, field in (("icloud", "last_cloud_backup"), ("computer", "last_computer_backup")):
            want = f.last.get((u, kind))
            want = None if want is None else want + APPLE_EPOCH
            if epoch(s[field]) != want:
                out.append(f"{u}: {field} {s[field]}, newest completed {want}")
    recorded = recorded_backups(soak.db)
    truth = {b for b in f.backups if b[0] in f.ever_attached}
    missing = truth - recorded.keys()
    extra = recorded.keys() - truth
    twice = [b for b, n in recorded.items() if n != 1]
    out += [f"backup {b} completed, not in backup_events" for b in sorted(missing)]
    out += [f"backup {b} in backup_events, never completed" for b in sorted(extra)]
    out += [f"backup {b} recorded {recorded[b]} times" for b in twice]
    for u, rows in sessions(soak.db).items():
        open_rows = [r for r in rows if r[2] is None]
        if len(open_rows) > 1:
            out.append(f"{u}: {len(open_rows)} open attach sessions")
        if bool(open_rows) != f.attached.get(u, False):
            out.append(f"{u}: open session {bool(open_rows)}, attached {f.attached.get(u)}")
        for (ms, a, d), nxt in zip(rows, rows[1:] + [None]):
            if d is not None and d < a:
                out.append(f"{u}: session from {a} detached before it attached ({d})")
            if nxt is not None and (d is None or nxt[1] < d):
                out.append(f"{u}: session at {a}..{d} overlaps the next at {nxt[1]}")
    return out


def halves(samples, t0, t1):
    mid = (t0 + t1) / 2
    first = [s for s in samples if t0 <= s[0] < mid]
    second = [s for s in samples if mid <= s[0] <= t1]
    return first, second


def check_resources(samples, t0, t1, quiet_before, quiet_after, restarts):
    first, second = halves(samples, t0, t1)
    before = [r for r in samples if quiet_before[0] <= r[0] <= quiet_before[1]]
    after = [r for r in samples if quiet_after[0] <= r[0] <= quiet_after[1]]
    for what, rows in (("first half", first), ("second half", second), ("quiet before", before),
                       ("quiet after", after)):
        assert len(rows) >= 5, f"too few resource samples in the {what}: {len(rows)}"
    report, bad = [], []

    def compare(name, a, b, slack, what="max", halves=("first half", "second half")):
        report.append(f"{name}: {halves[0]} {what} {a}, {halves[1]} {what} {b} (allowed "
                      f"{a + slack})")
        if b > a + slack:
            bad.append(f"{name} grew: {halves[1]} {what} {b} > {halves[0]} {what} {a} + {slack}")

    def col(rows, i):
        return [r[i] for r in rows]
    compare("fds other than sockets", max(col(first, 1)), max(col(second, 1)), OTHER_FD_SLACK)
    compare("sockets", max(col(first, 2)), max(col(second, 2)), SOCKET_MAX_SLACK + restarts)
    compare("sockets", min(col(before, 2)), min(col(after, 2)), SOCKET_FLOOR_SLACK + restarts,
            "min", ("quiet window before the events", "quiet window after"))
    compare("threads", max(col(first, 3)), max(col(second, 3)), THREAD_SLACK)
    rss = max(col(first, 4))
    compare("RSS KiB", rss, max(col(second, 4)), max(RSS_SLACK_KIB, int(rss * RSS_SLACK_RATIO)))
    report.append(f"quiet window before the events: {before[-1][1]} other fds, sockets "
                  f"{min(col(before, 2))}-{max(col(before, 2))}, {before[-1][3]} threads, RSS "
                  f"{before[-1][4]} KiB; after: {after[-1][1]} other fds, sockets "
                  f"{min(col(after, 2))}-{max(col(after, 2))}, {after[-1][3]} threads, RSS "
                  f"{after[-1][4]} KiB")
    return report, bad


def quiet_window(procs):
    """One probe interval with only the periodic probes running (no events, no scrapes), for
    the sampler: its (start, end)."""
    start = time.monotonic()
    time.sleep(PROBE_INTERVAL_S)  # the length of the measurement, not a wait for a condition
    procs.check_alive()
    return start, time.monotonic()


def main():
    long_run = os.environ.get("SOAK_LONG") == "1"
    devices = env_int("SOAK_DEVICES", 120)
    events = env_int("SOAK_EVENTS", 20000 if long_run else 3000)
    seconds = env_int("SOAK_SECONDS", 3600 if long_run else 90)
    seed = soak_seed()
    print(f"soak: seed {seed} (replay with SOAK_SEED={seed}), {devices} devices, {events} events "
          f"over {seconds}s{' (long run)' if long_run else ''}", flush=True)
    rng = random.Random(seed)
    started = time.monotonic()
    with Processes() as procs:
        d = procs.dir
        fleet = Fleet(devices, rng)
        fleet_path = os.path.join(d, "fleet.toml")
        fleet.write(fleet_path)
        control, ready = os.path.join(d, "sim.ctl"), os.path.join(d, "sim.ready")
        # TCP: a restarted usbmuxd comes back on the same port (libusbmuxd's inotify wait after
        # a restart applies to UNIX paths only).
        procs.start("sim", [os.environ["SIM"], "--socket", "127.0.0.1:0", "--fleet", fleet_path,
                            "--control", control, "--ready-file", ready], strict=True)
        address = wait_for("simulator ready", lambda: os.path.exists(ready)
                           and open(ready).read().splitlines()[0], timeout=30)

        db, port = os.path.join(d, "ibackupmon.db"), free_port()
        config = os.path.join(d, "ibackupmon.toml")
        with open(config, "w") as f:
            f.write(f"""[storage]
path = "{db}"
[metrics]
listen = "127.0.0.1:{port}"
[probe]
interval = "{PROBE_INTERVAL_S}s"
timeout = "30s"
concurrency = {PROBE_CONCURRENCY}
[alerts]
control_socket = "{os.path.join(d, 'control.sock')}"
""")
        notify = Notifications(os.path.join(d, "notify.sock"))
        notify.start()
        env = dict(os.environ, USBMUXD_SOCKET_ADDRESS=address, NOTIFY_SOCKET=notify.sock
                   .getsockname(), WATCHDOG_USEC=str(WATCHDOG_USEC))
        env.pop("WATCHDOG_PID", None)
        log = open(os.path.join(d, "daemon.log"), "wb")
        daemon = subprocess.Popen([os.environ["DAEMON"], "--config", config], stdout=log,
                                  stderr=subprocess.STDOUT, cwd=d, env=env)
        procs.procs.append(("daemon", daemon, log))
        procs.strict.add("daemon")
        metrics_url = f"http://127.0.0.1:{port}/metrics"
        wait_for("READY=1 on the notify socket",
                 lambda: procs.check_alive() or notify.times("READY=1"), timeout=60)

        soak = Soak(procs, fleet, control, db, metrics_url, rng)
        initially = {u for u in fleet.udids if fleet.attached[u]}

        def all_probed():
            procs.check_alive()
            st = ctl_status(db)
            return len(st) == len(initially) and all(st[u]["last_seen"] for u in initially)
        wait_for("every attached device probed once", all_probed, timeout=300, interval=1)
        warm = time.monotonic()
        print(f"soak: {len(initially)} devices attached and probed after {warm - started:.1f}s",
              flush=True)

        sampler = Sampler(daemon.pid)
        sampler.start()
        quiet_before = quiet_window(procs)
        scrapers = [Scraper(metrics_url, False), Scraper(metrics_url, True)]
        for t in scrapers:
            t.start()
        t0 = time.monotonic()
        pace = seconds / events
        for i in range(events):
            soak.event(i)
            if i % 25 == 24:
                soak.confirm_backups()
                procs.check_alive()
                for t in [notify, sampler, *scrapers]:
                    t.check()
            if i % 500 == 499:
                print(f"soak: {i + 1} events, {time.monotonic() - t0:.0f}s, pending backups "
                      f"{len(fleet.pending)}, scrapes {sum(s.count for s in scrapers)}", flush=True)
            delay = t0 + (i + 1) * pace - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing of the events, not a wait for a condition
        t1 = time.monotonic()
        for t in scrapers:
            t.stop()
        procs.check_alive()
        check_sim_agrees(soak)

        # Backups a device completed while unplugged are read once it is back: plug those in.
        soak.confirm_backups()
        for u in sorted({b[0] for b in fleet.pending}):
            if not fleet.attached[u]:
                soak.sim("attach", u)
                fleet.attached[u] = True
                fleet.ever_attached.add(u)
                soak.count("attach")

        def converged():
            procs.check_alive()
            bad = final_mismatches(soak)
            if bad:
                raise AssertionError(f"{len(bad)} differences, first: " + "; ".join(bad[:8]))
            return True
        quiet = time.monotonic()
        wait_for("the daemon's record to match the simulator", converged,
                 timeout=max(120, 6 * PROBE_INTERVAL_S), interval=1)
        settled = time.monotonic() - quiet
        quiet_after = quiet_window(procs)
        sampler.stop()

        # The watchdog: pings all along, never a gap systemd would have killed the daemon for.
        pings = notify.times("WATCHDOG=1", since=warm)
        end = time.monotonic()
        gaps = [b - a for a, b in zip([warm] + pings, pings + [end])]
        notify.halt.set()
        notify.join(timeout=10)
        limit = WATCHDOG_USEC / 1e6
        report, bad = check_resources(sampler.samples, t0, t1, quiet_before, quiet_after,
                                      soak.counts.get("usbmuxd_restart", 0))
        recorded = recorded_backups(db)
        print(f"soak: {events} events in {t1 - t0:.1f}s: "
              + ", ".join(f"{k} {v}" for k, v in sorted(soak.counts.items())), flush=True)
        print(f"soak: {len(recorded)} backups recorded, each once; converged {settled:.1f}s "
              f"after the events; {sum(s.count for s in scrapers)} scrapes; "
              f"{len(pings)} watchdog pings, longest gap {max(gaps):.2f}s", flush=True)
        for line in report:
            print("soak: " + line, flush=True)
        assert max(gaps) < limit, (f"watchdog silent for {max(gaps):.2f}s (WATCHDOG_USEC "
                                   f"{limit}s): systemd would have killed the daemon")
        assert len(pings) >= (end - warm) / limit, f"only {len(pings)} watchdog pings"
        assert not bad, "; ".join(bad)
        assert soak.counts.get("usbmuxd_restart", 0) >= 1, "no usbmuxd restart in the run"
        procs.check_alive()
    print(f"soak: ok in {time.monotonic() - started:.0f}s (seed {seed})", flush=True)


if __name__ == "__main__":
    main()
