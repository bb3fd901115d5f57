// SPDX-License-Identifier: Apache-2.0
#include "app/probe_pool.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace ibackupmon {

struct ProbePool::Shared {
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::pair<std::uint64_t, Job>> queue;
  std::map<std::uint64_t, std::uint64_t> running;  // job id -> worker id
  std::set<std::uint64_t> abandoned;               // worker ids written off, still alive
  std::uint64_t nextJob = 1;
  std::uint64_t nextWorker = 1;
  int target = 1;
  int live = 0;  // alive and not abandoned
  int maxAbandoned = 16;
  std::uint64_t abandonedTotal = 0;
  bool stopping = false;

  // Starts threads until `live` reaches `target`; called with the mutex held.
  void fill(const std::shared_ptr<Shared>& self) {
    while (!stopping && live < target) {
      ++live;
      const std::uint64_t id = nextWorker++;
      std::thread([self, id] { self->work(self, id); }).detach();
    }
  }

  void work(const std::shared_ptr<Shared>& self, std::uint64_t worker) {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stopping || !queue.empty() || live > target; });
      if (stopping || (queue.empty() && live > target)) break;
      auto [jobId, job] = std::move(queue.front());
      queue.pop_front();
      running[jobId] = worker;
      lock.unlock();
      job();
      job = nullptr;  // release captures before taking the lock again
      lock.lock();
      running.erase(jobId);
      if (abandoned.erase(worker) > 0) {
        fill(self);  // the cap may have left the pool short; it has room again now
        return;      // written off: `live` no longer counts this thread
      }
    }
    --live;
  }
};

ProbePool::ProbePool(int threads, int maxAbandoned) : shared_(std::make_shared<Shared>()) {
  std::lock_guard lock(shared_->mutex);
  shared_->target = std::max(1, threads);
  shared_->maxAbandoned = std::max(0, maxAbandoned);
  shared_->fill(shared_);
}

ProbePool::~ProbePool() {
  std::lock_guard lock(shared_->mutex);
  shared_->stopping = true;
  shared_->queue.clear();
  shared_->wake.notify_all();
}

std::uint64_t ProbePool::submit(Job job) {
  std::lock_guard lock(shared_->mutex);
  const std::uint64_t id = shared_->nextJob++;
  shared_->queue.emplace_back(id, std::move(job));
  shared_->wake.notify_one();
  return id;
}

ProbePool::Abandon ProbePool::abandon(std::uint64_t jobId) {
  std::lock_guard lock(shared_->mutex);
  auto it = shared_->running.find(jobId);
  if (it == shared_->running.end()) return Abandon::NotRunning;
  if (!shared_->abandoned.insert(it->second).second) return Abandon::NotRunning;
  ++shared_->abandonedTotal;
  --shared_->live;
  if (static_cast<int>(shared_->abandoned.size()) > shared_->maxAbandoned) {
    return Abandon::CapReached;
  }
  shared_->fill(shared_);
  return Abandon::Replaced;
}

void ProbePool::resize(int threads) {
  std::lock_guard lock(shared_->mutex);
  shared_->target = std::max(1, threads);
  shared_->fill(shared_);
  shared_->wake.notify_all();
}

int ProbePool::capacity() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->live;
}

int ProbePool::abandonedAlive() const {
  std::lock_guard lock(shared_->mutex);
  return static_cast<int>(shared_->abandoned.size());
}

std::uint64_t ProbePool::abandonedTotal() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->abandonedTotal;
}

}  // namespace ibackupmon
