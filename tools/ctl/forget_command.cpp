// SPDX-License-Identifier: Apache-2.0
// forget: the only command that writes (opens the database read-write).
#include <ostream>

#include "commands.h"
#include "core/sanitize.h"

namespace ibackupmon::ctl {

int runForget(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 1, false, false); !ok) return fail(ctx, ok.error());
  const std::string& udid = ctx.args.positional[0];
  // The daemon is the writer; the busy timeout lets this one short write wait for its turn.
  auto store = openStore(ctx.args, OpenMode::ReadWrite);
  if (!store) return fail(ctx, store.error());
  auto history = (*store)->loadHistory(udid);
  if (!history) return fail(ctx, history.error());
  if (!*history) return fail(ctx, {"not_found", "no device with UDID '" + udid + "'"});
  auto changed = (*store)->forget(udid, ctx.now);
  if (!changed) return fail(ctx, changed.error());
  ctx.out << (*changed ? "Forgot " : "Already forgotten: ") << sanitizeDeviceString(udid)
          << (*changed ? " (its history is kept until [storage] retention; it returns if it is "
                         "attached again)\n"
                       : "\n");
  return 0;
}

}  // namespace ibackupmon::ctl
