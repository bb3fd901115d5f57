// SPDX-License-Identifier: Apache-2.0
#include "device/lockdown_connector.h"

#include <libimobiledevice/diagnostics_relay.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/mobilebackup2.h>
#include <openssl/crypto.h>
#include <usbmuxd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <semaphore>

#include "device/ioregistry.h"
#include "device/lockdown_errors.h"
#include "device/plist_convert.h"

namespace ibackupmon {

void keepTlsStateUntilExit() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

namespace {

struct PlistOwner {
  plist_t p = nullptr;
  ~PlistOwner() {
    if (p != nullptr) plist_free(p);
  }
};

class LockdownSession final : public DeviceSession {
 public:
  LockdownSession(idevice_t dev, lockdownd_client_t client, std::string udid)
      : dev_(dev), client_(client), udid_(std::move(udid)) {}
  ~LockdownSession() override {
    closeDiagnostics();
    lockdownd_client_free(client_);  // sends StopSession + Goodbye
    idevice_free(dev_);
  }
  LockdownSession(const LockdownSession&) = delete;
  LockdownSession& operator=(const LockdownSession&) = delete;

  Expected<PlistDict> getDomain(const std::string& domain) override {
    PlistOwner node;
    const auto err =
        lockdownd_get_value(client_, domain.empty() ? nullptr : domain.c_str(), nullptr, &node.p);
    const std::string what = "GetValue(" + (domain.empty() ? std::string("default") : domain) + ")";
    if (err != LOCKDOWN_E_SUCCESS) return tl::unexpected(lockdownError(err, what, udid_));
    PlistValue v = fromPlistNode(node.p);
    if (auto* d = v.get<PlistDict>()) return std::move(*d);
    return makeError(errc::kProtocol, what + " on " + udid_ + " returned a " + plistTypeName(v) +
                                          ", expected a dict");
  }

  // The session's IORegistry reads share one diagnostics_relay connection (one StartService and
  // one TLS handshake per cycle, not one per read); the device answers requests until Goodbye.
  // A connection that fails a query after serving one before is started once more for it.
  Expected<std::optional<PlistDict>> ioregistryEntry(const std::string& name,
                                                     const std::string& className) override {
    const bool reused = diag_ != nullptr;
    auto result = ioregistryOnce(name, className);
    if (!result && reused && result.error().code == errc::kRetry) {
      closeDiagnostics();
      result = ioregistryOnce(name, className);
    }
    if (!result) closeDiagnostics();
    return result;
  }

  Expected<void> enableCloudBackup() override;
  Expected<void> restart() override;

 private:
  Expected<std::optional<PlistDict>> ioregistryOnce(const std::string& name,
                                                    const std::string& className) {
    if (diag_ == nullptr) {
      auto started = startDiagnostics();
      if (!started) return tl::unexpected(started.error());
      diag_ = *started;
    }
    // An empty name queries by class alone.
    auto result = name.empty() ? Expected<std::optional<PlistDict>>(std::optional<PlistDict>())
                               : query(diag_, name.c_str(), nullptr);
    if (result && !*result && !className.empty()) result = query(diag_, nullptr, className.c_str());
    return result;
  }

  void closeDiagnostics() {
    if (diag_ == nullptr) return;
    diagnostics_relay_goodbye(diag_);
    diagnostics_relay_client_free(diag_);
    diag_ = nullptr;
  }

  // StartService(diagnostics_relay) and its client; the caller says goodbye and frees it.
  Expected<diagnostics_relay_client_t> startDiagnostics() {
    lockdownd_service_descriptor_t svc = nullptr;
    const auto err = lockdownd_start_service(client_, "com.apple.mobile.diagnostics_relay", &svc);
    if (err != LOCKDOWN_E_SUCCESS) {
      return tl::unexpected(lockdownError(err, "StartService(diagnostics_relay)", udid_));
    }
    diagnostics_relay_client_t diag = nullptr;
    const auto derr = diagnostics_relay_client_new(dev_, svc, &diag);
    lockdownd_service_descriptor_free(svc);
    if (derr != DIAGNOSTICS_RELAY_E_SUCCESS) {
      return makeError(errc::kServiceUnavailable,
                       "diagnostics_relay on " + udid_ + " failed: error " + std::to_string(derr));
    }
    return diag;
  }

  Expected<std::optional<PlistDict>> query(diagnostics_relay_client_t diag, const char* name,
                                           const char* cls) {
    PlistOwner node;
    const auto err = diagnostics_relay_query_ioregistry_entry(diag, name, cls, &node.p);
    if (err == DIAGNOSTICS_RELAY_E_MUX_ERROR || err == DIAGNOSTICS_RELAY_E_PLIST_ERROR) {
      return makeError(errc::kRetry,
                       "IORegistry query on " + udid_ + " failed: error " + std::to_string(err));
    }
    if (err != DIAGNOSTICS_RELAY_E_SUCCESS) return std::optional<PlistDict>();  // no such entry
    return ioregistryEntryOf(fromPlistNode(node.p));
  }

  idevice_t dev_;
  lockdownd_client_t client_;
  std::string udid_;
  diagnostics_relay_client_t diag_ = nullptr;  ///< open from the first IORegistry read to the end
};

// Owns a mobilebackup2 client; freeing it sends DLMessageDisconnect.
struct BackupClient {
  mobilebackup2_client_t c = nullptr;
  ~BackupClient() {
    if (c != nullptr) mobilebackup2_client_free(c);
  }
};

Expected<void> mobilebackup2Error(mobilebackup2_error_t err, const std::string& what,
                                  const std::string& udid) {
  const char* code = err == MOBILEBACKUP2_E_MUX_ERROR || err == MOBILEBACKUP2_E_RECEIVE_TIMEOUT
                         ? errc::kRetry
                         : errc::kProtocol;
  return makeError(code, "mobilebackup2 " + what + " on " + udid + " failed: error " +
                             std::to_string(static_cast<int>(err)));
}

// The device's answer to a request: DLMessageProcessMessage {ErrorCode: 0} is done.
Expected<void> readRequestReply(mobilebackup2_client_t client, const std::string& udid) {
  PlistOwner message;
  char* dlmessage = nullptr;
  const auto err = mobilebackup2_receive_message(client, &message.p, &dlmessage);
  const std::string name = dlmessage != nullptr ? dlmessage : "";
  std::free(dlmessage);  // NOLINT: libimobiledevice allocates with malloc
  if (err != MOBILEBACKUP2_E_SUCCESS) return mobilebackup2Error(err, "reply", udid);
  if (name != "DLMessageProcessMessage") {
    return makeError(errc::kProtocol, "mobilebackup2 on " + udid +
                                          " answered EnableCloudBackup with an unexpected message");
  }
  plist_t content = plist_array_get_item(message.p, 1);
  plist_t code = content != nullptr ? plist_dict_get_item(content, "ErrorCode") : nullptr;
  std::uint64_t value = 0;
  if (code == nullptr || plist_get_node_type(code) != PLIST_UINT) {
    return makeError(errc::kProtocol,
                     "mobilebackup2 on " + udid + " answered EnableCloudBackup without ErrorCode");
  }
  plist_get_uint_val(code, &value);
  if (value != 0) {
    return makeError(
        errc::kDeviceError,
        "the device " + udid + " refused EnableCloudBackup: ErrorCode " + std::to_string(value));
  }
  return {};
}

Expected<void> LockdownSession::enableCloudBackup() {
  lockdownd_service_descriptor_t svc = nullptr;
  // As idevicebackup2: the escrow bag of the pair record lets the service start while locked.
  const auto err =
      lockdownd_start_service_with_escrow_bag(client_, MOBILEBACKUP2_SERVICE_NAME, &svc);
  if (err != LOCKDOWN_E_SUCCESS) {
    return tl::unexpected(lockdownError(err, "StartService(mobilebackup2)", udid_));
  }
  BackupClient backup;
  auto merr = mobilebackup2_client_new(dev_, svc, &backup.c);  // DeviceLink version exchange
  lockdownd_service_descriptor_free(svc);
  if (merr != MOBILEBACKUP2_E_SUCCESS) return mobilebackup2Error(merr, "connect", udid_);
  double local[2] = {2.0, 2.1};
  double remote = 0;
  merr = mobilebackup2_version_exchange(backup.c, local, 2, &remote);  // Hello
  if (merr != MOBILEBACKUP2_E_SUCCESS) return mobilebackup2Error(merr, "Hello", udid_);
  PlistOwner options;
  options.p = plist_new_dict();
  plist_dict_set_item(options.p, "CloudBackupState", plist_new_bool(1));
  // libimobiledevice copies CloudBackupState to the top level of the message as well.
  merr = mobilebackup2_send_request(backup.c, "EnableCloudBackup", udid_.c_str(), udid_.c_str(),
                                    options.p);
  if (merr != MOBILEBACKUP2_E_SUCCESS) return mobilebackup2Error(merr, "EnableCloudBackup", udid_);
  return readRequestReply(backup.c, udid_);
}

Expected<void> LockdownSession::restart() {
  auto started = startDiagnostics();
  if (!started) return tl::unexpected(started.error());
  diagnostics_relay_client_t diag = *started;
  const auto rerr =
      diagnostics_relay_restart(diag, DIAGNOSTICS_RELAY_ACTION_FLAG_WAIT_FOR_DISCONNECT);
  diagnostics_relay_goodbye(diag);
  diagnostics_relay_client_free(diag);  // the device restarts once we let go
  if (rerr == DIAGNOSTICS_RELAY_E_SUCCESS) return {};
  const char* code = rerr == DIAGNOSTICS_RELAY_E_MUX_ERROR ? errc::kRetry : errc::kDeviceError;
  return makeError(code, "the device " + udid_ + " refused Restart: error " +
                             std::to_string(static_cast<int>(rerr)));
}

// What usbmuxd says about the pair record it holds for a device.
struct PairRecord {
  enum class State { Present, Absent, Unreadable };
  State state = State::Unreadable;
  std::string hostId;  ///< empty when the record has none
  int error = 0;       ///< usbmuxd_read_pair_record's result when Unreadable
};

PairRecord readPairRecord(const std::string& udid) {
  char* data = nullptr;
  std::uint32_t size = 0;
  const int rc = usbmuxd_read_pair_record(udid.c_str(), &data, &size);
  if (rc == -ENOENT) return {PairRecord::State::Absent};  // usbmuxd's answer for "no record"
  if (rc < 0 || data == nullptr) {
    std::free(data);  // NOLINT: libusbmuxd allocates with malloc
    return {PairRecord::State::Unreadable, {}, rc};
  }
  PairRecord result{PairRecord::State::Present};
  PlistOwner record;
  if (size >= 8 && std::string_view(data, 6) == "bplist") {
    plist_from_bin(data, size, &record.p);
  } else {
    plist_from_xml(data, size, &record.p);
  }
  std::free(data);  // NOLINT: libusbmuxd allocates with malloc
  plist_t host = record.p != nullptr ? plist_dict_get_item(record.p, "HostID") : nullptr;
  if (host == nullptr || plist_get_node_type(host) != PLIST_STRING) return result;
  // A binary record's UTF-16 string may hold U+0000, on which plist_get_string_val aborts.
  std::uint64_t len = 0;
  const char* text = plist_get_string_ptr(host, &len);
  if (text != nullptr) result.hostId.assign(text, ::strnlen(text, len));
  return result;
}

// idevice_new_with_options finds a device by listing every device usbmuxd knows (usbmuxd has no
// lookup by UDID): at 1000 devices each call holds ~1 MB of XML and ~1.5 MB of plist nodes for a
// few milliseconds of parsing. Two calls at a time keep both cores of a small host busy while
// eight workers no longer hold eight copies at once.
std::counting_semaphore<2> deviceLookups(2);

// idevice_new_with_options under deviceLookups.
bool lookUp(idevice_t* dev, const DeviceRef& device) {
  const int lookup = device.network ? IDEVICE_LOOKUP_NETWORK : IDEVICE_LOOKUP_USBMUX;
  deviceLookups.acquire();
  const idevice_error_t err =
      idevice_new_with_options(dev, device.udid.c_str(), static_cast<idevice_options>(lookup));
  deviceLookups.release();
  return err == IDEVICE_E_SUCCESS;
}

}  // namespace

Expected<std::unique_ptr<DeviceSession>> LockdownConnector::open(const DeviceRef& device,
                                                                 const SessionOptions& options) {
  idevice_t dev = nullptr;
  if (!lookUp(&dev, device)) {
    return makeError(errc::kNoDevice, "device " + device.udid + " is not known to usbmuxd");
  }
  // The handshake pairs whenever its own read of the pair record fails, for whatever reason: a
  // record usbmuxd cannot hand over right now (restarting, no descriptor left) would make a trusted
  // device show the Trust dialog again. So the record is read first and, when usbmuxd cannot hand
  // it over, no session is opened. (The handshake reads it once more: that window stays open.)
  const PairRecord record = readPairRecord(device.udid);
  if (record.state == PairRecord::State::Unreadable) {
    idevice_free(dev);
    return makeError(errc::kRetry, "cannot read the pair record of " + device.udid +
                                       " from usbmuxd (error " + std::to_string(record.error) +
                                       "); not opening a session, which could pair again");
  }
  lockdownd_client_t client = nullptr;
  lockdownd_error_t err = LOCKDOWN_E_SUCCESS;
  if (options.pair) {
    err = lockdownd_client_new_with_handshake(dev, &client, label_.c_str());
  } else if (record.hostId.empty()) {
    err = LOCKDOWN_E_MISSING_PAIR_RECORD;
  } else {
    err = lockdownd_client_new(dev, &client, label_.c_str());
    if (err == LOCKDOWN_E_SUCCESS)
      err = lockdownd_start_session(client, record.hostId.c_str(), nullptr, nullptr);
  }
  if (err != LOCKDOWN_E_SUCCESS) {
    if (client != nullptr) lockdownd_client_free(client);
    idevice_free(dev);
    return tl::unexpected(lockdownError(err, "lockdown session", device.udid));
  }
  return std::unique_ptr<DeviceSession>(new LockdownSession(dev, client, device.udid));
}

}  // namespace ibackupmon
