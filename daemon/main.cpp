// SPDX-License-Identifier: Apache-2.0
// ibackupmond: parse the command line, then hand over to lib/app (commands.cpp).
#include <malloc.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "cli/command_line.h"
#include "device/lockdown_connector.h"

int main(int argc, char** argv) {
  // A peer gone mid-write must be a write error, never the daemon's end: libimobiledevice runs
  // each lockdown TLS session over OpenSSL's socket BIO, whose write() raises SIGPIPE when the
  // device is unplugged (or usbmuxd drops the connection) during the session.
  std::signal(SIGPIPE, SIG_IGN);
  // glibc gives each probe worker a malloc arena of its own, and memory freed there stays with it:
  // eight workers kept ~3.5 MB each at 1000 devices. Two arenas hold the peak down; the workers
  // wait on devices, not on malloc.
  mallopt(M_ARENA_MAX, 2);
  ibackupmon::keepTlsStateUntilExit();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ibackupmon::parseCommandLine(args);
  if (!options) {
    std::cerr << ibackupmon::cli::usageError("ibackupmond", options.error().message);
    return 2;
  }
  try {
    return ibackupmon::runCommand(*options);
  } catch (const std::exception& e) {
    // A broken invariant somewhere below: say what, and fail so systemd restarts us.
    std::cerr << "ibackupmond: fatal: " << e.what() << "\n";
    return 1;
  }
}
