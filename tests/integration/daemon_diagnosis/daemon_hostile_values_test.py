# SPDX-License-Identifier: Apache-2.0
"""Hostile devices against the real ibackupmond: DeviceNames with ESC, NUL (a binary plist's
UTF-16 U+0000, on which libplist 2.2's plist_get_string_val aborts; the name ends there), invalid
UTF-8 and bidi overrides, and garbage values (hostile-fleet.toml). The daemon stays up,
`ibackupmonctl status --json` shows sanitised names and device_values_invalid naming the keys, the
valid keys of the same domains are recorded, and the metrics count the values and carry no raw
control or bidi character; neither does what `ibackupmonctl` prints to a terminal."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import Processes, http_get, start, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = """[probe]
interval = "2s"
[backup]
expect = "either"
"""

EXPECTED = {
    "HOSTILE-ESC": {"name": "Cart [31mRed [0m", "on_power": True, "charging": True,
                    "battery_level": None},
    "HOSTILE-NUL": {"name": "Zo\u00eb", "icloud_backup_enabled": True,
                    "last_cloud_backup": None},
    "HOSTILE-UTF8": {"name": "Cart\ufffd\ufffd", "storage_capacity_bytes": 60000000000},
    "HOSTILE-BIDI": {"name": "iPadgpj.exex", "last_cloud_backup": None},
    "HOSTILE-DATA": {"product_type": "iPhone14,7", "on_power": False, "battery_level": None},
}
INVALID_KEYS = {
    "HOSTILE-ESC": "BatteryCurrentCapacity",
    "HOSTILE-NUL": "LastCloudBackupDate",
    "HOSTILE-UTF8": "TotalDataAvailable",
    "HOSTILE-BIDI": "LastCloudBackupDate",
    "HOSTILE-DATA": "BatteryCurrentCapacity, DeviceName",
}
# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates, LRM/RLM,
# ALM, zero-width space, BOM: none may reach the exposition or status.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                       "\u200b\u200e\u200f\u061c\ufeff]")


def check_device(status, udid):
    """What differs from the expectation of one device (empty when it matches)."""
    want = EXPECTED[udid]
    bad = [f"{k} {status.get(k)!r}, want {v!r}" for k, v in want.items() if status.get(k) != v]
    cond = [c for c in status["conditions"] if c["id"] == "device_values_invalid"]
    if not cond:
        bad.append(f"no device_values_invalid in {[c['id'] for c in status['conditions']]}")
    elif cond[0]["evidence"].get("keys") != INVALID_KEYS[udid]:
        bad.append(f"device_values_invalid keys {cond[0]['evidence'].get('keys')!r}, "
                   f"want {INVALID_KEYS[udid]!r}")
    elif cond[0]["severity"] != "warning":
        bad.append(f"device_values_invalid severity {cond[0]['severity']}")
    return bad


def main():
    with Processes() as procs:
        run = start(procs, CONFIG, fleet=os.path.join(HERE, "hostile-fleet.toml"))

        def all_as_expected():
            run.procs.check_alive()
            by = run.status_by_udid()
            bad = []
            for udid in EXPECTED:
                s = by.get(udid)
                if s is None or not s.get("last_seen"):
                    bad.append(f"{udid}: not probed yet")
                else:
                    bad += [f"{udid}: {m}" for m in check_device(s, udid)]
            if bad:
                raise AssertionError("\n  " + "\n  ".join(bad))
            return by
        by = wait_for("hostile devices diagnosed", all_as_expected, timeout=120, interval=0.5)

        raw_status = run.ctl("status", "--json")[1]
        assert not FORBIDDEN.search(raw_status), \
            f"raw control/bidi character in status --json: {FORBIDDEN.search(raw_status)!r}"
        for udid, s in by.items():
            assert not FORBIDDEN.search(s["name"]), f"{udid} name {s['name']!r}"
        # What a terminal gets: the table, one device's detail and the CSV carry no escape,
        # control or bidi character (the names came from the devices with ESC [31m and U+202E).
        for args, shown in ((("status",), "Cart [31mRed"),
                            (("device", "HOSTILE-ESC"), "Cart [31mRed"),
                            (("device", "HOSTILE-BIDI"), "iPadgpj.exex"),
                            (("export", "--format", "csv"), "Cart [31mRed")):
            out = run.ctl(*args)[1]
            hit = FORBIDDEN.search(out.replace("\r\n", "\n"))  # CSV rows end in CRLF (RFC 4180)
            assert not hit, f"ibackupmonctl {' '.join(args)} passes {hit.group()!r} to the terminal"
            assert shown in out, f"ibackupmonctl {' '.join(args)} does not show {shown!r}: {out}"

        # The counter: one invalid value per key and cycle.
        for probe in ("battery", "backup", "storage", "identity"):
            wait_for(f"ibackupmon_probe_errors_total{{probe={probe},error=invalid_value}} > 0",
                     lambda p=probe: (run.metric("ibackupmon_probe_errors_total", probe=p,
                                                 error="invalid_value") or 0) > 0, timeout=30)
        # The counters move as each probe ends; device_info follows when the fleet view is
        # published, a moment later.
        scrapes = []

        def esc_name_exported():
            scrapes.append(http_get(run.daemon.metrics_url))
            return "Cart [31mRed [0m" in scrapes[-1]

        wait_for("the sanitised ESC name exported in device_info", esc_name_exported, timeout=30)
        text = scrapes[-1]
        hit = FORBIDDEN.search(text)
        assert not hit, f"raw control/bidi character {hit.group()!r} in the metrics"

        # The log names device, key and type of what was sent (at most once an hour per key).
        log = open(os.path.join(procs.dir, "run-daemon.log"), "rb").read().decode(errors="replace")
        for udid, key, kind in (("HOSTILE-ESC", "BatteryCurrentCapacity", "integer"),
                                ("HOSTILE-NUL", "LastCloudBackupDate", "string"),
                                ("HOSTILE-DATA", "DeviceName", "data")):
            line = [ln for ln in log.splitlines() if udid in ln and key in ln]
            assert line and f"unusable {kind} value" in line[0], f"no warning for {udid} {key}"
            assert len(line) == 1, f"{udid} {key} logged {len(line)} times: {line}"
        run.procs.check_alive()
        print(f"ok: {len(by)} hostile devices diagnosed, daemon alive")


if __name__ == "__main__":
    main()
