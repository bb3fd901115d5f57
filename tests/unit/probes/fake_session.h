// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hand-written fakes of the device seam: domains by name, errors by name, call counters.

#include <map>
#include <memory>
#include <string>

#include "device/device_session.h"

namespace ibackupmon::testing {

struct FakeDevice {
  std::map<std::string, PlistDict> domains;  ///< "" = default domain
  std::map<std::string, Error> domainErrors;
  std::optional<Error> openError;
  std::optional<PlistDict> wifiEntry;
  std::optional<Error> wifiError;
  std::optional<PlistDict> powerSourceEntry;  ///< answers a query by class IOPMPowerSource
  int opens = 0;
  int reads = 0;
};

class FakeSession final : public DeviceSession {
 public:
  explicit FakeSession(FakeDevice& d) : d_(d) {}
  Expected<PlistDict> getDomain(const std::string& domain) override {
    ++d_.reads;
    if (auto it = d_.domainErrors.find(domain); it != d_.domainErrors.end()) {
      return tl::unexpected(it->second);
    }
    if (auto it = d_.domains.find(domain); it != d_.domains.end()) return it->second;
    return PlistDict{};
  }
  Expected<std::optional<PlistDict>> ioregistryEntry(const std::string&,
                                                     const std::string& className) override {
    if (d_.wifiError) return tl::unexpected(*d_.wifiError);
    if (className == "IOPMPowerSource") return d_.powerSourceEntry;
    return d_.wifiEntry;
  }

 private:
  FakeDevice& d_;
};

class FakeConnector final : public DeviceConnector {
 public:
  std::map<std::string, FakeDevice> devices;
  Expected<std::unique_ptr<DeviceSession>> open(const DeviceRef& ref,
                                                const SessionOptions&) override {
    auto& d = devices[ref.udid];
    ++d.opens;
    if (d.openError) return tl::unexpected(*d.openError);
    return std::unique_ptr<DeviceSession>(new FakeSession(d));
  }
};

}  // namespace ibackupmon::testing
