# SPDX-License-Identifier: Apache-2.0
"""A wedged usbmuxd told apart from an absent one, end to end: the real ibackupmond against the
real ibackupmon-sim (its `wedge-usbmuxd` and `restart-usbmuxd`), mailing a real aiosmtpd sink.

    daemon_usbmuxd_wedge_test.py wedge|absent

wedge: reported (ibackupmon_usbmuxd_wedged 1) within two probe intervals, a host email, the
first line of `ibackupmonctl status` with exit UNKNOWN (also with the daemon stopped), and it
clears by itself when usbmuxd answers again. absent: a usbmuxd that is gone never raises it."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alerts_kit import (FRESH, PROBE_INTERVAL_S, AlertDaemon, Processes, Sim, Sink,  # noqa: E402
                        email_config, now, udid_of, wait_for, write_fleet)

WEDGE_LINE = "usbmuxd accepts connections but answers nothing since"
EMAIL_LINE = "usbmuxd on cart-host-7 accepts connections but answers nothing since"
FIX = "systemctl restart usbmuxd"
NAGIOS_UNKNOWN = 3


def status(daemon):
    """`ibackupmonctl status --db DB`: (exit code, stdout)."""
    import subprocess
    r = subprocess.run([os.environ["CTL"], "status", "--db", daemon.db], capture_output=True,
                       timeout=30)
    return r.returncode, r.stdout.decode(errors="replace")


def start(procs, sink_port):
    udid = udid_of(31)
    sim = Sim(procs, write_fleet(procs, [(udid, "iPad-Wedge-01", FRESH)]))
    daemon = AlertDaemon(procs, sim.socket, email_config(sink_port)).start()
    daemon.view.wait_all_probed(1)
    return udid, sim, daemon


def wedged(daemon):
    return daemon.metric("ibackupmon_usbmuxd_wedged")


def wedge(procs):
    sink = Sink(procs).start()
    udid, sim, daemon = start(procs, sink.port)
    assert wedged(daemon) == 0, "ibackupmon_usbmuxd_wedged must be present and 0 while it answers"
    code, out = status(daemon)
    assert WEDGE_LINE not in out and code != NAGIOS_UNKNOWN, (code, out)

    seconds = 30
    began = time.monotonic()
    sim.ctl("wedge-usbmuxd", str(seconds))
    wait_for("ibackupmon_usbmuxd_wedged 1", lambda: wedged(daemon) == 1,
             timeout=4 * PROBE_INTERVAL_S)
    took = time.monotonic() - began
    # The watch pings every probe interval with half of it as its deadline; 0.5 s for the
    # fleet view to reach the exporter and for this poll.
    assert took <= 2 * PROBE_INTERVAL_S + 0.5, f"reported after {took:.1f}s"
    print(f"wedge reported after {took:.2f}s (probe interval {PROBE_INTERVAL_S}s)")

    def status_says_wedged():
        code, out = status(daemon)
        return (code, out) if out.startswith(WEDGE_LINE) else None
    code, out = wait_for("status first line", status_says_wedged, timeout=10)
    assert FIX in out.splitlines()[0], out
    assert code == NAGIOS_UNKNOWN, f"exit {code}, want UNKNOWN (3)"

    (mail,) = sink.wait_mails(1, "usbmuxd wedged", timeout=30)
    assert "usbmuxd answers nothing" in mail.subject, mail.subject
    assert EMAIL_LINE in mail.text and FIX in mail.text, mail.text
    assert EMAIL_LINE in mail.html, mail.html
    assert udid not in mail.text, "a host alert names no device"

    # Persisted: the CLI says so with the daemon stopped.
    daemon.kill9()
    code, out = status(daemon)
    assert out.startswith(WEDGE_LINE) and code == NAGIOS_UNKNOWN, (code, out)
    daemon.start()
    wait_for("still wedged after a restart", lambda: wedged(daemon) == 1,
             timeout=4 * PROBE_INTERVAL_S)

    ends = began + seconds
    wait_for("ibackupmon_usbmuxd_wedged 0 by itself",
             lambda: (procs.check_alive(), wedged(daemon) == 0)[1],
             timeout=seconds + 4 * PROBE_INTERVAL_S)
    cleared = time.monotonic()
    assert cleared >= ends - 0.5, "cleared before usbmuxd answered again"
    assert cleared - ends <= 2 * PROBE_INTERVAL_S + 0.5, f"cleared {cleared - ends:.1f}s late"
    wait_for("status without the wedge line",
             lambda: WEDGE_LINE not in status(daemon)[1], timeout=10)
    resolved = wait_for("resolution mail", lambda: [
        m for m in sink.mails() if "resolved:" in m.subject and "usbmuxd" in m.subject],
        timeout=30)
    assert "answers again" in resolved[0].text, resolved[0].text
    after = now()
    # last_seen also moves when the device attaches again, which may come after `after` (the
    # daemon reconnects to usbmuxd on its own schedule), so the probe is awaited in the
    # simulator's log: one recorded after the resolution mail.
    sim.wait_probe_recorded(udid, len(sim.events()), "the device probed again after the wedge")
    wait_for("the device connected and seen after the wedge", lambda: (
        daemon.device(udid)["connected"] and daemon.device(udid)["last_seen"] and
        _epoch(daemon.device(udid)["last_seen"]) > after), timeout=60)
    assert daemon.device(udid)["state"] == "ok", daemon.device(udid)
    # One opening mail; the kill -9 right after it arrived may repeat it once, with the same
    # Message-ID (docs/alerts.md, "The outbox"), never as a new alert.
    opened = [m for m in sink.mails() if "resolved:" not in m.subject]
    assert {m.message_id for m in opened} == {mail.message_id}, \
        [(m.subject, m.message_id) for m in sink.mails()]
    print(f"wedge: {len(sink.mails())} mails ({len(opened)} opening, one Message-ID), cleared "
          f"{cleared - ends:.2f}s after usbmuxd answered")


def absent(procs):
    """usbmuxd gone (its socket removed, then back): usbmuxd_up drops, the wedge gauge never
    moves, status never says wedged, no mail."""
    sink = Sink(procs).start()
    udid, sim, daemon = start(procs, sink.port)
    outage = 4 * PROBE_INTERVAL_S
    sim.ctl("restart-usbmuxd", str(outage))
    end = time.monotonic() + outage + 2 * PROBE_INTERVAL_S
    saw_down = False
    samples = 0
    while time.monotonic() < end:
        assert wedged(daemon) == 0, "an absent usbmuxd raised ibackupmon_usbmuxd_wedged"
        saw_down = saw_down or daemon.metric("ibackupmon_usbmuxd_up") == 0
        samples += 1
        time.sleep(0.2)  # sampling the gauge over the whole outage, not waiting for a state
    assert saw_down, "the outage was never visible as ibackupmon_usbmuxd_up 0"
    code, out = status(daemon)
    assert WEDGE_LINE not in out and code != NAGIOS_UNKNOWN, (code, out)
    wait_for("usbmuxd up again", lambda: daemon.metric("ibackupmon_usbmuxd_up") == 1, timeout=30)
    assert not [m for m in sink.mails() if "usbmuxd" in m.subject], "a wedge mail for an outage"
    # A socket that does not exist at all (no usbmuxd on an idle host).
    daemon.kill9()
    daemon.sim_socket = os.path.join(procs.dir, "no-usbmuxd.sock")
    daemon.start()
    # ibackupmon_usbmuxd_up appears with the first fleet view, a moment after the start.
    wait_for("ibackupmon_usbmuxd_up 0 without a socket",
             lambda: daemon.metric("ibackupmon_usbmuxd_up") == 0, timeout=30)
    time.sleep(2 * PROBE_INTERVAL_S + 1)  # two full ping rounds must pass without a report
    assert wedged(daemon) == 0 and daemon.metric("ibackupmon_usbmuxd_up") == 0
    print(f"absent: {samples} samples over a {outage}s outage, never wedged")


def _epoch(rfc3339):
    import datetime
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


SCENARIOS = {"wedge": wedge, "absent": absent}


def main():
    name = sys.argv[1]
    with Processes() as procs:
        SCENARIOS[name](procs)
        procs.check_alive()
    print(f"ok: {name}")


if __name__ == "__main__":
    main()
