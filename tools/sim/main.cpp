// SPDX-License-Identifier: Apache-2.0
// ibackupmon-sim: a usbmuxd + lockdownd simulator that the real libimobiledevice talks to.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

#include "cli.h"
#include "cli/command_line.h"
#include "control_server.h"
#include "ctl_client.h"
#include "fleet_generate.h"
#include "fleet_toml.h"
#include "simulator.h"
#include "usbmux_server.h"

namespace {

int fail(const std::string& message, int code = 1) {
  std::cerr << "ibackupmon-sim: " << message << "\n";
  return code;
}

bool writeAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

ibackupmon::Expected<sim::Fleet> obtainFleet(const sim::SimOptions& o) {
  sim::Fleet fleet;
  if (!o.fleetFile.empty()) {
    auto f = sim::loadFleetFile(o.fleetFile);
    if (!f) return f;
    fleet = std::move(*f);
  } else {
    fleet = sim::generateFleet(o.generate, o.seed);
  }
  if (!o.writeFleet.empty() && !writeAtomically(o.writeFleet, sim::fleetToToml(fleet))) {
    return ibackupmon::makeError("write_fleet", o.writeFleet + ": cannot write fleet file");
  }
  return fleet;
}

int serve(const sim::SimOptions& o) {
  auto fleet = obtainFleet(o);
  if (!fleet) return fail(fleet.error().message);
  sim::EventLog events(o.eventsFile);
  if (!events.ok()) return fail(o.eventsFile + ": cannot open event log for appending");
  auto pki = sim::generatePki();
  if (!pki) return fail(pki.error().message);
  auto sharedPki = std::make_shared<const sim::Pki>(std::move(*pki));
  auto tls = sim::TlsServerContext::create(*sharedPki);
  if (!tls) return fail(tls.error().message);

  sim::asio::io_context io(1);
  sim::Simulator simulator(io, sharedPki, *tls, events);
  if (auto r = simulator.load(*fleet); !r) return fail(r.error().message);
  sim::UsbmuxServer usbmux(simulator, o.socket);
  if (auto r = usbmux.open(); !r) return fail(r.error().message);
  std::unique_ptr<sim::ControlServer> control;
  if (!o.control.empty()) {
    control = std::make_unique<sim::ControlServer>(simulator, usbmux, o.control);
    if (auto r = control->open(); !r) return fail(r.error().message);
  }
  // Sockets already accept connections: only now tell the waiting test or script.
  std::string ready = usbmux.clientAddress() + "\npid=" + std::to_string(::getpid()) + "\n";
  if (!o.readyFile.empty() && !writeAtomically(o.readyFile, ready)) {
    return fail(o.readyFile + ": cannot write ready file");
  }
  sim::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    usbmux.close();
    io.stop();
  });
  std::cerr << "ibackupmon-sim: " << fleet->devices.size() << " devices on "
            << usbmux.clientAddress() << "\n";
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && std::string(argv[1]) == "ctl") return sim::runCtl(argc - 2, argv + 2);
  auto opts = sim::parseCli(argc - 1, argv + 1);
  if (!opts) return sim::usageError("ibackupmon-sim", opts.error().message);
  if (opts->help) {
    std::cout << sim::usageText();
    return 0;
  }
  if (opts->version) {
    std::cout << ibackupmon::cli::versionLine("ibackupmon-sim") << "\n";
    return 0;
  }
  return serve(*opts);
}
