// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What clients asked the simulator, as JSON lines: appended to --events FILE and kept in memory
/// (bounded) for `ctl events`.

#include <cstddef>
#include <deque>
#include <fstream>
#include <string>

namespace sim {

struct SimEvent {
  std::string side;     // usbmuxd | lockdownd | service | sim
  std::string request;  // ListDevices, GetValue, StartService, Restart, attach...
  std::string udid;
  std::string domain;
  std::string key;
  std::string service;
  std::string result;  // ok, or the error name/code returned
};

class EventLog {
 public:
  /// `path` empty: memory only.
  explicit EventLog(const std::string& path, size_t keep = 20000);
  bool ok() const { return path_.empty() || out_.good(); }
  void record(const SimEvent& e);
  /// Every kept event, one JSON object per line.
  std::string dump() const;

 private:
  std::string path_;
  std::ofstream out_;
  std::deque<std::string> recent_;
  size_t keep_;
};

}  // namespace sim
