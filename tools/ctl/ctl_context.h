// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What every ibackupmonctl command gets: parsed arguments, the time, output streams; plus
/// opening the database named by --db / --config / the default config, and exit codes.

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli_args.h"
#include "core/clock.h"
#include "store/store.h"

namespace ibackupmon::ctl {

inline constexpr int kExitNotFound = 1;
inline constexpr int kExitNagiosUnknown = 3;
inline constexpr int kExitUsage = 64;    // EX_USAGE
inline constexpr int kExitDataErr = 65;  // EX_DATAERR: damaged, newer, foreign database
inline constexpr int kExitNoInput = 66;  // EX_NOINPUT: no database file
inline constexpr int kExitIoErr = 74;    // EX_IOERR
inline constexpr int kExitConfig = 78;   // EX_CONFIG

struct Context {
  CliArgs args;
  TimePoint now;
  std::ostream& out;
  std::ostream& err;
};

/// --db, else [storage] path of --config, else of the default config (defaults if absent).
Expected<std::string> resolveDatabasePath(const CliArgs& args);
Expected<std::unique_ptr<Store>> openStore(const CliArgs& args, OpenMode mode);

/// Prints "ibackupmonctl: MESSAGE" (one line) and returns the exit code for the error.
int fail(const Context& ctx, const Error& error);
int exitCodeFor(const Error& error);

/// The device whose UDID equals query, or is the only one starting or ending with it.
Expected<DeviceStatus> findDevice(const std::vector<DeviceStatus>& fleet, const std::string& query);

/// Checks the command got exactly `count` positional arguments and only the allowed options.
Expected<void> expectArgs(const CliArgs& args, std::size_t count, bool allowJson, bool allowFormat);

}  // namespace ibackupmon::ctl
