#pragma once
// The narrow waist between the store's SQL and a database engine.
//
// SQL is written once, with `$1`, `$2`... placeholders that both SQLite and PostgreSQL accept
// (a parameter whose type the context does not fix, as in `$1 IS NULL`, needs a CAST);
// an engine prepares each distinct text once per connection and reuses it. A Connection is
// used by one thread at a time (the pool guarantees it).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace deskbridge::store::detail {

// Prepared statements keyed by their SQL text, looked up by string_view: the lookup runs on
// every query, and building a std::string key there would copy the whole statement each time.
struct SqlTextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};
template <typename T>
using StatementMap = std::unordered_map<std::string, T, SqlTextHash, std::equal_to<>>;

using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;
using SqlRow = std::vector<SqlValue>;

enum class Engine { kSqlite, kPostgres };

class Connection {
  public:
    virtual ~Connection() = default;

    virtual Engine engine() const = 0;
    // Runs one statement and returns its rows (none for statements that return none).
    virtual core::Result<std::vector<SqlRow>> query(std::string_view sql,
                                                    std::span<const SqlValue> params) = 0;
    // Runs several statements without parameters (DDL, BEGIN, COMMIT).
    virtual core::Status exec(std::string_view sql) = 0;

    // Bracket migrate() so that processes migrating one database at once take turns. Every
    // successful lock_migrations() is paired with unlock_migrations(), which reports a lock
    // that was lost on the way. No-ops where transactions already serialize schema changes.
    virtual core::Status lock_migrations() = 0;
    virtual core::Status unlock_migrations() = 0;
};

// A fixed set of connections, handed out one thread at a time.
class ConnectionPool {
  public:
    using Factory = std::function<core::Result<std::unique_ptr<Connection>>()>;

    ConnectionPool(Factory factory, unsigned size);

    class Lease {
      public:
        Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
            : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) = default;
        ~Lease();
        Connection& operator*() { return *conn_; }
        Connection* operator->() { return conn_.get(); }

      private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    // Waits for a free connection; opens one lazily while fewer than `size` exist.
    core::Result<Lease> acquire();

  private:
    friend class Lease;
    void release(std::unique_ptr<Connection> conn);

    Factory factory_;
    const unsigned size_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
    unsigned open_ = 0;                              // guarded by mutex_
};

// Runs `body` inside BEGIN/COMMIT, rolling back when it fails.
core::Status in_transaction(Connection& conn, const std::function<core::Status()>& body);

}  // namespace deskbridge::store::detail
