// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The ibackupmonctl commands; each returns the process exit code.

#include "ctl_context.h"

namespace ibackupmon::ctl {

int runStatus(const Context& ctx);   ///< status_commands.cpp
int runDevice(const Context& ctx);   ///< status_commands.cpp
int runExport(const Context& ctx);   ///< status_commands.cpp
int runHistory(const Context& ctx);  ///< history_command.cpp
int runForget(const Context& ctx);   ///< forget_command.cpp
int runAck(const Context& ctx);      ///< ack_command.cpp (daemon control socket)
int runUnack(const Context& ctx);    ///< ack_command.cpp
int runAcks(const Context& ctx);     ///< ack_command.cpp

}  // namespace ibackupmon::ctl
