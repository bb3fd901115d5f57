// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A bounded pool of threads for blocking lockdown calls. libimobiledevice 1.3.0 cannot cancel a
/// blocked call, so a job that overruns its timeout is abandoned: its thread is written off (it
/// exits whenever the call returns) and a replacement keeps the pool at its size, up to a cap of
/// abandoned threads still alive. Every thread is detached and holds only shared state, so a
/// thread stuck forever never blocks shutdown or destruction.

#include <cstdint>
#include <functional>
#include <memory>

namespace ibackupmon {

class ProbePool {
 public:
  using Job = std::function<void()>;

  /// threads: pool size (>= 1); maxAbandoned: abandoned threads tolerated alive at once.
  ProbePool(int threads, int maxAbandoned);
  /// Idle threads exit; busy ones finish (or stay stuck) on their own.
  ~ProbePool();
  ProbePool(const ProbePool&) = delete;
  ProbePool& operator=(const ProbePool&) = delete;

  /// Queues a job; returns its id. Jobs must not touch anything they do not own or share.
  std::uint64_t submit(Job job);

  enum class Abandon { Replaced, CapReached, NotRunning };
  /// Gives up on a running job's thread. Replaced: a new thread took its place; CapReached: too
  /// many abandoned threads are alive, the pool runs one short until one returns.
  Abandon abandon(std::uint64_t jobId);

  /// Changes the pool size (config reload); extra threads exit when idle.
  void resize(int threads);

  /// Threads available for work (alive, not abandoned).
  int capacity() const;
  /// Abandoned threads still stuck in a call.
  int abandonedAlive() const;
  /// Abandoned threads since construction.
  std::uint64_t abandonedTotal() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace ibackupmon
