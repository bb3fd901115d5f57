#include "probes/storage_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Expected<StorageInfo> parseStorageInfo(const PlistDict& dict) {
  const FieldReader r(dict, kStorageDomain);
  ParseState p;
  StorageInfo s;
  p.take(s.totalDiskCapacity, r.bytes("TotalDiskCapacity"));
  p.take(s.totalDataCapacity, r.bytes("TotalDataCapacity"));
  p.take(s.totalDataAvailable, r.bytes("TotalDataAvailable"));
  p.take(s.amountDataAvailable, r.bytes("AmountDataAvailable"));
  p.take(s.amountDataReserved, r.bytes("AmountDataReserved"));
  return p.finish(std::move(s));
}

ProbeResult StorageProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kStorageDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto info = parseStorageInfo(*dict);
  if (!info) return ProbeResult::failed(info.error());
  snapshot.storage = std::move(*info);
  return ProbeResult::ok();
}

}  // namespace ibackupmon
