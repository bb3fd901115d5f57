// SPDX-License-Identifier: Apache-2.0
#include "config/config_validate.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <utility>

namespace ibackupmon {

namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool hasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool validPort(std::string_view port) {
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), isDigit)) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

bool validIp(std::string_view host, int family) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(family, std::string(host).c_str(), buffer.data()) == 1;
}

}  // namespace

CheckResult checkListenAddress(std::string_view value) {
  const std::string expected =
      "\"HOST:PORT\" with a numeric IPv4 host or a [bracketed] IPv6 host and a port 0-65535, "
      "e.g. \"0.0.0.0:9847\" or \"[::1]:9847\"";
  std::string_view host;
  std::string_view port;
  if (!value.empty() && value.front() == '[') {
    const auto close = value.find("]:");
    if (close == std::string_view::npos) return expected;
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
    if (!validIp(host, AF_INET6)) return expected;
  } else {
    const auto colon = value.rfind(':');
    if (colon == std::string_view::npos) return expected;
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
    if (!validIp(host, AF_INET)) return expected;
  }
  if (!validPort(port)) return expected;
  return std::nullopt;
}

CheckResult checkUrl(std::string_view value, std::string_view schemes) {
  std::string expected = "a URL starting with ";
  bool schemeOk = false;
  std::size_t start = 0;
  while (start <= schemes.size()) {
    auto end = schemes.find(',', start);
    if (end == std::string_view::npos) end = schemes.size();
    const std::string prefix = std::string(schemes.substr(start, end - start)) + "://";
    if (start > 0) expected += " or ";
    expected += prefix;
    if (value.substr(0, prefix.size()) == prefix && value.size() > prefix.size()) schemeOk = true;
    start = end + 1;
  }
  const bool clean = value.find(' ') == std::string_view::npos && !hasControl(value);
  if (!schemeOk || !clean) return expected;
  return std::nullopt;
}

CheckResult checkEmailAddress(std::string_view value) {
  const std::string expected = "an email address like \"admin@example.com\"";
  const auto at = value.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= value.size()) return expected;
  if (value.find('@', at + 1) != std::string_view::npos) return expected;
  const bool bad = std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f ||
           std::string_view("<>()[],;:\\\"").find(c) != std::string_view::npos;
  });
  if (bad) return expected;
  return std::nullopt;
}

CheckResult checkUdid(std::string_view value) {
  const bool ok =
      !value.empty() && value.size() <= 64 &&
      std::all_of(value.begin(), value.end(), [](char c) { return isAlnum(c) || c == '-'; });
  if (!ok) return "a device UDID (letters, digits and '-', up to 64 characters)";
  return std::nullopt;
}

CheckResult checkVersion(std::string_view value) {
  const std::string expected = "a version like \"17\", \"17.0\" or \"16.7.2\"";
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    while (i < value.size() && isDigit(value[i])) {
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 4) return expected;
    ++parts;
    if (i == value.size()) break;
    if (value[i] != '.' || parts == 3) return expected;
    ++i;
  }
  return std::nullopt;
}

CheckResult checkSocketPath(std::string_view value) {
  if (value.empty() || value.front() != '/' || value.size() > 107 || hasControl(value)) {
    return "an absolute path of at most 107 bytes (the limit of a UNIX socket address)";
  }
  return std::nullopt;
}

CheckResult checkPlainText(std::string_view value) {
  if (hasControl(value)) return "text without control characters (no newlines, tabs or escapes)";
  return std::nullopt;
}

CheckResult checkNonEmptyText(std::string_view value) {
  if (value.empty()) return "a non-empty string";
  return checkPlainText(value);
}

CheckResult checkDataDirectory(std::string_view value) {
  const std::string expected =
      "an absolute directory path other than \"/\", without \".\" or \"..\" components, such as "
      "\"/var/lib/ibackupmon/backups\"";
  if (value.size() < 2 || value.front() != '/' || hasControl(value)) return expected;
  std::size_t start = 1;
  while (start <= value.size()) {
    auto end = value.find('/', start);
    if (end == std::string_view::npos) end = value.size();
    const auto part = value.substr(start, end - start);
    if (part == "." || part == "..") return expected;
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> findProgram(std::string_view name, std::string_view searchPath) {
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  std::size_t start = 0;
  while (start <= searchPath.size()) {
    auto end = searchPath.find(':', start);
    if (end == std::string_view::npos) end = searchPath.size();
    std::string dir(searchPath.substr(start, end - start));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + std::string(name);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string programSearchPath() {
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read-only use
  return path != nullptr ? path : "/bin:/usr/bin";
}

std::optional<std::uint64_t> parseByteSize(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t number = 0;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  while (i < text.size() && isDigit(text[i])) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (number > (kMax - digit) / 10) return std::nullopt;
    number = number * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  static const std::pair<std::string_view, std::uint64_t> kUnits[] = {{"", 1},
                                                                      {"B", 1},
                                                                      {"kB", 1000ull},
                                                                      {"KB", 1000ull},
                                                                      {"MB", 1000000ull},
                                                                      {"GB", 1000000000ull},
                                                                      {"TB", 1000000000000ull},
                                                                      {"KiB", 1ull << 10},
                                                                      {"MiB", 1ull << 20},
                                                                      {"GiB", 1ull << 30},
                                                                      {"TiB", 1ull << 40}};
  const std::string_view unit = text.substr(i);
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    if (number > kMax / factor) return std::nullopt;
    return number * factor;
  }
  return std::nullopt;
}

std::string formatByteSize(std::uint64_t bytes) {
  static const std::pair<const char*, std::uint64_t> kUnits[] = {
      {"TiB", 1ull << 40}, {"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}};
  for (const auto& [name, factor] : kUnits) {
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + name;
  }
  return std::to_string(bytes) + "B";
}

}  // namespace ibackupmon
