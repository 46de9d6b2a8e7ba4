#pragma once
// Versioned schema steps, the same list for every engine. A step has one SQL text unless an
// engine needs its own DDL (auto-increment keys differ).

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/detail/connection.hpp"

namespace deskbridge::store::detail {

struct Migration {
    int version;
    std::string_view sql;           // for every engine, unless one below is set
    std::string_view sqlite_sql;    // SQLite-only text, when non-empty
    std::string_view postgres_sql;  // PostgreSQL-only text, when non-empty
};

const std::vector<Migration>& migrations();
int latest_schema_version();

// Applies each pending step in its own transaction. Refuses a database whose version is newer
// than latest_schema_version().
core::Status migrate(Connection& conn);
// The version recorded in the database (0 for an empty one).
core::Result<int> schema_version(Connection& conn);

}  // namespace deskbridge::store::detail
