// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The simulated world: devices, usbmuxd's view of them (DeviceIDs, listeners, pair records)
/// and everything ctl can change. Lives on the io_context thread; nothing here locks.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "event_log.h"
#include "fleet.h"
#include "pki.h"
#include "sim_asio.h"
#include "sim_device.h"
#include "tls.h"

namespace sim {

/// Something usbmuxd restarts or device detaches must cut (a client connection).
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void close() = 0;
};

/// A usbmuxd client after Listen: receives Attached/Detached packets (without header tag).
using ListenerPush = std::function<bool(const std::string& plistXml)>;

class Simulator {
 public:
  Simulator(asio::io_context& io, std::shared_ptr<const Pki> pki,
            std::shared_ptr<TlsServerContext> tls, EventLog& events);

  /// Builds every device of `fleet`; attaches those marked attached; schedules timelines.
  ibackupmon::Expected<void> load(const Fleet& fleet);

  SimDevice* byUdid(const std::string& udid);
  SimDevice* byDeviceId(uint32_t id);
  const std::vector<std::unique_ptr<SimDevice>>& devices() const { return devices_; }

  /// The ListDevices reply plist as XML, rebuilt only after a change.
  const std::string& deviceListXml();
  void addListener(ListenerPush push);

  /// usbmuxd pair record store.
  Plist readPairRecord(const std::string& udid) const;
  void savePairRecord(const std::string& udid, Plist record);
  bool deletePairRecord(const std::string& udid);
  const std::string& systemBuid() const { return systemBuid_; }

  bool attach(const std::string& udid);
  bool detach(const std::string& udid);
  /// Detaches now and attaches again after `seconds` with a new DeviceID.
  void detachFor(const std::string& udid, int seconds);
  /// What a diagnostics_relay Restart does: detach, then attach again after the device's
  /// restart_seconds under a new DeviceID, locked when it has a passcode; never again under the
  /// restart_no_return fault.
  void restart(const std::string& udid);
  /// Cuts every connection and keeps clients out for `seconds` (see UsbmuxServer).
  void closeAllConnections();
  /// Sets a fault; the trust faults also make host and device forget their pairing, so the
  /// next handshake has to Pair (and meets the dialog). Returns an error message or "".
  std::string applyDeviceFault(const std::string& udid, const std::string& name,
                               const std::string& arg);
  std::string setValue(const std::string& udid, const std::string& domain, const std::string& key,
                       const ValueSpec& value);

  /// Tracks a connection; `udid` empty for plain usbmuxd clients.
  void track(const std::string& udid, std::weak_ptr<Closable> c);
  /// Gives every attached device a new DeviceID (after a usbmuxd restart).
  void renumber();
  /// usbmuxd hangs for `seconds`: it still accepts and reads, but answers no request and pushes
  /// no event (those of the meantime are lost, as a restart would lose them); connections
  /// already handed to a device keep working. 0 ends a wedge at once.
  void wedgeUsbmuxd(int seconds);
  bool usbmuxdWedged() const { return std::chrono::steady_clock::now() < wedgedUntil_; }

  EventLog& events() { return events_; }
  SSL_CTX* tlsContext() const { return tls_->get(); }
  const Pki& pki() const { return *pki_; }
  asio::io_context& io() { return io_; }

 private:
  Plist attachedMessage(const SimDevice& d) const;
  Plist properties(const SimDevice& d) const;
  void broadcast(plist_t message);
  void closeDevice(const std::string& udid);
  void scheduleTimeline(const DeviceSpec& spec);
  void runTimelineEntry(const std::string& udid, const TimelineEntry& e);

  asio::io_context& io_;
  std::shared_ptr<const Pki> pki_;
  std::shared_ptr<TlsServerContext> tls_;
  EventLog& events_;
  std::vector<std::unique_ptr<SimDevice>> devices_;
  std::map<std::string, SimDevice*> byUdid_;
  std::vector<ListenerPush> listeners_;
  std::multimap<std::string, std::weak_ptr<Closable>> connections_;
  std::map<std::string, Plist> savedRecords_;
  std::map<std::string, bool> recordDeleted_;
  std::string systemBuid_;
  std::string listXml_;
  bool listDirty_ = true;
  uint32_t nextDeviceId_ = 1;
  std::chrono::steady_clock::time_point wedgedUntil_{};
  std::shared_ptr<asio::steady_timer> wedgeTimer_;
};

}  // namespace sim
