// SPDX-License-Identifier: Apache-2.0
// Counts libimobiledevice 1.3.0's 100 ms sleeps: its TLS handshake sleeps 100 ms whenever the
// device's answer is not there yet, and those sleeps are most of a probe cycle's time. Loaded
// with LD_PRELOAD into `bench_probe_cycle --only cycle` (or `--only floor`); at exit it prints
// how many sleeps each library function made. A measuring aid only: nothing else links it.
#include <dlfcn.h>
#include <execinfo.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <string>

namespace {

constexpr long kHandshakeSleepNs = 100'000'000;  // libimobiledevice's nanosleep in the handshake

struct Counts {
  std::mutex mutex;
  std::map<std::string, long> bySleeper;
  ~Counts() {
    std::lock_guard lock(mutex);
    for (const auto& [sleeper, n] : bySleeper) {
      std::fprintf(stderr, "handshake sleeps (pid %d): %s %ld\n", static_cast<int>(getpid()),
                   sleeper.c_str(), n);
    }
  }
};
Counts counts;

// The libimobiledevice functions on the stack, outermost first
// ("lockdownd_client_new_with_handshake > lockdownd_start_session > ..."), or "other".
std::string sleeper() {
  void* frames[24];
  const int n = backtrace(frames, 24);
  std::string chain;
  for (int i = n - 1; i >= 1; --i) {
    Dl_info info{};
    if (dladdr(frames[i], &info) == 0 || info.dli_sname == nullptr || info.dli_fname == nullptr ||
        std::strstr(info.dli_fname, "libimobiledevice") == nullptr) {
      continue;
    }
    if (!chain.empty()) chain += " > ";
    chain += info.dli_sname;
  }
  return chain.empty() ? "other" : chain;
}

}  // namespace

extern "C" int nanosleep(const timespec* req, timespec* rem) {
  using Real = int (*)(const timespec*, timespec*);
  static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "nanosleep"));
  if (req != nullptr && req->tv_sec == 0 && req->tv_nsec == kHandshakeSleepNs) {
    const std::string who = sleeper();
    std::lock_guard lock(counts.mutex);
    ++counts.bySleeper[who];
  }
  return real(req, rem);
}
