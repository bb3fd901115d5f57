// SPDX-License-Identifier: Apache-2.0
#include "event_log.h"

#include <chrono>

#include <nlohmann/json.hpp>

namespace sim {

EventLog::EventLog(const std::string& path, size_t keep) : path_(path), keep_(keep) {
  if (!path_.empty()) out_.open(path_, std::ios::app);
}

void EventLog::record(const SimEvent& e) {
  using namespace std::chrono;
  nlohmann::json j;
  j["time"] = duration<double>(system_clock::now().time_since_epoch()).count();
  j["side"] = e.side;
  j["request"] = e.request;
  if (!e.udid.empty()) j["udid"] = e.udid;
  if (!e.domain.empty()) j["domain"] = e.domain;
  if (!e.key.empty()) j["key"] = e.key;
  if (!e.service.empty()) j["service"] = e.service;
  j["result"] = e.result;
  // Device and client strings may be anything: replace invalid UTF-8 instead of throwing.
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (out_.is_open()) {
    out_ << line << '\n';
    out_.flush();
  }
  recent_.push_back(std::move(line));
  if (recent_.size() > keep_) recent_.pop_front();
}

std::string EventLog::dump() const {
  std::string out;
  for (const auto& l : recent_) out += l + '\n';
  return out;
}

}  // namespace sim
