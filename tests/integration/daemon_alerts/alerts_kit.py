# SPDX-License-Identifier: Apache-2.0
"""The real ibackupmond + real ibackupmon-sim + a real SMTP sink (aiosmtpd) on loopback, for the
end-to-end alert tests: fleets written per test, a daemon that can be SIGKILLed, restarted and
reloaded, and the mails the sink received, parsed as a mail client would."""
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_metrics"))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from daemon_kit import Daemon, write_config  # noqa: E402
from monitoring_kit import Processes, free_port, http_get, parse_exposition, wait_for  # noqa: E402,F401

SMTP_SINK = os.path.join(HERE, "..", "alert", "smtp_sink.py")
PY = "/usr/bin/python3"  # Debian's python, which has python3-aiosmtpd
GROUP_WINDOW_S = 2
PROBE_INTERVAL_S = 2  # daemon_kit's [probe] interval
STALE = "ago:2d"  # older than the default backup.stale_after (36h), younger than critical (7d)
FRESH = "ago:1h"
NOW = "now"  # the simulator's start: goes stale by itself after a short backup.stale_after


def backup_config(stale_after, critical_after="7d"):
    """A [backup] table (goes after email_config(), which ends inside [alerts.email])."""
    return f"""[backup]
stale_after = "{stale_after}"
critical_after = "{critical_after}"
"""
BACKUP = "com.apple.mobile.backup"


def device_toml(udid, name, backup=FRESH, keep_fresh=False, attached=True):
    """keep_fresh: the device completes an iCloud backup every 4 s for 10 minutes."""
    timeline = "".join(f"""[[device.timeline]]
at = "{t}s"
action = "set"
domain = "{BACKUP}"
key = "LastCloudBackupDate"
value = "now"
""" for t in range(4, 600, 4)) if keep_fresh else ""
    return f"""[[device]]
udid = "{udid}"
situation = "test"
name = {json.dumps(name)}
product_type = "iPhone14,7"
product_version = "18.4.1"
build_version = "22E252"
attached = {"true" if attached else "false"}
[device.values."{BACKUP}"]
CloudBackupEnabled = true
LastCloudBackupDate = "{backup}"
{timeline}
"""


def udid_of(i):
    return "00008110-%016X" % (0xA1E27000 + i)


def write_fleet(procs, devices):
    """devices: [(udid, name, backup)] or [(udid, name, backup, {device_toml options})]."""
    path = os.path.join(procs.dir, "fleet.toml")
    with open(path, "w") as f:
        for udid, name, backup, *options in devices:
            f.write(device_toml(udid, name, backup, **(options[0] if options else {})))
    return path


class Sink:
    """smtp_sink.py on a fixed loopback port; mails() reads what it stored."""

    def __init__(self, procs, port=None, name="smtp", reply_delay=0.0):
        self.procs, self.name = procs, name
        self.port = port or free_port()
        self.dir = os.path.join(procs.dir, name + "-mail")
        self.reply_delay = reply_delay
        self.proc = None

    def start(self):
        port_file = os.path.join(self.procs.dir, self.name + ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        argv = [PY, SMTP_SINK, "--dir", self.dir, "--port-file", port_file,
                "--port", str(self.port)]
        if self.reply_delay:
            argv += ["--reply-delay", str(self.reply_delay)]
        self.proc = self.procs.start(self.name, argv, strict=True)
        wait_for(f"{self.name} listening", lambda: (self.procs.check_alive(),
                                                   os.path.exists(port_file))[1], timeout=30)
        return self

    def files(self):
        if not os.path.isdir(self.dir):
            return []
        return sorted(f for f in os.listdir(self.dir) if f.endswith(".eml"))

    def mails(self):
        out = []
        for f in self.files():
            with open(os.path.join(self.dir, f), "rb") as fh:
                raw = fh.read()
            with open(os.path.join(self.dir, f[:-4] + ".env")) as fh:
                env = fh.read().splitlines()
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append(Mail(raw, msg, [line[3:] for line in env if line.startswith("to ")]))
        return out

    def wait_mails(self, count, what, timeout=60):
        def enough():
            self.procs.check_alive()
            m = self.mails()
            return m if len(m) >= count else None
        return wait_for(f"{count} mail(s): {what}", enough, timeout=timeout)


class Mail:
    def __init__(self, raw, msg, rcpts):
        self.raw, self.msg, self.rcpts = raw, msg, rcpts
        self.subject = str(msg["subject"])
        self.message_id = str(msg["message-id"])

    def part(self, ctype):
        for p in self.msg.walk():
            if p.get_content_type() == ctype:
                return p.get_content()
        raise AssertionError(f"no {ctype} part in mail {self.subject!r}")

    @property
    def text(self):
        return self.part("text/plain")

    @property
    def html(self):
        return self.part("text/html")

    def defects(self):
        found = [type(d).__name__ for d in self.msg.defects]
        for p in self.msg.walk():
            found += [type(d).__name__ for d in p.defects]
        return found


def email_config(sink_port, group_window=f"{GROUP_WINDOW_S}s", repeat="daily", to=None,
                 notify_resolved=True, extra_alerts="", tables="", smtp_timeout="20s"):
    """Goes right after daemon_kit's [alerts] control_socket line."""
    to = to or ["admin@example.test"]
    return f"""group_window = "{group_window}"
repeat = "{repeat}"
notify_resolved = {"true" if notify_resolved else "false"}
host_name = "cart-host-7"
{extra_alerts}[alerts.email]
smtp_url = "smtp://127.0.0.1:{sink_port}"
starttls = "never"
from = "ibackupmon@example.test"
to = {json.dumps(to)}
timeout = "{smtp_timeout}"
{tables}"""


class AlertDaemon:
    """One ibackupmond against the simulator; kill -9, restart and SIGHUP keep the same files."""

    def __init__(self, procs, sim_socket, extra_config):
        self.procs = procs
        self.sim_socket = sim_socket
        self.db = os.path.join(procs.dir, "ibackupmon.db")
        self.port = free_port()
        self.config = write_config(procs.dir, self.db, f"127.0.0.1:{self.port}", extra_config)
        self.view = Daemon(procs, self.db, self.port)
        self.proc = None

    def start(self):
        env = dict(os.environ, USBMUXD_SOCKET_ADDRESS="UNIX:" + self.sim_socket)
        log = open(os.path.join(self.procs.dir, "daemon.log"), "ab")
        self.proc = subprocess.Popen([os.environ["DAEMON"], "--config", self.config], stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.procs.dir, env=env)
        self.procs.procs.append(("daemon", self.proc, log))
        self.procs.strict.add("daemon")
        wait_for("daemon metrics endpoint", lambda: (self.procs.check_alive() or True)
                 and http_get(self.view.metrics_url), timeout=60)
        return self

    def kill9(self):
        """SIGKILL, and forget the process so the kit does not count it as a bad exit."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        for entry in list(self.procs.procs):
            if entry[1] is self.proc:
                self.procs.procs.remove(entry)
                entry[2].close()

    def reload(self, extra_config):
        write_config(self.procs.dir, self.db, f"127.0.0.1:{self.port}", extra_config)
        before = self.log().count("configuration reloaded")
        self.proc.send_signal(signal.SIGHUP)
        wait_for("reload logged", lambda: (self.procs.check_alive(),
                                           self.log().count("configuration reloaded") > before)[1],
                 timeout=30)

    def log(self):
        return self.procs.log("daemon")

    def status(self):
        return self.view.status()

    def device(self, udid):
        return next(d for d in self.status() if d["udid"] == udid)

    def metric(self, name, **labels):
        for n, ls, v in parse_exposition(http_get(self.view.metrics_url)):
            if n == name and all(ls.get(k) == x for k, x in labels.items()):
                return v
        return None

    def ctl(self, *args, check=True):
        r = subprocess.run([os.environ["CTL"], *args, "--db", self.db]
                           if args[0] == "status" else
                           [os.environ["CTL"], *args, "--socket",
                            os.path.join(self.procs.dir, "control.sock")],
                           capture_output=True, timeout=30)
        if check and r.returncode not in ((0, 1, 2, 3) if args[0] == "status" else (0,)):
            raise AssertionError(f"ibackupmonctl {args} failed ({r.returncode}): {r.stderr!r}")
        return r.stdout.decode(errors="replace")

    def wait_state(self, udid, state, timeout=60):
        return wait_for(f"{udid} backup_state {state}", lambda: (self.procs.check_alive(),
                        self.device(udid)["backup_state"] == state)[1], timeout=timeout)

    def wait_cycles_after(self, moment, udids, extra_s=GROUP_WINDOW_S + 2 * PROBE_INTERVAL_S,
                          timeout=60):
        """Until every device was probed later than moment + extra_s (Unix seconds): the daemon
        has evaluated its alerts well past the group window since `moment`, so a mail that was
        going to follow has been queued. Then until the outbox is empty (it has been sent)."""
        after = moment + extra_s

        def probed():
            self.procs.check_alive()
            seen = {d["udid"]: d["last_seen"] for d in self.status()}
            return all(seen.get(u) and _epoch(seen[u]) > after for u in udids)
        wait_for(f"probes after {extra_s}s past the first mail", probed, timeout=timeout)
        wait_for("empty outbox", lambda: self.metric("ibackupmon_alert_outbox_depth") == 0,
                 timeout=timeout)


class Sim:
    def __init__(self, procs, fleet):
        d = procs.dir
        self.socket = os.path.join(d, "usbmuxd.sock")
        self.control = os.path.join(d, "sim-control.sock")
        ready = os.path.join(d, "sim.ready")
        procs.start("sim", [os.environ["SIM"], "--socket", self.socket, "--fleet", fleet,
                            "--control", self.control, "--ready-file", ready], strict=True)
        wait_for("simulator ready", lambda: os.path.exists(ready), timeout=30)

    def ctl(self, *args):
        r = subprocess.run([os.environ["SIM"], "ctl", "--control", self.control, *args],
                           capture_output=True, timeout=30)
        assert r.returncode == 0, f"sim ctl {args}: {r.returncode} {r.stderr!r}"
        return r.stdout.decode()

    def set_backup(self, udid, value):
        self.ctl("set", udid, BACKUP, "LastCloudBackupDate", value)

    def events(self):
        """Every request the simulator logged so far (`ibackupmon-sim ctl events`), oldest first."""
        return [json.loads(line) for line in self.ctl("events").splitlines() if line.strip()]

    def wait_probe_recorded(self, udid, seen, what, timeout=60):
        """Until, among the events after the first `seen`, a lockdown session of udid opened and
        closed and the next one opened: the daemon starts a device's next probe only once it has
        recorded the previous one, so the status then holds that complete probe."""
        def done():
            r = [e.get("request") for e in self.events()[seen:] if e.get("udid") == udid
                 and e.get("request") in ("StartSession", "StopSession")]
            return ["StartSession", "StopSession", "StartSession"] in [r[i:i + 3]
                                                                     for i in range(len(r))]
        wait_for(what, done, timeout=timeout)


def _epoch(rfc3339):
    import datetime
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def now():
    return time.time()


def feed_server(procs):
    """The loopback feed server with the project's fixtures; returns its base URL."""
    src = os.environ["IBACKUPMON_SOURCE_DIR"]
    procs.start("feeds", ["/usr/bin/python3", "-u",
                          os.path.join(src, "tests", "integration", "feeds", "feed_server.py"),
                          os.path.join(src, "tests", "fixtures", "feeds")])
    port = wait_for("feed server port", lambda: next(
        (line.split()[1] for line in procs.log("feeds").splitlines()
         if line.startswith("PORT ")), None), timeout=20)
    return f"http://127.0.0.1:{port}"
