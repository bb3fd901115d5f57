// SPDX-License-Identifier: Apache-2.0
// runCommand: the ctl commands.
#include <sstream>

#include "control_server.h"
#include "device_values.h"

namespace sim {
namespace {

CommandResult fail(std::string e) {
  return {false, "", std::move(e)};
}

std::string listDevices(Simulator& sim) {
  std::ostringstream o;
  for (const auto& d : sim.devices()) {
    o << d->spec.udid << ' ' << (d->attached ? std::to_string(d->deviceId) : "-") << ' '
      << (d->attached ? "attached" : "detached") << ' ' << (d->spec.network ? "network" : "usb")
      << ' ' << (d->spec.situation.empty() ? "-" : d->spec.situation);
    for (const auto& f : describeFaults(d->spec.faults)) o << ' ' << f;
    for (const auto& f : describeBackupFaults(d->spec.backup)) o << ' ' << f;
    o << '\n';
  }
  return o.str();
}

CommandResult deviceCommand(Simulator& sim, const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  SimDevice* d = sim.byUdid(a[1]);
  if (!d) return fail("unknown device " + a[1]);
  if (cmd == "attach")
    return sim.attach(a[1]) ? CommandResult{} : fail(a[1] + " is already attached");
  if (cmd == "detach") return sim.detach(a[1]) ? CommandResult{} : fail(a[1] + " is not attached");
  if (cmd == "set") {
    if (a.size() != 5)
      return fail("usage: set UDID DOMAIN KEY VALUE (DOMAIN \"\" or - for the default domain)");
    std::string domain = a[2] == "-" ? "" : a[2];
    std::string err = sim.setValue(a[1], domain, a[3], parseValueText(a[4]));
    return err.empty() ? CommandResult{} : fail(err);
  }
  if (cmd == "fault") {
    if (a.size() < 3 || a.size() > 4)
      return fail("usage: fault UDID NAME [ARG] | fault UDID clear [NAME]");
    std::string arg = a.size() == 4 ? a[3] : "";
    std::string err =
        a[2] == "clear" ? clearFault(d->spec.faults, arg) : sim.applyDeviceFault(a[1], a[2], arg);
    return err.empty() ? CommandResult{} : fail(err);
  }
  if (cmd == "backup") {
    if (a.size() == 3 && a[2] == "reset") {
      d->spec.backup = BackupSpec{};
      return {};
    }
    if (a.size() != 4) return fail("usage: backup UDID KEY VALUE | backup UDID reset");
    ValueSpec v = parseValueText(a[3]);
    int64_t n = 0;
    if (auto* b = std::get_if<bool>(&v))
      n = *b ? 1 : 0;
    else if (auto* i = std::get_if<int64_t>(&v))
      n = *i;
    else
      return fail("backup " + a[2] + ": expected an integer or true/false, found \"" + a[3] + "\"");
    std::string err = applyBackupKey(d->spec.backup, a[2], n);
    return err.empty() ? CommandResult{} : fail("backup " + a[2] + ": " + err);
  }
  if (cmd == "trust") {
    if (a.size() != 3 || (a[2] != "accept" && a[2] != "deny"))
      return fail("usage: trust UDID accept|deny");
    d->spec.faults.trustPending = false;
    d->spec.faults.trustDenied = a[2] == "deny";
    return {};
  }
  return fail("unknown command " + cmd);
}

}  // namespace

CommandResult runCommand(Simulator& sim, UsbmuxServer& usbmux, const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  CommandResult r;
  if (cmd == "list") {
    r.output = listDevices(sim);
  } else if (cmd == "events") {
    r.output = sim.events().dump();
  } else if (cmd == "restart-usbmuxd") {
    int seconds = a.size() == 2 ? std::atoi(a[1].c_str()) : -1;
    if (seconds < 0 || seconds > 3600 || (a[1] != "0" && seconds == 0)) {
      return fail("usage: restart-usbmuxd SECONDS (0..3600)");
    }
    usbmux.restart(seconds);
  } else if (cmd == "wedge-usbmuxd") {
    int seconds = a.size() == 2 ? std::atoi(a[1].c_str()) : -1;
    if (seconds < 0 || seconds > 3600 || (a[1] != "0" && seconds == 0)) {
      return fail("usage: wedge-usbmuxd SECONDS (0..3600)");
    }
    sim.wedgeUsbmuxd(seconds);
  } else if (cmd == "attach" || cmd == "detach" || cmd == "set" || cmd == "fault" ||
             cmd == "trust" || cmd == "backup") {
    if (a.size() < 2) return fail("usage: " + cmd + " UDID ...");
    if ((cmd == "attach" || cmd == "detach") && a.size() != 2)
      return fail("usage: " + cmd + " UDID");
    r = deviceCommand(sim, a);
  } else {
    return fail("unknown command '" + cmd +
                "' (known: list, attach, detach, set, fault, trust, "
                "backup, restart-usbmuxd, wedge-usbmuxd, events)");
  }
  sim.events().record({"ctl", cmd, a.size() > 1 ? a[1] : "", "", "", "", r.ok ? "ok" : r.error});
  return r;
}

}  // namespace sim
