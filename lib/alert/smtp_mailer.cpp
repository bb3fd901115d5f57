// SPDX-License-Identifier: Apache-2.0
#include "alert/smtp_mailer.h"

#include <curl/curl.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "alert/mime.h"

namespace ibackupmon {
namespace {

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t readChunk(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t len = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

curl_usessl sslMode(StartTls s) {
  switch (s) {
    case StartTls::Required: return CURLUSESSL_ALL;
    case StartTls::Optional: return CURLUSESSL_TRY;
    case StartTls::Never: return CURLUSESSL_NONE;
  }
  return CURLUSESSL_ALL;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

Expected<std::unique_ptr<SmtpMailer>> SmtpMailer::create(const EmailConfig& config) {
  if (config.smtpUrl.rfind("smtp://", 0) != 0 && config.smtpUrl.rfind("smtps://", 0) != 0) {
    return makeError("smtp_config",
                     "alerts.email.smtp_url: expected smtp://HOST:PORT or "
                     "smtps://HOST:PORT, found \"" +
                         config.smtpUrl + "\"");
  }
  if (config.to.empty()) {
    return makeError("smtp_config", "alerts.email.to: expected at least one recipient");
  }
  std::string password;
  if (config.passwordFile) {
    std::ifstream in(*config.passwordFile);
    if (!in) {
      return makeError("smtp_config", "alerts.email.password_file: cannot read " +
                                          *config.passwordFile + ": " + std::strerror(errno));
    }
    std::getline(in, password);
    while (!password.empty() && (password.back() == '\r' || password.back() == ' ')) {
      password.pop_back();
    }
  }
  return std::unique_ptr<SmtpMailer>(new SmtpMailer(config, std::move(password)));
}

SmtpMailer::SmtpMailer(EmailConfig config, std::string password)
    : config_(std::move(config)), password_(std::move(password)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference counted; libcurl >= 7.84 is thread-safe
}

SmtpMailer::~SmtpMailer() {
  curl_global_cleanup();
}

Expected<void> SmtpMailer::send(const std::string& message) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return makeError("smtp_failed", "SMTP: cannot create a libcurl handle");
  std::unique_ptr<curl_slist, SlistDeleter> rcpt;
  for (const auto& to : config_.to) {
    curl_slist* next = curl_slist_append(rcpt.get(), ("<" + bareAddress(to) + ">").c_str());
    if (next) {
      (void)rcpt.release();
      rcpt.reset(next);
    }
  }
  Upload up{&message};
  char err[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  std::string from = "<" + bareAddress(config_.from) + ">";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout).count();
  curl_easy_setopt(c, CURLOPT_URL, config_.smtpUrl.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(sslMode(config_.starttls)));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, readChunk);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  if (config_.username) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username->c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return {};
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::ostringstream msg;
  msg << "SMTP " << config_.smtpUrl << ": " << (err[0] ? err : curl_easy_strerror(rc));
  if (reply) msg << " (last server reply " << reply << ")";
  return makeError("smtp_failed", msg.str());
}

}  // namespace ibackupmon
