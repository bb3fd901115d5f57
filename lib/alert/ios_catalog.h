// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Apple's catalog of the iOS/iPadOS versions it offers (gdmf.apple.com/v2/pmv): a pure parser
/// and a lookup of the newest version offered for a ProductType. See docs/feeds.md.

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alert/http_client.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

inline constexpr std::size_t kMaxIosCatalogBytes = 8u << 20;

/// One entry of PublicAssetSets.iOS or AssetSets.iOS.
struct IosRelease {
  std::string version;  ///< ProductVersion, e.g. "18.1"
  std::string build;
  std::string postingDate;             ///< "YYYY-MM-DD" as published
  std::optional<TimePoint> expiresAt;  ///< end of ExpirationDate (UTC); absent = never
  bool publicSet = false;              ///< from PublicAssetSets (else AssetSets)
};

class IosCatalog {
 public:
  /// The newest release offered for productType ("iPhone13,2") that has not expired at `now`,
  /// over both PublicAssetSets and AssetSets; nullopt when the catalog lists no such release.
  std::optional<IosRelease> newestFor(std::string_view productType, TimePoint now) const;

  std::size_t releaseCount() const { return releases_.size(); }
  std::size_t productTypeCount() const { return byProduct_.size(); }
  /// Entries ignored because they were malformed (no version, no device list).
  std::size_t skippedEntries() const { return skipped_; }
  /// Why the first few skipped entries were skipped, for a log line.
  const std::vector<std::string>& skipReasons() const { return skipReasons_; }

 private:
  friend Expected<IosCatalog> parseIosCatalog(std::string_view body);
  std::vector<IosRelease> releases_;
  std::unordered_map<std::string, std::vector<std::size_t>> byProduct_;
  std::size_t skipped_ = 0;
  std::vector<std::string> skipReasons_;
};

/// Parses the gdmf `v2/pmv` body. Error codes: "ios_catalog_html", "ios_catalog_json",
/// "ios_catalog_too_large", "ios_catalog_shape" (naming where), "ios_catalog_empty" (no usable
/// iOS entry at all).
Expected<IosCatalog> parseIosCatalog(std::string_view body);

/// Numeric version order: -1, 0, 1 ("17.5.1" > "17.5", "18" == "18.0"); nullopt if either is
/// not 1 to 4 dot-separated groups of digits.
std::optional<int> compareVersionStrings(std::string_view a, std::string_view b);

/// GET config.catalogUrl (with config.caFile) and parse it. Runs on a worker thread.
Expected<IosCatalog> fetchIosCatalog(HttpClient& http, const IosConfig& config,
                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace ibackupmon
