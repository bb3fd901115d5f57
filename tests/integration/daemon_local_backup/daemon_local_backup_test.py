# SPDX-License-Identifier: Apache-2.0
"""Local safety-net backups end to end: the real ibackupmond runs Debian's real idevicebackup2
against ibackupmon-sim's devices, mails a real SMTP sink, and is read with the real
ibackupmonctl. The simulator's event log is the truth about which devices were backed up.

    daemon_local_backup_test.py backs_up|keeps_previous|small_disk|timeout_stop|concurrent|
                                forgotten

backs_up: a stale device gets one backup (a finished folder; `backups --json`, `history` and
  the metrics show it; the next probe records the computer backup; the alert mail says the data
  is safe on this host); a device seen locked on iOS 18 is skipped as needs_passcode without a
  try; an encryption-required device is skipped before starting; a healthy device is left alone.
keeps_previous: a run that fails mid-way leaves the previous finished backup in place, file for
  file; two failures in a row raise local_backup_failing.
small_disk: a backup directory on a 16 MiB tmpfs: a device too big is skipped with the space
  reason, a run that fills the volume is stopped with it; nothing unfinished is reported as
  done; the daemon stays responsive.
timeout_stop: `timeout` kills the child; stopping the daemon mid-backup stops the child, leaves
  no process and records the run as interrupted (daemon_stopped).
concurrent: five candidates, max_concurrent = 1: never two at once, the oldest iCloud backup
  first, all five backed up.
forgotten: a device not seen for [storage] forget_after has its backup folder deleted."""
import hashlib
import json
import os
import plistlib
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_alerts"))
from alerts_kit import (AlertDaemon, Processes, Sim, Sink, email_config, wait_for,  # noqa: E402
                        write_config)
from monitoring_kit import mount_tmpfs  # noqa: E402

BACKUP = "com.apple.mobile.backup"
BATTERY = "com.apple.mobile.battery"
DISK = "com.apple.disk_usage"
STALE = "00008110-00000000000BB701"
FRESH = "00008110-00000000000BB702"
LOCKED = "00008110-00000000000BB703"  # seen locked once, iOS 18: needs its passcode typed
ENCRYPTED = "00008110-00000000000BB704"  # RequiresEncryption without WillEncrypt
FIVE = [f"00008110-00000000000BB71{i}" for i in range(5)]


def device(udid, name, cloud="ago:9d", backup_spec="", faults="", backup_values="",
           used=10_000_000):
    return (f'[[device]]\nudid = "{udid}"\nname = "{name}"\nproduct_type = "iPad13,18"\n'
            f'product_version = "18.4.1"\nicloud_account = true\n'
            + (f"[device.faults]\n{faults}\n" if faults else "")
            + "[device.backup]\n"
            + ("" if "files =" in backup_spec else "files = 3\nfile_size = 100000\n")
            + backup_spec + "\n"
            + f'[device.values."{BACKUP}"]\nCloudBackupEnabled = true\n'
            f'LastCloudBackupDate = "{cloud}"\n{backup_values}\n'
            f'[device.values."{BATTERY}"]\nBatteryCurrentCapacity = 80\n'
            f"ExternalConnected = true\nBatteryIsCharging = true\n"
            f'[device.values."{DISK}"]\nTotalDataCapacity = 1000000000\n'
            f"TotalDataAvailable = {1_000_000_000 - used}\n\n")


def write_fleet(procs, devices):
    path = os.path.join(procs.dir, "fleet.toml")
    with open(path, "w") as f:
        f.write("".join(devices))
    return path


def policy(directory, extra="", remediation="", timeout="2m", min_free="1MiB"):
    return f"""[backup]
expect = "icloud"
[remediation]
{remediation}
[local_backup]
enable = true
directory = "{directory}"
window = ""
min_free_space = "{min_free}"
timeout = "{timeout}"
{extra}"""


def start(procs, devices, extra="", remediation="", directory=None, sink=None,
          group_window="2s", timeout="2m", storage="", min_free="1MiB"):
    fleet = write_fleet(procs, devices)
    sim = Sim(procs, fleet)
    directory = directory or os.path.join(procs.dir, "backups")
    sink = sink or Sink(procs).start()
    config = email_config(sink.port, group_window=group_window,
                          tables=policy(directory, extra, remediation, timeout, min_free))
    daemon = AlertDaemon(procs, sim.socket, config)
    if storage:
        write_config(procs.dir, daemon.db, f"127.0.0.1:{daemon.port}", config, storage)
    daemon.start()
    return sim, daemon, sink, directory


def backups_requested(sim, udid):
    return sum(1 for line in sim.ctl("events").splitlines()
               if (e := json.loads(line)).get("request") == "Backup" and e.get("udid") == udid)


def backups_accepted(sim, udid):
    """Backup requests the device accepted (a device still busy answers "busy")."""
    return sum(1 for line in sim.ctl("events").splitlines()
               if (e := json.loads(line)).get("request") == "Backup" and e.get("udid") == udid
               and e.get("result") == "ok")


def ctl_json(daemon, *args):
    r = subprocess.run([os.environ["CTL"], *args, "--json", "--db", daemon.db],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, (args, r.returncode, r.stderr)
    return json.loads(r.stdout)


def local_rows(daemon, udid, **want):
    rows = [a for a in ctl_json(daemon, "history", udid)["actions"]
            if a["action"] == "local_backup"]
    return [a for a in rows if all(a.get(k) == v for k, v in want.items())]


def folder_state(directory, udid):
    status = os.path.join(directory, udid, "Status.plist")
    if not os.path.exists(status):
        return None
    with open(status, "rb") as f:
        return plistlib.load(f).get("SnapshotState")


def digest_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


def children_named(pid, name):
    """Processes in pid's tree whose command is `name`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and cmd and os.path.basename(cmd[0].decode()) == name:
            found.append(int(entry))
    return found


def backs_up():
    with Processes() as procs:
        sim, daemon, sink, directory = start(procs, [
            device(STALE, "Cart 1 iPad 17"),
            device(FRESH, "Fresh", cloud="ago:1h"),
            device(LOCKED, "Locked once", faults="passcode_locked = true"),
            device(ENCRYPTED, "Encrypted", backup_values="RequiresEncryption = true"),
        ], group_window="15s")

        done = wait_for("one local backup done",
                        lambda: local_rows(daemon, STALE, result="done"), timeout=90)
        assert done[0]["outcome"] == "finished", done
        assert folder_state(directory, STALE) == "finished"
        mode = os.stat(os.path.join(directory, STALE)).st_mode & 0o777
        assert mode & 0o077 == 0, f"device folder mode {oct(mode)}: personal data"
        assert os.stat(directory).st_mode & 0o077 == 0

        b = ctl_json(daemon, "backups", STALE)
        assert b["last_result"] == "done" and b["finished_at"] and b["bytes"] > 0, b
        assert b["folder"] == os.path.join(directory, STALE), b
        listed = ctl_json(daemon, "backups")
        assert [x["udid"] for x in listed] == [STALE], listed

        # The next probe records the computer backup the run made.
        wait_for("computer backup recorded",
                 lambda: daemon.device(STALE)["last_computer_backup"], timeout=30)
        wait_for("metrics", lambda: (daemon.metric(
            "ibackupmon_local_backup_last_success_timestamp_seconds", udid=STALE) or 0) > 0,
            timeout=30)
        assert daemon.metric("ibackupmon_local_backup_size_bytes", udid=STALE) == b["bytes"]
        assert daemon.metric("ibackupmon_local_backups_running") == 0
        assert daemon.metric("ibackupmon_local_backup_progress_ratio", udid=STALE) is None, \
            "progress is shown only while a run goes"
        assert (daemon.metric("ibackupmon_local_backup_volume_free_bytes") or 0) > 0
        assert daemon.metric("ibackupmon_remediation_actions_total", action="local_backup",
                             result="done") == 1
        assert daemon.metric("ibackupmon_remediation_enabled", action="local_backup") == 1

        # backup_stale stays (iCloud is still stale), capped at warning, evidence says so.
        stale = next(c for c in daemon.device(STALE)["conditions"] if c["id"] == "backup_stale")
        assert stale["severity"] == "warning", stale
        assert stale["evidence"].get("local_backup"), stale

        mail = sink.wait_mails(1, "the backup_stale alert", timeout=60)[0]
        assert "safe on this host" in mail.text, mail.text

        # The locked device: unlocked later, but seen locked on iOS 18 -> needs its passcode.
        wait_for("LOCKED seen locked",
                 lambda: any(c["id"] == "passcode_locked"
                             for c in daemon.device(LOCKED)["conditions"]), timeout=30)
        sim.ctl("fault", LOCKED, "clear", "passcode_locked")
        wait_for("needs_passcode skip",
                 lambda: local_rows(daemon, LOCKED, result="skipped", reason="needs_passcode"),
                 timeout=30)
        wait_for("encryption skip",
                 lambda: local_rows(daemon, ENCRYPTED, result="skipped",
                                    reason="encryption_required"), timeout=30)
        cycles = daemon.metric("ibackupmon_probe_duration_seconds_count", probe="trust") or 0
        wait_for("more cycles", lambda: (daemon.metric(
            "ibackupmon_probe_duration_seconds_count", probe="trust") or 0) >= cycles + 8,
            timeout=60)
        assert backups_requested(sim, STALE) == 1, "min_interval: one backup, not one per cycle"
        for udid in (FRESH, LOCKED, ENCRYPTED):
            assert backups_requested(sim, udid) == 0, udid
        assert not local_rows(daemon, FRESH), "a healthy device is left alone"
        assert not os.path.exists(os.path.join(directory, LOCKED))
        procs.check_alive()


def keeps_previous():
    with Processes() as procs:
        sim, daemon, sink, directory = start(procs, [device(STALE, "Cart 1 iPad 3")],
                                             remediation='min_interval = "1s"')
        wait_for("first backup", lambda: local_rows(daemon, STALE, result="done"), timeout=90)
        before = digest_tree(os.path.join(directory, STALE))
        assert before, "the first backup wrote files"
        # Every later run fails after two files: the device is unplugged mid-way.
        sim.ctl("backup", STALE, "error", "1")
        sim.ctl("backup", STALE, "after_files", "2")
        wait_for("two failed runs", lambda: len(local_rows(daemon, STALE, result="failed")) >= 2,
                 timeout=120)
        # With min_interval 1 s the next run starts about a second after one fails, and a run
        # keeps the finished folder aside while it goes: pause remediation so no run starts,
        # then await the end of the one that may have started (its row pending until the
        # folder is back in place) before reading the folder.
        daemon.ctl("remediation", "pause")
        wait_for("the last run ended", lambda: local_rows(daemon, STALE) and not local_rows(
            daemon, STALE, result="pending"), timeout=60)
        wait_for("no run going", lambda: daemon.metric("ibackupmon_local_backups_running") == 0,
                 timeout=60)
        assert folder_state(directory, STALE) == "finished"
        after = digest_tree(os.path.join(directory, STALE))
        assert after == before, "the last finished backup must survive failed runs unchanged"
        b = ctl_json(daemon, "backups", STALE)
        assert b["last_result"] == "failed" and b["failures_in_row"] >= 2, b
        wait_for("local_backup_failing",
                 lambda: any(c["id"] == "local_backup_failing"
                             for c in daemon.device(STALE)["conditions"]), timeout=30)
        procs.check_alive()


def small_disk():
    with Processes() as procs:
        mnt = os.path.join(procs.dir, "small")
        os.makedirs(mnt)
        mount_tmpfs(mnt, "size=16m,mode=0700")
        try:
            directory = os.path.join(mnt, "backups")
            # min_free_space 12 MiB of 16. STALE has 100 MB used: a full backup cannot fit, it
            # is skipped. GROWS says 1 MB used and sends 8 x 1.2 MB (less than the volume's free
            # space, which the device itself checks: it would refuse with 105), slowly: it
            # starts, and is stopped once the volume falls below 12 MiB free (checked every
            # 10 s; by then about 6 MB are written).
            grows = FRESH
            big = "files = 8\nfile_size = 1200000\nfile_delay_ms = 2000\n"
            sim, daemon, sink, _ = start(
                procs, [device(STALE, "Cart 1 iPad 9", used=100_000_000),
                        device(grows, "Cart 1 iPad 10", used=1_000_000, backup_spec=big)],
                directory=directory, min_free="12MiB")
            wait_for("space skip", lambda: local_rows(daemon, STALE, result="skipped",
                                                      reason="disk_space"), timeout=60)
            assert backups_requested(sim, STALE) == 0
            wait_for("stopped for space", lambda: local_rows(daemon, grows, result="failed"),
                     timeout=90)
            (row,) = local_rows(daemon, grows, result="failed")
            assert row["reason"] == "disk_space", row
            assert "below min_free_space: stopping the backup" in daemon.log(), \
                "stopped by the daemon's watch, not refused by the device"
            assert not local_rows(daemon, grows, result="done")
            assert folder_state(directory, grows) != "finished", "nothing unfinished is done"
            b = ctl_json(daemon, "backups", grows)
            assert b["last_result"] == "failed" and b["finished_at"] is None, b
            assert not children_named(daemon.proc.pid, "idevicebackup2")
            # Responsive: status and metrics answer. The gauge follows the audit row by one
            # publication of the fleet view.
            wait_for("no run going",
                     lambda: daemon.metric("ibackupmon_local_backups_running") == 0, timeout=10)
            assert daemon.device(STALE)["backup_state"] == "stale"
            procs.check_alive()
        finally:
            for name, p, log in procs.procs:
                if p.poll() is None:
                    p.terminate()
                    p.wait(timeout=30)
            subprocess.run(["umount", mnt])


def timeout_stop():
    with Processes() as procs:
        slow = "file_delay_ms = 20000\n"
        sim, daemon, sink, directory = start(
            procs, [device(STALE, "Slow", backup_spec=slow)],
            timeout="4s", remediation='min_interval = "1s"')
        (first,) = wait_for("the first idevicebackup2",
                            lambda: children_named(daemon.proc.pid, "idevicebackup2"), timeout=60)
        wait_for("timeout", lambda: local_rows(daemon, STALE, result="failed", reason="timeout"),
                 timeout=60)
        # That child, by its pid: with min_interval 1 s the next run may already be going.
        wait_for("the timed-out child reaped", lambda: not os.path.exists(f"/proc/{first}"),
                 timeout=30)
        # Long enough now; stop the daemon while the next run goes. The device stays busy with
        # the abandoned session for a while (each run until then fails at once, "busy"), so
        # the run to stop is the next one the device accepts. Runs started before the reload
        # keep the 4 s timeout: pause remediation and await their end first, so that every run
        # after the reload has the long one.
        daemon.ctl("remediation", "pause")
        wait_for("the last short run ended", lambda: not local_rows(
            daemon, STALE, result="pending") and not children_named(
                daemon.proc.pid, "idevicebackup2"), timeout=60)
        accepted = backups_accepted(sim, STALE)
        daemon.reload(email_config(sink.port, tables=policy(directory, "", 'min_interval = "1s"',
                                                            timeout="10m")))
        daemon.ctl("remediation", "resume")
        wait_for("the device accepting the next run",
                 lambda: backups_accepted(sim, STALE) > accepted, timeout=90)
        child = wait_for("its idevicebackup2",
                         lambda: children_named(daemon.proc.pid, "idevicebackup2"), timeout=30)[0]
        wait_for("its progress in the metrics", lambda: daemon.metric(
            "ibackupmon_local_backup_progress_ratio", udid=STALE) is not None, timeout=30)
        progress = daemon.metric("ibackupmon_local_backup_progress_ratio", udid=STALE)
        assert progress is not None and 0 <= progress < 1, progress
        began = time.monotonic()
        daemon.proc.terminate()
        code = daemon.proc.wait(timeout=30)
        took = time.monotonic() - began
        assert code == 0, f"daemon exit {code}"
        assert took < 20, f"stopping took {took:.1f}s"
        assert not os.path.exists(f"/proc/{child}") or open(
            f"/proc/{child}/stat").read().split()[2] == "Z", "idevicebackup2 left behind"
        rows = local_rows(daemon, STALE, result="interrupted", reason="daemon_stopped")
        assert rows, local_rows(daemon, STALE)
        b = ctl_json(daemon, "backups", STALE)
        assert b["last_result"] == "interrupted", b
        for entry in list(procs.procs):
            if entry[1] is daemon.proc:
                procs.procs.remove(entry)
                entry[2].close()


def concurrent():
    with Processes() as procs:
        ages = ["ago:5d", "ago:9d", "ago:3d", "ago:12d", "ago:7d"]
        slow = "file_delay_ms = 300\n"
        sim, daemon, sink, directory = start(
            procs, [device(u, f"iPad {i}", cloud=a, backup_spec=slow)
                    for i, (u, a) in enumerate(zip(FIVE, ages))],
            extra="max_concurrent = 1")
        most = 0

        def all_done():
            nonlocal most
            most = max(most, len(children_named(daemon.proc.pid, "idevicebackup2")))
            running = daemon.metric("ibackupmon_local_backups_running") or 0
            most = max(most, int(running))
            return all(local_rows(daemon, u, result="done") for u in FIVE)
        wait_for("five backups", all_done, timeout=240, interval=0.2)
        assert most == 1, f"{most} backups ran at once with max_concurrent = 1"
        started = [e["udid"] for line in sim.ctl("events").splitlines()
                   if (e := json.loads(line)).get("request") == "Backup"]
        # The oldest iCloud backup goes first: 12d, then 9d (the first may have started before
        # every device was read once, so only the order after it is certain).
        assert started[1:] == sorted(started[1:], key=lambda u: ages[FIVE.index(u)]
                                     .replace("ago:", "").rjust(4, "0"), reverse=True) or \
            started[0] == FIVE[3], started
        for u in FIVE:
            assert backups_requested(sim, u) == 1, u
        procs.check_alive()


def forgotten():
    with Processes() as procs:
        sim, daemon, sink, directory = start(procs, [device(STALE, "Leaves the cart")],
                                             storage='forget_after = "3s"')
        wait_for("backed up", lambda: local_rows(daemon, STALE, result="done"), timeout=90)
        assert os.path.isdir(os.path.join(directory, STALE))
        # Not seen for [storage] forget_after: forgotten, and its backup with it.
        sim.ctl("detach", STALE)
        wait_for("folder deleted", lambda: not os.path.exists(os.path.join(directory, STALE)),
                 timeout=60)
        # The daemon deletes the folder first, then the device's record in the database.
        wait_for("its record gone from `backups`", lambda: ctl_json(daemon, "backups") == [],
                 timeout=10)
        assert not os.path.exists(os.path.join(directory, ".previous", STALE))
        procs.check_alive()


SCENARIOS = {f.__name__: f for f in (backs_up, keeps_previous, small_disk, timeout_stop,
                                     concurrent, forgotten)}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]]()
    print("ok")
