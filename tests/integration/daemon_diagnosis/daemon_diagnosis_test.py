# SPDX-License-Identifier: Apache-2.0
"""The real ibackupmond watching the real ibackupmon-sim, asserted device by
device on `ibackupmonctl status --json` (values, backup_state, the exact set of condition ids).

  daemon_diagnosis_test.py faults      every fault the simulator offers (faults-fleet.toml)
  daemon_diagnosis_test.py computer    [backup] expect = "computer", [probe] pair = false
  daemon_diagnosis_test.py backup      a backup completing mid-run closes backup_stale
  daemon_diagnosis_test.py dates       a backup date in the future, a date stepping back, and
                                       devices whose every read fails (dates-fleet.toml)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import (Processes, check_unknown_explained, epoch, start, wait_fleet,  # noqa: E402
                      wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
H, D = 3600, 86400
UNREADABLE = {"state": "unknown", "connected": True, "battery_level": None, "on_power": None,
              "icloud_backup_enabled": None, "ago": {"last_cloud_backup": None}}

FAULTS_CONFIG = """[probe]
interval = "2s"
timeout = "5s"
[backup]
missing_after = "20s"
[ios]
minimum_version = "17"
"""

# Expected rows of faults-fleet.toml (see the comments there for what each device plays).
FAULTS = {
    "DIAG-HEALTHY": {"state": "ok", "ids": [], "connected": True, "name": "iPhone-Diag-01",
                     "battery_level": 90, "on_power": True, "icloud_backup_enabled": True,
                     "ago": {"last_cloud_backup": 6 * H, "last_computer_backup": None}},
    "DIAG-ICLOUD-OFF": {"state": "stale", "ids": ["backup_stale", "icloud_backup_disabled"],
                        "severity": {"backup_stale": "critical"},
                        "icloud_backup_enabled": False, "ago": {"last_cloud_backup": 23 * D}},
    "DIAG-NOT-ON-POWER": {"state": "stale", "ids": ["backup_stale", "not_on_power"],
                          "severity": {"backup_stale": "warning"}, "battery_level": 64,
                          "on_power": False, "ago": {"last_cloud_backup": 4 * D}},
    # On power at 8 % and not charging on two probes in a row: a cable or port fault too.
    "DIAG-BATTERY-LOW": {"state": "ok", "ids": ["battery_low", "not_charging_on_power"],
                         "battery_level": 8,
                         "on_power": True, "charging": False},
    "DIAG-STORAGE-LOW": {"state": "ok", "ids": ["device_storage_low"],
                         "storage_available_bytes": 180000000},
    "DIAG-PASSCODE": dict(UNREADABLE, ids=["passcode_locked"]),
    "DIAG-TRUST-PENDING": dict(UNREADABLE, ids=["trust_pending"]),
    "DIAG-TRUST-DENIED": dict(UNREADABLE, ids=["trust_denied"]),
    "DIAG-NO-PAIR-RECORD": {"state": "ok", "ids": [], "icloud_backup_enabled": True,
                            "ago": {"last_cloud_backup": 2 * H}},
    "DIAG-INVALID-HOST-ID": dict(UNREADABLE, ids=["not_paired"]),
    # The backup domain is prohibited: its values are unknown, the rest is read.
    "DIAG-PROHIBITED": {"state": "unknown", "ids": ["values_prohibited"], "battery_level": 77,
                        "on_power": True, "icloud_backup_enabled": None,
                        "ago": {"last_cloud_backup": None}},
    "DIAG-CLOCK-SKEW": {"state": "ok", "ids": ["clock_skew"]},
    "DIAG-CLOCK-YEARS": {"state": "ok", "ids": ["clock_skew"]},
    "DIAG-SIGNED-OUT": {"state": "stale",
                        "ids": ["backup_stale", "icloud_backup_disabled", "icloud_signed_out"],
                        "severity": {"backup_stale": "critical"}, "icloud_backup_enabled": False,
                        "ago": {"last_cloud_backup": 190 * D}},
    "DIAG-WIFI-OFF": {"state": "stale", "ids": ["backup_stale", "wifi_disconnected"]},
    "DIAG-WIFI-UNKNOWN": {"state": "stale", "ids": ["backup_stale", "stale_unexplained"]},
    "DIAG-IOS-OLD": {"state": "ok", "ids": ["ios_outdated"], "ios_version": "15.8.3",
                     "product_type": "iPad7,5"},
    "DIAG-STALE": {"state": "stale", "ids": ["backup_stale", "stale_unexplained"],
                   "severity": {"backup_stale": "critical"}, "ago": {"last_cloud_backup": 12 * D}},
    "DIAG-HANG": dict(UNREADABLE, ids=["probe_failing"]),
    "DIAG-SLOW": {"state": "ok", "ids": [], "connected": True},
    # The session opens, then every cycle loses its connection: unknown, and it says why.
    "DIAG-DROP": {"state": "unknown", "ids": ["probe_failing"], "connected": True},
    # Detaches inside every session (a flaky cable): connected flaps, never read.
    "DIAG-DETACH-IN-SESSION": {"state": "unknown", "ids": ["probe_failing"]},
    "DIAG-ENCRYPTION": {"state": "ok", "ids": []},
    # Unplugged by the test once probed: remembered facts stay, live ones (battery) go.
    "DIAG-GOES-MISSING": {"state": "ok", "ids": ["device_missing"], "connected": False,
                          "battery_level": None, "on_power": None, "icloud_backup_enabled": True,
                          "ago": {"last_cloud_backup": 2 * H}},
}
NEVER_SEEN = ["DIAG-NETWORK", "DIAG-UNPLUGGED"]


def faults(procs):
    run = start(procs, FAULTS_CONFIG, fleet=os.path.join(HERE, "faults-fleet.toml"))
    wait_for("DIAG-GOES-MISSING probed", lambda: (run.status_by_udid().get(
        "DIAG-GOES-MISSING") or {}).get("backup_state") == "ok", timeout=60)
    run.sim.ctl("detach", "DIAG-GOES-MISSING")
    fleet = wait_fleet(run, FAULTS, timeout=150, absent=NEVER_SEEN)
    check_unknown_explained(fleet)
    code, _ = run.ctl("status")
    assert code == 2, f"status exit {code}, want 2 (critical devices in the fleet)"

    # The user unlocks one device and taps Trust on the other: both are read, their conditions
    # close (the pending device is paired by the daemon on its next cycle).
    run.sim.ctl("fault", "DIAG-PASSCODE", "clear", "passcode_locked")
    run.sim.ctl("trust", "DIAG-TRUST-PENDING", "accept")
    readable = {"state": "ok", "ids": [], "connected": True, "icloud_backup_enabled": True}
    wait_fleet(run, {"DIAG-PASSCODE": readable, "DIAG-TRUST-PENDING": readable}, timeout=60)
    for u, cid in (("DIAG-PASSCODE", "passcode_locked"), ("DIAG-TRUST-PENDING", "trust_pending")):
        code, out = run.ctl("history", u, "--json")
        assert code == 0, f"history {u} exit {code}"
        closed = [c for c in json.loads(out)["conditions"] if c["id"] == cid]
        assert closed and all(c["closed"] for c in closed), f"{u}: {cid} not closed: {closed}"
    print(f"ok: {len(FAULTS)} devices as expected, {len(NEVER_SEEN)} never seen; unlock and "
          "trust close their conditions")


COMPUTER_CONFIG = """[probe]
interval = "2s"
timeout = "5s"
pair = false
[backup]
expect = "computer"
"""

COMPUTER = {
    # pair = false: a device without a pair record is reported, never paired behind the
    # admin's back (no Trust dialog shown).
    "COMP-NO-PAIR-RECORD": dict(UNREADABLE, ids=["not_paired"]),
    "COMP-TRUST-PENDING": dict(UNREADABLE, ids=["not_paired"]),
    "COMP-ENCRYPTION": {"state": "ok", "ids": ["encryption_password_missing"],
                        "ago": {"last_computer_backup": 1 * D}},
    # iOS clears CloudBackupEnabled when backups go to a computer: not a condition here.
    "COMP-COMPUTER-ONLY": {"state": "ok", "ids": [], "icloud_backup_enabled": False,
                           "ago": {"last_computer_backup": 1 * D}},
    # Wi-Fi and iCloud do not matter for computer backups; power does.
    "COMP-STALE": {"state": "stale", "ids": ["backup_stale", "not_on_power", "stale_unexplained"],
                   "severity": {"backup_stale": "critical"}, "on_power": False,
                   "ago": {"last_computer_backup": 10 * D}},
}


def computer(procs):
    run = start(procs, COMPUTER_CONFIG, fleet=os.path.join(HERE, "computer-fleet.toml"))
    fleet = wait_fleet(run, COMPUTER, timeout=120)
    check_unknown_explained(fleet)
    print(f"ok: {len(COMPUTER)} devices as expected under expect = computer, pair = false")


BACKUP_CONFIG = """[probe]
interval = "2s"
timeout = "10s"
"""


def backup(procs):
    run = start(procs, BACKUP_CONFIG, fleet=os.path.join(HERE, "backup-fleet.toml"))
    u = "DIAG-BACKS-UP"
    stale = {"state": "stale", "ids": ["backup_stale", "stale_unexplained"],
             "severity": {"backup_stale": "critical"}, "ago": {"last_cloud_backup": 9 * D}}
    wait_fleet(run, {u: stale}, timeout=60)
    backed_up = int(time.time())  # the date has whole seconds
    run.sim.ctl("set", u, "com.apple.mobile.backup", "LastCloudBackupDate", "now")
    fleet = wait_fleet(run, {u: {"state": "ok", "ids": []}}, timeout=60)
    assert fleet[u]["summary"] is None or "stale" not in fleet[u]["summary"].lower(), fleet[u]
    assert epoch(fleet[u]["last_cloud_backup"]) >= backed_up, fleet[u]["last_cloud_backup"]

    code, out = run.ctl("history", u, "--json")
    assert code == 0, f"history exit {code}: {out}"
    history = json.loads(out)
    intervals = {c["id"]: c for c in history["conditions"]}
    for cid in ("backup_stale", "stale_unexplained"):
        assert cid in intervals, f"no {cid} interval in history: {history['conditions']}"
        assert intervals[cid]["closed"] is not None, f"{cid} interval still open: {intervals[cid]}"
    kinds = [b for b in history["backups"] if b["kind"] == "icloud"
             and epoch(b["at"]) >= backed_up]
    assert len(kinds) == 1, f"the new backup is not in the history once: {history['backups']}"
    print("ok: stale -> backup -> ok; backup_stale and stale_unexplained intervals closed")


DATES_CONFIG = """[probe]
interval = "2s"
timeout = "5s"
"""
IN_2076 = "2076-07-04T00:00:00Z"  # LastCloudBackupDate of DATE-FUTURE in dates-fleet.toml


def condition(status, cid):
    found = [c for c in status["conditions"] if c["id"] == cid]
    assert len(found) == 1, f"{status['udid']}: want one {cid}: {status['conditions']}"
    return found[0]


def intervals(history, cid):
    return [c for c in history["conditions"] if c["id"] == cid]


def show(run, fleet, udids, label):
    """What status --json and history --json show, for the test log."""
    for u in udids:
        s = fleet[u]
        h = run.history(u)
        print(f"--- {label} {u}: status --json: " + json.dumps(
            {k: s[k] for k in ("state", "backup_state", "summary", "last_cloud_backup",
                               "battery_level", "conditions")}))
        print(f"--- {label} {u}: history --json: " + json.dumps(
            {k: h[k] for k in ("backups", "conditions", "observations")}))


def dates(procs):
    run = start(procs, DATES_CONFIG, fleet=os.path.join(HERE, "dates-fleet.toml"))
    stale_20d = {"state": "stale", "ids": ["backup_stale", "stale_unexplained"],
                 "severity": {"backup_stale": "critical"}, "ago": {"last_cloud_backup": 20 * D}}
    # The only date DATE-FUTURE reports is impossible: no backup, never "ok".
    first = wait_fleet(run, {
        "DATE-FUTURE": {"state": "unknown", "health": "unknown", "ids": ["backup_date_in_future"],
                        "ago": {"last_cloud_backup": None}},
        "DATE-STEP-BACK": {"state": "ok", "health": "ok", "ids": [],
                           "ago": {"last_cloud_backup": 2 * H}},
        "READS-FAIL": {"state": "ok", "health": "ok", "ids": [], "battery_level": 90},
        "READS-FAIL-NEVER-READ": {"state": "unknown", "health": "unknown",
                                  "ids": ["probe_failing"], "name": "", "battery_level": None},
    }, timeout=90)
    future = condition(first["DATE-FUTURE"], "backup_date_in_future")
    assert future["evidence"].get("LastCloudBackupDate") == IN_2076, future
    assert future["severity"] == "warning", future
    assert "Date & Time" in future["fix"], future
    # Metrics: a device never read has no name or model labels, never empty ones.
    info = run.series("ibackupmon_device_info", udid="READS-FAIL-NEVER-READ")
    assert len(info) == 1 and not {"name", "product_type", "ios_version", "serial"} & set(info[0]), \
        f"device_info of a device never read: {info}"
    show(run, first, ["DATE-FUTURE", "READS-FAIL-NEVER-READ"], "first sight")

    # The device corrects its date to 20 days ago; the other is restored (2 hours -> 20 days);
    # the third starts dropping the connection at every in-session GetValue.
    before_fault = time.time()
    run.sim.ctl("set", "DATE-FUTURE", "com.apple.mobile.backup", "LastCloudBackupDate", "ago:20d")
    run.sim.ctl("set", "DATE-STEP-BACK", "com.apple.mobile.backup", "LastCloudBackupDate",
                "ago:20d")
    run.sim.ctl("fault", "READS-FAIL", "drop_mid_session", "3")
    fleet = wait_fleet(run, {
        "DATE-FUTURE": dict(stale_20d, health="critical"),
        "DATE-STEP-BACK": dict(stale_20d, health="critical"),
        # Remembered values still say "backed up 2 hours ago"; live ones are gone.
        "READS-FAIL": {"state": "ok", "health": "warning", "ids": ["probe_failing"],
                       "battery_level": None, "on_power": None, "name": "iPhone-Dates-03",
                       "ago": {"last_cloud_backup": 2 * H}},
    }, timeout=60)
    failing = condition(fleet["READS-FAIL"], "probe_failing")
    assert int(failing["evidence"]["consecutive_failures"]) >= 3, failing
    assert epoch(failing["evidence"]["last_good_probe"]) <= before_fault + 1, failing
    assert fleet["READS-FAIL"]["summary"] != "backing up", fleet["READS-FAIL"]
    show(run, fleet, ["DATE-FUTURE", "DATE-STEP-BACK", "READS-FAIL"], "after")

    h = run.history("DATE-FUTURE")
    assert all(epoch(b["at"]) < time.time() for b in h["backups"]), \
        f"the impossible date was stored as a backup: {h['backups']}"
    closed = intervals(h, "backup_date_in_future")
    assert closed and all(c["closed"] for c in closed), f"backup_date_in_future open: {closed}"
    assert closed[0]["evidence"].get("LastCloudBackupDate") == IN_2076, closed

    h = run.history("DATE-STEP-BACK")
    steps = [o for o in h["observations"] if "icloud_backup_stepped_back" in o["changes"]]
    assert len(steps) == 1, f"the step back is not in the history once: {h['observations']}"
    step = steps[0]["changes"]["icloud_backup_stepped_back"]
    assert abs(epoch(step["from"]) - (run.started - 2 * H)) < 600, step
    assert abs(epoch(step["to"]) - (before_fault - 20 * D)) < 600, step

    h = run.history("READS-FAIL")
    opened = [c for c in intervals(h, "probe_failing") if c["closed"] is None]
    assert opened, f"no open probe_failing interval: {h['conditions']}"
    print("ok: a future date is no backup and says so; a date stepping back is the truth and is "
          "in the history; a cycle where every read fails is a failed probe")


SCENARIOS = {"faults": faults, "computer": computer, "backup": backup, "dates": dates}

if __name__ == "__main__":
    with Processes() as procs:
        SCENARIOS[sys.argv[1]](procs)
