// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Seam between the feeds (Apple status, iOS catalog) and the monitor's diagnosis: the monitor
/// asks for the facts of one device each time it diagnoses it. Thread-safe; must not block.
///
///   class FixedFacts final : public ExternalFactsProvider {
///     ExternalFacts factsFor(const std::optional<std::string>&, TimePoint) const override {
///       return {.newestIosVersion = "17.5", .outages = {}};
///     }
///   };

#include <optional>
#include <string>

#include "core/clock.h"
#include "diagnosis/diagnosis.h"

namespace ibackupmon {

class ExternalFactsProvider {
 public:
  virtual ~ExternalFactsProvider() = default;
  /// Facts for a device of productType (nullopt when the device never said) at `now`; unknown
  /// facts stay absent, never "fine".
  virtual ExternalFacts factsFor(const std::optional<std::string>& productType,
                                 TimePoint now) const = 0;
};

}  // namespace ibackupmon
