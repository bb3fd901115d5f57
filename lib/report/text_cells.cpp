// SPDX-License-Identifier: Apache-2.0
#include "report/text_cells.h"

#include "core/duration.h"
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

bool isContinuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

}  // namespace

std::size_t displayWidth(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) {
    if (!isContinuation(c)) ++n;
  }
  return n;
}

std::string terminalCell(std::string_view text, std::size_t max_chars) {
  // sanitizeDeviceString caps bytes; cap generously first, then by code points.
  std::string clean = sanitizeDeviceString(text, max_chars * 4 + 4);
  if (displayWidth(clean) <= max_chars) return clean;
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(clean[i]);
    if (!isContinuation(c) && ++chars > max_chars - 1) break;
    out.push_back(clean[i]);
  }
  return out + "\u2026";
}

std::string padRight(const std::string& cell, std::size_t width) {
  auto w = displayWidth(cell);
  return w >= width ? cell : cell + std::string(width - w, ' ');
}

std::string csvField(std::string_view text) {
  std::string cell(text);
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string ageOrNever(const std::optional<TimePoint>& t, TimePoint now) {
  if (!t) return "never";
  if (*t > now) return "0s";
  return formatAge(std::chrono::duration_cast<Duration>(now - *t));
}

std::string shortUdid(const std::string& udid) {
  if (udid.size() <= 12) return udid;
  return "\u2026" + udid.substr(udid.size() - 8);
}

}  // namespace ibackupmon
