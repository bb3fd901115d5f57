// SPDX-License-Identifier: Apache-2.0
// ibackupmon-metrics-fixture: serves MetricsExporter with a synthetic fleet on loopback, for the
// Prometheus integration tests of shapes a simulated fleet cannot produce quickly (stall waves,
// usbmuxd down, every state at once); the Alertmanager email test runs the real daemon instead.
//
//   ibackupmon-metrics-fixture --scenario fleet|wave|usbmuxd-down|usbmuxd-wedged [--devices N]
//                              [--wave-file PATH] [--status-json PATH] [--frozen 1]
//                              --port-file PATH
//
// "wave": every backed-up device goes stale once the wave file exists (the test creates it when
// Prometheus has recorded them fresh).
//
// Refreshes the fleet view every 250 ms (timestamps move on) unless --frozen; --status-json
// writes the first view as `ibackupmonctl status --json` would print it. SIGTERM/SIGINT end it.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/metrics_server.h"
#include "report/status_json.h"
#include "synthetic_fleet.h"

namespace {

using namespace ibackupmon;

struct Args {
  std::string scenario = "fleet";
  std::size_t devices = 24;
  std::string waveFile;
  std::string portFile;
  std::string listen = "127.0.0.1:0";
  std::string statusJson;
  bool frozen = false;
};

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--scenario") {
      a.scenario = v;
    } else if (k == "--devices") {
      a.devices = std::strtoul(v.c_str(), nullptr, 10);
    } else if (k == "--wave-file") {
      a.waveFile = v;
    } else if (k == "--port-file") {
      a.portFile = v;
    } else if (k == "--listen") {
      a.listen = v;
    } else if (k == "--status-json") {
      a.statusJson = v;
    } else if (k == "--frozen") {
      a.frozen = v == "1";
    } else {
      std::fprintf(stderr, "ignoring unknown option %s\n", k.c_str());
    }
  }
  return a;
}

FleetView fleetFor(const Args& a, TimePoint now) {
  if (a.scenario == "usbmuxd-down") {
    FleetView v = testing::makeSyntheticFleet(a.devices, now - std::chrono::hours(1));
    v.usbmuxdUp = false;
    v.at = now;
    return v;
  }
  if (a.scenario == "usbmuxd-wedged") {  // accepts connections, answers nothing for 10 minutes
    FleetView v = testing::makeSyntheticFleet(a.devices, now - std::chrono::hours(1));
    v.usbmuxdWedgedSince = now - std::chrono::minutes(10);
    v.at = now;
    return v;
  }
  FleetView v = testing::makeSyntheticFleet(a.devices, now);
  v.devices.push_back(testing::makeHostileDevice(now));
  // "wave": every synthetic device that was backed up goes stale at once, as in an Apple outage;
  // the hostile one stays ok so every state keeps some device.
  if (a.scenario == "wave" && std::ifstream(a.waveFile).good()) {
    for (std::size_t i = 0; i < a.devices; ++i) {
      DeviceStatus& d = v.devices[i];
      if (d.backupState != BackupState::Ok) continue;
      d.backupState = BackupState::Stale;
      d.conditions.push_back({.id = "backup_stale", .severity = Severity::Warning, .since = now});
    }
  }
  return v;
}

void feedActivity(MetricsExporter& e, TimePoint now) {
  e.onProbeOutcome({.probe = "backup", .status = ProbeStatus::Ok, .seconds = 0.04});
  e.onProbeOutcome(
      {.probe = "battery", .status = ProbeStatus::Error, .error = "timeout", .seconds = 15});
  e.alertSent(kAlertChannelEmail);
  e.alertFailed(kAlertChannelAlertmanager);
  e.onFeedSuccess(kFeedAppleStatus, now);
  e.onFeedError(kFeedIosCatalog, Error{"http", "synthetic failure"});
  AppleStatusReport report;
  report.fetchedAt = now;
  report.services.push_back({.name = "iCloud Backup", .activeEvents = {{.statusType = "Outage"}}});
  report.services.push_back({.name = "Apple ID"});
  e.onAppleStatus(report);
  e.setOutboxDepth(2);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parseArgs(argc, argv);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the exposer starts its threads

  MetricsExporter exporter(
      MetricsExporterOptions{.conditionIds = testing::syntheticConditionIds()});
  SystemClock clock;
  const FleetView first = fleetFor(args, clock.now());
  exporter.onFleetStatus(first);
  if (!args.statusJson.empty()) {
    std::ofstream(args.statusJson) << dumpJson(statusesToJson(first.devices)) << "\n";
  }
  auto server = MetricsServer::start({.listen = args.listen}, exporter);
  if (!server) {
    std::fprintf(stderr, "ibackupmon-metrics-fixture: %s\n", server.error().message.c_str());
    return 1;
  }
  std::printf("%u\n", (*server)->port());
  std::fflush(stdout);
  if (!args.portFile.empty()) {
    const std::string tmp = args.portFile + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::rename(tmp.c_str(), args.portFile.c_str());  // readers never see a half-written file
  }
  const timespec tick{0, 250'000'000};
  for (;;) {
    siginfo_t info;
    if (sigtimedwait(&stop, &info, &tick) > 0) break;
    if (args.frozen) continue;
    const auto now = clock.now();
    exporter.onFleetStatus(fleetFor(args, now));
    feedActivity(exporter, now);
  }
  return 0;
}
