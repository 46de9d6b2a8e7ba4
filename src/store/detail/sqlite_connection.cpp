#include "store/detail/sqlite_connection.hpp"

#include <sqlite3.h>

#include <vector>

namespace deskbridge::store::detail {
namespace {

core::Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
    std::string detail = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        return core::Error::unavailable("database busy", std::move(detail));
    }
    if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR ||
        primary == SQLITE_FULL) {
        return core::Error::unavailable("database unavailable", std::move(detail));
    }
    return core::Error::internal("database error", std::move(detail));
}

class SqliteConnection final : public Connection {
  public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}
    ~SqliteConnection() override {
        for (auto& [sql, prepared] : statements_) {
            sqlite3_finalize(prepared.stmt);
        }
        sqlite3_close_v2(db_);
    }

    Engine engine() const override { return Engine::kSqlite; }

    core::Result<std::vector<SqlRow>> query(std::string_view sql,
                                            std::span<const SqlValue> params) override {
        auto prepared = prepare(sql);
        if (!prepared) {
            return std::move(prepared).error();
        }
        sqlite3_stmt* s = (*prepared)->stmt;
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);

        if (auto st = bind_all(**prepared, params); !st) {
            return std::move(st).error();
        }

        std::vector<SqlRow> rows;
        for (;;) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE) {
                break;
            }
            if (rc != SQLITE_ROW) {
                auto err = sqlite_error(db_, rc, "step");
                sqlite3_reset(s);
                return err;
            }
            rows.push_back(read_row(s));
        }
        sqlite3_reset(s);
        return rows;
    }

    core::Status exec(std::string_view sql) override {
        const std::string text(sql);
        char* msg = nullptr;
        const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
        sqlite3_free(msg);
        if (rc != SQLITE_OK) {
            return sqlite_error(db_, rc, "exec");
        }
        return {};
    }

    // BEGIN IMMEDIATE already makes each migration step wait for the database's write lock.
    core::Status lock_migrations() override { return {}; }
    core::Status unlock_migrations() override { return {}; }

  private:
    // A statement with the SQLite index of each "$n" placeholder, found once at prepare time.
    struct Prepared {
        sqlite3_stmt* stmt = nullptr;
        std::vector<int> index_of;  // index_of[n - 1] for "$n"; 0 when unused
    };

    core::Result<Prepared*> prepare(std::string_view sql) {
        if (auto it = statements_.find(sql); it != statements_.end()) {
            return &it->second;
        }
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) {
            return sqlite_error(db_, rc, "prepare");
        }
        // Bind by name: "$1" is a named parameter in SQLite, and names keep the numbering right
        // whatever order the placeholders appear in.
        Prepared p{stmt, {}};
        const int count = sqlite3_bind_parameter_count(stmt);
        for (int n = 1; n <= count; ++n) {
            const std::string name = "$" + std::to_string(n);
            p.index_of.push_back(sqlite3_bind_parameter_index(stmt, name.c_str()));
        }
        return &statements_.emplace(std::string(sql), std::move(p)).first->second;
    }

    core::Status bind_all(const Prepared& p, std::span<const SqlValue> params) {
        for (std::size_t i = 0; i < params.size() && i < p.index_of.size(); ++i) {
            const int index = p.index_of[i];
            if (index == 0) {
                continue;  // the statement does not use this parameter
            }
            int rc = SQLITE_OK;
            if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
                rc = sqlite3_bind_int64(p.stmt, index, *n);
            } else if (const auto* t = std::get_if<std::string>(&params[i])) {
                rc = sqlite3_bind_text(p.stmt, index, t->data(), static_cast<int>(t->size()),
                                       SQLITE_TRANSIENT);
            } else {
                rc = sqlite3_bind_null(p.stmt, index);
            }
            if (rc != SQLITE_OK) {
                return sqlite_error(db_, rc, "bind");
            }
        }
        return {};
    }

    static SqlRow read_row(sqlite3_stmt* s) {
        const int n = sqlite3_column_count(s);
        SqlRow row;
        row.reserve(n);
        for (int c = 0; c < n; ++c) {
            switch (sqlite3_column_type(s, c)) {
                case SQLITE_NULL:
                    row.emplace_back(std::monostate{});
                    break;
                case SQLITE_INTEGER:
                    row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(s, c)));
                    break;
                default: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
                    row.emplace_back(std::string(text, sqlite3_column_bytes(s, c)));
                }
            }
        }
        return row;
    }

    sqlite3* db_;
    StatementMap<Prepared> statements_;
};

}  // namespace

core::Result<std::unique_ptr<Connection>> open_sqlite(const std::string& path) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        auto err = sqlite_error(db, rc, "open " + path);
        sqlite3_close_v2(db);
        return err;
    }
    sqlite3_extended_result_codes(db, 1);
    auto conn = std::make_unique<SqliteConnection>(db);

    // busy_timeout lets concurrent writers from other instances or the CLI wait their turn.
    const auto st = conn->exec(
        "PRAGMA busy_timeout = 5000;"
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = NORMAL;"
        "PRAGMA foreign_keys = ON;");
    if (!st) {
        return st.error();
    }
    return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace deskbridge::store::detail
