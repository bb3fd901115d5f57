// SPDX-License-Identifier: Apache-2.0
#include "alert/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <string_view>

namespace ibackupmon {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Transfer {
  std::string body;
  std::size_t cap = 0;
  bool tooLarge = false;
  const std::atomic<bool>* cancel = nullptr;
};

size_t onWrite(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->cap) {
    t->tooLarge = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* t = static_cast<const Transfer*>(user);
  return (t->cancel != nullptr && t->cancel->load()) ? 1 : 0;
}

// URLs may carry credentials (http://user:pass@host); never put those in logs or errors.
std::string redactUrl(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto hostStart = scheme + 3;
  const auto pathStart = url.find_first_of("/?#", hostStart);
  const auto at = url.rfind('@', pathStart == std::string::npos ? url.size() : pathStart);
  if (at == std::string::npos || at < hostStart) return url;
  return url.substr(0, hostStart) + "***@" + url.substr(at + 1);
}

std::string classify(CURLcode rc, const Transfer& t) {
  if (t.tooLarge || rc == CURLE_FILESIZE_EXCEEDED) return "http_too_large";
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return "http_timeout";
    case CURLE_ABORTED_BY_CALLBACK: return "http_cancelled";
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return "http_bad_url";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return "http_connect";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER: return "http_tls";
    default: return "http_failed";
  }
}

std::string describe(CURLcode rc, const Transfer& t, const char* errbuf, const HttpOptions& o) {
  if (t.tooLarge || rc == CURLE_FILESIZE_EXCEEDED) {
    return "response body exceeds the limit of " + std::to_string(o.maxBodyBytes) + " bytes";
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return "no complete response within " + std::to_string(o.timeout.count()) + " ms";
  }
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
    detail += o.caFile ? " (CA file " + *o.caFile + ")" : " (system CA store)";
  }
  return detail;
}

void setCommonOptions(CURL* c, const std::string& url, Transfer& t, const HttpOptions& o,
                      char* errbuf) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on worker threads
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, o.maxRedirects > 0 ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(o.maxRedirects));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // the cap applies to decoded bytes
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.maxBodyBytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  if (o.caFile) curl_easy_setopt(c, CURLOPT_CAINFO, o.caFile->c_str());
}

}  // namespace

CurlHttpClient::CurlHttpClient() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}
CurlHttpClient::~CurlHttpClient() {
  curl_global_cleanup();
}

Expected<HttpResponse> CurlHttpClient::get(const std::string& url, const HttpOptions& options) {
  return perform(url, nullptr, options);
}

Expected<HttpResponse> CurlHttpClient::postJson(const std::string& url, const std::string& json,
                                                const HttpOptions& options) {
  return perform(url, &json, options);
}

Expected<HttpResponse> CurlHttpClient::perform(const std::string& url, const std::string* postBody,
                                               const HttpOptions& o) {
  const std::string what = std::string(postBody ? "POST " : "GET ") + redactUrl(url);
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return makeError("http_failed", what + ": cannot create a curl handle");
  Transfer t;
  t.cap = o.maxBodyBytes;
  t.cancel = o.cancel;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = easy.get();
  setCommonOptions(c, url, t, o, errbuf);
  const std::string agent =
      o.userAgent.empty() ? std::string("ibackupmon/") + IBACKUPMON_VERSION : o.userAgent;
  curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto addHeader = [&headers](const std::string& h) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next != nullptr) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  for (const auto& h : o.headers) addHeader(h);
  if (postBody != nullptr) {
    addHeader("Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, postBody->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(postBody->size()));
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return makeError(classify(rc, t), what + ": " + describe(rc, t, errbuf, o));
  HttpResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* type = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) r.contentType = type;
  char* effective = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    r.url = redactUrl(effective);
  }
  r.body = std::move(t.body);
  return r;
}

Error httpStatusError(const std::string& what, const HttpResponse& response) {
  std::string snippet;
  for (char ch : std::string_view(response.body).substr(0, 80)) {
    const auto u = static_cast<unsigned char>(ch);
    snippet += (u < 0x20 || u >= 0x7f) ? ' ' : ch;  // keep the log line one printable line
  }
  std::string msg = what + ": HTTP " + std::to_string(response.status);
  if (!snippet.empty()) msg += " (body starts: \"" + snippet + "\")";
  return Error{"http_status", msg};
}

}  // namespace ibackupmon
