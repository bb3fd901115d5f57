// SPDX-License-Identifier: Apache-2.0
#include "fleet_toml.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "device_values.h"

namespace sim {
namespace {

struct Ctx {
  std::string file;
  std::vector<std::string> errors;
  void error(const toml::node& n, const std::string& msg) {
    const auto& s = n.source().begin;
    errors.push_back(file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": " +
                     msg);
  }
};

std::optional<ValueSpec> toValue(const toml::node& n) {
  if (auto b = n.value<bool>(); n.is_boolean()) return *b;
  if (n.is_integer()) return static_cast<int64_t>(*n.value<int64_t>());
  if (n.is_floating_point()) return *n.value<double>();
  if (n.is_string()) return *n.value<std::string>();
  return std::nullopt;
}

std::string domainName(std::string_view k) {
  return (k == "default" || k == "-" || k.empty()) ? "" : std::string(k);
}

void loadFaults(Ctx& c, const toml::table& t, FaultSet& f) {
  for (const auto& [k, v] : t) {
    std::string name(k.str());
    if (name == "get_prohibited" && v.is_array()) {
      for (const auto& d : *v.as_array()) {
        if (!d.is_string())
          c.error(d, "faults.get_prohibited: expected domain strings");
        else
          f.getProhibited.insert(domainName(*d.value<std::string>()));
      }
      continue;
    }
    std::string arg;
    if (v.is_boolean()) {
      if (!*v.value<bool>()) continue;
    } else if (v.is_integer()) {
      arg = std::to_string(*v.value<int64_t>());
    } else if (v.is_string()) {
      arg = *v.value<std::string>();
    } else {
      c.error(v, "faults." + name + ": expected true, an integer or a string");
      continue;
    }
    std::string err = applyFault(f, name, arg);
    if (!err.empty()) c.error(v, "faults." + name + ": " + err);
  }
}

void loadTimeline(Ctx& c, const toml::array& a, DeviceSpec& d) {
  for (const auto& n : a) {
    const toml::table* t = n.as_table();
    if (!t) {
      c.error(n, "timeline: expected [[device.timeline]] tables");
      continue;
    }
    TimelineEntry e;
    auto at = ibackupmon::parseDuration((*t)["at"].value_or(std::string{}));
    if (!at)
      c.error(n, "timeline.at: expected a duration such as \"30s\" or \"5m\"");
    else
      e.at = *at;
    e.action = (*t)["action"].value_or(std::string{});
    e.domain = domainName((*t)["domain"].value_or(std::string{}));
    e.key = (*t)["key"].value_or(std::string{});
    e.fault = (*t)["fault"].value_or(std::string{});
    e.faultArg = (*t)["arg"].value_or(std::string{});
    if (const toml::node* v = t->get("value")) {
      if (auto spec = toValue(*v)) e.value = *spec;
    }
    static const std::set<std::string> kActions{"attach", "detach", "set", "fault", "clear-fault"};
    if (!kActions.count(e.action)) {
      c.error(n, "timeline.action: expected attach|detach|set|fault|clear-fault, found \"" +
                     e.action + "\"");
    } else if (e.action == "set" && (e.key.empty() || !t->get("value"))) {
      c.error(n, "timeline: action \"set\" needs key and value");
    }
    d.timeline.push_back(std::move(e));
  }
}

void loadValues(Ctx& c, const toml::table& t, DeviceSpec& d) {
  for (const auto& [dk, dv] : t) {
    const toml::table* keys = dv.as_table();
    if (!keys) {
      c.error(dv, "values." + std::string(dk.str()) + ": expected a table of keys");
      continue;
    }
    for (const auto& [k, v] : *keys) {
      auto spec = toValue(v);
      if (!spec)
        c.error(v, "values: " + std::string(k.str()) + ": expected bool, integer, float or string");
      else
        d.values[domainName(dk.str())][std::string(k.str())] = *spec;
    }
  }
}

void loadBackup(Ctx& c, const toml::table& t, BackupSpec& b) {
  for (const auto& [k, v] : t) {
    std::string name(k.str());
    int64_t value = 0;
    if (v.is_boolean())
      value = *v.value<bool>() ? 1 : 0;
    else if (v.is_integer())
      value = *v.value<int64_t>();
    else {
      c.error(v, "backup." + name + ": expected an integer or true/false");
      continue;
    }
    std::string err = applyBackupKey(b, name, value);
    if (!err.empty()) c.error(v, "backup." + name + ": " + err);
  }
}

void loadDevice(Ctx& c, const toml::table& t, Fleet& fleet);

}  // namespace

ibackupmon::Expected<Fleet> parseFleet(std::string_view text, const std::string& name) {
  // toml++ asserts on NUL bytes in keys; no fleet file needs one.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return ibackupmon::makeError(
        "fleet_syntax", name + ": NUL byte at offset " + std::to_string(nul) + ": not a text file");
  }
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source().begin;
    return ibackupmon::makeError("fleet_syntax", name + ":" + std::to_string(s.line) + ":" +
                                                     std::to_string(s.column) + ": " +
                                                     std::string(e.description()));
  }
  Ctx c{name, {}};
  Fleet fleet;
  for (const auto& [k, v] : root) {
    if (k.str() != "device" || !v.is_array_of_tables()) {
      c.error(
          v, "unknown top-level key \"" + std::string(k.str()) + "\" (expected [[device]] tables)");
      continue;
    }
    for (const auto& d : *v.as_array()) loadDevice(c, *d.as_table(), fleet);
  }
  if (!c.errors.empty()) {
    std::string all;
    for (const auto& e : c.errors) all += (all.empty() ? "" : "\n") + e;
    return ibackupmon::makeError("fleet_invalid", all);
  }
  return fleet;
}

ibackupmon::Expected<Fleet> loadFleetFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ibackupmon::makeError("fleet_missing", path + ": cannot open fleet file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parseFleet(ss.str(), path);
}

namespace {

void loadDevice(Ctx& c, const toml::table& t, Fleet& fleet) {
  DeviceSpec d;
  static const std::map<std::string, const char*> kShortcuts{{"name", "DeviceName"},
                                                             {"product_type", "ProductType"},
                                                             {"product_version", "ProductVersion"},
                                                             {"build_version", "BuildVersion"}};
  for (const auto& [k, v] : t) {
    std::string key(k.str());
    auto str = v.value<std::string>();
    if (key == "udid" && str)
      d.udid = *str;
    else if (key == "situation" && str)
      d.situation = *str;
    else if (key == "connection" && str && (*str == "usb" || *str == "network"))
      d.network = *str == "network";
    else if (key == "attached" && v.is_boolean())
      d.attached = *v.value<bool>();
    else if (key == "clock_skew" && v.is_integer())
      d.clockSkewSeconds = *v.value<int64_t>();
    else if (key == "wifi_interface" && str)
      d.wifiInterface = *str;
    else if (key == "wifi_associated" && v.is_boolean())
      d.wifiAssociated = *v.value<bool>();
    else if (key == "icloud_account" && v.is_boolean())
      d.icloudAccount = *v.value<bool>();
    else if (key == "passcode" && v.is_boolean())
      d.passcode = *v.value<bool>();
    else if (key == "restart_seconds" && v.is_integer() && *v.value<int64_t>() >= 0 &&
             *v.value<int64_t>() <= 86400)
      d.restartSeconds = static_cast<int>(*v.value<int64_t>());
    else if (kShortcuts.count(key) && str)
      d.values[""][kShortcuts.at(key)] = *str;
    else if (key == "faults" && v.is_table())
      loadFaults(c, *v.as_table(), d.faults);
    else if (key == "values" && v.is_table())
      loadValues(c, *v.as_table(), d);
    else if (key == "timeline" && v.is_array())
      loadTimeline(c, *v.as_array(), d);
    else if (key == "backup" && v.is_table())
      loadBackup(c, *v.as_table(), d.backup);
    else
      c.error(v, "device." + key + ": unknown key or wrong type (see docs/simulator.md)");
  }
  // UDIDs travel through usbmuxd (43 bytes max) and appear in ctl's space-separated listing.
  bool charsOk = std::all_of(d.udid.begin(), d.udid.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
  });
  if (d.udid.empty() || d.udid.size() > 43 || !charsOk) {
    c.error(t, "device: udid is required: 1-43 letters, digits or '-', found \"" + d.udid + "\"");
    return;
  }
  fleet.devices.push_back(std::move(d));
}

}  // namespace
}  // namespace sim
