// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <charconv>
#include <string_view>

namespace sim {
namespace {

template <class T>
bool toNumber(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

ibackupmon::Expected<SimOptions> parseCli(int argc, char** argv) {
  SimOptions o;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (i + 1 >= argc)
      return ibackupmon::makeError("usage", std::string(a) + ": unknown option or missing value");
    std::string v = argv[++i];
    if (a == "--socket")
      o.socket = v;
    else if (a == "--fleet")
      o.fleetFile = v;
    else if (a == "--write-fleet")
      o.writeFleet = v;
    else if (a == "--control")
      o.control = v;
    else if (a == "--ready-file")
      o.readyFile = v;
    else if (a == "--events")
      o.eventsFile = v;
    else if (a == "--generate") {
      if (!toNumber(v, o.generate) || o.generate < 0 || o.generate > 100000) {
        return ibackupmon::makeError(
            "usage", "--generate: expected a device count 0..100000, found '" + v + "'");
      }
    } else if (a == "--seed") {
      if (!toNumber(v, o.seed))
        return ibackupmon::makeError("usage",
                                     "--seed: expected an unsigned integer, found '" + v + "'");
    } else {
      return ibackupmon::makeError("usage", std::string(a) + ": unknown option");
    }
  }
  if (o.socket.empty()) return ibackupmon::makeError("usage", "--socket is required");
  if (o.fleetFile.empty() == (o.generate < 0)) {
    return ibackupmon::makeError("usage", "give exactly one of --fleet FILE or --generate N");
  }
  return o;
}

}  // namespace sim
