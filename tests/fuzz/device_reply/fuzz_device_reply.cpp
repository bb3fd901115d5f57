// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as a device's lockdown reply (XML or binary plist, as libplist
// reads it at the lib/device boundary) give a dict or a named error, never a crash. Every facet's
// parse function then reads that dict as if it were its own domain, and the diagnosis runs on the
// snapshot they make: the device's strings reach status, emails and metric labels only sanitised,
// numbers only in range, and conditions only from the catalogue.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/sanitize.h"
#include "device/plist_parse.h"
#include "diagnosis/condition_catalog.h"
#include "diagnosis/status_builder.h"
#include "probes/facets.h"

namespace {

using namespace ibackupmon;

// What sanitizeDeviceString promises: valid UTF-8, no C0 controls or DEL, capped, and a fixed
// point of the sanitiser (sanitising again changes nothing).
void checkDeviceText(const std::string& s) {
  if (!isValidUtf8(s) || s.size() > kMaxDeviceStringBytes) std::abort();
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) std::abort();
  }
  if (sanitizeDeviceString(s) != s) std::abort();
}
void checkDeviceText(const std::optional<std::string>& s) {
  if (s) checkDeviceText(*s);
}

// An InvalidValue's detail names the domain, the key and types; it may not carry raw device text.
void checkInvalid(const std::vector<InvalidValue>& invalid) {
  for (const auto& v : invalid) {
    if (v.detail.empty() || !isValidUtf8(v.detail) || !isValidUtf8(v.key)) std::abort();
    if (v.detail.find_first_of("\r\n") != std::string::npos) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return 0;  // lockdown frames are far smaller; keep iterations fast
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto dict = parsePlistDict(bytes);
  if (!dict) {
    if (dict.error().code != "plist_invalid" || dict.error().message.empty()) std::abort();
    return 0;
  }
  for (const auto& [key, value] : *dict) {
    if (!isValidUtf8(key)) std::abort();
    (void)value;
  }

  const TimePoint now = fromUnixSeconds(1764000000);
  DiagnosisInput in;
  in.udid = "00008030-000A1B2C3D4E5F60";
  DeviceSnapshot& s = in.snapshot.emplace();
  s.identity.udid = in.udid;
  s.takenAt = now;
  s.connected = true;
  s.trust = TrustState::Trusted;

  auto identity = parseIdentity(*dict);
  checkInvalid(identity.invalid);
  const std::string udid = s.identity.udid;
  s.identity = identity.value;
  s.identity.udid = udid;  // usbmuxd's, never the reply's
  for (const auto* text :
       {&s.identity.name, &s.identity.productType, &s.identity.productVersion,
        &s.identity.buildVersion, &s.identity.serial, &s.identity.activationState}) {
    checkDeviceText(*text);
  }

  auto backup = parseBackupFacts(*dict);
  checkInvalid(backup.invalid);
  checkDeviceText(backup.value.lastCloudBackupTz);
  checkDeviceText(backup.value.lastComputerBackupTz);
  checkDeviceText(backup.value.version);
  s.backup = backup.value;

  auto battery = parseBatteryInfo(*dict);
  checkInvalid(battery.invalid);
  if (battery.value.level && (*battery.value.level < 0 || *battery.value.level > 100)) {
    std::abort();
  }
  s.battery = battery.value;

  auto storage = parseStorageInfo(*dict);
  checkInvalid(storage.invalid);
  s.storage = storage.value;

  if (auto account = parseAccountInfo(*dict)) {
    for (const auto& name : account->accountNames) checkDeviceText(name);
    s.account = *account;
  } else if (account.error().message.empty()) {
    std::abort();
  }
  s.wifi = parseWifiState(*dict);

  const DeviceStatus status = diagnoseStatus(in, DiagnosisConfig{}, now);
  checkDeviceText(status.name);
  for (const auto& c : status.conditions) {
    if (findConditionDef(c.id) == nullptr) std::abort();
    if (!isValidUtf8(c.summary) || c.summary.find_first_of("\r\n") != std::string::npos) {
      std::abort();
    }
    for (const auto& [k, v] : c.evidence) {
      if (!isValidUtf8(k) || !isValidUtf8(v)) std::abort();
    }
  }
  return 0;
}
