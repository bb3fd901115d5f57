// SPDX-License-Identifier: Apache-2.0
#include "lockdown_session.h"

#include "device_values.h"

namespace sim {

Plist lockdownError(const std::string& request, const std::string& error) {
  Plist p = newDict();
  dictSetString(p.get(), "Request", request);
  dictSetString(p.get(), "Error", error);
  return p;
}

namespace {

Plist ok(const std::string& request) {
  Plist p = newDict();
  dictSetString(p.get(), "Request", request);
  return p;
}

}  // namespace

void LockdownSession::log(const LockdownRequest& req, const std::string& result) {
  plist_t b = req.body.get();
  sim_.events().record({"lockdownd", req.name, device_.spec.udid,
                        dictString(b, "Domain").value_or(""), dictString(b, "Key").value_or(""),
                        dictString(b, "Service").value_or(""), result});
}

Task<void> LockdownSession::hang() {
  for (;;) {
    auto frame = co_await stream_.readFrame();
    if (!frame) break;
  }
}

Task<void> LockdownSession::run() {
  const FaultSet& faults = device_.spec.faults;
  if (faults.hang) {
    sim_.events().record({"lockdownd", "(hang)", device_.spec.udid, "", "", "", "no reply"});
    co_await hang();
    co_return;
  }
  for (;;) {
    auto frame = co_await stream_.readFrame();
    if (!frame) break;
    auto req = parseLockdownRequest(*frame);
    if (!req) {
      sim_.events().record(
          {"lockdownd", "(malformed)", device_.spec.udid, "", "", "", req.error().code});
      break;  // lockdownd drops a client that sends garbage
    }
    ++requests_;
    if (faults.dropMidSession && requests_ > faults.dropMidSession) {
      log(*req, "dropped");
      break;
    }
    if (faults.detachDuringSession && !sessionId_.empty()) {
      log(*req, "detached");
      sim_.detachFor(device_.spec.udid, faults.detachDuringSession);
      co_return;
    }
    After after = After::kNothing;
    std::string result = "ok";
    Plist reply = handle(*req, after, result);
    log(*req, result);
    if (faults.slowMs > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor,
                           std::chrono::milliseconds(faults.slowMs));
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    bool sent = co_await stream_.writePlist(reply.get(), faults.binaryPlist);
    if (!sent) break;
    if (after == After::kClose) break;
    if (after == After::kStartTls) {
      bool secured = co_await stream_.startTls(sim_.tlsContext());
      if (!secured) {
        sim_.events().record(
            {"lockdownd", "(tls)", device_.spec.udid, "", "", "", "handshake failed"});
        break;
      }
    }
  }
  stream_.close();
}

Plist LockdownSession::handle(const LockdownRequest& req, After& after, std::string& result) {
  const std::string& n = req.name;
  if (n == "QueryType") {
    Plist p = ok(n);
    dictSetString(p.get(), "Type", "com.apple.mobile.lockdown");
    return p;
  }
  if (n == "GetValue") return getValue(req, result);
  if (n == "SetValue" || n == "RemoveValue") return setValue(req, result);
  if (n == "Pair" || n == "ValidatePair" || n == "Unpair") return pair(req, result);
  if (n == "StartSession") return startSession(req, after, result);
  if (n == "StopSession") {
    sessionId_.clear();  // TLS ends when the client's close_notify arrives
    return ok(n);
  }
  if (n == "StartService") return startService(req, result);
  if (n == "Goodbye") {
    after = After::kClose;
    return ok(n);
  }
  result = "InvalidRequest";
  return lockdownError(n, result);
}

}  // namespace sim
