// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

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

ProbeResult readStorage(DeviceSession& session, DeviceSnapshot& snapshot) {
  return readDomain(session, kStorageDomain, parseStorageInfo, snapshot.storage);
}

}  // namespace ibackupmon
