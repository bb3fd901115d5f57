# SPDX-License-Identifier: Apache-2.0
"""A cart of 30 devices on a two-level hub tree, as a new user sets it up: a fixture /sys laid out
as the kernel does, a [[slot]] table (ports by path, and by udev ID_PATH), the real daemon and the
real simulator. Every device shows its slot label in status --json, the table, CSV and the
metrics (link speed in bytes per second, the unit promtool asks for); a network device has none
and no error; a 12 Mbit/s link raises usb_link_degraded and closes when the link is back at 480; a device moved to another port takes that port's label, and
`history` says where it sat in each attach session and that it moved."""
import csv
import io
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import Processes, start, wait_fleet, wait_for  # noqa: E402

CONTROLLER = "pci0000:00/0000:00:14.0"
HUBS = 5  # 1-1.1 .. 1-1.5 under the cart's own hub 1-1, 6 ports each
SLOW = 7  # the device whose cable only negotiates full speed


def udid(i):
    return f"00008030-{i:016X}"


def port_of(i):
    return f"1-1.{i // 6 + 1}.{i % 6 + 1}"


def label_of(i):
    return f"Cart A / {i + 1:02d}"


class Sysfs:
    """bus/usb/devices/<port> links into devices/<controller>/usb1/1-1/1-1.H/1-1.H.P."""

    def __init__(self, root):
        self.root = root
        self.links = os.path.join(root, "bus", "usb", "devices")
        os.makedirs(self.links)

    def folder(self, port):
        bus, rest = port.split("-", 1)
        d = os.path.join(self.root, "devices", CONTROLLER, "usb" + bus)
        name = bus + "-"
        for n, part in enumerate(rest.split(".")):
            name += ("." if n else "") + part
            d = os.path.join(d, name)
            os.makedirs(d, exist_ok=True)
            link = os.path.join(self.links, name)
            if not os.path.islink(link):
                os.symlink(os.path.relpath(d, self.links), link)
        return d

    def plug(self, port, serial, speed="480"):
        d = self.folder(port)
        for name, value in (("idVendor", "05ac"), ("serial", serial), ("speed", speed)):
            with open(os.path.join(d, name), "w") as f:
                f.write(value + "\n")

    def unplug(self, port):
        for name in ("idVendor", "serial", "speed"):
            os.remove(os.path.join(self.folder(port), name))


def fleet_file(path, count):
    with open(path, "w") as f:
        for i in range(count):
            f.write(f'[[device]]\nudid = "{udid(i)}"\n\n')
        f.write('[[device]]\nudid = "00008030-00000000000000FF"\nconnection = "network"\n')


def main():
    with Processes() as procs:
        sysfs = Sysfs(os.path.join(procs.dir, "sys"))
        for i in range(30):
            sysfs.plug(port_of(i), udid(i).replace("-", ""), "12" if i == SLOW else "480")
        fleet = os.path.join(procs.dir, "cart-fleet.toml")
        fleet_file(fleet, 30)
        # Slots by port path, the last five by udev's ID_PATH; one spare port for the move.
        slots = ""
        for i in range(31):
            if i < 25:
                slots += f'[[slot]]\nport = "{port_of(i)}"\nlabel = "{label_of(i)}"\n'
            else:
                path = f"pci-0000:00:14.0-usb-0:{port_of(i).split('-', 1)[1]}"
                slots += f'[[slot]]\npath = "{path}"\nlabel = "{label_of(i)}"\n'
        config = f"""[probe]
interval = "1s"
network_devices = true
[host]
sysfs_root = "{sysfs.root}"
[[device]]
udid = "{udid(3)}"
label = "Teacher iPad"
{slots}"""
        run = start(procs, config, fleet=fleet)

        expected = {udid(i): {"connected": True, "slot": {
            "port": port_of(i), "label": label_of(i),
            "path": f"pci-0000:00:14.0-usb-0:{port_of(i).split('-', 1)[1]}",
            "speed_mbps": 12 if i == SLOW else 480}} for i in range(30)}
        expected["00008030-00000000000000FF"] = {"connected": True, "slot": None}
        by = wait_fleet(run, expected, timeout=120)
        slow = {c["id"]: c for c in by[udid(SLOW)]["conditions"]}
        assert "usb_link_degraded" in slow, by[udid(SLOW)]
        ev = slow["usb_link_degraded"]["evidence"]
        assert ev == {"speed_mbps": "12", "port": port_of(SLOW), "slot": label_of(SLOW)}, ev
        degraded = [u for u, s in by.items()
                    if any(c["id"] == "usb_link_degraded" for c in s["conditions"])]
        assert degraded == [udid(SLOW)], degraded
        # The device's own label names it; the slot's names the others.
        assert by[udid(3)]["label"] == "Teacher iPad", by[udid(3)]
        assert by[udid(4)]["label"] == label_of(4) and by[udid(4)]["name"] == label_of(4)

        # The table's SLOT column, and CSV's slot_port and slot_label.
        code, table = run.ctl("status")
        assert code in (0, 1, 2, 3) and "SLOT" in table.splitlines()[0], table  # Nagios states
        for i in (0, 17, 29):
            assert label_of(i) in table, (label_of(i), table)
        code, text = run.ctl("export", "--format=csv")
        rows = {r["udid"]: r for r in csv.DictReader(io.StringIO(text))}
        assert rows[udid(17)]["slot_port"] == port_of(17), rows[udid(17)]
        assert rows[udid(17)]["slot_label"] == label_of(17), rows[udid(17)]
        assert rows["00008030-00000000000000FF"]["slot_port"] == ""

        # Metrics: one slot series per USB device, link speed in bits per second, lint-clean.
        def slot_series():
            series = run.series("ibackupmon_device_slot_info")
            return series if len(series) == 30 else None
        series = wait_for("30 ibackupmon_device_slot_info series", slot_series, timeout=30)
        assert {s["udid"]: (s["port"], s.get("label")) for s in series} == {
            udid(i): (port_of(i), label_of(i)) for i in range(30)}, series
        assert run.metric("ibackupmon_usb_link_speed_bytes_per_second", udid=udid(SLOW)) == 12e6 / 8
        assert run.metric("ibackupmon_usb_link_speed_bytes_per_second", udid=udid(0)) == 480e6 / 8
        assert not run.series("ibackupmon_usb_link_speed_bytes_per_second",
                              udid="00008030-00000000000000FF")
        from monitoring_kit import http_get  # noqa: E402
        lint = subprocess.run([os.environ["PROMTOOL"], "check", "metrics"],
                              input=http_get(run.daemon.metrics_url).encode(),
                              capture_output=True, timeout=30)
        report = (lint.stdout + lint.stderr).decode().strip()
        assert lint.returncode == 0 and not report, f"promtool check metrics:\n{report}"

        # The cable is replaced: the link renegotiates (a USB reset is a re-attach).
        run.sim.ctl("detach", udid(SLOW))
        sysfs.plug(port_of(SLOW), udid(SLOW).replace("-", ""), "480")
        run.sim.ctl("attach", udid(SLOW))
        expected[udid(SLOW)]["slot"]["speed_mbps"] = 480
        by = wait_fleet(run, {udid(SLOW): expected[udid(SLOW)]}, timeout=60)
        assert all(c["id"] != "usb_link_degraded" for c in by[udid(SLOW)]["conditions"])

        # A device moved to the spare port takes that slot's label.
        run.sim.ctl("detach", udid(5))
        sysfs.unplug(port_of(5))
        sysfs.plug(port_of(30), udid(5).replace("-", ""))
        run.sim.ctl("attach", udid(5))
        moved = {"connected": True, "label": label_of(30), "slot": {
            "port": port_of(30), "label": label_of(30),
            "path": f"pci-0000:00:14.0-usb-0:{port_of(30).split('-', 1)[1]}", "speed_mbps": 480}}
        wait_fleet(run, {udid(5): moved}, timeout=60)

        # history: each attach session says where the device sat, and the move is spelled out.
        def located():
            sessions = run.history(udid(5))["sessions"]
            return sessions if len(sessions) == 2 and sessions[1]["port"] else None
        sessions = wait_for("the new session's port in history --json", located, timeout=30)
        assert [(s["port"], s["slot_label"]) for s in sessions] == [
            (port_of(5), label_of(5)), (port_of(30), label_of(30))], sessions
        code, text = run.ctl("history", udid(5))
        assert code == 0, text
        want = f"at {port_of(30)} ({label_of(30)}), moved from {port_of(5)} ({label_of(5)})"
        assert want in text, text
        assert run.history("00008030-00000000000000FF")["sessions"][0]["port"] is None
        run.procs.check_alive()
        print("ok: 30 devices in their slots; link degraded and restored; a move followed")


if __name__ == "__main__":
    main()
