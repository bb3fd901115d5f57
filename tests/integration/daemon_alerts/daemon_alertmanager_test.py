# SPDX-License-Identifier: Apache-2.0
"""Debian's real Alertmanager receives, groups and resolves the real daemon's alerts: ibackupmond
watching ibackupmon-sim posts to [alerts.alertmanager] url; Alertmanager runs the example route of
deploy/alertmanager/alertmanager.yml (short waits, a loopback aiosmtpd as smarthost). Two stale
devices on one host become one group and one "[FIRING] ... 2 alert(s)" mail; when their
backups complete, both alerts leave Alertmanager and a "[RESOLVED]" mail follows."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alerts_kit import (FRESH, STALE, AlertDaemon, Processes, Sim, Sink,  # noqa: E402
                        http_get, udid_of, wait_for, write_fleet)
from monitoring_kit import alertmanager_config, start_alertmanager  # noqa: E402

HOST = "cart-host-9"


def ours(alerts, udids):
    return [a for a in alerts if a["labels"].get("udid") in udids]


def main():
    with Processes() as procs:
        am_sink = Sink(procs, name="am-smtp").start()
        am_port = start_alertmanager(procs, alertmanager_config(am_sink.port))
        api = f"http://127.0.0.1:{am_port}/api/v2"
        a, b, healthy = udid_of(20), udid_of(21), udid_of(22)
        sim = Sim(procs, write_fleet(procs, [(a, "iPad-AM-1", STALE), (b, "iPad-AM-2", STALE),
                                             (healthy, "iPad-AM-3", FRESH)]))
        daemon = AlertDaemon(procs, sim.socket, f"""group_window = "2s"
host_name = "{HOST}"
[alerts.alertmanager]
url = "http://127.0.0.1:{am_port}"
resend_interval = "2s"
""").start()
        daemon.view.wait_all_probed(3)
        daemon.wait_state(healthy, "ok")

        def grouped():
            groups = json.loads(http_get(api + "/alerts/groups"))
            mine = [g for g in groups if ours(g["alerts"], {a, b})]
            return mine if len(ours(sum((g["alerts"] for g in mine), []), {a, b})) == 2 else None
        (group,) = wait_for("both alerts in one Alertmanager group", grouped, timeout=90)
        assert group["labels"] == {"host": HOST, "condition": "backup_stale"}, group["labels"]
        for alert in group["alerts"]:
            labels = alert["labels"]
            assert set(labels) >= {"alertname", "udid", "condition", "host", "severity"}, labels
            assert labels["host"] == HOST and labels["severity"] == "warning", labels
            assert alert["status"]["state"] == "active", alert["status"]
        assert not ours(json.loads(http_get(api + "/alerts")), {healthy})

        # The two alerts may reach Alertmanager in two posts: the grouped mail is the first one
        # with both (group_wait 1 s, then every group_interval).
        firing = wait_for("Alertmanager's grouped firing mail", lambda: [
            m for m in am_sink.mails()
            if m.subject.startswith("[FIRING]") and "2 alert(s)" in m.subject], timeout=90)
        assert HOST in firing[0].subject, firing[0].subject
        body = firing[0].raw.decode(errors="replace")
        assert a in body and b in body, "the grouped mail does not list both devices"

        sim.set_backup(a, "now")
        sim.set_backup(b, "now")
        wait_for("both alerts resolved in Alertmanager",
                 lambda: not ours(json.loads(http_get(api + "/alerts")), {a, b}), timeout=90)
        resolved = wait_for("Alertmanager's resolved mail", lambda: [
            m for m in am_sink.mails() if m.subject.startswith("[RESOLVED]")], timeout=90)
        assert HOST in resolved[0].subject, resolved[0].subject
        sent = daemon.metric("ibackupmon_alerts_sent_total", channel="alertmanager")
        assert sent and sent >= 2, f"alertmanager posts counted: {sent}"
        procs.check_alive()
        print(f"ok: grouped 2 alerts, resolved; {len(am_sink.mails())} Alertmanager mails")


if __name__ == "__main__":
    main()
