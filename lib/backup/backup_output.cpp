// SPDX-License-Identifier: Apache-2.0
#include "backup/backup_output.h"

#include <charconv>

#include "core/sanitize.h"

namespace ibackupmon::backup {
namespace {

// A line longer than this is cut: the tool's own lines are short, and device text must not make
// the parser hold an unbounded buffer.
constexpr std::size_t kMaxSegmentBytes = 4096;

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

struct ProgressBar {
  double percent = 0;
  bool transfer = false;  // "(a/b)" follows: one batch of files, not the overall progress
  std::string_view rest;  // text printed after the bar on the same line
};

// "[====    ] NNN%" followed by " (a/b)     " or " Finished".
std::optional<ProgressBar> parseProgressBar(std::string_view s) {
  if (s.empty() || s.front() != '[') return std::nullopt;
  const auto close = s.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  for (char c : s.substr(1, close - 1))
    if (c != '=' && c != ' ') return std::nullopt;
  std::string_view after = trimSpaces(s.substr(close + 1));
  std::size_t digits = 0;
  while (digits < after.size() &&
         ((after[digits] >= '0' && after[digits] <= '9') || after[digits] == '.'))
    ++digits;
  if (digits == 0 || digits >= after.size() || after[digits] != '%') return std::nullopt;
  ProgressBar bar;
  const auto [end, ec] = std::from_chars(after.data(), after.data() + digits, bar.percent);
  if (ec != std::errc() || end != after.data() + digits) return std::nullopt;
  if (!(bar.percent >= 0 && bar.percent <= 100)) return std::nullopt;
  bar.rest = trimSpaces(after.substr(digits + 1));
  if (bar.rest.starts_with('(')) {
    const auto paren = bar.rest.find(')');
    if (paren != std::string_view::npos) {
      bar.transfer = true;
      bar.rest = trimSpaces(bar.rest.substr(paren + 1));
    }
  } else if (bar.rest.starts_with("Finished")) {
    bar.rest = trimSpaces(bar.rest.substr(8));
  }
  return bar;
}

// "ErrorCode N: DESCRIPTION" -> N and DESCRIPTION.
std::optional<std::pair<int, std::string_view>> parseErrorCodeLine(std::string_view line) {
  constexpr std::string_view kPrefix = "ErrorCode ";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  int code = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), code);
  if (ec != std::errc() || end == line.data() + line.size() || *end != ':') return std::nullopt;
  return std::pair{code, trimSpaces(line.substr(static_cast<std::size_t>(end - line.data()) + 1))};
}

}  // namespace

void OutputParser::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (c == '\n' || c == '\r') {
      endSegment();
    } else if (segment_.size() < kMaxSegmentBytes) {
      segment_.push_back(c);
    }
  }
}

void OutputParser::finish() {
  endSegment();
}

void OutputParser::endSegment() {
  const std::string_view segment = segment_;
  if (auto bar = parseProgressBar(segment)) {
    (bar->transfer ? state_.transferPercent : state_.percent) = bar->percent;
    // Text the tool printed right after a bar that it did not end ("... KB)     Receiving files").
    if (!bar->rest.empty()) takeLine(bar->rest);
  } else {
    takeLine(segment);
  }
  segment_.clear();
}

void OutputParser::takeLine(std::string_view raw) {
  std::string line = sanitizeDeviceString(raw, kMaxTailLineBytes);
  if (line.empty()) return;
  if (auto error = parseErrorCodeLine(line)) {
    // The first one counts: a later "ErrorCode" line can only come from inside a device's
    // description text.
    if (!state_.errorCode) {
      state_.errorCode = error->first;
      state_.errorMessage = std::string(error->second);
    }
  } else if (line == "Backup Successful.") {
    state_.reportedSuccess = true;
  } else if (line.starts_with("ERROR: ") && state_.errorMessage.empty()) {
    state_.errorMessage = line.substr(7);
  }
  state_.tail.push_back(std::move(line));
  if (state_.tail.size() > kTailLines) state_.tail.erase(state_.tail.begin());
}

std::vector<std::string> backupArguments(const std::string& udid, const std::string& directory,
                                         bool full) {
  std::vector<std::string> args{"-u", udid, "backup"};
  if (full) args.emplace_back("--full");
  args.push_back(directory);
  return args;
}

}  // namespace ibackupmon::backup
