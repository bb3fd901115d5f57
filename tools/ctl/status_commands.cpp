// status, device and export: views of the live fleet status (Store::loadStatus).
#include <map>
#include <ostream>

#include "commands.h"
#include "report/status_csv.h"
#include "report/status_json.h"
#include "report/status_state.h"
#include "report/status_table.h"

namespace ibackupmon::ctl {
namespace {

Expected<std::vector<DeviceStatus>> loadFleet(const CliArgs& args) {
  auto store = openStore(args, OpenMode::ReadOnly);
  if (!store) return tl::unexpected(store.error());
  return (*store)->loadStatus();
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
  if (ctx.args.json) {
    ctx.out << dumpJson(statusesToJson(*fleet)) << "\n";
  } else if (fleet->empty()) {
    ctx.out << "No devices known yet.\n";
  } else {
    ctx.out << renderStatusTable(*fleet, ctx.now) << "\n" << fleetSummary(*fleet);
  }
  return nagiosExitCode(*fleet);
}

int runDevice(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 1, true, false); !ok) return fail(ctx, ok.error());
  auto fleet = loadFleet(ctx.args);
  if (!fleet) return fail(ctx, fleet.error());
  auto device = findDevice(*fleet, ctx.args.positional[0]);
  if (!device) return fail(ctx, device.error());
  if (ctx.args.json) {
    ctx.out << dumpJson(statusToJson(*device)) << "\n";
  } else {
    ctx.out << renderDeviceDetail(*device, ctx.now);
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
    ctx.out << dumpJson(statusesToJson(*fleet)) << "\n";
  } else {
    ctx.out << renderStatusCsv(*fleet);
  }
  return 0;
}

}  // namespace ibackupmon::ctl
