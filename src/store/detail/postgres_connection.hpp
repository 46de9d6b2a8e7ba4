#pragma once
// PostgreSQL engine for the store: one libpq connection, prepared statements cached by SQL text.
//
// Values travel as text both ways; integer columns come back as int64, everything else as
// text. A connection that the server dropped is reopened by the next call, never in the middle
// of a transaction (that transaction is lost: every call fails until ROLLBACK or COMMIT ends it).
// While the server stays unreachable, calls fail at once with kUnavailable between reconnect
// attempts, so a worker is never held for longer than one connect timeout.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "store/detail/connection.hpp"

namespace deskbridge::store::detail {

struct PostgresOptions {
    // A stuck query must not hold a worker (and its HTTP request) for long; the API answers
    // 500 either way, and quickly is better.
    std::chrono::milliseconds statement_timeout{5000};
    // Schema changes on a large table, or waiting for another process's migration, take
    // longer than any request may; migrate() runs under this limit instead.
    std::chrono::milliseconds migration_timeout{10 * 60 * 1000};
    // How long one connection attempt may take when the URL and PGCONNECT_TIMEOUT say nothing:
    // a reconnect blocks a worker for at most this long (2 s is libpq's minimum).
    std::chrono::seconds connect_timeout{2};
    // Pause after a failed reconnect before the next attempt, doubling up to the cap; calls in
    // between fail at once. The cap bounds how long the service lags a recovered server.
    std::chrono::milliseconds first_backoff{100};
    std::chrono::milliseconds max_backoff{2000};
};

// The pg_advisory_lock key that serializes migrate() across processes on one database.
inline constexpr std::int64_t kMigrationLockKey = 0x6465736b62726467;  // "deskbrdg"

// Connects to a "postgresql://" or "postgres://" URL (libpq's PG* environment variables fill
// in what it leaves out). Fails with kUnavailable when the server cannot be reached and
// kInternal when it refuses the session settings.
core::Result<std::unique_ptr<Connection>> open_postgres(const std::string& url,
                                                        const PostgresOptions& options = {});

}  // namespace deskbridge::store::detail
