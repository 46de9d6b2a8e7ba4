#include "store/detail/connection.hpp"

#include "core/metrics.hpp"

namespace deskbridge::store::detail {

ConnectionPool::ConnectionPool(Factory factory, unsigned size)
    : factory_(std::move(factory)), size_(size == 0 ? 1 : size) {
}

ConnectionPool::Lease::~Lease() {
    if (conn_) {
        pool_->release(std::move(conn_));
    }
}

core::Result<ConnectionPool::Lease> ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    const auto available = [this] { return !idle_.empty() || open_ < size_; };
    if (!available()) {
        core::metrics::db_wait_started();
        cv_.wait(lock, available);
        core::metrics::db_wait_finished();
    }
    core::metrics::db_connection_leased(!idle_.empty());
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
    }

    ++open_;
    lock.unlock();
    auto conn = factory_();
    if (!conn) {
        core::metrics::db_connection_open_failed();
        lock.lock();
        --open_;
        cv_.notify_one();
        return std::move(conn).error();
    }
    return Lease(this, std::move(conn).value());
}

void ConnectionPool::release(std::unique_ptr<Connection> conn) {
    {
        const std::lock_guard lock(mutex_);
        idle_.push_back(std::move(conn));
        core::metrics::db_connection_returned();
    }
    cv_.notify_one();
}

core::Status in_transaction(Connection& conn, const std::function<core::Status()>& body) {
    // SQLite takes the write lock up front, so two writers never deadlock upgrading a read.
    const char* begin = conn.engine() == Engine::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
    if (auto st = conn.exec(begin); !st) {
        return st;
    }
    auto st = body();
    if (!st) {
        (void)conn.exec("ROLLBACK");
        return st;
    }
    if (auto commit = conn.exec("COMMIT"); !commit) {
        (void)conn.exec("ROLLBACK");
        return commit;
    }
    return {};
}

}  // namespace deskbridge::store::detail
