// SPDX-License-Identifier: Apache-2.0
#include "alert/ios_catalog.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "alert/feed_text.h"
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSkipReasons = 5;
constexpr std::size_t kMaxProductTypeBytes = 64;

std::optional<std::vector<int>> versionParts(std::string_view text) {
  std::vector<int> parts;
  std::size_t pos = 0;
  while (true) {
    const auto dot = text.find('.', pos);
    const std::string_view group =
        text.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
    int value = 0;
    const auto [end, ec] = std::from_chars(group.data(), group.data() + group.size(), value);
    if (group.empty() || group.size() > 6 || ec != std::errc() ||
        end != group.data() + group.size() || group.front() == '-' || group.front() == '+') {
      return std::nullopt;
    }
    parts.push_back(value);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (parts.size() > 4) return std::nullopt;
  while (parts.size() > 1 && parts.back() == 0) parts.pop_back();  // "18.0" == "18"
  return parts;
}

// "2025-03-31" -> the first instant after that day (UTC); nullopt when not such a date.
std::optional<TimePoint> endOfDay(std::string_view text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const char* b = text.data();
  if (std::from_chars(b, b + 4, y).ptr != b + 4 || std::from_chars(b + 5, b + 7, m).ptr != b + 7 ||
      std::from_chars(b + 8, b + 10, d).ptr != b + 10) {
    return std::nullopt;
  }
  // system_clock counts nanoseconds: only years 1678..2262 fit, so anything odd is "no date".
  if (y < 1970 || y > 2200) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint{std::chrono::sys_days{ymd} + std::chrono::days{1}};
}

std::string stringField(const json& entry, const char* key) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) return {};
  return sanitizeDeviceString(it->get_ref<const std::string&>(), 64);
}

// Fills a catalog's tables; malformed entries are skipped (counted), so one odd entry cannot
// blind the whole catalog.
struct CatalogBuilder {
  std::vector<IosRelease>& releases;
  std::unordered_map<std::string, std::vector<std::size_t>>& index;
  std::size_t& skipped;
  std::vector<std::string>& reasons;

  void skip(std::string why) {
    ++skipped;
    if (reasons.size() < kMaxSkipReasons) reasons.push_back(std::move(why));
  }

  void addEntry(const json& entry, const std::string& where, bool publicSet) {
    if (!entry.is_object()) return skip(where + ": not an object");
    IosRelease r;
    r.version = stringField(entry, "ProductVersion");
    if (!versionParts(r.version)) return skip(where + ": ProductVersion is not a version number");
    const auto devices = entry.find("SupportedDevices");
    if (devices == entry.end() || !devices->is_array()) {
      return skip(where + ": no SupportedDevices array");
    }
    r.build = stringField(entry, "Build");
    r.postingDate = stringField(entry, "PostingDate");
    r.expiresAt = endOfDay(stringField(entry, "ExpirationDate"));
    r.publicSet = publicSet;
    const std::size_t at = releases.size();
    releases.push_back(std::move(r));
    for (const auto& d : *devices) {
      if (!d.is_string()) continue;
      const auto& type = d.get_ref<const std::string&>();
      if (type.empty() || type.size() > kMaxProductTypeBytes) continue;
      auto& list = index[type];
      if (list.empty() || list.back() != at) list.push_back(at);
    }
  }
};

Error catalogShapeError(const std::string& where, const std::string& what) {
  return Error{"ios_catalog_shape", "iOS version catalog: " + where + ": " + what};
}

}  // namespace

std::optional<int> compareVersionStrings(std::string_view a, std::string_view b) {
  const auto pa = versionParts(a);
  const auto pb = versionParts(b);
  if (!pa || !pb) return std::nullopt;
  if (*pa == *pb) return 0;
  return *pa < *pb ? -1 : 1;
}

std::optional<IosRelease> IosCatalog::newestFor(std::string_view productType, TimePoint now) const {
  const auto it = byProduct_.find(std::string(productType));
  if (it == byProduct_.end()) return std::nullopt;
  const IosRelease* best = nullptr;
  for (const std::size_t i : it->second) {
    const IosRelease& r = releases_[i];
    if (r.expiresAt && *r.expiresAt <= now) continue;  // Apple no longer offers it
    if (best == nullptr || compareVersionStrings(r.version, best->version) == 1 ||
        (compareVersionStrings(r.version, best->version) == 0 && r.publicSet)) {
      best = &r;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

Expected<IosCatalog> parseIosCatalog(std::string_view body) {
  auto root = parseFeedJson(body, kMaxIosCatalogBytes, "ios_catalog", "iOS version catalog");
  if (!root) return tl::unexpected(root.error());
  if (!root->is_object()) {
    return tl::unexpected(
        catalogShapeError("top level", "expected an object, found " + describeJson(*root)));
  }
  IosCatalog catalog;
  CatalogBuilder builder{catalog.releases_, catalog.byProduct_, catalog.skipped_,
                         catalog.skipReasons_};
  bool sawSet = false;
  for (const auto& [setName, isPublic] :
       {std::pair<const char*, bool>{"PublicAssetSets", true}, {"AssetSets", false}}) {
    const auto set = root->find(setName);
    if (set == root->end() || set->is_null()) continue;
    if (!set->is_object()) {
      return tl::unexpected(
          catalogShapeError(setName, "expected an object, found " + describeJson(*set)));
    }
    sawSet = true;
    const auto ios = set->find("iOS");
    if (ios == set->end()) continue;
    if (!ios->is_array()) {
      return tl::unexpected(catalogShapeError(std::string(setName) + ".iOS",
                                              "expected an array, found " + describeJson(*ios)));
    }
    for (std::size_t i = 0; i < ios->size(); ++i) {
      builder.addEntry((*ios)[i], std::string(setName) + ".iOS[" + std::to_string(i) + "]",
                       isPublic);
    }
  }
  if (!sawSet) {
    return tl::unexpected(catalogShapeError(
        "top level", "neither PublicAssetSets nor AssetSets (keys: " + describeKeys(*root) + ")"));
  }
  if (catalog.releases_.empty()) {
    std::string why = catalog.skipReasons_.empty() ? "" : " (" + catalog.skipReasons_[0] + ")";
    return makeError("ios_catalog_empty",
                     "iOS version catalog: no usable iOS entry in "
                     "PublicAssetSets or AssetSets" +
                         why);
  }
  return catalog;
}

Expected<IosCatalog> fetchIosCatalog(HttpClient& http, const IosConfig& config,
                                     const std::atomic<bool>* cancel) {
  if (!config.catalogUrl || config.catalogUrl->empty()) {
    return makeError("ios_catalog_off", "iOS version catalog: [ios] catalog_url is not set");
  }
  HttpOptions options;
  options.timeout = std::chrono::seconds(60);
  options.caFile = config.caFile;
  options.maxBodyBytes = kMaxIosCatalogBytes;
  options.cancel = cancel;
  auto response = http.get(*config.catalogUrl, options);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return tl::unexpected(httpStatusError("GET " + response->url, *response));
  }
  return parseIosCatalog(response->body);
}

}  // namespace ibackupmon
