# SPDX-License-Identifier: Apache-2.0
"""Remediation end to end, as an admin would run it: the real ibackupmond acting on
ibackupmon-sim's devices over USB through libimobiledevice. The simulator's event log is the
truth about what reached a device; the audit trail is read with `ibackupmonctl history --json`,
the metrics from /metrics, the control commands through the real ibackupmonctl.

1. enable_icloud_backup: a device with the switch off and an iCloud account gets it on (one
   EnableCloudBackup, verified, the condition closes); a device without an account and a locked
   device are never touched; switched off again, the device gets icloud_backup_turned_off_again
   and no second request. Manual act on the locked device is refused with the reason; pause and
   resume show in status and metrics.
2. restart, dry run: decisions recorded as dry_run, no Restart reaches a device.
3. restart: five unexplained-stale devices, max_restarts_per_hour = 2: exactly two restarts, one
   at a time, each came back; the others are held back by the rate limit, also after the daemon
   itself restarted (the limits live in the database).
4. Apple's status feed (served from a fixture on loopback) shows an iCloud Backup outage: the
   same five devices are not restarted, each skip says why.
5. a restarted device that does not come back: did_not_come_back in the audit trail,
   remediation_failed on the device, mailed to a real SMTP sink with a note of what was done; the
   daemon stays healthy. At 07:00 local time (TZ set so that comes seconds after the start) the
   daily digest lists the failed restart, once.
A peer that is not root is refused act and remediation by the daemon itself."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_metrics"))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from daemon_kit import sim_ctl, start_daemon_with_sim  # noqa: E402
from monitoring_kit import Processes, http_get, parse_exposition, wait_for  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "daemon_alerts"))
from alerts_kit import AlertDaemon, Sim, Sink, email_config, feed_server  # noqa: E402

BACKUP = "com.apple.mobile.backup"
BATTERY = "com.apple.mobile.battery"
OFF = "00008110-00000000000AC701"  # iCloud Backup off, iCloud account
NO_ACCOUNT = "00008110-00000000000AC702"  # iCloud Backup off, no account
LOCKED = "00008110-00000000000AC703"  # iCloud Backup off, account, locked
STALE = [f"00008110-00000000000AC71{i}" for i in range(5)]  # backup 9 days old
FRESH = "00008110-00000000000AC720"


def device(udid, name, backup, account=True, faults=""):
    return (f'[[device]]\nudid = "{udid}"\nname = "{name}"\nproduct_type = "iPad13,18"\n'
            f'product_version = "18.4.1"\nicloud_account = {"true" if account else "false"}\n'
            f"restart_seconds = 2\n"
            + (f"[device.faults]\n{faults}\n" if faults else "")
            + f'[device.values."{BACKUP}"]\n{backup}\n'
            f'[device.values."{BATTERY}"]\nBatteryCurrentCapacity = 80\n'
            f"ExternalConnected = true\nBatteryIsCharging = true\n\n")


def write_fleet(procs, name, devices):
    path = os.path.join(procs.dir, name)
    with open(path, "w") as f:
        f.write("".join(devices))
    return path


def ctl(procs, *args):
    r = subprocess.run([os.environ["CTL"], *args, "--socket", os.path.join(procs.dir,
                                                                            "control.sock")],
                       capture_output=True, timeout=200)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def actions(daemon, udid):
    r = subprocess.run([os.environ["CTL"], "history", udid, "--json", "--db", daemon.db],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["actions"]


def events(procs, request, udid):
    n = 0
    for line in sim_ctl(procs, "events").splitlines():
        e = json.loads(line)
        if e.get("request") == request and e.get("udid") == udid:
            n += 1
    return n


def metric(daemon, name, **labels):
    for n, ls, v in parse_exposition(http_get(daemon.metrics_url)):
        if n == name and all(ls.get(k) == w for k, w in labels.items()):
            return v
    return None


def conditions(daemon, udid):
    for d in daemon.status():
        if d["udid"] == udid:
            return {c["id"] for c in d["conditions"]}
    return set()


def with_row(daemon, udid, **want):
    rows = actions(daemon, udid)
    return [a for a in rows if all(a.get(k) == v for k, v in want.items())]


def await_more_reads(procs, udid, n=3):
    """Until the daemon read the device's backup domain n more times (n probe cycles)."""
    def reads():
        return sum(1 for line in sim_ctl(procs, "events").splitlines()
                   if json.loads(line).get("udid") == udid
                   and json.loads(line).get("domain") == BACKUP)
    start = reads()
    wait_for(f"{n} more cycles of {udid}", lambda: reads() >= start + n, timeout=60)


def enable_icloud_backup():
    with Processes() as procs:
        fleet = write_fleet(procs, "enable.toml", [
            device(OFF, "Off", "CloudBackupEnabled = false\nLastCloudBackupDate = \"ago:1h\""),
            device(NO_ACCOUNT, "No account", "CloudBackupEnabled = false", account=False),
            device(LOCKED, "Locked", "CloudBackupEnabled = false",
                   faults="passcode_locked = true"),
        ])
        daemon = start_daemon_with_sim(procs, fleet, "[remediation]\nenable_icloud_backup = true\n")

        done = wait_for("iCloud Backup turned on and verified",
                        lambda: with_row(daemon, OFF, action="enable_icloud_backup",
                                         result="done", outcome="verified"), timeout=60)
        assert done[0]["trigger"] == "policy", done
        assert events(procs, "EnableCloudBackup", OFF) == 1
        wait_for("icloud_backup_disabled closed",
                 lambda: "icloud_backup_disabled" not in conditions(daemon, OFF), timeout=30)
        wait_for("no-account device held back",
                 lambda: with_row(daemon, NO_ACCOUNT, result="skipped",
                                  reason="no_account_evidence"), timeout=30)
        await_more_reads(procs, NO_ACCOUNT)
        assert events(procs, "EnableCloudBackup", NO_ACCOUNT) == 0
        assert events(procs, "EnableCloudBackup", LOCKED) == 0
        # A skip is recorded once, not every cycle.
        assert len(with_row(daemon, NO_ACCOUNT, result="skipped")) == 1, actions(daemon,
                                                                                 NO_ACCOUNT)
        assert metric(daemon, "ibackupmon_remediation_actions_total",
                      action="enable_icloud_backup", result="done") == 1
        assert metric(daemon, "ibackupmon_remediation_actions_total",
                      action="restart", result="done") == 0
        assert metric(daemon, "ibackupmon_remediation_enabled",
                      action="enable_icloud_backup") == 1
        assert metric(daemon, "ibackupmon_remediation_enabled", action="restart") == 0

        # Someone turns it off again: said, not fought.
        sim_ctl(procs, "set", OFF, BACKUP, "CloudBackupEnabled", "false")
        wait_for("icloud_backup_turned_off_again",
                 lambda: "icloud_backup_turned_off_again" in conditions(daemon, OFF), timeout=30)
        await_more_reads(procs, OFF)
        assert events(procs, "EnableCloudBackup", OFF) == 1
        assert with_row(daemon, OFF, result="skipped", reason="turned_off_again"), actions(
            daemon, OFF)

        # Manual requests: every safety rule applies.
        rc, out, err = ctl(procs, "act", LOCKED, "restart")
        assert rc == 77 and "locked" in err, (rc, out, err)
        assert events(procs, "Restart", LOCKED) == 0
        rc, out, err = ctl(procs, "act", LOCKED[:10], "restart")
        assert rc == 1 and "full UDID" in err, (rc, out, err)
        rc, out, err = ctl(procs, "act", OFF, "reboot")
        assert rc == 64, (rc, out, err)
        # Only root: a peer that may connect (group root here) but is not root is refused by the
        # daemon, before any rule is looked at.
        os.chmod(procs.dir, 0o711)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=0", "--clear-groups",
                            os.environ["CTL"], "act", OFF, "enable-icloud-backup", "--socket",
                            os.path.join(procs.dir, "control.sock")],
                           capture_output=True, timeout=60)
        assert r.returncode == 77 and b"only root may run this command" in r.stderr, r
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=0", "--clear-groups",
                            os.environ["CTL"], "remediation", "pause", "--socket",
                            os.path.join(procs.dir, "control.sock")],
                           capture_output=True, timeout=60)
        assert r.returncode == 77 and b"only root may run this command" in r.stderr, r
        assert metric(daemon, "ibackupmon_remediation_paused") == 0

        # The kill switch.
        rc, out, err = ctl(procs, "remediation", "pause", "--until", "2h")
        assert rc == 0 and "paused until" in out, (rc, out, err)
        wait_for("paused metric", lambda: metric(daemon, "ibackupmon_remediation_paused") == 1,
                 timeout=10)
        rc, out, err = ctl(procs, "remediation", "resume")
        assert rc == 0 and "active" in out, (rc, out, err)
        wait_for("resumed metric", lambda: metric(daemon, "ibackupmon_remediation_paused") == 0,
                 timeout=10)
        procs.check_alive()


def stale_fleet(procs, name):
    return write_fleet(procs, name, [device(u, f"Stale {i}", 'LastCloudBackupDate = "ago:9d"')
                                     for i, u in enumerate(STALE)]
                       + [device(FRESH, "Fresh", 'LastCloudBackupDate = "ago:1h"')])


RESTART_POLICY = """[remediation]
restart_after = "1s"
max_restarts_per_hour = 2
max_fleet_fraction = 1.0
restart_timeout = "60s"
"""


def restart_daemon(procs, daemon):
    """SIGTERM the daemon (it must exit 0), then start it again on the same files."""
    for entry in [e for e in procs.procs if e[0] == "daemon"]:
        entry[1].terminate()
        assert entry[1].wait(timeout=60) == 0, "ibackupmond did not stop cleanly"
        procs.procs.remove(entry)
        entry[2].close()
    env = dict(os.environ,
               USBMUXD_SOCKET_ADDRESS="UNIX:" + os.path.join(procs.dir, "usbmuxd.sock"))
    log = open(os.path.join(procs.dir, "daemon-2.log"), "wb")
    p = subprocess.Popen([os.environ["DAEMON"], "--config",
                          os.path.join(procs.dir, "ibackupmon.toml")],
                         stdout=log, stderr=subprocess.STDOUT, cwd=procs.dir, env=env)
    procs.procs.append(("daemon", p, log))
    wait_for("daemon back", lambda: (procs.check_alive() or True) and http_get(daemon.metrics_url),
             timeout=30)


def apple_outage():
    """Apple's status shows an ongoing iCloud Backup outage: no restart, whatever else says yes."""
    with Processes() as procs:
        base = feed_server(procs)
        daemon = start_daemon_with_sim(
            procs, stale_fleet(procs, "outage.toml"),
            RESTART_POLICY + f'[apple_status]\nurl = "{base}/fixtures/apple_status_current.json"'
            '\ninterval = "1s"\n')
        wait_for("the outage seen",
                 lambda: "apple_service_outage" in conditions(daemon, STALE[0]), timeout=60)
        wait_for("restarts held back for the outage",
                 lambda: all(with_row(daemon, u, action="restart", reason="apple_outage")
                             for u in STALE), timeout=60)
        for u in STALE:
            await_more_reads(procs, u, n=2)
            assert events(procs, "Restart", u) == 0, u
            assert not [a for a in with_row(daemon, u, action="restart")
                        if a["result"] != "skipped"], actions(daemon, u)
        procs.check_alive()


def restart_dry_run():
    with Processes() as procs:
        daemon = start_daemon_with_sim(procs, stale_fleet(procs, "dry.toml"),
                                       RESTART_POLICY + "dry_run = true\n")
        wait_for("two dry-run restarts",
                 lambda: sum(len(with_row(daemon, u, result="dry_run")) for u in STALE) == 2,
                 timeout=60)
        wait_for("the rest held back by the hourly limit",
                 lambda: sum(len(with_row(daemon, u, reason="rate_limit")) for u in STALE) == 3,
                 timeout=60)
        for u in STALE + [FRESH]:
            assert events(procs, "Restart", u) == 0, u
        # The five decisions may come within one publication of the fleet view: read the
        # metrics from a view published after the rows above were read.
        daemon.wait_fleet_view()
        assert metric(daemon, "ibackupmon_remediation_dry_run") == 1
        assert metric(daemon, "ibackupmon_remediation_actions_total", action="restart",
                      result="dry_run") == 2
        procs.check_alive()


def restart():
    with Processes() as procs:
        daemon = start_daemon_with_sim(procs, stale_fleet(procs, "restart.toml"), RESTART_POLICY)

        def came_back():
            rows = [a for u in STALE for a in with_row(daemon, u, action="restart")
                    if a["result"] != "skipped"]
            return rows if len(rows) == 2 and all(a["outcome"] == "came_back" for a in rows) \
                else None
        rows = wait_for("two restarts that came back", came_back, timeout=120)
        rows.sort(key=lambda a: a["requested_at"])
        # One at a time: the second was requested only after the first device was back.
        assert rows[1]["requested_at"] >= rows[0]["finished_at"], rows
        assert all(a["result"] == "done" for a in rows), rows
        wait_for("the rest held back by the hourly limit",
                 lambda: sum(len(with_row(daemon, u, reason="rate_limit")) for u in STALE) == 3,
                 timeout=60)
        await_more_reads(procs, STALE[0])
        assert sum(events(procs, "Restart", u) for u in STALE) == 2
        assert events(procs, "Restart", FRESH) == 0
        assert metric(daemon, "ibackupmon_remediation_actions_total", action="restart",
                      result="done") == 2

        # The hourly limit and the episodes are in the database: a restarted daemon keeps them.
        restart_daemon(procs, daemon)
        for u in STALE:
            await_more_reads(procs, u, n=2)
        assert sum(events(procs, "Restart", u) for u in STALE) == 2
        procs.check_alive()


DIGEST_IN = 25  # seconds from the daemon's start to its first digest


def zone_with_seven_oclock_in(seconds):
    """A POSIX TZ whose local time is 07:00:00 `seconds` from now."""
    at = int(time.time()) + seconds
    offset = (at % 86400 - 7 * 3600) % 86400  # local = UTC - offset
    if offset > 43200:
        offset -= 86400
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"DGT{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}:{offset % 60:02d}"


def did_not_come_back():
    with Processes() as procs:
        fleet = write_fleet(procs, "gone.toml", [
            device(STALE[0], "Never back", 'LastCloudBackupDate = "ago:9d"',
                   faults="restart_no_return = true"),
            device(FRESH, "Fresh", 'LastCloudBackupDate = "ago:1h"')])
        sink = Sink(procs).start()
        sim = Sim(procs, fleet)
        # The host's clock reads 07:00 local time (the digest's hour) DIGEST_IN seconds from now.
        os.environ["TZ"] = zone_with_seven_oclock_in(DIGEST_IN)
        daemon = AlertDaemon(procs, sim.socket, email_config(sink.port, tables=(
            RESTART_POLICY.replace('"60s"', '"4s"')))).start()
        del os.environ["TZ"]
        gone = wait_for("restart that did not come back",
                        lambda: with_row(daemon.view, STALE[0], action="restart",
                                         outcome="did_not_come_back"), timeout=90)
        assert gone[0]["result"] == "failed", gone
        wait_for("remediation_failed raised",
                 lambda: "remediation_failed" in conditions(daemon.view, STALE[0]), timeout=30)

        def mailed():
            for m in sink.mails():
                if "did_not_come_back" in m.text and "Never back" in m.text:
                    return m
            return None
        mail = wait_for("the failure mailed", mailed, timeout=60)
        assert not mail.defects(), mail.defects()
        # The device's mail says what was done to it.
        assert "ibackupmond tried to restart the device at " in mail.text, mail.text
        assert "which failed, it did not come back" in mail.text, mail.text

        # At 07:00 local time: the digest of what was done, once.
        def digest():
            return [m for m in sink.mails() if "what ibackupmon did" in m.subject]
        got = wait_for("the daily digest", digest, timeout=DIGEST_IN + 60)
        assert len(got) == 1 and not got[0].defects(), got
        assert "Never back (" + STALE[0] + "): ibackupmond tried to restart the device" \
            in got[0].text, got[0].text
        assert "restart: 1 failed" in got[0].text, got[0].text
        assert events(procs, "Restart", STALE[0]) == 1
        # Still healthy: it answers its control socket and keeps probing the others.
        rc, out, err = ctl(procs, "remediation", "status")
        assert rc == 0 and "active" in out, (rc, out, err)
        await_more_reads(procs, FRESH)
        procs.check_alive()


def main():
    enable_icloud_backup()
    restart_dry_run()
    restart()
    apple_outage()
    did_not_come_back()
    print("ok: daemon_remediation")


if __name__ == "__main__":
    main()
