// SPDX-License-Identifier: Apache-2.0
// com.apple.afc: the Apple File Conduit over an in-memory file system shared by the device's AFC
// connections. Each packet is a 40-byte little-endian header ("CFA6LPAA", entire length, header
// length, packet number, operation), header data, then payload. Answers: STATUS (an 8-byte
// error code), DATA, or FILE_OPEN_RES (an 8-byte handle), numbered as the request.
// What idevicebackup2 needs: GetFileInfo, FileRefOpen/Read/Write/Close and FileRefLock on
// /com.apple.itunes.lock_sync; also ReadDir, MakeDir, RemovePath, GetDeviceInfo.
#include <algorithm>
#include <chrono>

#include "service.h"
#include "service_state.h"

namespace sim {
namespace {

const std::string kAfcService = "com.apple.afc";
constexpr size_t kHeader = 40;
constexpr uint64_t kMaxPacket = 8 * 1024 * 1024;
// Bounds of the in-memory file system: a client cannot grow the simulator without limit.
constexpr size_t kMaxNodes = 10000;
constexpr uint64_t kMaxFileBytes = 64 * 1024 * 1024;

enum Op : uint64_t {
  kStatus = 0x01,
  kData = 0x02,
  kReadDir = 0x03,
  kRemovePath = 0x08,
  kMakeDir = 0x09,
  kGetFileInfo = 0x0A,
  kGetDevInfo = 0x0B,
  kFileOpen = 0x0D,
  kFileOpenRes = 0x0E,
  kFileRead = 0x0F,
  kFileWrite = 0x10,
  kFileClose = 0x14,
  kFileLock = 0x1B,
};

enum AfcError : uint64_t {
  kOk = 0,
  kInvalidArg = 7,
  kNotFound = 8,
  kIsDir = 9,
  kNotSupported = 15,
  kExists = 16,
  kNoSpace = 18,
  kWouldBlock = 19,
  kDirNotEmpty = 33,
};

uint64_t le64(std::string_view b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

void putLe64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string packet(uint64_t num, uint64_t op, const std::string& data) {
  std::string out = "CFA6LPAA";
  putLe64(out, kHeader + data.size());
  putLe64(out, kHeader + data.size());
  putLe64(out, num);
  putLe64(out, op);
  return out + data;
}

std::string status(uint64_t code) {
  std::string d;
  putLe64(d, code);
  return d;
}

/// A NUL-terminated string at `at`, or the rest of `b`.
std::string cstr(std::string_view b, size_t at) {
  if (at >= b.size()) return "";
  auto end = b.find('\0', at);
  return std::string(b.substr(at, end == std::string_view::npos ? b.size() - at : end - at));
}

/// "/a/b/../c/" -> "/a/c"; relative paths are taken from the root.
std::string normalise(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string parentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string nulList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += s + '\0';
  return out;
}

struct OpenFile {
  std::string path;
  uint64_t pos = 0;
  bool write = false;
};

class AfcConnection {
 public:
  AfcConnection(SimDevice& device, ServiceState& state)
      : device_(device), state_(state), id_(state.nextAfcConnection++) {}
  ~AfcConnection() {
    std::erase_if(state_.afcLocks, [this](const auto& kv) { return kv.second == id_; });
  }

  /// Handles one request; `op` and `data` are the answer. `result` names it for the event log.
  void handle(uint64_t reqOp, std::string_view hdr, std::string_view payload, uint64_t& op,
              std::string& data, std::string& result, std::string& path);

 private:
  void answer(uint64_t code, uint64_t& op, std::string& data, std::string& result) {
    op = kStatus;
    data = status(code);
    result = code == kOk ? "ok" : "AFC error " + std::to_string(code);
  }

  SimDevice& device_;
  ServiceState& state_;
  uint64_t id_;
  std::map<uint64_t, OpenFile> open_;
  uint64_t nextHandle_ = 1;
};

void AfcConnection::handle(uint64_t reqOp, std::string_view hdr, std::string_view payload,
                           uint64_t& op, std::string& data, std::string& result,
                           std::string& path) {
  auto& fs = state_.afcFiles;
  switch (reqOp) {
    case kGetFileInfo: {
      path = normalise(cstr(hdr, 0));
      auto it = fs.find(path);
      if (it == fs.end()) return answer(kNotFound, op, data, result);
      using namespace std::chrono;
      std::string ns = std::to_string(
          duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count());
      const AfcNode& n = it->second;
      op = kData;
      data = nulList({"st_size", std::to_string(n.directory ? 64 : n.data.size()), "st_blocks",
                      std::to_string((n.data.size() + 511) / 512), "st_nlink",
                      n.directory ? "2" : "1", "st_ifmt", n.directory ? "S_IFDIR" : "S_IFREG",
                      "st_mtime", ns, "st_birthtime", ns});
      result = "ok";
      return;
    }
    case kGetDevInfo: {
      op = kData;
      data = nulList({"Model", describeValue(device_.value("", "ProductType")), "FSTotalBytes",
                      "127933894656", "FSFreeBytes", "64000000000", "FSBlockSize", "4096"});
      result = "ok";
      return;
    }
    case kReadDir: {
      path = normalise(cstr(hdr, 0));
      auto it = fs.find(path);
      if (it == fs.end()) return answer(kNotFound, op, data, result);
      if (!it->second.directory) return answer(kInvalidArg, op, data, result);
      std::vector<std::string> names{".", ".."};
      std::string prefix = path == "/" ? "/" : path + "/";
      for (const auto& [p, n] : fs) {
        if (p != path && p.starts_with(prefix) && p.find('/', prefix.size()) == std::string::npos)
          names.push_back(p.substr(prefix.size()));
      }
      op = kData;
      data = nulList(names);
      result = "ok";
      return;
    }
    case kMakeDir: {
      path = normalise(cstr(hdr, 0));
      auto parent = fs.find(parentOf(path));
      if (parent == fs.end() || !parent->second.directory)
        return answer(kNotFound, op, data, result);
      auto it = fs.find(path);
      if (it != fs.end() && !it->second.directory) return answer(kExists, op, data, result);
      if (it == fs.end() && fs.size() >= kMaxNodes) return answer(kNoSpace, op, data, result);
      fs[path].directory = true;
      return answer(kOk, op, data, result);
    }
    case kRemovePath: {
      path = normalise(cstr(hdr, 0));
      auto it = fs.find(path);
      if (it == fs.end() || path == "/") return answer(kNotFound, op, data, result);
      std::string prefix = path + "/";
      bool children = std::any_of(fs.begin(), fs.end(),
                                  [&](const auto& kv) { return kv.first.starts_with(prefix); });
      if (children) return answer(kDirNotEmpty, op, data, result);
      fs.erase(it);
      return answer(kOk, op, data, result);
    }
    case kFileOpen: {
      if (hdr.size() < 9) return answer(kInvalidArg, op, data, result);
      uint64_t mode = le64(hdr, 0);
      path = normalise(cstr(hdr, 8));
      auto it = fs.find(path);
      if (it != fs.end() && it->second.directory) return answer(kIsDir, op, data, result);
      if (it == fs.end()) {
        auto parent = fs.find(parentOf(path));
        if (mode == 1 || parent == fs.end() || !parent->second.directory)
          return answer(kNotFound, op, data, result);
        if (fs.size() >= kMaxNodes) return answer(kNoSpace, op, data, result);
        it = fs.emplace(path, AfcNode{}).first;
      }
      if (mode == 3 || mode == 4) it->second.data.clear();  // O_TRUNC
      uint64_t handle = nextHandle_++;
      open_[handle] =
          OpenFile{path, mode == 5 || mode == 6 ? it->second.data.size() : 0, mode != 1};
      op = kFileOpenRes;
      data = status(handle);
      result = "ok";
      return;
    }
    case kFileRead:
    case kFileWrite:
    case kFileClose:
    case kFileLock: {
      if (hdr.size() < 8) return answer(kInvalidArg, op, data, result);
      auto h = open_.find(le64(hdr, 0));
      if (h == open_.end()) return answer(kInvalidArg, op, data, result);
      path = h->second.path;
      auto node = fs.find(path);
      if (reqOp == kFileClose) {
        if (auto l = state_.afcLocks.find(path); l != state_.afcLocks.end() && l->second == id_)
          state_.afcLocks.erase(l);
        open_.erase(h);
        return answer(kOk, op, data, result);
      }
      if (reqOp == kFileLock) {
        if (hdr.size() < 16) return answer(kInvalidArg, op, data, result);
        uint64_t lockOp = le64(hdr, 8);
        auto l = state_.afcLocks.find(path);
        bool heldByOther = (l != state_.afcLocks.end() && l->second != id_) ||
                           (device_.spec.backup.lockBusy && path == "/com.apple.itunes.lock_sync");
        if (lockOp & 8) {  // unlock
          if (l != state_.afcLocks.end() && l->second == id_) state_.afcLocks.erase(l);
          return answer(kOk, op, data, result);
        }
        if (heldByOther) return answer(kWouldBlock, op, data, result);
        state_.afcLocks[path] = id_;
        return answer(kOk, op, data, result);
      }
      if (node == fs.end()) return answer(kNotFound, op, data, result);
      std::string& content = node->second.data;
      if (reqOp == kFileRead) {
        if (hdr.size() < 16) return answer(kInvalidArg, op, data, result);
        uint64_t want = std::min<uint64_t>(le64(hdr, 8), 4 * 1024 * 1024);
        uint64_t pos = std::min<uint64_t>(h->second.pos, content.size());
        op = kData;
        data = content.substr(pos, want);
        h->second.pos = pos + data.size();
        result = "ok";
        return;
      }
      // kFileWrite: the bytes follow the handle as payload
      if (!h->second.write) return answer(kInvalidArg, op, data, result);
      uint64_t pos = h->second.pos;
      if (pos + payload.size() > kMaxFileBytes) return answer(kNoSpace, op, data, result);
      if (content.size() < pos + payload.size()) content.resize(pos + payload.size());
      content.replace(pos, payload.size(), payload);
      h->second.pos = pos + payload.size();
      return answer(kOk, op, data, result);
    }
    default: return answer(kNotSupported, op, data, result);
  }
}

const char* opName(uint64_t op) {
  switch (op) {
    case kReadDir: return "ReadDir";
    case kRemovePath: return "RemovePath";
    case kMakeDir: return "MakeDir";
    case kGetFileInfo: return "GetFileInfo";
    case kGetDevInfo: return "GetDeviceInfo";
    case kFileOpen: return "FileRefOpen";
    case kFileRead: return "FileRefRead";
    case kFileWrite: return "FileRefWrite";
    case kFileClose: return "FileRefClose";
    case kFileLock: return "FileRefLock";
    default: return "(unsupported)";
  }
}

}  // namespace

Task<void> serveAfc(Simulator& sim, SimDevice& device, FrameStream& stream) {
  AfcConnection afc(device, serviceState(device));
  for (;;) {
    auto head = co_await stream.readExact(kHeader);
    if (!head) break;
    uint64_t entire = le64(*head, 8), thisLen = le64(*head, 16), num = le64(*head, 24),
             reqOp = le64(*head, 32);
    if (head->compare(0, 8, "CFA6LPAA") != 0 || thisLen < kHeader || entire < thisLen ||
        entire > kMaxPacket) {
      sim.events().record(
          {"service", "(malformed)", device.spec.udid, "", "", kAfcService, "closed"});
      break;
    }
    auto rest = co_await stream.readExact(entire - kHeader);
    if (!rest) break;
    std::string_view body(*rest);
    std::string_view hdr = body.substr(0, thisLen - kHeader),
                     payload = body.substr(thisLen - kHeader);
    uint64_t op = kStatus;
    std::string data, result, path;
    afc.handle(reqOp, hdr, payload, op, data, result, path);
    sim.events().record(
        {"service", opName(reqOp), device.spec.udid, "", path, kAfcService, result});
    std::string reply = packet(num, op, data);
    bool sent = co_await stream.writeRaw(reply);
    if (!sent) break;
  }
}

}  // namespace sim
