// SPDX-License-Identifier: Apache-2.0
#include "alert/apple_status.h"

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "alert/feed_text.h"
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessageBytes = 4096;
constexpr std::size_t kMaxFieldBytes = 256;
// Epochs beyond this (year 2286) are not timestamps anyone meant; refusing them avoids overflow.
constexpr double kMaxEpochMs = 1e13;

Error shapeError(const std::string& where, const std::string& what) {
  return Error{"apple_status_shape", "Apple status feed: " + where + ": " + what};
}

std::string cleanText(const json& v, std::size_t cap) {
  if (v.is_string()) return sanitizeDeviceString(unescapeHtml(v.get<std::string>()), cap);
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return {};
}

std::string fieldText(const json& obj, const char* key, std::size_t cap) {
  const auto it = obj.find(key);
  return it == obj.end() ? std::string() : cleanText(*it, cap);
}

// epochStartDate / epochEndDate: milliseconds since the Unix epoch; null or absent = not set.
Expected<std::optional<TimePoint>> epochField(const json& ev, const char* key,
                                              const std::string& where) {
  const auto it = ev.find(key);
  if (it == ev.end() || it->is_null()) return std::optional<TimePoint>{};
  double ms = 0;
  if (it->is_number()) {
    ms = it->get<double>();
  } else if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    ms = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) ms = NAN;
  } else {
    ms = NAN;
  }
  if (!std::isfinite(ms) || ms < 0 || ms > kMaxEpochMs) {
    return tl::unexpected(shapeError(
        where + "." + key, "expected milliseconds since 1970, found " + describeJson(*it)));
  }
  const auto d = std::chrono::milliseconds(static_cast<long long>(ms));
  return std::optional<TimePoint>(TimePoint{} + std::chrono::duration_cast<TimePoint::duration>(d));
}

// Active = eventStatus "ongoing"; a known non-ongoing status is inactive; absent (or a value
// we do not know) falls back to the epochs: started and not yet ended.
Expected<std::optional<AppleStatusEvent>> parseEvent(const json& ev, const std::string& where,
                                                     TimePoint now) {
  if (!ev.is_object())
    return tl::unexpected(shapeError(where, "expected an object, found " + describeJson(ev)));
  auto start = epochField(ev, "epochStartDate", where);
  if (!start) return tl::unexpected(start.error());
  auto end = epochField(ev, "epochEndDate", where);
  if (!end) return tl::unexpected(end.error());
  const std::string status = asciiLower(fieldText(ev, "eventStatus", kMaxFieldBytes));
  bool active = false;
  if (status == "ongoing") {
    active = true;
  } else if (status == "resolved" || status == "completed" || status == "upcoming") {
    active = false;
  } else if (!*start) {
    return tl::unexpected(shapeError(
        where, "no eventStatus and no epochStartDate: cannot tell whether it is ongoing"));
  } else {
    active = **start <= now && (!*end || **end > now);
  }
  if (!active) return std::optional<AppleStatusEvent>{};
  AppleStatusEvent e;
  e.statusType = fieldText(ev, "statusType", kMaxFieldBytes);
  e.eventStatus = status;
  e.usersAffected = fieldText(ev, "usersAffected", kMaxMessageBytes);
  e.message = fieldText(ev, "message", kMaxMessageBytes);
  e.messageId = fieldText(ev, "messageId", kMaxFieldBytes);
  e.start = *start;
  e.end = *end;
  return std::optional<AppleStatusEvent>(std::move(e));
}

Expected<void> collectEvents(const json& service, const std::string& where, TimePoint now,
                             AppleServiceStatus& out) {
  const auto it = service.find("events");
  if (it == service.end() || it->is_null()) return {};  // no events listed = none
  if (!it->is_array()) {
    return tl::unexpected(
        shapeError(where + ".events", "expected an array, found " + describeJson(*it)));
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto ev = parseEvent((*it)[i], where + ".events[" + std::to_string(i) + "]", now);
    if (!ev) return tl::unexpected(ev.error());
    if (*ev) out.activeEvents.push_back(std::move(**ev));
  }
  return {};
}

Expected<const json*> servicesArray(const json& root) {
  if (!root.is_object()) {
    return tl::unexpected(
        shapeError("top level", "expected an object, found " + describeJson(root)));
  }
  const auto it = root.find("services");
  if (it != root.end() && it->is_array()) return &*it;
  if (it == root.end() && (root.contains("dashboard") || root.contains("detailedTimeline"))) {
    return makeError("apple_status_old_format",
                     "Apple status feed: the retired dashboard/detailedTimeline layout, not the "
                     "current {services: [...]} one; check [apple_status] url");
  }
  if (it == root.end()) {
    return tl::unexpected(
        shapeError("top level", "no \"services\" array (keys: " + describeKeys(root) + ")"));
  }
  return tl::unexpected(shapeError("services", "expected an array, found " + describeJson(*it)));
}

}  // namespace

Expected<AppleStatusReport> parseAppleStatus(std::string_view body,
                                             const std::vector<std::string>& watched,
                                             TimePoint now) {
  auto root = parseFeedJson(body, kMaxAppleStatusBytes, "apple_status", "Apple status feed");
  if (!root) return tl::unexpected(root.error());
  auto services = servicesArray(*root);
  if (!services) return tl::unexpected(services.error());

  AppleStatusReport report;
  report.fetchedAt = now;
  std::vector<std::optional<AppleServiceStatus>> found(watched.size());
  for (std::size_t i = 0; i < (*services)->size(); ++i) {
    const json& s = (**services)[i];
    const std::string where = "services[" + std::to_string(i) + "]";
    if (!s.is_object() || !s.contains("serviceName") || !s["serviceName"].is_string()) {
      return tl::unexpected(shapeError(where, "expected an object with a string serviceName"));
    }
    const std::string name = normalizeName(unescapeHtml(s["serviceName"].get<std::string>()));
    for (std::size_t w = 0; w < watched.size(); ++w) {
      if (normalizeName(watched[w]) != name) continue;
      if (!found[w]) found[w] = AppleServiceStatus{watched[w], {}};
      auto ok = collectEvents(s, where + " (" + watched[w] + ")", now, *found[w]);
      if (!ok) return tl::unexpected(ok.error());
    }
  }
  for (std::size_t w = 0; w < watched.size(); ++w) {
    if (found[w]) {
      report.services.push_back(std::move(*found[w]));
    } else {
      report.missingServices.push_back(watched[w]);
    }
  }
  return report;
}

Expected<AppleStatusReport> fetchAppleStatus(HttpClient& http, const AppleStatusConfig& config,
                                             TimePoint now, const std::atomic<bool>* cancel) {
  HttpOptions options;
  options.timeout = std::chrono::seconds(30);
  options.maxBodyBytes = kMaxAppleStatusBytes;
  options.cancel = cancel;
  auto response = http.get(config.url, options);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return tl::unexpected(httpStatusError("GET " + response->url, *response));
  }
  return parseAppleStatus(response->body, config.services, now);
}

}  // namespace ibackupmon
