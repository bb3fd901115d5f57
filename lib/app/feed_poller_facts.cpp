// SPDX-License-Identifier: Apache-2.0
#include "app/feed_poller_facts.h"

namespace ibackupmon {

std::vector<ServiceOutage> serviceOutagesFrom(const AppleStatusReport* report) {
  std::vector<ServiceOutage> out;
  if (report == nullptr) return out;
  for (const auto& [service, event] : backupAffectingEvents(*report)) {
    out.push_back(ServiceOutage{service, event.statusType, event.message, event.start});
  }
  return out;
}

std::optional<std::string> newestIosVersionFor(const IosCatalog* catalog,
                                               const std::optional<std::string>& productType,
                                               TimePoint now) {
  if (catalog == nullptr || !productType) return std::nullopt;
  const auto release = catalog->newestFor(*productType, now);
  if (!release) return std::nullopt;
  return release->version;
}

ExternalFacts externalFactsFor(const AppleStatusReport* report, const IosCatalog* catalog,
                               const std::optional<std::string>& productType, TimePoint now) {
  ExternalFacts facts;
  facts.outages = serviceOutagesFrom(report);
  facts.newestIosVersion = newestIosVersionFor(catalog, productType, now);
  return facts;
}

}  // namespace ibackupmon
