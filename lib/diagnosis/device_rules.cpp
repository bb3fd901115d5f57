// SPDX-License-Identifier: Apache-2.0
// Rules about the device itself: device_storage_low, ios_outdated, clock_skew, device_missing,
// usb_link_degraded.
#include <chrono>

#include "core/duration.h"
#include "diagnosis/condition_catalog.h"
#include "diagnosis/ios_version.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

void storageLowRule(RuleContext& ctx) {
  const auto storage = facts::storage(ctx.in());
  if (!storage) return;
  const auto avail = facts::availableBytes(*storage.value);
  if (!avail || *avail >= ctx.config().storageLow) return;
  Condition& c = ctx.raise(cond::kDeviceStorageLow, ctx.now());
  const char* key = storage->totalDataAvailable ? "TotalDataAvailable" : "AmountDataAvailable";
  c.evidence[key] = std::to_string(*avail);
  if (storage->totalDataCapacity) {
    c.evidence["TotalDataCapacity"] = std::to_string(*storage->totalDataCapacity);
  }
  c.evidence["storage_low"] = std::to_string(ctx.config().storageLow);
  noteObservedAt(c, storage);
}

/// The version to compare against and where it came from; the configured minimum wins when the
/// device is below it, else the catalog's newest for this ProductType.
struct IosTarget {
  std::string version;
  std::string source;
};

std::optional<IosTarget> outdatedAgainst(const RuleContext& ctx, const std::string& version,
                                         const std::optional<std::string>& productType) {
  const auto& minimum = ctx.config().iosMinimumVersion;
  if (minimum && compareIosVersions(version, *minimum) == -1) {
    return IosTarget{*minimum, "config ios.minimum_version"};
  }
  const auto& newest = ctx.in().external.newestIosVersion;
  if (newest && compareIosVersions(version, *newest) == -1) {
    return IosTarget{*newest, "catalog: newest offered for " + productType.value_or("this model")};
  }
  return std::nullopt;
}

void iosOutdatedRule(RuleContext& ctx) {
  const auto version = facts::identityField(ctx.in(), &Identity::productVersion);
  if (!version || !parseIosVersion(*version)) return;  // unparsable: unknown, not outdated
  const auto productType = facts::identityField(ctx.in(), &Identity::productType);
  const auto target = outdatedAgainst(ctx, *version, productType);
  if (!target) return;
  Condition& c = ctx.raise(cond::kIosOutdated, ctx.now());
  c.evidence["ProductVersion"] = *version;
  if (productType) c.evidence["ProductType"] = *productType;
  c.evidence["target_version"] = target->version;
  c.evidence["target_source"] = target->source;
  if (ctx.in().external.newestIosVersion) {
    c.evidence["newest_version"] = *ctx.in().external.newestIosVersion;
  }
  c.summary = "iOS " + *version + " is older than " + target->version + " (" + target->source + ")";
}

std::string signedAge(Duration d) {
  return (d.count() < 0 ? "-" : "+") + formatAge(d.count() < 0 ? -d : d);
}

void clockSkewRule(RuleContext& ctx) {
  const auto* live = facts::live(ctx.in());
  if (!live || !live->identity.deviceClock) return;
  // The device clock was read at takenAt; comparing with `now` would count the snapshot's age.
  const TimePoint hostTime = live->takenAt != TimePoint{} ? live->takenAt : ctx.now();
  const auto skew = std::chrono::duration_cast<Duration>(*live->identity.deviceClock - hostTime);
  if ((skew.count() < 0 ? -skew : skew) <= ctx.config().clockSkew) return;
  Condition& c = ctx.raise(cond::kClockSkew, ctx.now());
  c.evidence["TimeIntervalSince1970"] = formatRfc3339(*live->identity.deviceClock);
  c.evidence["host_time"] = formatRfc3339(hostTime);
  c.evidence["skew"] = signedAge(skew);
  c.evidence["clock_skew"] = formatDuration(ctx.config().clockSkew);
  c.summary = "Device clock is off by " + signedAge(skew);
}

std::optional<TimePoint> lastSeen(const DiagnosisInput& in) {
  std::optional<TimePoint> last = in.history.lastSeen;
  for (const auto* s : {in.snapshot ? &*in.snapshot : nullptr,
                        in.history.lastSnapshot ? &*in.history.lastSnapshot : nullptr}) {
    if (s && s->connected && (!last || s->takenAt > *last)) last = s->takenAt;
  }
  return last;
}

void deviceMissingRule(RuleContext& ctx) {
  if (facts::attached(ctx.in())) return;
  const auto seen = lastSeen(ctx.in());
  if (!seen || ctx.now() - *seen < ctx.config().missingAfter) return;
  Condition& c = ctx.raise(cond::kDeviceMissing, *seen + ctx.config().missingAfter);
  c.evidence["last_seen"] = formatRfc3339(*seen);
  c.evidence["missing_after"] = formatDuration(ctx.config().missingAfter);
  c.summary = "Not attached since " + formatRfc3339(*seen) + " (" +
              formatAge(std::chrono::duration_cast<Duration>(ctx.now() - *seen)) + ")";
}

// A USB link negotiated below high speed: the device is reachable, but a cable or port is failing
// (backups over it crawl, and the same fault often interrupts charging).
void usbLinkRule(RuleContext& ctx) {
  const auto& slot = ctx.in().slot;
  if (!facts::attached(ctx.in()) || !slot || !slot->speedMbps) return;
  if (*slot->speedMbps >= kHighSpeedMbps) return;
  Condition& c = ctx.raise(cond::kUsbLinkDegraded, ctx.now());
  c.evidence["speed_mbps"] = formatMbps(*slot->speedMbps);
  c.evidence["port"] = slot->port;
  if (slot->label) c.evidence["slot"] = *slot->label;
  c.summary = "USB link at " + formatMbps(*slot->speedMbps) + " Mbit/s (high speed is " +
              formatMbps(kHighSpeedMbps) + ") on port " + slot->port +
              (slot->label ? " (" + *slot->label + ")" : std::string());
}

}  // namespace

void deviceRules(RuleContext& ctx) {
  storageLowRule(ctx);
  iosOutdatedRule(ctx);
  clockSkewRule(ctx);
  deviceMissingRule(ctx);
  usbLinkRule(ctx);
}

}  // namespace ibackupmon
