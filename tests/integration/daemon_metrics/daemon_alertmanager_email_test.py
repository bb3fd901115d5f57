# SPDX-License-Identifier: Apache-2.0
"""Prometheus -> Alertmanager -> SMTP with the real parts end to end: ibackupmond watches
ibackupmon-sim serving a fleet with one device whose iCloud backup is three days old (stale, not yet
critical) and one backed up two hours ago; Debian's Prometheus scrapes the daemon with
deploy/prometheus/ibackupmon.rules.yml, Debian's Alertmanager routes with the example
deploy/alertmanager/alertmanager.yml, and the loopback SMTP sink (aiosmtpd) receives exactly one
email naming the alert and the stale device, and no second one over several group intervals."""
import email
import email.policy
import glob
import json
import os
import re
import sys


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from monitoring_kit import (Processes, alertmanager_config, http_get,  # noqa: E402
                            prometheus_config, rules_copy, start_alertmanager,
                            start_prometheus, wait_for)
from daemon_kit import start_daemon_with_sim  # noqa: E402

SMTP_SINK = os.path.join(HERE, "..", "alert", "smtp_sink.py")
HOST = "cart7"
STALE_UDID = "00008030-000A1B2C3D4E5F01"
FRESH_UDID = "00008030-000A1B2C3D4E5F02"
FLEET = f"""
[[device]]
udid = "{STALE_UDID}"
name = "iPad-Cart7-01"
product_type = "iPad13,18"
product_version = "18.4.1"
build_version = "22E252"
[device.values."com.apple.mobile.backup"]
LastCloudBackupDate = "ago:3d"

[[device]]
udid = "{FRESH_UDID}"
name = "iPad-Cart7-02"
product_type = "iPad13,18"
product_version = "18.4.1"
build_version = "22E252"
[device.values."com.apple.mobile.backup"]
LastCloudBackupDate = "ago:2h"
"""
GROUP_INTERVAL_S = 2
# Pipeline runs (flushes of the alert group) Alertmanager must make after the first email before
# the test believes no duplicate is coming.
FLUSHES_AFTER_EMAIL = 3


def start_smtp_sink(procs):
    maildir, port_file = os.path.join(procs.dir, "mail"), os.path.join(procs.dir, "smtp.port")
    procs.start("smtp", ["/usr/bin/python3", SMTP_SINK, "--dir", maildir, "--port-file", port_file])
    port = int(wait_for("SMTP sink port file", lambda: (procs.check_alive(), os.path.exists(
        port_file) and open(port_file).read().strip())[1], timeout=30))
    return maildir, port


def nflog_queries(am_port):
    """How often Alertmanager's dedup stage asked its notification log: once per group flush."""
    text = http_get(f"http://127.0.0.1:{am_port}/metrics")
    m = re.search(r"^alertmanager_nflog_queries_total (\S+)$", text, re.M)
    assert m, "Alertmanager exposes no alertmanager_nflog_queries_total"
    return float(m.group(1))


def mails(maildir):
    return sorted(glob.glob(os.path.join(maildir, "*.eml")))


def check_email(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    subject = str(msg["Subject"])
    assert subject == f"[FIRING] backup_stale on {HOST}: 1 alert(s)", subject
    assert msg["To"] == "ipad-admins@example.org", msg["To"]
    body = "".join(part.get_content() for part in msg.walk()
                   if part.get_content_type() in ("text/plain", "text/html"))
    assert "IbackupmonBackupStale" in body, "the email does not name the alert"
    assert STALE_UDID in body, "the email does not name the stale device"
    assert FRESH_UDID not in body, "the email names the device that is backed up"
    return subject


def main():
    with Processes() as procs:
        fleet = os.path.join(procs.dir, "fleet.toml")
        with open(fleet, "w") as f:
            f.write(FLEET)
        maildir, smtp_port = start_smtp_sink(procs)
        am_port = start_alertmanager(procs, alertmanager_config(smtp_port, GROUP_INTERVAL_S))
        daemon = start_daemon_with_sim(procs, fleet)
        # The shipped rules wait 10m (`for:`) before a stale backup alerts; this copy fires at the
        # first evaluation so the test takes seconds. Expressions and labels stay as shipped.
        rules_path, _ = rules_copy(procs, for_duration="0s")
        start_prometheus(procs, prometheus_config([(HOST, daemon.port)], rules_path,
                                                  alertmanager_port=am_port),
                         extra_args=["--rules.alert.resend-delay=1s"])

        first = wait_for("the stale-backup email", lambda: (procs.check_alive(), mails(maildir))[1],
                         timeout=120, interval=0.5)
        # Absence cannot be awaited directly: await instead Alertmanager flushing the group several
        # more times (Prometheus re-sends the firing alert every second), each a chance to mail.
        after_first = nflog_queries(am_port)
        wait_for(f"{FLUSHES_AFTER_EMAIL} more flushes of the alert group",
                 lambda: (procs.check_alive(),
                          nflog_queries(am_port) >= after_first + FLUSHES_AFTER_EMAIL)[1],
                 timeout=60, interval=0.5)
        sent = mails(maildir)
        assert len(sent) == 1, f"expected one email, got {len(sent)}: {sent}"
        subject = check_email(first[0])

        alerts = json.loads(http_get(f"http://127.0.0.1:{am_port}/api/v2/alerts"))
        labels = [a["labels"] for a in alerts]
        assert labels == [{"alertname": "IbackupmonBackupStale", "condition": "backup_stale",
                           "host": HOST, "severity": "warning", "udid": STALE_UDID}], labels
        print(f"ok: one email '{subject}' for {STALE_UDID}; alert labels {labels[0]}")


if __name__ == "__main__":
    main()
