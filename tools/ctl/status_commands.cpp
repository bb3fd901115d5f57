// SPDX-License-Identifier: Apache-2.0
// status, device and export: views of the live fleet status (Store::loadStatus).
#include <map>
#include <ostream>

#include <nlohmann/json.hpp>

#include "ack_status.h"
#include "commands.h"
#include "core/device_state.h"
#include "host_status.h"
#include "report/status_csv.h"
#include "report/status_json.h"
#include "report/status_table.h"
#include "store/alert_repository.h"

namespace ibackupmon::ctl {
namespace {

Expected<std::vector<DeviceStatus>> loadFleet(const CliArgs& args) {
  auto store = openStore(args, OpenMode::ReadOnly);
  if (!store) return tl::unexpected(store.error());
  return (*store)->loadStatus();
}

// Acks in force, from the same database. A database the daemon has not migrated yet fails in
// loadFleet first; an unreadable ack table is said on stderr and shown as "no acks".
std::map<std::string, DeviceAckSummary> loadAcks(const Context& ctx) {
  auto path = resolveDatabasePath(ctx.args);
  if (!path) return {};
  auto repo = AlertRepository::openReadOnly(*path);
  auto acks =
      repo ? repo->loadAcks() : Expected<std::vector<AlertAck>>(tl::unexpected(repo.error()));
  if (!acks) {
    ctx.err << "ibackupmonctl: acknowledgements not shown: " << acks.error().message << "\n";
    return {};
  }
  return summarizeAcks(*acks, ctx.now);
}

nlohmann::json withAck(nlohmann::json device, const DeviceStatus& d,
                       const std::map<std::string, DeviceAckSummary>& acks) {
  auto it = acks.find(d.udid);
  device["acknowledged"] = ackToStatusJson(it == acks.end() ? nullptr : &it->second);
  return device;
}

nlohmann::json fleetJson(const std::vector<DeviceStatus>& fleet,
                         const std::map<std::string, DeviceAckSummary>& acks) {
  auto list = nlohmann::json::array();
  for (const auto& d : fleet) list.push_back(withAck(statusToJson(d), d, acks));
  return list;
}

std::string fleetSummary(const std::vector<DeviceStatus>& fleet) {
  std::map<DeviceState, int> counts;
  for (const auto& d : fleet) ++counts[deviceState(d)];
  return std::to_string(fleet.size()) +
         " devices: " + std::to_string(counts[DeviceState::Critical]) + " critical, " +
         std::to_string(counts[DeviceState::Unknown]) + " unknown, " +
         std::to_string(counts[DeviceState::Warning]) + " warning, " +
         std::to_string(counts[DeviceState::Ok]) + " ok\n";
}

}  // namespace

int runStatus(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 0, true, false); !ok) return fail(ctx, ok.error());
  auto fleet = loadFleet(ctx.args);
  if (!fleet) {
    fail(ctx, fleet.error());
    return kExitNagiosUnknown;  // a monitoring check that cannot read its data is UNKNOWN
  }
  auto acks = loadAcks(ctx);
  const HostStatus host = loadHostStatus(ctx);
  if (ctx.args.json) {
    ctx.out << dumpJson(fleetJson(*fleet, acks)) << "\n";
  } else if (fleet->empty()) {
    ctx.out << host.lines << "No devices known yet.\n";
  } else {
    ctx.out << host.lines << renderStatusTable(*fleet, ctx.now) << "\n"
            << renderAckLines(*fleet, acks) << fleetSummary(*fleet);
  }
  // With usbmuxd wedged no device reading is current: the check cannot say, whatever they show.
  return host.wedged ? kExitNagiosUnknown : nagiosExitCode(*fleet);
}

int runDevice(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 1, true, false); !ok) return fail(ctx, ok.error());
  auto fleet = loadFleet(ctx.args);
  if (!fleet) return fail(ctx, fleet.error());
  auto device = findDevice(*fleet, ctx.args.positional[0]);
  if (!device) return fail(ctx, device.error());
  auto acks = loadAcks(ctx);
  // The last three remediation actions; a database that cannot say leaves them out.
  auto actions = deviceActions(ctx.args, device->udid, 3);
  auto local = deviceLocalBackup(ctx.args, device->udid);
  if (ctx.args.json) {
    auto j = withAck(statusToJson(*device), *device, acks);
    if (actions) j["actions"] = actionsJson(*actions);
    if (local && *local) j["local_backup"] = localBackupJson(**local);
    ctx.out << dumpJson(j) << "\n";
  } else {
    ctx.out << renderDeviceDetail(*device, ctx.now);
    auto it = acks.find(device->udid);
    if (it != acks.end()) ctx.out << renderAckLines({*device}, {*it});
    if (actions && !actions->empty()) {
      ctx.out << "Last actions:\n";
      printActions(ctx.out, *actions);
    }
    if (local && *local) {
      ctx.out << "Local backup:      ";
      printLocalBackup(ctx.out, **local);
    }
  }
  return 0;
}

int runExport(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 0, false, true); !ok) return fail(ctx, ok.error());
  const std::string format = ctx.args.format.value_or("");
  if (format != "csv" && format != "json") {
    return fail(ctx, {"usage", "export needs --format csv or --format json"});
  }
  auto fleet = loadFleet(ctx.args);
  if (!fleet) return fail(ctx, fleet.error());
  if (format == "json") {
    ctx.out << dumpJson(fleetJson(*fleet, loadAcks(ctx))) << "\n";
  } else {
    ctx.out << renderStatusCsv(*fleet);
  }
  return 0;
}

}  // namespace ibackupmon::ctl
