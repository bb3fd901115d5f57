// SPDX-License-Identifier: Apache-2.0
#pragma once
// A thread-safe fake DeviceConnector: healthy devices answer from canned domains; a "hung"
// device blocks until released, like a libimobiledevice call that never returns.

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "device/device_session.h"

namespace ibackupmon::testing {

class ThreadSafeConnector final : public DeviceConnector {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    std::set<std::string> hung;
    std::set<std::string> readsFail;  ///< the session opens, then every read fails
    std::map<std::string, std::string> names;
    std::map<std::string, Error> openErrors;
    std::map<std::string, int> opens;
    std::vector<std::string> openOrder;  ///< every open, in the order the workers made them
    std::atomic<int> concurrent{0};
    std::atomic<int> maxConcurrent{0};
  };

  explicit ThreadSafeConnector(std::shared_ptr<Shared> s) : s_(std::move(s)) {}

  Expected<std::unique_ptr<DeviceSession>> open(const DeviceRef& ref,
                                                const SessionOptions&) override {
    const int now = ++s_->concurrent;
    int prev = s_->maxConcurrent.load();
    while (now > prev && !s_->maxConcurrent.compare_exchange_weak(prev, now)) {
    }
    std::unique_lock lock(s_->mutex);
    ++s_->opens[ref.udid];
    s_->openOrder.push_back(ref.udid);
    if (s_->hung.count(ref.udid) != 0) {
      s_->released.wait(lock, [&] { return s_->release; });
    }
    --s_->concurrent;
    if (auto it = s_->openErrors.find(ref.udid); it != s_->openErrors.end()) {
      return tl::unexpected(it->second);
    }
    auto name = s_->names.count(ref.udid) ? s_->names[ref.udid] : "Device " + ref.udid;
    return std::unique_ptr<DeviceSession>(
        new Session(std::move(name), s_->readsFail.count(ref.udid) != 0));
  }

 private:
  class Session final : public DeviceSession {
   public:
    Session(std::string name, bool readsFail) : name_(std::move(name)), readsFail_(readsFail) {}
    Expected<PlistDict> getDomain(const std::string& domain) override {
      if (readsFail_) return tl::unexpected(Error{"retry", "connection closed"});
      if (domain.empty()) {
        return PlistDict{{"DeviceName", PlistValue(name_)},
                         {"ProductType", PlistValue("iPad13,1")},
                         {"ProductVersion", PlistValue("17.5")}};
      }
      if (domain == "com.apple.mobile.backup") {
        return PlistDict{{"CloudBackupEnabled", PlistValue(true)},
                         {"LastCloudBackupDate", PlistValue(769034247)}};
      }
      if (domain == "com.apple.mobile.battery") {
        return PlistDict{{"BatteryCurrentCapacity", PlistValue(80)},
                         {"ExternalConnected", PlistValue(true)}};
      }
      return PlistDict{};
    }
    Expected<std::optional<PlistDict>> ioregistryEntry(const std::string&,
                                                       const std::string&) override {
      if (readsFail_) return tl::unexpected(Error{"retry", "connection closed"});
      return std::optional<PlistDict>();
    }

   private:
    std::string name_;
    bool readsFail_ = false;
  };

  std::shared_ptr<Shared> s_;
};

}  // namespace ibackupmon::testing
