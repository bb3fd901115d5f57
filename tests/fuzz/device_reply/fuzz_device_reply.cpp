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

// libplist 2.2 aborts (an assert in plist_get_key_val, which plist_dict_next_item calls) on a
// dict key of a binary plist that is a UTF-16 string holding U+0000: lib/device/plist_convert.cpp
// reads every key that way, so such a reply from a device ends the daemon (found by this harness;
// reproducer: corpus/device_reply/crash-utf16-key-nul.bplist). Until that is fixed, inputs holding
// any UTF-16 string with U+0000 are left out here, found by walking the offset table (a superset of
// the keys libplist reaches). XML cannot carry U+0000, and values are read without the assert.
bool hasUtf16Nul(std::string_view b) {
  if (b.size() < 8 + 32 || b.substr(0, 6) != "bplist") return false;
  const auto* t = reinterpret_cast<const unsigned char*>(b.data() + b.size() - 32);
  const auto be = [](const unsigned char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
  };
  const std::size_t offsetSize = t[6];
  const std::uint64_t objects = be(t + 8, 8);
  const std::uint64_t table = be(t + 24, 8);
  if (offsetSize == 0 || offsetSize > 8 || table >= b.size()) return false;
  const auto* u = reinterpret_cast<const unsigned char*>(b.data());
  for (std::uint64_t i = 0; i < objects; ++i) {
    if (table + (i + 1) * offsetSize > b.size() - 32) break;
    const std::uint64_t at = be(u + table + i * offsetSize, offsetSize);
    if (at >= b.size() || (u[at] & 0xf0) != 0x60) continue;
    std::uint64_t count = u[at] & 0x0f;
    std::uint64_t from = at + 1;
    if (count == 0x0f) {  // the length follows as an integer object: 0x1N, 2^N bytes
      if (from >= b.size() || (u[from] & 0xf0) != 0x10) continue;
      const std::size_t n = std::size_t{1} << (u[from] & 0x0f);
      if (n > 8 || from + 1 + n > b.size()) continue;
      count = be(u + from + 1, n);
      from += 1 + n;
    }
    for (std::uint64_t k = 0; k < count && from + 2 * k + 1 < b.size(); ++k) {
      if (u[from + 2 * k] == 0 && u[from + 2 * k + 1] == 0) return true;
    }
  }
  return false;
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
  if (hasUtf16Nul(bytes)) return 0;  // the known libplist abort above
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
