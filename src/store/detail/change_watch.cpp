#include "store/detail/change_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace deskbridge::store::detail {
namespace {

// Everything that can change what a reader sees: writes, truncation, replacement, deletion.
constexpr std::uint32_t kMask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

core::Result<std::unique_ptr<ChangeWatch>> ChangeWatch::open(const std::string& db_path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path absolute = fs::absolute(db_path, ec);
    if (ec) {
        return core::Error::unavailable("cannot watch the database", ec.message());
    }

    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return core::Error::unavailable("cannot watch the database", std::strerror(errno));
    }
    const std::string dir = absolute.parent_path().string();
    if (inotify_add_watch(fd, dir.c_str(), kMask) < 0) {
        const int err = errno;
        ::close(fd);
        return core::Error::unavailable("cannot watch " + dir, std::strerror(err));
    }
    return std::unique_ptr<ChangeWatch>(new ChangeWatch(fd, absolute.filename().string()));
}

ChangeWatch::~ChangeWatch() {
    ::close(fd_);
}

std::uint64_t ChangeWatch::generation() {
    const std::lock_guard lock(mutex_);
    drain();
    if (lost_) {
        ++generation_;  // nothing can be trusted any more: every call is a change
    }
    return generation_;
}

void ChangeWatch::drain() {
    alignas(inotify_event) char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && errno != EAGAIN) {
                lost_ = true;
            }
            return;
        }
        for (ssize_t at = 0; at < n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(buffer + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                lost_ = true;
            } else if (e->mask & IN_Q_OVERFLOW) {
                ++generation_;
            } else if (e->len > 0 && std::string_view(e->name).starts_with(file_name_)) {
                // Also "-wal", "-journal" and "-shm": the name's prefix covers them all.
                ++generation_;
            }
        }
    }
}

}  // namespace deskbridge::store::detail
