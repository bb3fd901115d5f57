// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <charconv>
#include <iostream>
#include <optional>
#include <string_view>

#include "cli/command_line.h"

namespace sim {
namespace {

template <class T>
bool toNumber(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The parser and what it fills; usageText() builds one only for its help().
struct SimCommandLine {
  SimOptions o;
  std::optional<std::string> generate;
  std::optional<std::string> seed;
  ibackupmon::cli::CommandLine cl{
      "ibackupmon-sim",
      "ibackupmon-sim --socket PATH|HOST:PORT (--fleet FILE | --generate N [--seed S])\n"
      "               [--write-fleet FILE] [--control PATH] [--ready-file PATH] [--events FILE]\n"
      "ibackupmon-sim ctl --control PATH COMMAND [ARGS]   (see ibackupmon-sim ctl --help)",
      "Serves the usbmuxd protocol and answers as lockdownd for a fleet of simulated iPhones and\n"
      "iPads; clients find it through USBMUXD_SOCKET_ADDRESS (UNIX:PATH or HOST:PORT)."};

  SimCommandLine() {
    cl.value("--socket", o.socket, "PATH|HOST:PORT",
             "where to listen: a UNIX socket path, or HOST:PORT (port 0 picks a free one)");
    cl.value("--fleet", o.fleetFile, "FILE", "the devices, as a TOML fleet file");
    cl.value("--generate", generate, "N", "make up N devices (0 to 100000) instead", false);
    cl.value("--seed", seed, "S", "seed of --generate (default 1)", false);
    cl.value("--write-fleet", o.writeFleet, "FILE", "write the fleet in use as TOML");
    cl.value("--control", o.control, "PATH", "open a control socket for ibackupmon-sim ctl");
    cl.value("--ready-file", o.readyFile, "PATH",
             "once the sockets accept connections, write the client address\n"
             "and pid=PID to PATH (atomically)");
    cl.value("--events", o.eventsFile, "FILE", "append one JSON line per protocol event to FILE");
    cl.flag("-h,--help", o.help, "print this help");
    cl.flag("--version", o.version, "print the version");
    cl.footer(
        "Exit codes: 0 after SIGTERM or SIGINT, 1 the fleet or a socket cannot be set up,\n"
        "2 bad arguments.");
  }
};

}  // namespace

ibackupmon::Expected<SimOptions> parseCli(int argc, char** argv) {
  SimCommandLine p;
  if (auto ok = p.cl.parse({argv, argv + argc}); !ok) return tl::unexpected(ok.error());
  SimOptions& o = p.o;
  if (o.help || o.version) return o;
  if (p.generate && (!toNumber(*p.generate, o.generate) || o.generate < 0 || o.generate > 100000)) {
    return ibackupmon::makeError(
        "usage", "--generate: expected a device count 0..100000, found '" + *p.generate + "'");
  }
  if (p.seed && !toNumber(*p.seed, o.seed)) {
    return ibackupmon::makeError("usage",
                                 "--seed: expected an unsigned integer, found '" + *p.seed + "'");
  }
  if (o.socket.empty()) return ibackupmon::makeError("usage", "--socket: required");
  if (o.fleetFile.empty() == (o.generate < 0)) {
    return ibackupmon::makeError("usage", "give exactly one of --fleet FILE or --generate N");
  }
  return o;
}

std::string usageText() {
  return SimCommandLine().cl.help();
}

int usageError(const std::string& program, const std::string& message) {
  std::cerr << ibackupmon::cli::usageError(program, message);
  return 2;
}

}  // namespace sim
