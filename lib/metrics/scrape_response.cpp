// SPDX-License-Identifier: Apache-2.0
#include "metrics/scrape_response.h"

#include <arpa/inet.h>
#include <zlib.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>

#include "core/base64.h"

namespace ibackupmon {
namespace {

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

// Compares every byte whatever the first mismatch, so the time taken does not leak the password.
bool equalConstantTime(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (b.empty() ? 0 : b[i % b.size()]));
  }
  return diff == 0;
}

// Level 1: on this repetitive text it is ~2x faster than zlib's default and only ~10 % larger
// (docs/performance.md). Empty on failure: the caller then sends the text uncompressed.
std::string gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int ret = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return ret == Z_STREAM_END ? out : std::string();
}

}  // namespace

Expected<std::uint16_t> parseListenPort(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const auto bad = [&](const std::string& why) {
    return makeError("metrics_listen", "[metrics] listen = \"" + listen + "\": " + why +
                                           " (expected \"HOST:PORT\" with HOST an IPv4 address "
                                           "or [IPv6], e.g. \"127.0.0.1:9847\")");
  };
  if (colon == std::string::npos) return bad("no port");
  const std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (!isIpLiteral(host)) return bad("host is not an IP address");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port is not a number from 0 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

Expected<std::string> readPasswordFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return makeError("metrics_password_file",
                     "[metrics] basic_auth_password_file \"" + path + "\": cannot read it");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return makeError("metrics_password_file",
                     "[metrics] basic_auth_password_file \"" + path + "\": first line is empty");
  }
  return line;
}

std::optional<std::pair<std::string, std::string>> parseBasicAuth(std::string_view header) {
  // credentials = auth-scheme 1*SP token68 (RFC 7235 section 2.1); the scheme is case-insensitive.
  constexpr std::string_view kScheme = "basic";
  if (header.size() <= kScheme.size() || header[kScheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  const auto decoded = base64Decode(token);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');  // user names cannot contain one; passwords may
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool BasicAuthCheck::accepts(std::string_view authorization) const {
  const auto given = parseBasicAuth(authorization);
  if (!given) return false;
  // Both compared whatever the first says: the time taken does not tell which one was wrong.
  return equalConstantTime(user_, given->first) & equalConstantTime(password_, given->second);
}

ScrapeBody renderScrapeBody(const MetricsExporter& exporter, std::string_view acceptEncoding) {
  std::string text = exporter.render();
  if (acceptEncoding.find("gzip") != std::string_view::npos) {
    if (std::string packed = gzip(text); !packed.empty()) return {std::move(packed), true};
  }
  return {std::move(text), false};
}

}  // namespace ibackupmon
