# SPDX-License-Identifier: Apache-2.0
"""The daemon's control socket under misbehaving clients and resource exhaustion: the real
ibackupmond watching the real ibackupmon-sim, with this script playing systemd's notify socket.
Each scenario is one ctest test:

    daemon_control_test.py slow_reader    a client pipelines requests and never reads its replies
    daemon_control_test.py accept_error   the daemon runs out of file descriptors, then recovers
    daemon_control_test.py many_clients   more connections than the daemon serves at once
    daemon_control_test.py exit_codes     ibackupmonctl's exit codes and the replies' codes

They check what an admin sees: watchdog pings keep coming, devices keep being probed and
`ibackupmonctl acks` is answered."""
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_alerts"))
from alerts_kit import FRESH, AlertDaemon, Processes, Sim, _epoch, udid_of, wait_for  # noqa: E402
from alerts_kit import write_fleet  # noqa: E402

WATCHDOG_USEC = 2_000_000  # the daemon pings every second
# Largest pause between two pings the test accepts: systemd would kill the daemon at 2 s; a loaded
# CI machine (2 cores, ASan) gets a wide margin, far below the 30 s a stuck loop shows.
MAX_PING_GAP_S = 8.0
CLIENT_SECONDS = 30
DEVICES = [udid_of(i) for i in range(1, 4)]


class NotifySocket:
    """$NOTIFY_SOCKET for the daemon: records the time of every WATCHDOG=1 on a thread."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.pings, self.ready = [], threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                msg = self.sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                continue
            if "WATCHDOG=1" in msg:
                self.pings.append(time.monotonic())
            if "READY=1" in msg:
                self.ready.set()

    def largest_gap(self, start, end):
        """Longest time without a ping in [start, end], the window's edges included."""
        times = [start] + [t for t in self.pings if start <= t <= end] + [end]
        return max(b - a for a, b in zip(times, times[1:]))

    def close(self):
        self.stopped = True
        self.thread.join()
        self.sock.close()


def start(procs):
    sim = Sim(procs, write_fleet(procs, [(u, f"iPhone-Ctl-{i}", FRESH)
                                         for i, u in enumerate(DEVICES)]))
    notify = NotifySocket(os.path.join(procs.dir, "notify.sock"))
    os.environ["NOTIFY_SOCKET"] = notify.sock.getsockname()
    os.environ["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    daemon = AlertDaemon(procs, sim.socket, "").start()
    assert notify.ready.wait(30), "no READY=1 from the daemon"
    daemon.view.wait_all_probed(len(DEVICES))
    return daemon, notify


def control_path(procs):
    return os.path.join(procs.dir, "control.sock")


def last_probes(daemon):
    return {d["udid"]: _epoch(d["last_seen"]) for d in daemon.status()}


def acks_answered(procs):
    """`ibackupmonctl acks` got its reply (it gives up after 10 s of silence)."""
    r = subprocess.run([os.environ["CTL"], "acks", "--socket", control_path(procs)],
                       capture_output=True, timeout=30)
    return r.returncode == 0


def slow_reader(procs):
    """A client that pipelines requests and never reads must not stall the daemon's loop: the
    watchdog keeps pinging, probes continue, other clients are answered, and the client is dropped
    once its unread replies pile up."""
    daemon, notify = start(procs)
    hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hog.connect(control_path(procs))
    hog.setblocking(False)
    request = b'{"command":"acks"}\n' * 64
    began = time.monotonic()
    probes_before = last_probes(daemon)
    sent, dropped, answered, asked = 0, False, 0, 0
    while time.monotonic() - began < CLIENT_SECONDS:
        if not dropped:
            try:
                sent += hog.send(request)
                continue
            except BlockingIOError:
                pass  # the daemon is not reading from us (yet): keep the pressure on
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
        # Meanwhile, an admin's ibackupmonctl is answered (its own 10 s timeout applies).
        asked += 1
        if acks_answered(procs):
            answered += 1
        time.sleep(0.5)
    ended = time.monotonic()
    gap = notify.largest_gap(began, ended)
    probes_after = last_probes(daemon)
    print(f"slow_reader: sent {sent} bytes without reading; dropped by the daemon: {dropped}; "
          f"{answered}/{asked} ibackupmonctl acks answered; "
          f"{len([t for t in notify.pings if began <= t <= ended])} watchdog pings in "
          f"{ended - began:.1f} s, largest gap {gap:.2f} s")
    assert gap < MAX_PING_GAP_S, f"watchdog silent for {gap:.1f} s while the client did not read"
    assert asked > 0 and answered == asked, f"only {answered} of {asked} acks requests answered"
    stale = [u for u in DEVICES if probes_after[u] <= probes_before[u]]
    assert not stale, f"devices not probed while the client did not read: {stale}"
    assert dropped, "the client that never reads was not dropped"
    assert "dropping a client that does not read its replies" in daemon.log()
    hog.close()
    notify.close()


def accept_error(procs):
    """Out of file descriptors, accept() fails (EMFILE); once descriptors are free again the
    control socket answers: the accept loop retries instead of ending."""
    daemon, notify = start(procs)
    pid = daemon.proc.pid
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    used = len(os.listdir(f"/proc/{pid}/fd"))
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (used + 4, hard))
    clients = []
    try:
        # Connections wait in the listen backlog; the daemon accepts until its table is full.
        for _ in range(16):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(control_path(procs))
            except BlockingIOError:
                pass
            clients.append(c)
        wait_for("the daemon's descriptor table full",
                 lambda: len(os.listdir(f"/proc/{pid}/fd")) >= used + 4, timeout=30)
        # Connections are still waiting: the daemon's next accept() fails with EMFILE.
    finally:
        for c in clients:
            c.close()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    wait_for("ibackupmonctl acks answered after the descriptors were freed",
             lambda: (procs.check_alive(), acks_answered(procs))[1], timeout=60)
    log = daemon.log()
    assert "cannot accept a connection: Too many open files" in log, "no failed accept logged"
    assert "accepting connections again" in log
    notify.close()


def many_clients(procs):
    """Past 32 connections a new one gets "too many connections" and is closed; the daemon keeps
    its watchdog pings, and serves ibackupmonctl again once the idle clients leave."""
    _, notify = start(procs)
    idle = []
    for _ in range(32):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(control_path(procs))
        idle.append(c)
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    extra.settimeout(30)
    extra.connect(control_path(procs))
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = extra.recv(4096)
        if not chunk:
            break
        reply += chunk
    assert reply == b'{"ok":false,"error":"too many connections"}\n', reply
    assert extra.recv(4096) == b"", "the refused connection was left open"
    extra.close()
    r = subprocess.run([os.environ["CTL"], "acks", "--socket", control_path(procs)],
                       capture_output=True, timeout=30)
    assert r.returncode != 0 and b"too many connections" in r.stderr, r
    pings = len(notify.pings)
    wait_for("watchdog pings while the connections are full", lambda: len(notify.pings) >= pings + 2,
             timeout=30)
    for c in idle:
        c.close()
    wait_for("ibackupmonctl acks answered after the idle clients left",
             lambda: (procs.check_alive(), acks_answered(procs))[1], timeout=30)
    notify.close()


def ask(procs, line):
    """One raw request line on the control socket; the reply, parsed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(30)
        c.connect(control_path(procs))
        c.sendall(line + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = c.recv(4096)
            if not chunk:
                break
            reply += chunk
    return json.loads(reply)


def exit_codes(procs):
    """ibackupmonctl against the real daemon: each outcome has its exit code (docs/ctl.md), and
    the daemon's replies carry their code; malformed and unknown requests list the commands."""
    start(procs)

    def ctl(*args, sock=None):
        r = subprocess.run([os.environ["CTL"], *args, "--socket", sock or control_path(procs)],
                           capture_output=True, timeout=30)
        return r.returncode, r.stderr.decode(errors="replace")

    assert ctl("acks") == (0, "")
    assert ctl("ack", DEVICES[0], "--comment", "exit codes")[0] == 0
    assert ctl("unack", DEVICES[0])[0] == 0
    code, err = ctl("ack", DEVICES[0], "--until", "2001-01-01T00:00:00Z")
    assert code == 64 and "is in the past" in err, (code, err)
    code, err = ctl("ack", "not a udid!")
    assert code == 64 and "udid: expected a device UDID" in err, (code, err)
    code, err = ctl("ack")
    assert code == 64, (code, err)
    code, err = ctl("acks", sock=os.path.join(procs.dir, "absent.sock"))
    assert code == 74 and "cannot reach ibackupmond" in err, (code, err)

    served = ["ack", "acks", "act", "remediation", "unack"]
    r = ask(procs, b'{"command":"reboot"}')
    assert r["ok"] is False and r["code"] == "unknown_command", r
    assert r["commands"] == served and "expected ack, acks, act, remediation or unack" in \
        r["error"], r
    r = ask(procs, b"not json")
    assert r["ok"] is False and r["code"] == "bad_request" and r["commands"] == served, r
    r = ask(procs, b'{"command":"ack","udid":"x y"}')
    assert r == {"ok": False, "error": "udid: expected a device UDID", "code": "bad_arguments"}, r
    r = ask(procs, b'{"command":"acks"}')
    assert r == {"ok": True, "acks": []}, r


SCENARIOS = {f.__name__: f for f in (slow_reader, accept_error, many_clients, exit_codes)}


def main():
    name = sys.argv[1]
    with Processes() as procs:
        SCENARIOS[name](procs)
        procs.check_alive()
    print(f"ok: {name}")


if __name__ == "__main__":
    main()
