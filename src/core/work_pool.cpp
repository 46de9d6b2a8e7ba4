#include "core/work_pool.hpp"

namespace deskbridge::core {

WorkPool::WorkPool(unsigned threads, std::size_t max_queued) : max_queued_(max_queued) {
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { run(); });
    }
}

WorkPool::~WorkPool() {
    shutdown();
}

void WorkPool::shutdown() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) {
            t.join();
        }
    }
}

bool WorkPool::try_submit(Job job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= max_queued_) {
            return false;
        }
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

std::size_t WorkPool::queued() const {
    const std::lock_guard lock(mutex_);
    return jobs_.size();
}

std::size_t WorkPool::busy() const {
    const std::lock_guard lock(mutex_);
    return busy_;
}

void WorkPool::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) {
            return;  // stopping and drained
        }
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        ++busy_;
        lock.unlock();

        job();

        lock.lock();
        --busy_;
    }
}

}  // namespace deskbridge::core
