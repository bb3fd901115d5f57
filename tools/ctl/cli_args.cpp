// SPDX-License-Identifier: Apache-2.0
#include "cli_args.h"

#include "cli/command_line.h"

namespace ibackupmon::ctl {
namespace {

constexpr const char* kDescription =
    R"(Reads the ibackupmond database (read-only, except `forget`); works while the daemon runs.

Commands:
  status                 one line per device, worst first; exit code = Nagios state
  device UDID            everything known about one device (UDID, or a unique prefix/suffix)
  history UDID           backups, condition intervals, attach sessions and value changes
  export --format F      the fleet status as csv or json (json = status --json)
  backups [UDID]         local safety-net backups: folder, size, encrypted, last run
  forget UDID            hide a device from status and metrics (history kept until retention)
  ack UDID [CONDITION]   stop alerts about a device (or one condition) without forgetting it
  unack UDID [CONDITION] alert again
  acks                   list acknowledgements (ack, unack, acks ask the daemon's socket)
  act UDID ACTION        root: enable-icloud-backup or restart, with every safety rule
                         (--dry-run: decide and record only; --comment TEXT)
  remediation pause|resume|status
                         root: the kill switch of remediation (pause --until TIME|DURATION))";

constexpr const char* kExitCodes =
    R"(Exit codes of `status`: 0 all ok, 1 a warning, 2 a critical device, 3 unknown (a device could
not be read, no devices, or the database cannot be read). Precedence: 2 > 3 > 1 > 0.
Other commands: 0 done, 1 no such device; every command: 64 bad arguments, 65 database damaged
or newer than this ibackupmonctl, 66 database missing, 74 other database error, 78 bad config.
ack, unack, acks, act, remediation (they ask the daemon): 0 done, 1 no such device, 64 bad arguments, 74 daemon
not reachable, 75 the daemon failed (try again), 77 refused (the reason on stderr), 78 bad config.)";

// The parser, filling `a`; usageText() builds one only for its help().
struct CtlCommandLine {
  cli::CommandLine cl{"ibackupmonctl", "ibackupmonctl [OPTIONS] COMMAND [ARGS] [OPTIONS]",
                      kDescription};
  std::vector<std::string> words;  // COMMAND ARGS

  explicit CtlCommandLine(CliArgs& a) {
    cl.optionsHeading("Options (before or after the command)");
    cl.value("--db", a.db, "PATH", "the database file");
    cl.value("--config", a.config, "PATH",
             "read [storage] path and [alerts] control_socket from this config file\n"
             "(default: /etc/ibackupmon/ibackupmon.toml, or built-in defaults)");
    cl.flag("--json", a.json, "machine-readable output (status, device, history, backups)");
    cl.value("--format", a.format, "csv|json", "export format");
    cl.value("--until", a.until, "TIME|DURATION",
             "ack, remediation pause: until a time (2026-12-01T00:00:00Z) or for a duration (3d)",
             false);
    cl.value("--comment", a.comment, "TEXT", "ack, act: why", false);
    cl.flag("--dry-run", a.dryRun, "act: decide and record, send nothing");
    cl.value("--socket", a.socket, "PATH",
             "daemon control socket for ack/unack/acks (default: [alerts] control_socket)", false);
    cl.flag("-h,--help", a.help, "print this help");
    cl.flag("--version", a.version, "print the version");
    cl.positionals(words);
    cl.footer(kExitCodes);
  }
};

}  // namespace

Expected<CliArgs> parseArgs(const std::vector<std::string>& argv) {
  CliArgs a;
  CtlCommandLine parser(a);
  if (auto ok = parser.cl.parse(argv); !ok) return tl::unexpected(ok.error());
  if (!parser.words.empty()) {
    a.command = parser.words.front();
    a.positional.assign(parser.words.begin() + 1, parser.words.end());
  }
  if (a.db && a.config) return makeError("usage", "--db: cannot be combined with --config");
  return a;
}

std::string usageText() {
  CliArgs unused;
  return CtlCommandLine(unused).cl.help();
}

}  // namespace ibackupmon::ctl
