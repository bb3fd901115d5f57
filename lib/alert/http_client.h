// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A small blocking HTTP client (GET and POST JSON) over libcurl, for the status feeds and the
/// Alertmanager channel. Call it from a worker thread, never from the app's strand.
///
/// Non-2xx replies are not errors here: the response carries the status and callers decide.
/// Errors (Error::code) are transport failures: "http_timeout", "http_too_large", "http_connect",
/// "http_tls", "http_cancelled", "http_bad_url", "http_failed".

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace ibackupmon {

inline constexpr std::size_t kDefaultHttpMaxBodyBytes = 8u << 20;  // 8 MiB

struct HttpOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  ///< whole transfer
  std::optional<std::string> caFile;  ///< PEM bundle replacing the system CAs (e.g. Apple's root)
  std::size_t maxBodyBytes = kDefaultHttpMaxBodyBytes;  ///< larger bodies fail "http_too_large"
  std::string userAgent;                                ///< empty = "ibackupmon/<version>"
  std::vector<std::string> headers;                     ///< extra "Name: value" lines
  int maxRedirects = 5;                                 ///< 0 = do not follow redirects
  const std::atomic<bool>* cancel = nullptr;  ///< set to true to abort a transfer in progress
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string contentType;  ///< empty when the server sent none
  std::string url;          ///< final URL after redirects
};

/// The seam: feeds and the Alertmanager channel take an HttpClient&, tests may pass a fake.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Expected<HttpResponse> get(const std::string& url, const HttpOptions& options) = 0;
  virtual Expected<HttpResponse> postJson(const std::string& url, const std::string& json,
                                          const HttpOptions& options) = 0;
};

/// libcurl implementation; one easy handle per request, so one instance may serve many threads.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Expected<HttpResponse> get(const std::string& url, const HttpOptions& options) override;
  Expected<HttpResponse> postJson(const std::string& url, const std::string& json,
                                  const HttpOptions& options) override;

 private:
  Expected<HttpResponse> perform(const std::string& url, const std::string* postBody,
                                 const HttpOptions& options);
};

/// "http_status" error for a non-2xx response: "GET URL: HTTP 503 (first bytes of body)".
Error httpStatusError(const std::string& what, const HttpResponse& response);

/// True for 200..299.
inline bool isSuccess(const HttpResponse& r) {
  return r.status >= 200 && r.status < 300;
}

}  // namespace ibackupmon
