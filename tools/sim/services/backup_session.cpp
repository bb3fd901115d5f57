// SPDX-License-Identifier: Apache-2.0
// mobilebackup2 `Backup`: the device drives the DeviceLink file protocol. It asks the computer for
// its free space and the backup folder's contents, downloads the previous Status.plist,
// Manifest.plist and Manifest.db (to back up incrementally), uploads Status.plist (SnapshotState
// "new"), the changed files, Manifest.db and Manifest.plist (staged in Snapshot/, then moved),
// removes the files that are gone, uploads Status.plist "finished" and ends with
// DLMessageProcessMessage {ErrorCode}. On success it sets LastiTunesBackupDate/TZ and posts
// com.apple.mobile.backup.domain_changed. The fleet's `[device.backup]` sets sizes and faults.
//
// Raw file streams (after DLMessageUploadFiles / DLMessageDownloadFiles), big-endian lengths:
//   per file: u32 len, device path, u32 len, host path (upload only; a download names one path),
//   then blocks u32 (n+1), code, n bytes: 0x0c data, 0x00 end, 0x06 the sender's error text;
//   a u32 0 ends the stream, and the receiver answers DLMessageStatusResponse.
#include <chrono>
#include <set>

#include "../device_values.h"
#include "backup_files.h"
#include "service.h"
#include "service_state.h"

namespace sim {
namespace {

const std::string kBackupSessionService = "com.apple.mobilebackup2";
const char* const kEmpty = "___EmptyParameterString___";
constexpr size_t kChunk = 64 * 1024;
constexpr char kCodeSuccess = 0x00, kCodeFileData = 0x0c;

int64_t unixNow() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return s;
}

uint32_t readBe32(const std::string& s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

/// What the real device says for the error codes seen in the field.
std::string describeError(int code) {
  switch (code) {
    case 105: return "Insufficient free disk space on drive to back up (MBErrorDomain/105)";
    case 207:
      return "Backup encryption is required by a configuration profile but no backup password is "
             "set (MBErrorDomain/207)";
    case 208: return "Device locked (MBErrorDomain/208)";
    case 212: return "Unable to backup until Setup is finished (MBErrorDomain/212)";
    case 25: return "An iCloud restore is in progress (MBErrorDomain/25)";
    case 205:
      return "Error reading backup properties (MBErrorDomain/205). Underlying error: Error "
             "deserializing properties: Cannot parse a NULL or zero-length data "
             "(MBErrorDomain/11).";
    default: return "Backup failed (MBErrorDomain/" + std::to_string(code) + ")";
  }
}

Plist dlMessage(const char* name) {
  Plist a(plist_new_array());
  plist_array_append_item(a.get(), plist_new_string(name));
  return a;
}

bool truthy(plist_t v) {
  if (!v) return false;
  if (plist_get_node_type(v) == PLIST_BOOLEAN) {
    uint8_t b = 0;
    plist_get_bool_val(v, &b);
    return b != 0;
  }
  if (plist_get_node_type(v) == PLIST_UINT) {
    uint64_t u = 0;
    plist_get_uint_val(v, &u);
    return u != 0;
  }
  return false;
}

struct StatusResponse {
  int64_t code = 0;
  std::string description;
  Plist value;
};

class BackupRun {
 public:
  BackupRun(Simulator& sim, SimDevice& device, FrameStream& stream, plist_t request)
      : sim_(sim),
        device_(device),
        stream_(stream),
        spec_(device.spec.backup),
        udid_(device.spec.udid),
        started_(std::chrono::steady_clock::now()) {
    plist_t opts = plist_dict_get_item(request, "Options");
    forceFull_ = dictBool(opts, "ForceFullBackup").value_or(false);
    if (auto target = dictString(request, "TargetIdentifier"); target && !target->empty())
      folder_ = *target;
    else
      folder_ = udid_;
  }

  Task<void> run();

 private:
  void log(const std::string& step, const std::string& key, const std::string& result = "ok") {
    sim_.events().record({"service", step, udid_, "", key, kBackupSessionService, result});
  }
  Task<bool> sleepMs(int64_t ms);
  Task<std::optional<StatusResponse>> readStatus(const std::string& step);
  Task<std::optional<StatusResponse>> exchange(Plist& msg, const std::string& step,
                                               const std::string& key);
  Task<bool> upload(const std::string& hostPath, const std::string& devicePath,
                    const std::string& content, double pct, uint64_t total);
  enum class Batch { kDone, kFault, kClosed };
  /// Sends `files` in one DLMessageUploadFiles; stops early (ending the stream cleanly) when the
  /// configured fault becomes due. `sent` counts the files sent.
  Task<Batch> uploadBatch(const std::vector<const BackupFile*>& files, uint64_t total, int& sent);
  Task<bool> writeFile(const std::string& hostPath, const std::string& devicePath,
                       const std::string& content);
  Task<std::optional<std::map<std::string, std::string>>> download(
      const std::vector<std::string>& paths, double pct);
  Task<bool> finish(int code, const std::string& description);
  /// The configured fault, if it is due after `filesSent` files.
  bool faultDue(int filesSent) const;
  Task<void> strike();
  int64_t elapsedMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now() - started_).count();
  }

  Simulator& sim_;
  SimDevice& device_;
  FrameStream& stream_;
  BackupSpec spec_;
  std::string udid_, folder_;
  bool forceFull_ = false;
  std::chrono::steady_clock::time_point started_;
};

Task<bool> BackupRun::sleepMs(int64_t ms) {
  if (ms <= 0) co_return true;
  asio::steady_timer timer(sim_.io());
  timer.expires_after(std::chrono::milliseconds(ms));
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

Task<std::optional<StatusResponse>> BackupRun::readStatus(const std::string& step) {
  auto frame = co_await stream_.readFrame();
  if (!frame) {
    log(step, "", "closed");
    co_return std::nullopt;
  }
  Plist msg = parsePlist(*frame);
  plist_t head = msg ? plist_array_get_item(msg.get(), 0) : nullptr;
  if (!msg || plist_get_node_type(msg.get()) != PLIST_ARRAY || !head ||
      describeValue(head) != "DLMessageStatusResponse") {
    log(step, "", "unexpected reply");
    co_return std::nullopt;
  }
  StatusResponse r;
  plist_t code = plist_array_get_item(msg.get(), 1);
  if (code && plist_get_node_type(code) == PLIST_UINT) {
    uint64_t u = 0;
    plist_get_uint_val(code, &u);
    r.code = static_cast<int64_t>(u);  // the host sends negative codes as 64-bit two's complement
  }
  plist_t desc = plist_array_get_item(msg.get(), 2);
  if (desc && plist_get_node_type(desc) == PLIST_STRING) r.description = describeValue(desc);
  if (r.description == kEmpty) r.description.clear();
  if (plist_t v = plist_array_get_item(msg.get(), 3)) r.value = copyPlist(v);
  co_return r;
}

Task<std::optional<StatusResponse>> BackupRun::exchange(Plist& msg, const std::string& step,
                                                        const std::string& key) {
  bool sent = co_await stream_.writePlist(msg.get(), true);
  if (!sent) {
    log(step, key, "closed");
    co_return std::nullopt;
  }
  auto status = co_await readStatus(step);
  if (status) log(step, key, status->code == 0 ? "ok" : "status " + std::to_string(status->code));
  co_return status;
}

Task<bool> BackupRun::upload(const std::string& hostPath, const std::string& devicePath,
                             const std::string& content, double pct, uint64_t total) {
  Plist msg = dlMessage("DLMessageUploadFiles");
  plist_array_append_item(msg.get(), plist_new_dict());
  plist_array_append_item(msg.get(), plist_new_real(pct));
  plist_array_append_item(msg.get(), plist_new_uint(total));
  bool sentMsg = co_await stream_.writePlist(msg.get(), true);
  if (!sentMsg) co_return false;
  bool wrote = co_await writeFile(hostPath, devicePath, content);
  if (!wrote) co_return false;
  std::string end = be32(0);
  bool sentEnd = co_await stream_.writeRaw(end);
  if (!sentEnd) co_return false;
  auto status = co_await readStatus("DLMessageUploadFiles");
  if (!status) co_return false;
  log("DLMessageUploadFiles", hostPath,
      status->code == 0 ? "ok" : "status " + std::to_string(status->code));
  co_return status->code == 0;
}

Task<bool> BackupRun::writeFile(const std::string& hostPath, const std::string& devicePath,
                                const std::string& content) {
  std::string head = be32(static_cast<uint32_t>(devicePath.size())) + devicePath +
                     be32(static_cast<uint32_t>(hostPath.size())) + hostPath;
  bool sentHead = co_await stream_.writeRaw(head);
  if (!sentHead) co_return false;
  for (size_t at = 0; at < content.size(); at += kChunk) {
    std::string block = content.substr(at, kChunk);
    std::string framed = be32(static_cast<uint32_t>(block.size() + 1)) + kCodeFileData + block;
    bool sent = co_await stream_.writeRaw(framed);
    if (!sent) co_return false;
  }
  std::string tail = be32(1) + std::string(1, kCodeSuccess);
  bool sentTail = co_await stream_.writeRaw(tail);
  co_return sentTail;
}

Task<BackupRun::Batch> BackupRun::uploadBatch(const std::vector<const BackupFile*>& files,
                                              uint64_t total, int& sent) {
  Plist msg = dlMessage("DLMessageUploadFiles");
  plist_array_append_item(msg.get(), plist_new_dict());
  plist_array_append_item(msg.get(), plist_new_real(10.0));
  plist_array_append_item(msg.get(), plist_new_uint(total));
  bool sentMsg = co_await stream_.writePlist(msg.get(), true);
  if (!sentMsg) co_return Batch::kClosed;
  bool fault = false;
  for (const BackupFile* f : files) {
    if (faultDue(sent)) {
      fault = true;
      break;
    }
    bool slept = co_await sleepMs(spec_.fileDelayMs);
    if (!slept) co_return Batch::kClosed;
    std::string host = folder_ + "/" + f->fileId.substr(0, 2) + "/" + f->fileId;
    std::string content = backupFileContent(*f);
    bool ok = co_await writeFile(host, "/var/mobile/" + f->relativePath, content);
    if (!ok) co_return Batch::kClosed;
    log("UploadFile", host);
    ++sent;
  }
  std::string end = be32(0);
  bool sentEnd = co_await stream_.writeRaw(end);
  if (!sentEnd) co_return Batch::kClosed;
  auto status = co_await readStatus("DLMessageUploadFiles");
  if (!status) co_return Batch::kClosed;
  log("DLMessageUploadFiles", std::to_string(sent) + " files",
      status->code == 0 ? "ok" : "status " + std::to_string(status->code));
  co_return fault ? Batch::kFault : Batch::kDone;
}

Task<std::optional<std::map<std::string, std::string>>> BackupRun::download(
    const std::vector<std::string>& paths, double pct) {
  Plist msg = dlMessage("DLMessageDownloadFiles");
  plist_t list = plist_new_array();
  for (const auto& p : paths) plist_array_append_item(list, plist_new_string(p.c_str()));
  plist_array_append_item(msg.get(), list);
  plist_array_append_item(msg.get(), plist_new_dict());
  plist_array_append_item(msg.get(), plist_new_real(pct));
  bool sentMsg = co_await stream_.writePlist(msg.get(), true);
  if (!sentMsg) co_return std::nullopt;
  std::map<std::string, std::string> got;
  for (;;) {
    auto len = co_await stream_.readExact(4);
    if (!len) co_return std::nullopt;
    uint32_t n = readBe32(*len);
    if (n == 0) break;
    if (n > 4096) co_return std::nullopt;
    auto path = co_await stream_.readExact(n);
    if (!path) co_return std::nullopt;
    std::string content;
    bool ok = false;
    for (;;) {
      auto blockLen = co_await stream_.readExact(4);
      if (!blockLen) co_return std::nullopt;
      uint32_t bn = readBe32(*blockLen);
      if (bn == 0 || bn > 16 * 1024 * 1024) co_return std::nullopt;
      auto block = co_await stream_.readExact(bn);
      if (!block) co_return std::nullopt;
      char code = (*block)[0];
      if (code == kCodeFileData) {
        content.append(*block, 1);
        if (content.size() > 256 * 1024 * 1024) co_return std::nullopt;
        continue;
      }
      ok = code == kCodeSuccess;
      log("DLMessageDownloadFiles", *path, ok ? "ok" : "missing: " + block->substr(1));
      break;
    }
    if (ok) got[*path] = std::move(content);
  }
  auto status = co_await readStatus("DLMessageDownloadFiles");
  if (!status) co_return std::nullopt;
  co_return got;
}

Task<bool> BackupRun::finish(int code, const std::string& description) {
  Plist msg = dlMessage("DLMessageProcessMessage");
  plist_t d = plist_new_dict();
  plist_dict_set_item(d, "ErrorCode", plist_new_uint(static_cast<uint64_t>(code)));
  if (code != 0) plist_dict_set_item(d, "ErrorDescription", plist_new_string(description.c_str()));
  plist_dict_set_item(d, "MessageName", plist_new_string("Response"));
  plist_array_append_item(msg.get(), d);
  log("DLMessageProcessMessage", "ErrorCode", std::to_string(code));
  bool sent = co_await stream_.writePlist(msg.get(), true);
  co_return sent;
}

bool BackupRun::faultDue(int filesSent) const {
  if (!spec_.hasFault()) return false;
  if (spec_.afterSeconds > 0) return elapsedMs() >= int64_t{spec_.afterSeconds} * 1000;
  return filesSent >= spec_.afterFiles;
}

Task<void> BackupRun::strike() {
  if (spec_.detach) {
    log("detach", "", "detached");
    sim_.detach(udid_);
    co_return;
  }
  co_await finish(spec_.errorCode, describeError(spec_.errorCode));
}

Task<void> BackupRun::run() {
  log("Backup", forceFull_ ? "ForceFullBackup" : "");
  ServiceState& state = serviceState(device_);
  // A passcode-protected device (iOS 16.1+) asks for the passcode on its screen for every
  // computer backup; with nobody there it gives up with 208.
  if (spec_.errorCode == 208 && spec_.passcodeWaitSeconds > 0) {
    log("PasscodeRequested", "", "waiting " + std::to_string(spec_.passcodeWaitSeconds) + "s");
    bool slept = co_await sleepMs(int64_t{spec_.passcodeWaitSeconds} * 1000);
    if (!slept) co_return;
    co_await finish(208, describeError(208));
    co_return;
  }
  // Device management requires encrypted backups and no backup password is set.
  if (truthy(device_.value("com.apple.mobile.backup", "RequiresEncryption")) &&
      !truthy(device_.value("com.apple.mobile.backup", "WillEncrypt"))) {
    co_await finish(207, describeError(207));
    co_return;
  }
  if (faultDue(0)) {
    co_await strike();
    co_return;
  }

  Plist freeMsg = dlMessage("DLMessageGetFreeDiskSpace");
  plist_array_append_item(freeMsg.get(), plist_new_string(kEmpty));
  auto space = co_await exchange(freeMsg, "DLMessageGetFreeDiskSpace", "");
  if (!space) co_return;
  uint64_t freeBytes = 0;
  if (space->value && plist_get_node_type(space->value.get()) == PLIST_UINT)
    plist_get_uint_val(space->value.get(), &freeBytes);

  Plist listMsg = dlMessage("DLContentsOfDirectory");
  plist_array_append_item(listMsg.get(), plist_new_string(folder_.c_str()));
  auto listing = co_await exchange(listMsg, "DLContentsOfDirectory", folder_);
  if (!listing) co_return;

  // The previous backup: Status.plist and Manifest.plist, then its Manifest.db.
  std::vector<std::string> previous{folder_ + "/Status.plist", folder_ + "/Manifest.plist"};
  auto prev = co_await download(previous, 0.0);
  if (!prev) co_return;
  bool finishedBefore = false;
  if (auto it = prev->find(folder_ + "/Status.plist"); it != prev->end()) {
    Plist st = parsePlist(it->second);
    finishedBefore = dictString(st.get(), "SnapshotState").value_or("") == "finished";
  }
  bool haveManifest = false;
  if (auto it = prev->find(folder_ + "/Manifest.plist"); it != prev->end()) {
    Plist mp = parsePlist(it->second);
    if (!mp || plist_get_node_type(mp.get()) != PLIST_DICT) {
      co_await finish(205, describeError(205));
      co_return;
    }
    haveManifest = true;
  }
  std::map<std::string, int64_t> before;
  bool incremental = false;
  if (!forceFull_ && finishedBefore && haveManifest) {
    std::vector<std::string> db{folder_ + "/Manifest.db"};
    auto got = co_await download(db, 0.0);
    if (!got) co_return;
    if (auto it = got->find(db[0]); it != got->end()) {
      if (auto files = readManifestDb(it->second)) {
        before = std::move(*files);
        incremental = true;
      }
    }
  }
  log(incremental ? "IncrementalBackup" : "FullBackup", "");

  int64_t now = unixNow();
  // The photos date from before the simulator started, the same in every backup.
  int64_t since = 1704067200 + static_cast<int64_t>(udidHash(udid_) % 10000000);
  auto files = backupFileSet(udid_, spec_, state.backupGeneration + 1, now, since);
  std::vector<const BackupFile*> toSend;
  uint64_t total = 0;
  for (const auto& f : files) {
    auto it = before.find(f.fileId);
    if (!incremental || it == before.end() || it->second != f.modified) {
      toSend.push_back(&f);
      total += static_cast<uint64_t>(f.size);
    }
  }
  std::vector<std::string> gone;
  for (const auto& [id, modified] : before) {
    bool kept = std::any_of(files.begin(), files.end(),
                            [&](const BackupFile& f) { return f.fileId == id; });
    if (!kept) gone.push_back(folder_ + "/" + id.substr(0, 2) + "/" + id);
  }
  if (freeBytes < total + 1024 * 1024) {
    co_await finish(105, describeError(105));
    co_return;
  }

  std::string uuid = sha1Hex(udid_ + std::to_string(now) + std::to_string(elapsedMs()));
  for (auto& c : uuid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uuid = uuid.substr(0, 32);
  std::string statusNew = statusPlist(uuid, !incremental, "new", now);
  bool sentStatus =
      co_await upload(folder_ + "/Status.plist", "Status.plist", statusNew, 0.0, total);
  if (!sentStatus) co_return;

  std::set<std::string> dirs;
  for (const BackupFile* f : toSend) dirs.insert(folder_ + "/" + f->fileId.substr(0, 2));
  dirs.insert(folder_ + "/Snapshot");
  for (const auto& dir : dirs) {
    Plist mk = dlMessage("DLMessageCreateDirectory");
    plist_array_append_item(mk.get(), plist_new_string(dir.c_str()));
    auto made = co_await exchange(mk, "DLMessageCreateDirectory", dir);
    if (!made) co_return;
  }

  int sent = 0;
  if (!toSend.empty()) {
    Batch batch = co_await uploadBatch(toSend, total, sent);
    if (batch == Batch::kClosed) co_return;
    if (batch == Batch::kFault) {
      co_await strike();
      co_return;
    }
  }
  if (spec_.hasFault()) {
    // The fault strikes at its time even when the files were quicker.
    if (spec_.afterSeconds > 0) {
      bool slept = co_await sleepMs(int64_t{spec_.afterSeconds} * 1000 - elapsedMs());
      if (!slept) co_return;
    }
    co_await strike();
    co_return;
  }

  if (!gone.empty()) {
    Plist rm = dlMessage("DLMessageRemoveItems");
    plist_t list = plist_new_array();
    for (const auto& g : gone) plist_array_append_item(list, plist_new_string(g.c_str()));
    plist_array_append_item(rm.get(), list);
    plist_array_append_item(rm.get(), plist_new_dict());
    plist_array_append_item(rm.get(), plist_new_real(92.0));
    auto removed = co_await exchange(rm, "DLMessageRemoveItems", std::to_string(gone.size()));
    if (!removed) co_return;
  }

  std::string db = writeManifestDb(files);
  std::string manifest = manifestPlist(device_, now);
  std::string snap = folder_ + "/Snapshot/";
  bool sentDb = co_await upload(snap + "Manifest.db", "Manifest.db", db, 95.0, total);
  if (!sentDb) co_return;
  bool sentManifest =
      co_await upload(snap + "Manifest.plist", "Manifest.plist", manifest, 97.0, total);
  if (!sentManifest) co_return;
  Plist mv = dlMessage("DLMessageMoveItems");
  plist_t moves = plist_new_dict();
  plist_dict_set_item(moves, (snap + "Manifest.db").c_str(),
                      plist_new_string((folder_ + "/Manifest.db").c_str()));
  plist_dict_set_item(moves, (snap + "Manifest.plist").c_str(),
                      plist_new_string((folder_ + "/Manifest.plist").c_str()));
  plist_array_append_item(mv.get(), moves);
  plist_array_append_item(mv.get(), plist_new_dict());
  plist_array_append_item(mv.get(), plist_new_real(98.0));
  auto moved = co_await exchange(mv, "DLMessageMoveItems", "2");
  if (!moved) co_return;
  Plist rmSnap = dlMessage("DLMessageRemoveItems");
  plist_t snapList = plist_new_array();
  plist_array_append_item(snapList, plist_new_string((folder_ + "/Snapshot").c_str()));
  plist_array_append_item(rmSnap.get(), snapList);
  plist_array_append_item(rmSnap.get(), plist_new_dict());
  plist_array_append_item(rmSnap.get(), plist_new_real(99.0));
  auto cleaned = co_await exchange(rmSnap, "DLMessageRemoveItems", folder_ + "/Snapshot");
  if (!cleaned) co_return;

  std::string statusDone = statusPlist(uuid, !incremental, "finished", unixNow());
  bool sentDone =
      co_await upload(folder_ + "/Status.plist", "Status.plist", statusDone, 100.0, total);
  if (!sentDone) co_return;

  state.backupGeneration++;
  int64_t apple = unixNow() - kAppleEpochOffset;
  device_.setValue("com.apple.mobile.backup", "LastiTunesBackupDate",
                   Plist(plist_new_uint(static_cast<uint64_t>(apple))));
  plist_t tz = device_.value("com.apple.mobile.backup", "LastCloudBackupTZ");
  std::string zone = tz && plist_get_node_type(tz) == PLIST_STRING ? describeValue(tz) : "GMT";
  device_.setValue("com.apple.mobile.backup", "LastiTunesBackupTZ",
                   Plist(plist_new_string(zone.c_str())));
  log("SetValue", "LastiTunesBackupDate");
  int told = state.post("com.apple.mobile.backup.domain_changed");
  log("RelayNotification", "com.apple.mobile.backup.domain_changed",
      std::to_string(told) + " observer" + (told == 1 ? "" : "s"));
  co_await finish(0, "");
}

}  // namespace

Task<void> runBackup(Simulator& sim, SimDevice& device, FrameStream& stream, plist_t request) {
  ServiceState& state = serviceState(device);
  if (state.backupRunning) {
    Plist msg = dlMessage("DLMessageProcessMessage");
    plist_t d = plist_new_dict();
    plist_dict_set_item(d, "ErrorCode", plist_new_uint(1));
    plist_dict_set_item(d, "ErrorDescription",
                        plist_new_string("A backup is already in progress (MBErrorDomain/1)"));
    plist_dict_set_item(d, "MessageName", plist_new_string("Response"));
    plist_array_append_item(msg.get(), d);
    sim.events().record(
        {"service", "Backup", device.spec.udid, "", "", kBackupSessionService, "busy"});
    co_await stream.writePlist(msg.get(), true);
    co_return;
  }
  state.backupRunning = true;
  // Shares the device's service state: a simulator stopped during a backup destroys its devices
  // before this suspended coroutine, whose frame goes with the io_context.
  struct Running {
    std::shared_ptr<ServiceState> s;
    ~Running() { s->backupRunning = false; }
  } running{device.services};
  BackupRun run(sim, device, stream, request);
  co_await run.run();
}

}  // namespace sim
