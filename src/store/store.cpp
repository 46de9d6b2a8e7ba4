#include "store/store.hpp"

#include "store/detail/migrations.hpp"
#include "store/detail/postgres_connection.hpp"
#include "store/detail/sql_store.hpp"
#include "store/detail/sqlite_connection.hpp"

namespace deskbridge::store {

int latest_schema_version() {
    return detail::latest_schema_version();
}

core::Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (url.starts_with(kSqlite)) {
        std::string path(url.substr(kSqlite.size()));
        if (path.empty()) {
            return core::Error::invalid("the sqlite: URL needs a file path");
        }
        // Probe once so that a bad path fails here, at start-up, with a clear message.
        auto probe = detail::open_sqlite(path);
        if (!probe) {
            return std::move(probe).error();
        }
        // Without a watch (no inotify here) everything still works, only never from memory.
        auto watch = detail::ChangeWatch::open(path);
        return detail::make_sql_store([path] { return detail::open_sqlite(path); },
                                      options.pool_size, watch ? std::move(*watch) : nullptr);
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        std::string pg_url(url);
        // Probe once, like SQLite: a wrong host or password fails at start-up, not per request.
        auto probe = detail::open_postgres(pg_url);
        if (!probe) {
            return std::move(probe).error();
        }
        // No cheap change signal from a server shared by many instances: nothing is reused.
        return detail::make_sql_store([pg_url] { return detail::open_postgres(pg_url); },
                                      options.pool_size, nullptr);
    }
    return core::Error::invalid(
        "unsupported database URL (expected sqlite:PATH or postgresql://USER:PASSWORD@HOST/DB)");
}

}  // namespace deskbridge::store
