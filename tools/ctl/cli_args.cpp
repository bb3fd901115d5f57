// SPDX-License-Identifier: Apache-2.0
#include "cli_args.h"

namespace ibackupmon::ctl {
namespace {

// Takes the value of "--opt VALUE" or "--opt=VALUE"; i points at the option.
Expected<std::string> optionValue(const std::vector<std::string>& argv, std::size_t& i,
                                  const std::string& name) {
  const std::string& arg = argv[i];
  if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
  if (i + 1 >= argv.size()) return makeError("usage", name + " needs a value");
  return argv[++i];
}

bool isOption(const std::string& arg, const std::string& name) {
  return arg == name || arg.rfind(name + "=", 0) == 0;
}

}  // namespace

Expected<CliArgs> parseArgs(const std::vector<std::string>& argv) {
  CliArgs a;
  bool optionsDone = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (optionsDone || arg.empty() || arg[0] != '-' || arg == "-") {
      (a.command.empty() ? a.command : a.positional.emplace_back()) = arg;
      continue;
    }
    if (arg == "--") {
      optionsDone = true;
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "-h" || arg == "--help") {
      a.help = true;
    } else if (arg == "--version") {
      a.version = true;
    } else if (isOption(arg, "--until") || isOption(arg, "--comment") ||
               isOption(arg, "--socket")) {
      std::string name = arg.substr(0, arg.find('='));
      auto v = optionValue(argv, i, name);
      if (!v) return tl::unexpected(v.error());
      (name == "--until" ? a.until : name == "--comment" ? a.comment : a.socket) = *v;
    } else if (isOption(arg, "--db") || isOption(arg, "--config") || isOption(arg, "--format")) {
      std::string name = arg.substr(0, arg.find('='));
      auto v = optionValue(argv, i, name);
      if (!v) return tl::unexpected(v.error());
      if (v->empty()) return makeError("usage", name + " needs a non-empty value");
      (name == "--db" ? a.db : name == "--config" ? a.config : a.format) = *v;
    } else {
      return makeError("usage", "unknown option '" + arg + "' (see --help)");
    }
  }
  if (a.db && a.config) return makeError("usage", "give either --db or --config, not both");
  return a;
}

std::string usageText() {
  return R"(Usage: ibackupmonctl [OPTIONS] COMMAND [ARGS] [OPTIONS]

Reads the ibackupmond database (read-only, except `forget`); works while the daemon runs.

Commands:
  status                 one line per device, worst first; exit code = Nagios state
  device UDID            everything known about one device (UDID, or a unique prefix/suffix)
  history UDID           backups, condition intervals, attach sessions and value changes
  export --format F      the fleet status as csv or json (json = status --json)
  forget UDID            hide a device from status and metrics (history kept until retention)
  ack UDID [CONDITION]   stop alerts about a device (or one condition) without forgetting it;
                         --until TIME|DURATION snoozes (2026-12-01T00:00:00Z, 3d), --comment TEXT
  unack UDID [CONDITION] alert again;  acks: list acknowledgements (via the daemon's socket)

Options (before or after the command):
  --db PATH              the database file
  --config PATH          read [storage] path from this config file
                         (default: /etc/ibackupmon/ibackupmon.toml, or built-in defaults)
  --json                 machine-readable output (status, device, history)
  --format csv|json      export format
  --socket PATH          daemon control socket for ack/unack/acks (default: [alerts] control_socket)
  -h, --help             this text
  --version              print the version

Exit codes of `status`: 0 all ok, 1 a warning, 2 a critical device, 3 unknown (a device could
not be read, no devices, or the database cannot be read). Precedence: 2 > 3 > 1 > 0.
Other commands: 0 done, 1 no such device; every command: 64 bad arguments, 65 database damaged
or newer than this ibackupmonctl, 66 database missing, 74 other database error, 78 bad config.
ack, unack, acks (they ask the daemon): 0 done, 1 no such device, 64 bad arguments, 74 daemon
not reachable, 75 the daemon failed (try again), 77 refused (the reason on stderr), 78 bad config.
)";
}

}  // namespace ibackupmon::ctl
