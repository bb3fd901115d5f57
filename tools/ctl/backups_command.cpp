// SPDX-License-Identifier: Apache-2.0
// backups: the local safety-net backups ibackupmond made (docs/local-backup.md), from the
// database, so it works with the daemon stopped.
#include <nlohmann/json.hpp>

#include <ostream>

#include "commands.h"
#include "core/byte_size.h"
#include "core/time_format.h"
#include "report/status_json.h"
#include "report/text_cells.h"
#include "store/action_repository.h"

namespace ibackupmon::ctl {
nlohmann::json localBackupJson(const LocalBackupRecord& b) {
  return {{"udid", b.udid},
          {"folder", b.directory + "/" + b.udid},
          {"finished_at", timeOrNull(b.finishedAt)},
          {"full_at", timeOrNull(b.fullAt)},
          {"bytes", b.bytes ? nlohmann::json(*b.bytes) : nlohmann::json(nullptr)},
          {"encrypted", b.encrypted},
          {"last_started_at", timeOrNull(b.lastStartedAt)},
          {"last_ended_at", timeOrNull(b.lastEndedAt)},
          {"last_result",
           b.lastResult.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.lastResult)},
          {"last_reason", b.lastReason},
          {"failures_in_row", b.failuresInRow}};
}

void printLocalBackup(std::ostream& o, const LocalBackupRecord& b) {
  o << terminalCell(b.udid, 60) << "  " << terminalCell(b.directory + "/" + b.udid, 200) << "\n";
  o << "  last finished: "
    << (b.finishedAt
            ? formatRfc3339(*b.finishedAt) + (b.bytes ? ", " + formatGigabytes(*b.bytes) : "") +
                  (b.encrypted ? ", encrypted" : "")
            : std::string("never"))
    << "\n";
  if (b.lastStartedAt) {
    o << "  last run: started " << formatRfc3339(*b.lastStartedAt);
    if (b.lastResult.empty()) {
      o << ", running or never ended";
    } else {
      o << ", " << b.lastResult;
      if (!b.lastReason.empty()) {
        o << " (" << terminalCell(remediationReasonText(b.lastReason), 120) << ")";
      }
    }
    o << "\n";
  }
  if (b.failuresInRow > 0) o << "  failed runs in a row: " << b.failuresInRow << "\n";
}

Expected<std::optional<LocalBackupRecord>> deviceLocalBackup(const CliArgs& args,
                                                             const std::string& udid) {
  auto path = resolveDatabasePath(args);
  if (!path) return tl::unexpected(path.error());
  auto repo = ActionRepository::openReadOnly(*path);
  if (!repo) return tl::unexpected(repo.error());
  return repo->localBackup(udid);
}

int runBackups(const Context& ctx) {
  const std::size_t count = ctx.args.positional.size();
  if (auto ok = expectArgs(ctx.args, count > 1 ? 1 : count, true, false); !ok) {
    return fail(ctx, ok.error());
  }
  auto path = resolveDatabasePath(ctx.args);
  if (!path) return fail(ctx, path.error());
  auto repo = ActionRepository::openReadOnly(*path);
  if (!repo) return fail(ctx, repo.error());
  auto rows = repo->localBackups();
  if (!rows) return fail(ctx, rows.error());
  std::vector<LocalBackupRecord> shown;
  if (count == 1) {
    const std::string& query = ctx.args.positional[0];
    for (const auto& b : *rows) {
      if (b.udid == query) shown = {b};
    }
    if (shown.empty()) {
      // A unique prefix or suffix, as `device` accepts.
      for (const auto& b : *rows) {
        if (b.udid.starts_with(query) || b.udid.ends_with(query)) shown.push_back(b);
      }
      if (shown.size() != 1) {
        return fail(ctx, {"not_found", query + ": no local backup of such a device" +
                                           std::string(shown.size() > 1 ? " (ambiguous)" : "")});
      }
    }
  } else {
    shown = std::move(*rows);
  }
  if (ctx.args.json) {
    auto out = nlohmann::json::array();
    for (const auto& b : shown) out.push_back(localBackupJson(b));
    ctx.out << dumpJson(count == 1 ? out[0] : out) << "\n";
    return 0;
  }
  if (shown.empty()) ctx.out << "No local backups.\n";
  for (const auto& b : shown) printLocalBackup(ctx.out, b);
  return 0;
}

}  // namespace ibackupmon::ctl
