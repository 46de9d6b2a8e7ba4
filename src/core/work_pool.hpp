#pragma once
// A fixed set of threads for blocking work (database calls, password hashing), so that the
// HTTP I/O threads never block.
//
// `try_submit` never blocks: when `max_queued` jobs already wait it returns false and the caller
// answers 503 at once instead of queueing forever. Jobs must not throw. Thread-safe.
// `shutdown` (and the destructor) runs every job already queued, joins, and from then on
// refuses new jobs while the object stays valid to call.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace deskbridge::core {

class WorkPool {
  public:
    using Job = std::function<void()>;

    WorkPool(unsigned threads, std::size_t max_queued);
    ~WorkPool();
    WorkPool(const WorkPool&) = delete;
    WorkPool& operator=(const WorkPool&) = delete;

    [[nodiscard]] bool try_submit(Job job);
    void shutdown();

    unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
    std::size_t queued() const;
    std::size_t busy() const;

  private:
    void run();

    const std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;   // guarded by mutex_
    std::size_t busy_ = 0;   // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::vector<std::thread> threads_;
};

}  // namespace deskbridge::core
