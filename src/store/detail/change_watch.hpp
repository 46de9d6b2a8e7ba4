#pragma once
// Tells whether a SQLite database may have changed, whoever wrote it (this process, a CLI
// command, another instance on the machine), without a query: the kernel reports every write to
// the database file, its WAL and its journal (inotify on their directory).
//
// `generation()` drains the kernel's queue before answering, and the kernel queues the event
// inside the writer's write(2): a commit that finished before the call is always counted. The
// number may also move when nothing changed (a checkpoint, an overflow): callers treat a new
// number only as "look again".

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace deskbridge::store::detail {

class ChangeWatch {
  public:
    static core::Result<std::unique_ptr<ChangeWatch>> open(const std::string& db_path);
    ~ChangeWatch();
    ChangeWatch(const ChangeWatch&) = delete;
    ChangeWatch& operator=(const ChangeWatch&) = delete;

    std::uint64_t generation();

  private:
    ChangeWatch(int fd, std::string file_name) : fd_(fd), file_name_(std::move(file_name)) {}
    void drain();  // mutex_ held

    const int fd_;
    const std::string file_name_;  // the database's name within the watched directory
    std::mutex mutex_;
    std::uint64_t generation_ = 0;  // guarded by mutex_
    bool lost_ = false;             // guarded by mutex_; the directory went away
};

}  // namespace deskbridge::store::detail
