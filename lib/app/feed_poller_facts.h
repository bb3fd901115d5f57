// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Turns the feeds' results into the diagnosis's ExternalFacts: ongoing iCloud Backup /
/// iCloud Account events become ServiceOutage (-> apple_service_outage, information only), and
/// the catalog's newest version for the model becomes newestIosVersion (-> ios_outdated; the
/// diagnosis applies [ios] minimum_version as well, so an unreachable catalog falls back to it).

#include <optional>
#include <string>
#include <vector>

#include "alert/apple_status_report.h"
#include "alert/ios_catalog.h"
#include "diagnosis/diagnosis.h"

namespace ibackupmon {

/// Outages of the backup-affecting services in `report`; empty when report is null.
std::vector<ServiceOutage> serviceOutagesFrom(const AppleStatusReport* report);

/// Newest version `catalog` offers for productType at `now`; nullopt when unknown.
std::optional<std::string> newestIosVersionFor(const IosCatalog* catalog,
                                               const std::optional<std::string>& productType,
                                               TimePoint now);

/// Both of the above for one device.
ExternalFacts externalFactsFor(const AppleStatusReport* report, const IosCatalog* catalog,
                               const std::optional<std::string>& productType, TimePoint now);

}  // namespace ibackupmon
