# SPDX-License-Identifier: Apache-2.0
"""Email end to end: the real ibackupmond watching the real ibackupmon-sim,
mailing a real aiosmtpd server on loopback. Each scenario is one ctest test:

    daemon_alerts_test.py one_stale|ten_stale|resolved|smtp_down|smtp_silent|sigkill|hostile|
                          sighup_smtp|ack

Every assertion is on what the SMTP server received."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alerts_kit import (NOW, STALE, AlertDaemon, Processes, Sim, Sink,  # noqa: E402
                        backup_config, email_config, free_port, now, udid_of, wait_for,
                        write_fleet)

FRESH_ALWAYS = {"keep_fresh": True}  # backs up every 4 s: never stale


def start(procs, devices, sink_port, **config):
    sim = Sim(procs, write_fleet(procs, devices))
    daemon = AlertDaemon(procs, sim.socket, email_config(sink_port, **config)).start()
    daemon.view.wait_all_probed(len(devices))
    return sim, daemon


def assert_well_formed(mail):
    assert not mail.defects(), f"{mail.subject!r}: defects {mail.defects()}"
    assert mail.rcpts == ["admin@example.test"], f"envelope recipients {mail.rcpts}"
    assert mail.message_id.startswith("<") and mail.message_id.endswith(">"), mail.message_id


def one_stale(procs):
    """A device that goes stale (its last backup passes backup.stale_after while it is watched)
    gives exactly one email, and no second one after the group window."""
    sink = Sink(procs).start()
    udid, other = udid_of(1), udid_of(2)
    sim, daemon = start(procs, [(udid, "iPad-Cart7-01", NOW),
                                (other, "iPad-Cart7-02", NOW, FRESH_ALWAYS)],
                        sink.port, tables=backup_config("40s"))  # margin for a slow start
    # Its first reading may still be "unknown" on a loaded machine (a probe that timed out);
    # what must not happen is "stale" before the daemon has watched it go stale.
    def fresh_first():
        state = daemon.device(udid)
        assert state["backup_state"] != "stale", f"stale before the daemon watched it: {state}"
        return state["backup_state"] == "ok"
    wait_for("the device read as ok first", fresh_first, timeout=30)
    assert sink.mails() == [], "mail before anything went wrong"
    (mail,) = sink.wait_mails(1, "stale device", timeout=90)
    first = now()
    assert daemon.device(other)["backup_state"] == "ok"
    assert_well_formed(mail)
    assert udid in mail.text and udid in mail.html, mail.text
    assert "iPad-Cart7-01" in mail.text and other not in mail.text, mail.text
    assert "cart-host-7" in mail.text, "host_name missing from the body"
    daemon.wait_cycles_after(first, [udid, other])
    mails = sink.mails()
    assert len(mails) == 1, f"{len(mails)} mails: {[m.subject for m in mails]}"
    assert daemon.metric("ibackupmon_alerts_sent_total", channel="email") == 1


def ten_stale(procs):
    """Ten devices whose last backups were at the same time go stale together: one email that
    lists all ten (and not the device that keeps backing up)."""
    sink = Sink(procs).start()
    udids = [udid_of(i) for i in range(10)]
    healthy = udid_of(99)
    devices = [(u, f"iPhone-Cart3-{i:02d}", NOW) for i, u in enumerate(udids)]
    sim, daemon = start(procs, devices + [(healthy, "iPhone-Cart3-99", NOW, FRESH_ALWAYS)],
                        sink.port, group_window="6s", tables=backup_config("30s"))
    (mail,) = sink.wait_mails(1, "grouped mail", timeout=90)
    first = now()
    assert_well_formed(mail)
    for i, u in enumerate(udids):
        assert u in mail.text and u in mail.html, f"{u} missing from the grouped mail"
        assert f"iPhone-Cart3-{i:02d}" in mail.text
    assert healthy not in mail.text, "a healthy device is listed"
    daemon.wait_cycles_after(first, udids + [healthy], extra_s=6 + 4)
    mails = sink.mails()
    assert len(mails) == 1, f"{len(mails)} mails: {[m.subject for m in mails]}"


def resolved(procs):
    """A stale device whose backup then completes gets a resolution mail (notify_resolved)."""
    sink = Sink(procs).start()
    udid = udid_of(3)
    sim, daemon = start(procs, [(udid, "iPhone-Cart2-05", STALE)], sink.port)
    (opened,) = sink.wait_mails(1, "stale device")
    sim.set_backup(udid, "now")  # the iCloud backup just finished
    daemon.wait_state(udid, "ok")
    mails = sink.wait_mails(2, "resolution mail")
    resolution = mails[1]
    assert_well_formed(resolution)
    assert resolution.message_id != opened.message_id
    assert udid in resolution.text
    assert "resolved" in (resolution.subject + resolution.text).lower(), resolution.subject
    daemon.wait_cycles_after(now(), [udid])
    assert len(sink.mails()) == 2, [m.subject for m in sink.mails()]


def smtp_down(procs):
    """No SMTP server while the alert is due, then one: the alert arrives, once."""
    port = free_port()
    udid = udid_of(4)
    sim, daemon = start(procs, [(udid, "iPad-Cart4-01", STALE)], port)
    wait_for("a failed delivery", lambda: (daemon.metric("ibackupmon_alerts_failed_total",
                                                         channel="email") or 0) >= 1, timeout=60)
    assert daemon.metric("ibackupmon_alert_outbox_depth") == 1
    sink = Sink(procs, port=port).start()
    # The first retry is 30 s after the failure (AlertEngineOptions::retryInitial).
    (mail,) = sink.wait_mails(1, "the retried alert", timeout=120)
    assert_well_formed(mail)
    assert udid in mail.text
    daemon.wait_cycles_after(now(), [udid])
    assert len(sink.mails()) == 1, [m.subject for m in sink.mails()]
    assert daemon.metric("ibackupmon_alerts_sent_total", channel="email") == 1


def smtp_silent(procs):
    """An SMTP server that accepts the connection and never answers (not even its greeting):
    the daemon stays responsive (metrics served, their fleet timestamp moving, the control socket
    answering) while a send hangs until [alerts.email] timeout; the attempt counts as failed and
    the alert stays queued; once a real server answers on that port it is delivered, once.
    Guarantee tested: at least once, and exactly once when no server ever saw the message."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepted by the kernel, never read: the greeting never comes
    port = silent.getsockname()[1]
    udid = udid_of(6)
    sim, daemon = start(procs, [(udid, "iPad-Cart6-01", STALE)], port, smtp_timeout="5s")
    stamps = []

    def moving():
        procs.check_alive()
        stamps.append(daemon.metric("ibackupmon_fleet_status_timestamp_seconds"))
        assert "acks" in daemon.ctl("acks", "--json"), "control socket not answering"
        return len(set(stamps)) >= 3
    # While the first send hangs on the silent server, the rest of the daemon goes on.
    wait_for("metrics and control socket alive during the hung send", moving, timeout=60,
             interval=1)
    wait_for("the hung attempt counted as failed", lambda: (daemon.metric(
        "ibackupmon_alerts_failed_total", channel="email") or 0) >= 1, timeout=60)
    assert daemon.metric("ibackupmon_alert_outbox_depth") == 1, "the alert left the outbox"
    assert daemon.metric("ibackupmon_alerts_sent_total", channel="email") == 0
    silent.close()
    sink = Sink(procs, port=port).start()
    # The retry comes 30 s after the failed attempt (AlertEngineOptions::retryInitial).
    (mail,) = sink.wait_mails(1, "the alert once the server answers", timeout=120)
    assert_well_formed(mail)
    assert udid in mail.text
    daemon.wait_cycles_after(now(), [udid])
    assert len(sink.mails()) == 1, [m.subject for m in sink.mails()]
    assert daemon.metric("ibackupmon_alerts_sent_total", channel="email") == 1


def sigkill(procs):
    """kill -9 while the server holds its "250" reply (the message is stored, the daemon has not
    recorded it as sent): after restart the message may come once more, with the same
    Message-ID, and nothing else is sent."""
    sink = Sink(procs, reply_delay=5).start()
    udid = udid_of(5)
    sim, daemon = start(procs, [(udid, "iPhone-Cart5-01", STALE)], sink.port)
    (mail,) = sink.wait_mails(1, "stale device")
    daemon.kill9()
    daemon.start()
    assert "acks" in daemon.ctl("acks", "--json"), "control socket dead after the restart"
    daemon.wait_cycles_after(now(), [udid], extra_s=2 * 2 + 6)  # a resend needs the 5 s reply
    mails = sink.mails()
    assert 1 <= len(mails) <= 2, f"{len(mails)} mails after the restart"
    ids = {m.message_id for m in mails}
    assert ids == {mail.message_id}, f"a duplicate with another Message-ID: {ids}"
    print(f"sigkill: {len(mails)} deliveries, Message-ID {mail.message_id}")


HOSTILE_NAME = ("Cart\r\nBcc: victim@evil.test\r\nX-Injected: yes\n<script>alert(1)</script>"
                "<b>bold</b> & \"quoted\" " + "A" * 100_000)


def hostile(procs):
    """A device name with CR/LF, Bcc: lines, HTML and 100 KB of text: a well-formed mail with
    exactly our headers, one recipient, and the markup escaped."""
    sink = Sink(procs).start()
    udid = udid_of(6)
    sim, daemon = start(procs, [(udid, HOSTILE_NAME, STALE)], sink.port)
    (mail,) = sink.wait_mails(1, "stale hostile device")
    assert_well_formed(mail)
    headers = {k.lower() for k in mail.msg.keys()}
    assert "bcc" not in headers and "x-injected" not in headers, sorted(headers)
    assert headers <= {"from", "to", "subject", "date", "message-id", "mime-version",
                       "content-type", "content-transfer-encoding", "auto-submitted",
                       "x-auto-response-suppress", "precedence"}, sorted(headers)
    assert "\r" not in mail.subject and "\n" not in mail.subject, repr(mail.subject)
    assert b"\nBcc:" not in mail.raw and b"\nX-Injected" not in mail.raw
    assert "<script>" not in mail.html and "<b>bold" not in mail.html, "markup not escaped"
    assert "&lt;script&gt;" in mail.html, "the name is missing from the HTML part"
    assert "<script>alert(1)</script>" in mail.text, "plain text should keep the name as text"
    assert max(len(line) for line in mail.raw.split(b"\r\n")) <= 998, "line over RFC 5322 limit"
    assert len(mail.raw) < 200_000, f"{len(mail.raw)} bytes: the 100 KB name was not bounded"


def sighup_smtp(procs):
    """[alerts.email] applies on SIGHUP: after a reload to another server and recipient, the next
    alert goes there (docs/configuration.md)."""
    old, new = Sink(procs, name="smtp-old").start(), Sink(procs, name="smtp-new").start()
    first, second = udid_of(7), udid_of(8)
    sim = Sim(procs, write_fleet(procs, [(first, "iPad-A", STALE),
                                         (second, "iPad-B", STALE, {"attached": False})]))
    daemon = AlertDaemon(procs, sim.socket, email_config(old.port)).start()
    (mail,) = old.wait_mails(1, "alert to the first server")
    assert first in mail.text and mail.rcpts == ["admin@example.test"]
    daemon.reload(email_config(new.port, to=["oncall@example.test"]))
    sim.ctl("attach", second)  # a stale device plugged in after the reload
    (moved,) = new.wait_mails(1, "alert to the reloaded server")
    assert second in moved.text and first not in moved.text, moved.text
    assert moved.rcpts == ["oncall@example.test"], moved.rcpts
    assert str(moved.msg["to"]) == "oncall@example.test"
    assert len(old.mails()) == 1, "the old server still gets mail after the reload"


def ack(procs):
    """`ibackupmonctl ack` through the control socket: the acknowledged device gets no reminder
    when its alert escalates (the other one does), and the ack shows in the reminder's digest,
    in `status` and in `status --json`."""
    sink = Sink(procs).start()
    acked, other = udid_of(10), udid_of(11)
    # Both go stale 3 s after the simulator starts and critical at 60 s (the ack must come first).
    sim, daemon = start(procs, [(acked, "iPad-Repair", NOW), (other, "iPad-Other", NOW)],
                        sink.port, group_window="4s", tables=backup_config("3s", "60s"))
    (mail,) = sink.wait_mails(1, "grouped stale mail")
    assert acked in mail.text and other in mail.text
    out = daemon.ctl("ack", acked, "--comment", "in repair <until Friday>")
    assert "Acknowledged " + acked in out, out
    entry = wait_for("ack in status --json", lambda: daemon.device(acked).get("acknowledged"))
    assert entry["until"] is None and entry["conditions"] == [], entry
    assert entry["comment"] == "in repair <until Friday>", entry
    assert daemon.device(other)["acknowledged"] is None
    table = daemon.ctl("status")
    assert "Acknowledged (no reminders):" in table, table
    (line,) = [ln for ln in table.split("Acknowledged (no reminders):")[1].splitlines()
               if ln.startswith("  ")]
    assert acked in line and "all conditions" in line and "no expiry" in line, table
    # Past backup.critical_after the stale alert escalates to critical, which reminds at once.
    mails = sink.wait_mails(2, "escalation reminder", timeout=90)
    reminder = mails[1]
    assert_well_formed(reminder)
    alerting, _, digest = reminder.text.partition("Acknowledged (not re-alerting)")
    assert other in alerting and acked not in alerting, reminder.text
    assert acked in digest and "in repair" in digest, f"ack missing from the digest:\n{digest}"
    assert "&lt;until Friday&gt;" in reminder.html, "ack comment not escaped in HTML"
    daemon.wait_cycles_after(now(), [acked, other])
    assert len(sink.mails()) == 2, [m.subject for m in sink.mails()]
    # unack ends the snooze: the device is reminded once, as when an `--until` runs out.
    assert daemon.ctl("unack", acked).startswith("Removed 1")
    wait_for("ack gone from status --json", lambda: daemon.device(acked)["acknowledged"] is None)
    mails = sink.wait_mails(3, "reminder after unack")
    assert acked in mails[2].text and other not in mails[2].text, mails[2].text


SCENARIOS = {f.__name__: f for f in (one_stale, ten_stale, resolved, smtp_down, smtp_silent,
                                     sigkill, hostile, sighup_smtp, ack)}


def main():
    name = sys.argv[1]
    with Processes() as procs:
        SCENARIOS[name](procs)
        procs.check_alive()
    print(f"ok: {name}")


if __name__ == "__main__":
    main()
