# SPDX-License-Identifier: Apache-2.0
"""The metrics say what `ibackupmonctl status --json` says, device by device: the fixture serves a
frozen synthetic fleet (hostile device included) and writes the same fleet through lib/report's
JSON writer; check_metrics_match_status compares them. The lead's daemon + simulator test reuses
check_metrics_match_status with the real `ibackupmonctl status --json`."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from monitoring_kit import (Processes, check_metrics_match_status, http_get,  # noqa: E402
                            parse_exposition, start_fixture)


def main():
    with Processes() as procs:
        status_path = os.path.join(procs.dir, "status.json")
        port = start_fixture(procs, "fixture", "fleet",
                             ["--frozen", "1", "--status-json", status_path, "--devices", "40"])
        with open(status_path) as f:
            statuses = json.load(f)
        text = http_get(f"http://127.0.0.1:{port}/metrics")
        checked = check_metrics_match_status(text, statuses)
        assert checked == 41, checked
        # The checker itself must be able to fail: a wrong value is caught.
        broken = text.replace('ibackupmon_device_connected{udid="00008101-0000000000000000"} 1',
                              'ibackupmon_device_connected{udid="00008101-0000000000000000"} 0')
        assert broken != text
        try:
            check_metrics_match_status(broken, statuses)
        except AssertionError:
            pass
        else:
            raise AssertionError("check_metrics_match_status missed a wrong value")
        print(f"ok: {checked} devices agree; {len(parse_exposition(text))} samples parsed")


if __name__ == "__main__":
    main()
