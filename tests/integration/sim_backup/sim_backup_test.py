# SPDX-License-Identifier: Apache-2.0
"""Debian's idevicebackup2 (libimobiledevice 1.3.0) backs up devices of the real ibackupmon-sim:
a full backup, an incremental one, a forced full one, the device's LastiTunesBackupDate, and each
fault with the tool's own message and exit code.

Usage: sim_backup_test.py success|faults|runtime|bad_fleet   (env: SIM, IDEVICEBACKUP2, IDEVICEINFO)"""
import json
import os
import plistlib
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from monitoring_kit import Processes, wait_for  # noqa: E402

FLEET = os.path.join(HERE, "backup-fleet.toml")
APPLE_EPOCH = 978307200

OK = "00008110-0000BAC0000000A1"
IOS13 = "00008110-0000BAC0000000A2"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Sim:
    def __init__(self, procs):
        self.dir = procs.dir
        ready = os.path.join(self.dir, "sim.ready")
        self.control = os.path.join(self.dir, "sim.ctl")
        self.events_file = os.path.join(self.dir, "sim-events.jsonl")
        procs.start("sim", [os.environ["SIM"], "--socket", os.path.join(self.dir, "usbmuxd.sock"),
                            "--fleet", FLEET, "--control", self.control, "--ready-file", ready,
                            "--events", self.events_file], strict=True)
        address = wait_for("the simulator's ready file",
                           lambda: os.path.exists(ready) and open(ready).read().splitlines()[0])
        self.env = dict(os.environ, USBMUXD_SOCKET_ADDRESS=address)

    def ctl(self, *args):
        r = subprocess.run([os.environ["SIM"], "ctl", "--control", self.control, *args],
                           capture_output=True, timeout=30)
        check(r.returncode == 0, f"ctl {args}: exit {r.returncode}: {r.stderr!r}")
        return r.stdout.decode()

    def events(self, udid):
        with open(self.events_file) as f:
            return [e for e in map(json.loads, f) if e.get("udid") == udid]

    def backup(self, udid, *extra):
        """Runs `idevicebackup2 -u UDID backup [extra] DIR`: (exit code, output lines, DIR, s)."""
        folder = os.path.join(self.dir, "backup-" + udid)
        os.makedirs(folder, exist_ok=True)
        started = time.monotonic()
        r = subprocess.run([os.environ["IDEVICEBACKUP2"], "-u", udid, "backup", *extra, folder],
                           env=self.env, capture_output=True, timeout=120)
        took = time.monotonic() - started
        # Progress bars are redrawn with \r: keep the lines a reader sees at the end.
        text = (r.stdout + r.stderr).decode(errors="replace").replace("\r", "\n")
        lines = [ln for ln in text.split("\n") if ln and not ln.startswith("[")]
        return r.returncode, lines, folder, took

    def backup_value(self, udid, key):
        r = subprocess.run([os.environ["IDEVICEINFO"], "-u", udid, "-q", "com.apple.mobile.backup",
                            "-k", key], env=self.env, capture_output=True, timeout=30)
        check(r.returncode == 0, f"ideviceinfo {udid}: exit {r.returncode}")
        out = r.stdout.decode().strip()
        return int(out) if out else None


def exit_code(error_code):
    """What the shell sees when idevicebackup2 returns -ErrorCode."""
    return (-error_code) & 0xFF


def expect_lines(lines, *wanted):
    for w in wanted:
        check(w in lines, f"expected the line {w!r} in the tool's output:\n" + "\n".join(lines))


def read_plist(path):
    with open(path, "rb") as f:
        return plistlib.load(f)


def manifest_files(folder, udid):
    db = sqlite3.connect(os.path.join(folder, udid, "Manifest.db"))
    try:
        return {row[0]: (row[1], row[2]) for row in
                db.execute("SELECT fileID, domain, relativePath FROM Files WHERE flags = 1")}
    finally:
        db.close()


def test_success(procs):
    sim = Sim(procs)
    check(sim.backup_value(OK, "LastiTunesBackupDate") is None,
          "a device never backed up to a computer has no LastiTunesBackupDate")

    # A first backup is a full one.
    code, lines, folder, _ = sim.backup(OK)
    check(code == 0, f"first backup: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "Full backup mode.", "Received 8 files from device.", "Backup Successful.")
    dev = os.path.join(folder, OK)
    status = read_plist(os.path.join(dev, "Status.plist"))
    check(status["SnapshotState"] == "finished" and status["IsFullBackup"] is True,
          f"Status.plist after a full backup: {status}")
    files = manifest_files(folder, OK)
    check(len(files) == 4, f"Manifest.db lists the 4 synthetic files: {files}")
    for file_id in files:
        path = os.path.join(dev, file_id[:2], file_id)
        check(os.path.getsize(path) == 200000, f"{path}: expected 200000 bytes")
    manifest = read_plist(os.path.join(dev, "Manifest.plist"))
    check(manifest["Lockdown"]["UniqueDeviceID"] == OK and manifest["IsEncrypted"] is False,
          f"Manifest.plist: {manifest}")
    check(not os.path.exists(os.path.join(dev, "Snapshot")), "the Snapshot staging folder is gone")
    info = read_plist(os.path.join(dev, "Info.plist"))
    check(len(info["Installed Applications"]) == 3 and info["iTunes Version"] == "12.10.10",
          f"Info.plist (installation_proxy, com.apple.mobile.iTunes): {info.keys()}")
    check(all(app["PlaceholderIcon"].startswith(b"\x89PNG") for app in info["Applications"].values()),
          "every app got its icon from springboardservices")
    first_date = sim.backup_value(OK, "LastiTunesBackupDate")
    now = time.time() - APPLE_EPOCH
    check(first_date is not None and abs(first_date - now) < 120,
          f"LastiTunesBackupDate after the backup: {first_date}, now {now:.0f}")

    events = sim.events(OK)
    steps = {(e["request"], e.get("key", ""), e.get("result")) for e in events}
    for step in [("FileRefLock", "/com.apple.itunes.lock_sync", "ok"),
                 ("ObserveNotification", "com.apple.itunes-client.syncCancelRequest", "ok"),
                 ("PostNotification", "com.apple.itunes-mobdev.syncDidFinish", "ok"),
                 ("DLMessageProcessMessage", "ErrorCode", "0"),
                 ("FullBackup", "", "ok"),
                 ("DLMessageVersionExchange", "400", "ok"),
                 ("RelayNotification", "com.apple.mobile.backup.domain_changed", "1 observer")]:
        check(step in steps, f"event log lacks {step}")
    check(any(e["request"] == "Browse" for e in events), "installation_proxy Browse in the log")

    # A second one is incremental: the changed database and the new log, the old log removed.
    sms = next(i for i, (_, p) in files.items() if p == "Library/SMS/sms.db")
    photo = next(i for i, (_, p) in files.items() if p.endswith("IMG_0001.HEIC"))
    old_log = next(i for i, (_, p) in files.items() if p.startswith("Library/Logs/"))
    sms_before = open(os.path.join(dev, sms[:2], sms), "rb").read()
    photo_mtime = os.stat(os.path.join(dev, photo[:2], photo)).st_mtime_ns
    code, lines, _, _ = sim.backup(OK)
    check(code == 0, f"second backup: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "Incremental backup mode.", f"Sending '{OK}/Manifest.db' (32.8 KB)",
                 "Removing 1 file", "Received 6 files from device.", "Backup Successful.")
    check(read_plist(os.path.join(dev, "Status.plist"))["IsFullBackup"] is False,
          "Status.plist of an incremental backup says IsFullBackup false")
    check(open(os.path.join(dev, sms[:2], sms), "rb").read() != sms_before, "sms.db was sent again")
    check(os.stat(os.path.join(dev, photo[:2], photo)).st_mtime_ns == photo_mtime,
          "an unchanged photo is not sent again")
    check(not os.path.exists(os.path.join(dev, old_log[:2], old_log)), "the rotated log is removed")
    check(len(manifest_files(folder, OK)) == 4, "Manifest.db still lists 4 files")

    # --full makes the device send everything again.
    code, lines, _, _ = sim.backup(OK, "--full")
    check(code == 0, f"--full backup: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "Enforcing full backup from device.", "Received 8 files from device.",
                 "Backup Successful.")
    check(read_plist(os.path.join(dev, "Status.plist"))["IsFullBackup"] is True,
          "Status.plist of a forced full backup says IsFullBackup true")
    check(os.stat(os.path.join(dev, photo[:2], photo)).st_mtime_ns != photo_mtime,
          "--full sends unchanged files again")
    last = sim.backup_value(OK, "LastiTunesBackupDate")
    check(last > first_date, f"LastiTunesBackupDate moved: {first_date} -> {last}")

    # An iOS 13 device offers DeviceLink 300 and backs up the same way.
    code, lines, _, _ = sim.backup(IOS13)
    check(code == 0, f"iOS 13 backup: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "Received 6 files from device.", "Backup Successful.")
    check(("DLMessageVersionExchange", "300") in
          {(e["request"], e.get("key")) for e in sim.events(IOS13)},
          "an iOS 13 device offers DeviceLink major 300")


def test_faults(procs):
    sim = Sim(procs)
    cases = [
        # udid, exit code, lines the tool prints
        ("00008110-0000BAC0000000F1", exit_code(105),
         ["ErrorCode 105: Insufficient free disk space on drive to back up (MBErrorDomain/105)",
          "Received 3 files from device.", "Backup Failed (Error Code 105)."]),
        ("00008110-0000BAC0000000F2", exit_code(207),
         ["Received 0 files from device.", "Backup Failed (Error Code 207)."]),
        ("00008110-0000BAC0000000F4", exit_code(212),
         ["ErrorCode 212: Unable to backup until Setup is finished (MBErrorDomain/212)",
          "Backup Failed (Error Code 212)."]),
        ("00008110-0000BAC0000000F5", exit_code(25), ["Backup Failed (Error Code 25)."]),
        ("00008110-0000BAC0000000F6", 255,
         ["ERROR: Could not receive from mobilebackup2 (-256)", "Received 2 files from device.",
          "Backup Aborted."]),
        ("00008110-0000BAC0000000F7", 255, ["ERROR: Could not connect to lockdownd, error code -17"]),
        ("00008110-0000BAC0000000F9", 255, ["ERROR: timeout while locking for sync"]),
    ]
    # Unplugged, or refusing lockdown sessions: ideviceinfo cannot read them afterwards.
    unreachable = {"00008110-0000BAC0000000F6", "00008110-0000BAC0000000F7"}
    for udid, want_code, want_lines in cases:
        code, lines, folder, _ = sim.backup(udid)
        check(code == want_code, f"{udid}: exit {code}, expected {want_code}:\n" + "\n".join(lines))
        expect_lines(lines, *want_lines)
        check("Backup Successful." not in lines, f"{udid}: a fault must not end in success")
        if udid not in unreachable:
            check(sim.backup_value(udid, "LastiTunesBackupDate") is None,
                  f"{udid}: a failed backup leaves LastiTunesBackupDate alone")
    listing = sim.ctl("list")
    check("00008110-0000BAC0000000F6 - detached" in listing,
          f"the device unplugged mid-backup is detached:\n{listing}")

    # 208: the device waits for its passcode (2 s here, ~3 min on a real device), then gives up.
    udid = "00008110-0000BAC0000000F3"
    code, lines, _, took = sim.backup(udid)
    check(code == exit_code(208), f"208: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "ErrorCode 208: Device locked (MBErrorDomain/208)",
                 "Backup Failed (Error Code 208).")
    check(took >= 2.0, f"the device waited for its passcode before 208 ({took:.1f}s)")
    check(any(e["request"] == "PasscodeRequested" for e in sim.events(udid)),
          "the passcode prompt is in the event log")

    # A slow transfer that fails one second in: some files, not all, then 212.
    udid = "00008110-0000BAC0000000F8"
    code, lines, folder, took = sim.backup(udid)
    check(code == exit_code(212), f"after_seconds: exit {code}:\n" + "\n".join(lines))
    sent = [e for e in sim.events(udid) if e["request"] == "UploadFile"]
    check(2 <= len(sent) < 20, f"after_seconds 1 with 150 ms a file: {len(sent)} files sent")


def test_runtime(procs):
    """ctl backup switches faults on a running simulator."""
    sim = Sim(procs)
    sim.ctl("backup", OK, "file_size", "1000")
    sim.ctl("backup", OK, "error", "212")
    check(f"{OK} " in sim.ctl("list") and "backup.error=212" in sim.ctl("list"),
          "ctl list shows the backup fault")
    code, lines, _, _ = sim.backup(OK)
    check(code == exit_code(212), f"ctl backup error 212: exit {code}:\n" + "\n".join(lines))
    sim.ctl("backup", OK, "reset")
    sim.ctl("backup", OK, "files", "1")
    code, lines, _, _ = sim.backup(OK)
    check(code == 0, f"after ctl backup reset: exit {code}:\n" + "\n".join(lines))
    expect_lines(lines, "Received 5 files from device.", "Backup Successful.")
    r = subprocess.run([os.environ["SIM"], "ctl", "--control", sim.control, "backup", OK, "speed",
                        "3"], capture_output=True, timeout=30)
    check(r.returncode == 1 and b"backup speed: unknown key" in r.stderr,
          f"an unknown backup key is refused by name: {r.returncode} {r.stderr!r}")


def test_bad_fleet(procs):
    """Bad [device.backup] keys are refused with file:line:column, all at once."""
    path = os.path.join(procs.dir, "bad.toml")
    with open(path, "w") as f:
        f.write('[[device]]\nudid = "X1"\n[device.backup]\nfiles = "many"\nspeed = 3\n'
                'file_delay_ms = -5\n')
    r = subprocess.run([os.environ["SIM"], "--socket", os.path.join(procs.dir, "bad.sock"),
                        "--fleet", path], capture_output=True, timeout=30)
    err = r.stderr.decode()
    check(r.returncode == 1, f"a bad fleet file exits 1, not {r.returncode}: {err}")
    for want in [f"{path}:4:9: backup.files: expected an integer or true/false",
                 f"{path}:5:9: backup.speed: unknown key",
                 f"{path}:6:17: backup.file_delay_ms: expected 0..600000, found -5"]:
        check(want in err, f"expected {want!r} in:\n{err}")


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else ""
    tests = {"success": test_success, "faults": test_faults, "runtime": test_runtime,
             "bad_fleet": test_bad_fleet}
    if scenario not in tests:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(tests)}")
    with Processes() as procs:
        tests[scenario](procs)
    print(f"sim_backup {scenario}: ok")


if __name__ == "__main__":
    main()
