#include "store/detail/postgres_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <vector>

#include "core/log.hpp"

namespace deskbridge::store::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Type OIDs of the integer types (pg_type.h ships with the server headers, not libpq's).
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

// A silently vanished server host (no FIN, no RST) is noticed after idle + count × interval
// seconds of silence instead of TCP's many minutes; the URL may override each.
constexpr const char* kKeepaliveIdle = "10";
constexpr const char* kKeepaliveInterval = "5";
constexpr const char* kKeepaliveCount = "3";

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
    std::string s = text != nullptr ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

// Failures that say nothing about the statement: retrying later, once the server is back or
// less loaded, may work.
bool busy_sqlstate(std::string_view state) {
    return state.starts_with("53")  // insufficient resources: too many connections, disk full
           || state == "57014"      // statement_timeout
           || state == "55P03"      // lock_timeout
           || state == "40001"      // serialization failure
           || state == "40P01"      // deadlock detected
           || state == "25006";     // read-only: a standby that is not promoted yet
}

core::Error pg_error(PGconn* conn, const PGresult* res, std::string_view what) {
    const char* text = res != nullptr ? PQresultErrorMessage(res) : "";
    std::string detail =
        std::string(what) + ": " + trimmed(*text != '\0' ? text : PQerrorMessage(conn));
    const char* field = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view state = field != nullptr ? field : "";
    if (!state.empty()) {
        detail += " [" + std::string(state) + "]";
    }

    // Class 08 is the connection; 57P01..57P03 are a server shutting down, crashing or still
    // starting up.
    if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08") || state == "57P01" ||
        state == "57P02" || state == "57P03") {
        return core::Error::unavailable("database unavailable", std::move(detail));
    }
    if (busy_sqlstate(state)) {
        return core::Error::unavailable("database busy", std::move(detail));
    }
    return core::Error::internal("database error", std::move(detail));
}

bool succeeded(const PGresult* res) {
    if (res == nullptr) {
        return false;
    }
    const auto status = PQresultStatus(res);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// With client_min_messages = warning only warnings reach here, and the reason the server gives
// when it closes an idle connection.
void log_notice(void* /*arg*/, const char* message) {
    core::log::warn("database_notice", {{"message", trimmed(message)}});
}

std::string first_word_upper(std::string_view sql) {
    const auto begin = sql.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) {
        return {};
    }
    sql.remove_prefix(begin);
    std::string word(sql.substr(0, sql.find_first_of(" \t\r\n;")));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return word;
}

class PostgresConnection final : public Connection {
  public:
    PostgresConnection(PGconn* conn, const PostgresOptions& options)
        : conn_(conn), options_(options) {
        PQsetNoticeProcessor(conn_, log_notice, nullptr);
    }
    ~PostgresConnection() override { PQfinish(conn_); }

    Engine engine() const override { return Engine::kPostgres; }

    core::Result<std::vector<SqlRow>> query(std::string_view sql,
                                            std::span<const SqlValue> params) override {
        if (auto st = ready(); !st) {
            return std::move(st).error();
        }
        auto name = prepare(sql);
        if (!name) {
            return std::move(name).error();
        }

        // Text format both ways: the server parses "42" as whatever type the statement needs.
        std::vector<std::string> numbers(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
                numbers[i] = std::to_string(*n);
                values[i] = numbers[i].c_str();
            } else if (const auto* t = std::get_if<std::string>(&params[i])) {
                // libpq would silently cut the value at the NUL and match something else.
                if (t->find('\0') != std::string::npos) {
                    return core::Error::invalid("a value holds a NUL character");
                }
                values[i] = t->c_str();
            }
        }
        PgResult res(PQexecPrepared(conn_, (*name)->c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0));
        if (!succeeded(res.get())) {
            return failed(res.get(), "query");
        }
        track_transaction();
        return read_rows(res.get());
    }

    core::Status exec(std::string_view sql) override {
        if (session_lost_ && in_transaction_) {
            return end_lost_transaction(sql);
        }
        if (auto st = ready(); !st) {
            return st;
        }
        return raw_exec(sql);
    }

    // Session-level, so it spans the per-step transactions; a dropped connection frees it.
    core::Status lock_migrations() override {
        if (auto st = exec(set_timeout(options_.migration_timeout)); !st) {
            return st;
        }
        const SqlValue key[] = {kMigrationLockKey};
        if (auto rows = query("SELECT pg_advisory_lock(CAST($1 AS BIGINT))", key); !rows) {
            (void)exec(set_timeout(options_.statement_timeout));
            return std::move(rows).error();
        }
        holds_migration_lock_ = true;
        return {};
    }

    core::Status unlock_migrations() override {
        if (session_lost_) {
            holds_migration_lock_ = false;
            session_lost_ = in_transaction_;
            return lost_session();  // the lock went with the session
        }
        holds_migration_lock_ = false;
        const SqlValue key[] = {kMigrationLockKey};
        auto rows = query("SELECT pg_advisory_unlock(CAST($1 AS BIGINT))", key);
        auto st = exec(set_timeout(options_.statement_timeout));
        return rows ? st : core::Status{std::move(rows).error()};
    }

    // Per-session settings, applied on connect and again after every reconnect.
    core::Status configure() {
        // client_min_messages: "already exists, skipping" notices are noise in the log.
        auto st = raw_exec(set_timeout(options_.statement_timeout) +
                           "; SET client_min_messages = warning");
        configured_ = st.ok();
        return st;
    }

  private:
    static std::string set_timeout(std::chrono::milliseconds timeout) {
        return "SET statement_timeout = " + std::to_string(timeout.count());
    }

    core::Status raw_exec(std::string_view sql) {
        const std::string text(sql);
        PgResult res(PQexec(conn_, text.c_str()));
        if (!succeeded(res.get())) {
            return failed(res.get(), "exec");
        }
        track_transaction();
        return {};
    }

    core::Result<const std::string*> prepare(std::string_view sql) {
        if (auto it = statements_.find(sql); it != statements_.end()) {
            return &it->second;
        }
        std::string name = "deskbridge_" + std::to_string(next_statement_++);
        PgResult res(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
        if (!succeeded(res.get())) {
            return failed(res.get(), "prepare");
        }
        return &statements_.emplace(std::string(sql), std::move(name)).first->second;
    }

    core::Error failed(const PGresult* res, std::string_view what) {
        auto err = pg_error(conn_, res, what);
        if (PQstatus(conn_) == CONNECTION_OK) {
            track_transaction();  // a failed statement leaves a transaction aborted, not ended
        } else {
            note_outage(err.detail);
            session_lost_ = in_transaction_ || holds_migration_lock_;
        }
        return err;
    }

    // Once per outage: while the server stays down, the reconnect attempts log the rest.
    void note_outage(const std::string& detail) {
        if (!outage_logged_) {
            outage_logged_ = true;
            core::log::warn("database_connection_lost", {{"detail", detail}});
        }
    }

    void track_transaction() {
        const auto ts = PQtransactionStatus(conn_);
        in_transaction_ = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    }

    // Checks without blocking whether the server closed the connection while it sat idle in
    // the pool (a restart or pg_terminate_backend sends the reason, then closes), so that the
    // next statement goes to a fresh connection instead of failing.
    bool alive() {
        for (int i = 0; i < 4 && PQstatus(conn_) == CONNECTION_OK; ++i) {
            pollfd pfd{PQsocket(conn_), POLLIN, 0};
            if (::poll(&pfd, 1, 0) <= 0) {
                break;  // nothing waiting: as alive as we can tell
            }
            if (PQconsumeInput(conn_) == 0) {
                break;
            }
        }
        return PQstatus(conn_) == CONNECTION_OK;
    }

    core::Status ready() {
        if (session_lost_) {
            return lost_session();
        }
        if (alive() && configured_) {
            return {};
        }
        note_outage(trimmed(PQerrorMessage(conn_)));
        // A new session would silently run the rest of a transaction outside it, or migrate
        // without the lock: fail until the caller ends what it started.
        if (in_transaction_ || holds_migration_lock_) {
            session_lost_ = true;
            return lost_session();
        }
        return reconnect();
    }

    core::Status reconnect() {
        if (Clock::now() < retry_at_) {
            return core::Error::unavailable("database unavailable",
                                            "waiting to reconnect: " + last_failure_);
        }
        PQreset(conn_);
        statements_.clear();  // prepared statements died with the old session
        configured_ = false;
        in_transaction_ = false;

        auto st = PQstatus(conn_) == CONNECTION_OK
                      ? configure()
                      : core::Status{pg_error(conn_, nullptr, "reconnect")};
        if (!st) {
            const auto pause = std::min<std::chrono::milliseconds>(
                options_.max_backoff, options_.first_backoff * (1LL << std::min(failures_, 20)));
            ++failures_;
            retry_at_ = Clock::now() + pause;
            last_failure_ = st.error().detail;
            core::log::warn("database_reconnect_failed",
                            {{"detail", last_failure_}, {"retry_in_ms", pause.count()}});
            return st;
        }
        core::log::info("database_reconnected", {{"failed_attempts", failures_}});
        outage_logged_ = false;
        failures_ = 0;
        retry_at_ = {};
        return {};
    }

    core::Error lost_session() const {
        return core::Error::unavailable(
            "database unavailable",
            "the connection dropped inside a transaction or migration; it was rolled back");
    }

    // The server rolled the transaction back when the connection dropped: ROLLBACK has nothing
    // left to do, COMMIT must report the loss, and anything else must not run.
    core::Status end_lost_transaction(std::string_view sql) {
        const std::string word = first_word_upper(sql);
        if (word != "ROLLBACK" && word != "COMMIT") {
            return lost_session();
        }
        in_transaction_ = false;
        session_lost_ = holds_migration_lock_;
        if (word == "COMMIT") {
            return lost_session();
        }
        return {};
    }

    static std::vector<SqlRow> read_rows(const PGresult* res) {
        const int rows = PQntuples(res);
        const int cols = PQnfields(res);
        std::vector<bool> integer(cols);
        for (int c = 0; c < cols; ++c) {
            const Oid type = PQftype(res, c);
            integer[c] = type == kInt8Oid || type == kInt4Oid || type == kInt2Oid;
        }

        std::vector<SqlRow> out;
        out.reserve(rows);
        for (int r = 0; r < rows; ++r) {
            SqlRow& row = out.emplace_back();
            row.reserve(cols);
            for (int c = 0; c < cols; ++c) {
                if (PQgetisnull(res, r, c)) {
                    row.emplace_back(std::monostate{});
                    continue;
                }
                const char* text = PQgetvalue(res, r, c);
                const int size = PQgetlength(res, r, c);
                std::int64_t n = 0;
                if (integer[c] && std::from_chars(text, text + size, n).ec == std::errc{}) {
                    row.emplace_back(n);
                } else {
                    row.emplace_back(std::string(text, size));
                }
            }
        }
        return out;
    }

    PGconn* conn_;
    const PostgresOptions options_;
    StatementMap<std::string> statements_;  // SQL text -> prepared name
    std::uint64_t next_statement_ = 0;

    bool configured_ = false;
    bool in_transaction_ = false;        // as of the last statement the server answered
    bool holds_migration_lock_ = false;  // between lock_migrations() and unlock_migrations()
    bool session_lost_ = false;          // the session died holding one of the two above

    bool outage_logged_ = false;
    int failures_ = 0;  // reconnect attempts failed in a row
    Clock::time_point retry_at_{};
    std::string last_failure_;
};

}  // namespace

core::Result<std::unique_ptr<Connection>> open_postgres(const std::string& url,
                                                        const PostgresOptions& options) {
    char* parse_error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
    if (parsed == nullptr) {
        std::string detail = trimmed(parse_error != nullptr ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return core::Error{core::ErrorKind::kInvalidArgument, "invalid PostgreSQL URL",
                           std::move(detail)};
    }
    PQconninfoFree(parsed);

    // libpq keeps the last value of a repeated keyword, so these defaults come before the URL
    // ("dbname" expands into its parts), and the URL or a PG* environment variable wins.
    const std::string connect_timeout = std::to_string(options.connect_timeout.count());
    std::vector<const char*> keys;
    std::vector<const char*> values;
    const auto set_default = [&](const char* key, const char* env, const char* value) {
        if (std::getenv(env) == nullptr) {
            keys.push_back(key);
            values.push_back(value);
        }
    };
    set_default("connect_timeout", "PGCONNECT_TIMEOUT", connect_timeout.c_str());
    set_default("application_name", "PGAPPNAME", "deskbridge");
    keys.insert(keys.end(), {"keepalives_idle", "keepalives_interval", "keepalives_count"});
    values.insert(values.end(), {kKeepaliveIdle, kKeepaliveInterval, kKeepaliveCount});
    keys.insert(keys.end(), {"dbname", nullptr});
    values.insert(values.end(), {url.c_str(), nullptr});

    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
    if (conn == nullptr) {
        return core::Error::unavailable("database unavailable", "connect: out of memory");
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        auto err = pg_error(conn, nullptr, "connect");
        PQfinish(conn);
        return err;
    }

    auto pg = std::make_unique<PostgresConnection>(conn, options);
    if (auto st = pg->configure(); !st) {
        return std::move(st).error();
    }
    return std::unique_ptr<Connection>(std::move(pg));
}

}  // namespace deskbridge::store::detail
