// SPDX-License-Identifier: Apache-2.0
#include "backup_files.h"

#include <cstdio>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "../device_values.h"
#include "../sim_device.h"

namespace sim {

std::string sha1Hex(const std::string& text) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  std::string out;
  char buf[3];
  for (unsigned char c : d) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

std::vector<BackupFile> backupFileSet(const std::string& udid, const BackupSpec& spec,
                                      uint64_t generation, int64_t now, int64_t since) {
  std::vector<BackupFile> files;
  uint64_t h = udidHash(udid);
  for (int i = 0; i < spec.files; ++i) {
    BackupFile f;
    if (i == 0) {
      f = {"HomeDomain", "Library/SMS/sms.db",
           "",           spec.fileBytes,
           now,          h ^ (generation * 0x9E3779B97F4A7C15ULL)};
    } else if (i == 1) {
      f = {"HomeDomain", "Library/Logs/sync-" + std::to_string(generation) + ".log",
           "",           spec.fileBytes,
           now,          h ^ (generation + 77)};
    } else {
      char name[64];
      std::snprintf(name, sizeof name, "Media/DCIM/100APPLE/IMG_%04d.HEIC", i - 1);
      f = {"CameraRollDomain", name, "", spec.fileBytes, since, h + static_cast<uint64_t>(i)};
    }
    f.fileId = sha1Hex(f.domain + "-" + f.relativePath);
    files.push_back(std::move(f));
  }
  return files;
}

std::string backupFileContent(const BackupFile& f) {
  std::string out(static_cast<size_t>(f.size), '\0');
  uint64_t x = f.seed | 1;
  for (size_t i = 0; i < out.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    for (size_t k = 0; k < 8 && i + k < out.size(); ++k)
      out[i + k] = static_cast<char>(x >> (8 * k));
  }
  return out;
}

namespace {

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close(db); }
};

std::string fileBlob(const BackupFile& f) {
  Plist d = newDict();
  dictSet(d.get(), "Size", plist_new_uint(static_cast<uint64_t>(f.size)));
  dictSet(d.get(), "LastModified", plist_new_uint(static_cast<uint64_t>(f.modified)));
  dictSet(d.get(), "Mode", plist_new_uint(0100644));
  return toBinary(d.get());
}

}  // namespace

std::optional<std::map<std::string, int64_t>> readManifestDb(const std::string& bytes) {
  if (bytes.empty()) return std::nullopt;
  Db d;
  if (sqlite3_open(":memory:", &d.db) != SQLITE_OK) return std::nullopt;
  auto* buf = static_cast<unsigned char*>(sqlite3_malloc64(bytes.size()));
  if (!buf) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), buf);
  if (sqlite3_deserialize(d.db, "main", buf, bytes.size(), bytes.size(),
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
      SQLITE_OK)
    return std::nullopt;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(d.db, "SELECT fileID, file FROM Files WHERE flags = 1", -1, &st,
                         nullptr) != SQLITE_OK)
    return std::nullopt;
  std::map<std::string, int64_t> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char* id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    const void* raw = sqlite3_column_blob(st, 1);
    std::string blob = raw ? std::string(static_cast<const char*>(raw),
                                         static_cast<size_t>(sqlite3_column_bytes(st, 1)))
                           : std::string();
    Plist p = parsePlist(blob);
    out[id ? id : ""] = static_cast<int64_t>(dictUint(p.get(), "LastModified").value_or(0));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return std::nullopt;
  return out;
}

std::string writeManifestDb(const std::vector<BackupFile>& files) {
  Db d;
  if (sqlite3_open(":memory:", &d.db) != SQLITE_OK) return "";
  const char* schema =
      "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags "
      "INTEGER, file BLOB);"
      "CREATE INDEX FilesDomainIdx ON Files(domain);"
      "CREATE INDEX FilesRelativePathIdx ON Files(relativePath);"
      "CREATE INDEX FilesFlagsIdx ON Files(flags);"
      "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);"
      "BEGIN;";
  if (sqlite3_exec(d.db, schema, nullptr, nullptr, nullptr) != SQLITE_OK) return "";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(d.db, "INSERT INTO Files VALUES (?, ?, ?, 1, ?)", -1, &st, nullptr) !=
      SQLITE_OK)
    return "";
  bool ok = true;
  for (const auto& f : files) {
    std::string blob = fileBlob(f);
    sqlite3_bind_text(st, 1, f.fileId.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, f.domain.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, f.relativePath.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 4, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    ok = ok && sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (!ok || sqlite3_exec(d.db, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK) return "";
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(d.db, "main", &size, 0);
  if (!bytes) return "";
  std::string out(reinterpret_cast<char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  return out;
}

std::string statusPlist(const std::string& uuid, bool full, const std::string& snapshotState,
                        int64_t now) {
  Plist d = newDict();
  dictSetString(d.get(), "BackupState", "new");
  dictSet(d.get(), "Date", plist_new_date(static_cast<int32_t>(now - kAppleEpochOffset), 0));
  dictSet(d.get(), "IsFullBackup", plist_new_bool(full ? 1 : 0));
  dictSetString(d.get(), "SnapshotState", snapshotState);
  dictSetString(d.get(), "UUID", uuid);
  dictSetString(d.get(), "Version", "3.3");
  return toBinary(d.get());
}

std::string manifestPlist(const SimDevice& device, int64_t now) {
  Plist lockdown = newDict();
  for (const char* key : {"BuildVersion", "DeviceName", "ProductType", "ProductVersion",
                          "SerialNumber", "UniqueDeviceID"}) {
    if (plist_t v = device.value("", key)) dictSet(lockdown.get(), key, copyPlist(v).release());
  }
  Plist d = newDict();
  dictSet(d.get(), "Applications", plist_new_dict());
  std::string bag = "keybag:" + device.spec.udid;
  dictSet(d.get(), "BackupKeyBag", plist_new_data(bag.data(), bag.size()));
  dictSet(d.get(), "Date", plist_new_date(static_cast<int32_t>(now - kAppleEpochOffset), 0));
  dictSet(d.get(), "IsEncrypted", plist_new_bool(0));
  dictSet(d.get(), "Lockdown", lockdown.release());
  dictSetString(d.get(), "SystemDomainsVersion", "24.0");
  dictSetString(d.get(), "Version", "10.0");
  plist_t pw = device.value("", "PasswordProtected");
  uint8_t set = 0;
  if (pw && plist_get_node_type(pw) == PLIST_BOOLEAN) plist_get_bool_val(pw, &set);
  dictSet(d.get(), "WasPasscodeSet", plist_new_bool(set));
  return toBinary(d.get());
}

}  // namespace sim
