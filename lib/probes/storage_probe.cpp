// SPDX-License-Identifier: Apache-2.0
#include "probes/storage_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Parsed<StorageInfo> parseStorageInfo(const PlistDict& dict) {
  FieldReader r(dict, kStorageDomain);
  StorageInfo s;
  s.totalDiskCapacity = r.bytes("TotalDiskCapacity");
  s.totalDataCapacity = r.bytes("TotalDataCapacity");
  s.totalDataAvailable = r.bytes("TotalDataAvailable");
  s.amountDataAvailable = r.bytes("AmountDataAvailable");
  s.amountDataReserved = r.bytes("AmountDataReserved");
  return {std::move(s), r.invalid()};
}

ProbeResult StorageProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kStorageDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto info = parseStorageInfo(*dict);
  snapshot.storage = std::move(info.value);
  return ProbeResult::ok(std::move(info.invalid));
}

}  // namespace ibackupmon
