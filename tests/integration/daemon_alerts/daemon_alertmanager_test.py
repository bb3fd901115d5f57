# SPDX-License-Identifier: Apache-2.0
"""Debian's real Alertmanager receives, groups and resolves the real daemon's alerts: ibackupmond
watching ibackupmon-sim posts to [alerts.alertmanager] url; Alertmanager runs the example route of
deploy/alertmanager/alertmanager.yml (short waits, a loopback aiosmtpd as smarthost). Two stale
devices on one host become one group and one "[FIRING] ... 2 alert(s)" mail; when their
backups complete, both alerts leave Alertmanager and a "[RESOLVED]" mail follows.

    daemon_alertmanager_test.py          that healthy path
    daemon_alertmanager_test.py down     nothing listens on the Alertmanager port: every post fails
        (ibackupmon_alerts_failed_total{channel="alertmanager"} keeps rising) while the same
        alert's email reaches the SMTP sink; Alertmanager then starts on that port and the
        alert reaches it with the next post (every resend_interval), without any new event"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alerts_kit import (FRESH, STALE, AlertDaemon, Processes, Sim, Sink,  # noqa: E402
                        email_config, free_port, http_get, udid_of, wait_for, write_fleet)
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


def down():
    with Processes() as procs:
        sink = Sink(procs).start()
        am_port = free_port()  # nothing listens here until Alertmanager starts below
        stale, healthy = udid_of(30), udid_of(31)
        sim = Sim(procs, write_fleet(procs, [(stale, "iPad-AM-Down-1", STALE),
                                             (healthy, "iPad-AM-Down-2", FRESH)]))
        daemon = AlertDaemon(procs, sim.socket, email_config(sink.port) + f"""
[alerts.alertmanager]
url = "http://127.0.0.1:{am_port}"
resend_interval = "2s"
""").start()
        daemon.view.wait_all_probed(2)
        daemon.wait_state(stale, "stale")

        def failed():
            return daemon.metric("ibackupmon_alerts_failed_total", channel="alertmanager") or 0
        wait_for("two failed Alertmanager posts", lambda: (procs.check_alive(), failed() >= 2)[1],
                 timeout=60)
        mails = sink.wait_mails(1, "the alert email while Alertmanager is down")
        assert stale in mails[0].text, "the email does not name the stale device"
        assert not daemon.metric("ibackupmon_alerts_sent_total", channel="alertmanager"), \
            "a post to a port where nothing listens counted as sent"
        assert daemon.metric("ibackupmon_alerts_failed_total", channel="email") in (None, 0), \
            "email failed while only Alertmanager was down"
        failed_before = failed()

        start_alertmanager(procs, alertmanager_config(free_port()), port=am_port)
        api = f"http://127.0.0.1:{am_port}/api/v2"
        (alert,) = wait_for("the alert posted once Alertmanager is up", lambda: ours(
            json.loads(http_get(api + "/alerts")), {stale}), timeout=60)
        assert alert["labels"]["condition"] == "backup_stale", alert["labels"]
        assert not ours(json.loads(http_get(api + "/alerts")), {healthy})
        sent = wait_for("a post counted as sent", lambda: daemon.metric(
            "ibackupmon_alerts_sent_total", channel="alertmanager"), timeout=30)
        assert len(sink.mails()) == 1, f"{len(sink.mails())} emails for one alert"
        procs.check_alive()
        print(f"ok: {failed_before:.0f} failed posts while down, email delivered meanwhile; "
              f"posted once Alertmanager came up ({sent:.0f} sent)")


if __name__ == "__main__":
    {"healthy": main, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "healthy"]()
