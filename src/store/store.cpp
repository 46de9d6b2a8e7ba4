#include "store/store.hpp"

#include "store/detail/sql_store.hpp"
#include "store/detail/sqlite_connection.hpp"

namespace deskbridge::store {

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
        return detail::make_sql_store([path] { return detail::open_sqlite(path); },
                                      options.pool_size);
    }
    return core::Error::invalid("unsupported database URL (expected sqlite:PATH)");
}

}  // namespace deskbridge::store
