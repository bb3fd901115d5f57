// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/ios_version.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kMaxParts = 4;
constexpr std::size_t kMaxDigits = 6;  // keeps every part far from int overflow

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<int> parsePart(std::string_view part) {
  if (part.empty() || part.size() > kMaxDigits) return std::nullopt;
  int value = 0;
  for (char c : part) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<IosVersion> parseIosVersion(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  IosVersion v;
  while (true) {
    const auto dot = text.find('.');
    const auto part = parsePart(text.substr(0, dot));
    if (!part || v.parts.size() == kMaxParts) return std::nullopt;
    v.parts.push_back(*part);
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  while (v.parts.size() > 1 && v.parts.back() == 0) v.parts.pop_back();
  return v;
}

std::optional<int> compareIosVersions(std::string_view a, std::string_view b) {
  const auto va = parseIosVersion(a);
  const auto vb = parseIosVersion(b);
  if (!va || !vb) return std::nullopt;
  if (*va < *vb) return -1;
  if (*vb < *va) return 1;
  return 0;
}

std::string formatIosVersion(const IosVersion& v) {
  std::string out;
  for (std::size_t i = 0; i < v.parts.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(v.parts[i]);
  }
  if (v.parts.size() == 1) out += ".0";
  return out;
}

}  // namespace ibackupmon
