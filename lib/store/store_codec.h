// SPDX-License-Identifier: Apache-2.0
#pragma once
/// How the store persists snapshots, statuses and observation values as JSON text. Internal to
/// lib/store (the public output format lives in lib/report); times are Unix seconds.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/condition.h"
#include "core/error.h"
#include "core/snapshot.h"

namespace ibackupmon::codec {

std::string encodeSnapshot(const DeviceSnapshot& s);
Expected<DeviceSnapshot> decodeSnapshot(const std::string& json);

std::string encodeStatus(const DeviceStatus& s);
Expected<DeviceStatus> decodeStatus(const std::string& json);

std::string encodeEvidence(const std::map<std::string, std::string>& evidence);
std::map<std::string, std::string> decodeEvidence(const std::string& json);

/// The diagnosis-relevant values of a snapshot, banded so that noise (battery 1 % steps, a few
/// MB of storage) does not count as a change, overlaid on the previous values: keys a failed
/// probe could not read keep their last known value.
std::string observationValues(const DeviceSnapshot& s, const std::string& previousJson);
/// Keys whose value differs between two observation value objects (removed keys map to null).
std::string observationChanges(const std::string& previousJson, const std::string& currentJson);
/// When `reported` is older than `remembered` (a restored or erased device, a bad date
/// corrected), adds `key` -> {"from": remembered, "to": reported} (RFC 3339) to the changes
/// object and returns true: the step back is an event of the history, not a value.
bool noteStepBack(std::string& changesJson, const char* key,
                  const std::optional<std::int64_t>& remembered,
                  const std::optional<TimePoint>& reported);
/// Stable 64-bit FNV-1a hash (the same in every build, unlike std::hash).
std::int64_t stableHash(const std::string& text);

}  // namespace ibackupmon::codec
