// SPDX-License-Identifier: Apache-2.0
#include "probes/probe_runner.h"

#include <chrono>

namespace ibackupmon {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ProbeOutcome outcome(const char* name, ProbeResult r, double seconds) {
  return ProbeOutcome{
      name, r.status, std::move(r.error), std::move(r.detail), seconds, std::move(r.invalid)};
}

}  // namespace

DeviceSnapshot runProbeCycle(DeviceConnector& connector, const DeviceRef& device,
                             const SessionOptions& options, const ProbeTable& probes,
                             const Clock& clock) {
  DeviceSnapshot snap;
  snap.identity.udid = device.udid;
  snap.network = device.network;
  snap.connected = true;
  snap.takenAt = clock.now();
  const auto openStart = std::chrono::steady_clock::now();
  auto session = connector.open(device, options);
  if (!session) {
    const Error& e = session.error();
    snap.trust = trustFromError(e.code);
    // Lock and trust states are facts about the device ("no data"), other failures are errors.
    auto r = snap.trust == TrustState::Unknown ? ProbeResult::failed(e) : ProbeResult::noData(e);
    snap.probes.push_back(outcome("trust", std::move(r), secondsSince(openStart)));
    return snap;
  }
  const double openSeconds = secondsSince(openStart);
  for (const auto& probe : probes) {
    const auto start = std::chrono::steady_clock::now();
    ProbeResult r;
    try {
      r = probe.run(**session, snap);
    } catch (const std::exception& ex) {  // a probe bug must not sink the cycle
      r = ProbeResult::failed(Error{"internal", ex.what()});
    }
    double seconds = secondsSince(start);
    if (std::string_view(probe.name) == "trust") seconds += openSeconds;
    snap.probes.push_back(outcome(probe.name, std::move(r), seconds));
  }
  return snap;
}

}  // namespace ibackupmon
