// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The ibackupmonctl commands; each returns the process exit code.

#include "ctl_context.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "core/remediation.h"
#include "store/action_repository.h"

namespace ibackupmon::ctl {

int runStatus(const Context& ctx);   ///< status_commands.cpp
int runDevice(const Context& ctx);   ///< status_commands.cpp
int runExport(const Context& ctx);   ///< status_commands.cpp
int runHistory(const Context& ctx);  ///< history_command.cpp
int runForget(const Context& ctx);   ///< forget_command.cpp
int runBackups(const Context& ctx);  ///< backups_command.cpp
int runAck(const Context& ctx);      ///< ack_command.cpp (daemon control socket)
int runUnack(const Context& ctx);    ///< ack_command.cpp
int runAcks(const Context& ctx);     ///< ack_command.cpp
/// The remediation actions recorded for a device, newest first (`limit` <= 0: all); shared by
/// history and device (history_command.cpp).
Expected<std::vector<ActionRecord>> deviceActions(const CliArgs& args, const std::string& udid,
                                                  int limit);
nlohmann::json actionsJson(const std::vector<ActionRecord>& actions);
void printActions(std::ostream& o, const std::vector<ActionRecord>& actions);

/// A device's local safety-net backup (backups_command.cpp), shared by backups and device.
Expected<std::optional<LocalBackupRecord>> deviceLocalBackup(const CliArgs& args,
                                                             const std::string& udid);
nlohmann::json localBackupJson(const LocalBackupRecord& b);
void printLocalBackup(std::ostream& o, const LocalBackupRecord& b);

int runAct(const Context& ctx);          ///< act_command.cpp (daemon control socket, root)
int runRemediation(const Context& ctx);  ///< act_command.cpp

}  // namespace ibackupmon::ctl
