// SPDX-License-Identifier: Apache-2.0
#pragma once
/// `ibackupmon-sim ctl --control PATH COMMAND [ARGS]`: sends one command to a running simulator.

namespace sim {

/// Exit codes: 0 done, 1 the simulator refused the command (message on stderr),
/// 2 usage error, 3 cannot reach the control socket.
int runCtl(int argc, char** argv);

}  // namespace sim
