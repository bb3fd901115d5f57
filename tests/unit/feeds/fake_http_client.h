// SPDX-License-Identifier: Apache-2.0
#pragma once
// A scripted HttpClient for the poller tests: replies are queued, calls counted; the last reply
// repeats once the queue is empty. A "hang" reply blocks until the caller cancels.

#include <deque>
#include <mutex>
#include <thread>

#include "alert/http_client.h"

namespace ibackupmon::testing {

class FakeHttpClient final : public HttpClient {
 public:
  struct Reply {
    Expected<HttpResponse> result;
    bool hang = false;
  };

  void push(long status, std::string body) {
    std::lock_guard lock(mu_);
    replies_.push_back({HttpResponse{status, std::move(body), "application/json", "http://x/"}});
  }
  void pushError(std::string code, std::string message) {
    std::lock_guard lock(mu_);
    replies_.push_back({tl::unexpected(Error{std::move(code), std::move(message)})});
  }
  void pushHang() {
    std::lock_guard lock(mu_);
    replies_.push_back({tl::unexpected(Error{"http_cancelled", "cancelled"}), true});
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::string lastUrl() const {
    std::lock_guard lock(mu_);
    return lastUrl_;
  }
  std::optional<std::string> lastCaFile() const {
    std::lock_guard lock(mu_);
    return lastCaFile_;
  }

  Expected<HttpResponse> get(const std::string& url, const HttpOptions& options) override {
    Reply reply = next(url, options);
    // Stands in for a transfer that never completes: only the cancel flag ends it.
    while (reply.hang && (options.cancel == nullptr || !options.cancel->load())) {
      std::this_thread::yield();
    }
    return reply.result;
  }
  Expected<HttpResponse> postJson(const std::string& url, const std::string&,
                                  const HttpOptions& options) override {
    return get(url, options);
  }

 private:
  Reply next(const std::string& url, const HttpOptions& options) {
    std::lock_guard lock(mu_);
    ++calls_;
    lastUrl_ = url;
    lastCaFile_ = options.caFile;
    if (replies_.empty()) return {tl::unexpected(Error{"http_failed", "no scripted reply"})};
    Reply r = replies_.front();
    if (replies_.size() > 1) replies_.pop_front();
    return r;
  }

  mutable std::mutex mu_;
  std::deque<Reply> replies_;
  int calls_ = 0;
  std::string lastUrl_;
  std::optional<std::string> lastCaFile_;
};

}  // namespace ibackupmon::testing
