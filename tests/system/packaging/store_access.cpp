// SPDX-License-Identifier: Apache-2.0
// store_access: opens the real Store as the daemon (write) or ibackupmonctl (read) does, for
// group_reader_test.sh, which runs the two roles under different uids.
//   store_access write DB   open read-write, record one device, print "ready", hold the
//                           database open until stdin reaches EOF
//   store_access read DB    open read-only and read the status and one timeline
#include <chrono>
#include <iostream>
#include <string>

#include "store/store.h"

namespace {

constexpr const char* kUdid = "00008110-0000000000000PKG";

int fail(const ibackupmon::Error& e) {
  std::cerr << "store_access: " << e.code << ": " << e.message << "\n";
  return 1;
}

int write(const std::string& path) {
  auto store = ibackupmon::Store::open(path, ibackupmon::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  if (auto ok = (*store)->deviceAttached(kUdid, std::chrono::system_clock::now()); !ok) {
    return fail(ok.error());
  }
  std::cout << "ready" << std::endl;
  std::string ignored;
  while (std::getline(std::cin, ignored)) {
  }
  return 0;
}

int read(const std::string& path) {
  auto store = ibackupmon::Store::open(path, ibackupmon::OpenMode::ReadOnly);
  if (!store) return fail(store.error());
  auto status = (*store)->loadStatus();
  if (!status) return fail(status.error());
  auto timeline = (*store)->timeline(kUdid);
  if (!timeline) return fail(timeline.error());
  std::cout << "read: " << status->size() << " status rows, " << timeline->sessions.size()
            << " attach sessions of " << kUdid << "\n";
  return timeline->sessions.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: store_access write|read DB\n";
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "write") return write(argv[2]);
  if (mode == "read") return read(argv[2]);
  std::cerr << "store_access: unknown mode '" << mode << "'\n";
  return 2;
}
