"""Prometheus -> Alertmanager -> SMTP with Debian's real servers on loopback: one stale device
gives exactly one email, through deploy/prometheus/ibackupmon.rules.yml and the example route
deploy/alertmanager/alertmanager.yml (with shortened waits and a loopback smarthost), and the alert
Alertmanager holds carries exactly the contract labels (docs/monitoring.md)."""
import email
import email.policy
import json
import mailbox
import os
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from monitoring_kit import (DEPLOY, Processes, free_port, http_get, prometheus_config,  # noqa: E402
                            rules_copy, start_fixture, start_prometheus, wait_for)

STALE_UDID = "00008030-00000000000000A1"  # device 1 of the fixture's "one-stale" scenario
GROUP_INTERVAL_S = 2


def alertmanager_config(smtp_port):
    with open(os.path.join(DEPLOY, "alertmanager", "alertmanager.yml")) as f:
        cfg = yaml.safe_load(f)
    cfg["global"]["smtp_smarthost"] = f"127.0.0.1:{smtp_port}"
    cfg["global"]["smtp_require_tls"] = False
    cfg["route"].update(group_wait="1s", group_interval=f"{GROUP_INTERVAL_S}s",
                        repeat_interval="1h")
    return cfg


def start_alertmanager(procs, cfg):
    path = os.path.join(procs.dir, "alertmanager.yml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    port = free_port()
    procs.start("alertmanager", [os.environ.get("ALERTMANAGER", "prometheus-alertmanager"),
                                 f"--config.file={path}",
                                 f"--storage.path={os.path.join(procs.dir, 'am-data')}",
                                 f"--web.listen-address=127.0.0.1:{port}",
                                 "--cluster.listen-address="])  # no gossip port on 0.0.0.0
    wait_for("Alertmanager ready",
             lambda: (procs.check_alive(), http_get(f"http://127.0.0.1:{port}/-/ready"))[1])
    return port


def main():
    with Processes() as procs:
        maildir = os.path.join(procs.dir, "maildir")
        smtp_port = free_port()
        procs.start("smtp", ["/usr/bin/python3", "-m", "aiosmtpd", "-n",
                             "-l", f"127.0.0.1:{smtp_port}",
                             "-c", "aiosmtpd.handlers.Mailbox", maildir])
        am_port = start_alertmanager(procs, alertmanager_config(smtp_port))
        fixture_port = start_fixture(procs, "fixture", "one-stale")
        rules_path, _ = rules_copy(procs, for_duration="0s")
        start_prometheus(procs, prometheus_config([("cart7", fixture_port)], rules_path,
                                                  alertmanager_port=am_port))
        box = mailbox.Maildir(maildir, create=True)
        wait_for("the stale-backup email", lambda: (procs.check_alive(), len(box) >= 1)[1],
                 timeout=90)
        # Absence cannot be awaited: give Alertmanager several group intervals to send a duplicate.
        time.sleep(4 * GROUP_INTERVAL_S)
        messages = list(box)
        assert len(messages) == 1, f"expected one email, got {len(messages)}"
        msg = email.message_from_bytes(messages[0].as_bytes(), policy=email.policy.default)
        subject = str(msg["Subject"])
        assert "FIRING" in subject and "backup_stale on cart7" in subject, subject
        assert msg["To"] == "ipad-admins@example.org", msg["To"]
        body = "".join(part.get_content() for part in msg.walk()
                       if part.get_content_type() in ("text/plain", "text/html"))
        assert STALE_UDID in body, "the email does not name the stale device"

        alerts = json.loads(http_get(f"http://127.0.0.1:{am_port}/api/v2/alerts"))
        labels = [a["labels"] for a in alerts]
        assert labels == [{"alertname": "IbackupmonBackupStale", "condition": "backup_stale",
                           "host": "cart7", "severity": "warning", "udid": STALE_UDID}], labels
        print(f"ok: one email '{subject}', alert labels {labels[0]}")


if __name__ == "__main__":
    main()
