#pragma once
// The import format (docs/import-format.md): a JSON document with "clients", "requesters",
// "tickets" and "api_users" arrays, read into store::ImportData.
//
// Every field is checked here, so an error names the record and the field
// ("tickets[3].created_at: invalid timestamp ..."). Plain passwords are hashed with Argon2id.

#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/records.hpp"

namespace deskbridge::app {

core::Result<store::ImportData> parse_import(std::string_view json_text,
                                             const core::TimeZone& zone);

}  // namespace deskbridge::app
