#pragma once
// SQLite engine for the store: one sqlite3 handle, prepared statements cached by SQL text.

#include <memory>
#include <string>

#include "store/detail/connection.hpp"

namespace deskbridge::store::detail {

// Opens (creating if needed) the database file in WAL mode with foreign keys on.
core::Result<std::unique_ptr<Connection>> open_sqlite(const std::string& path);

}  // namespace deskbridge::store::detail
