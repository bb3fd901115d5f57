// SPDX-License-Identifier: Apache-2.0
// Running on a nearly full file system: the WAL is kept empty until there is room again.
#include <filesystem>

#include "store/sqlite_store.h"

namespace ibackupmon {
namespace {

// Free space above which the WAL may grow to its normal ~4 MB (1000 pages, the auto-checkpoint
// size) again, with room to spare for the database file's own growth.
constexpr std::uintmax_t kRoomBytes = 16u << 20;

bool roomy(const std::string& path) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  auto info = std::filesystem::space(dir.empty() ? "." : dir, ec);
  return !ec && info.available >= kRoomBytes;
}

}  // namespace

bool SqliteStore::reclaimWal() {
  auto done = db_.checkpointTruncate();
  if (!done || !*done) return false;
  if (roomy(db_.path())) lowSpace_ = false;
  return true;
}

}  // namespace ibackupmon
