#pragma once
// The import format (docs/import-format.md): a JSON document with "clients", "requesters",
// "tickets" and "api_users" arrays, read into store::ImportData.
//
// Every field is checked here, so an error names the record and the field
// ("tickets[3].created_at: invalid timestamp ..."). Plain passwords are hashed with Argon2id.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/records.hpp"

namespace deskbridge::app {

// The stored password hash of a login, if any; lets an unchanged password keep its hash.
using ExistingHash = std::function<std::optional<std::string>(const std::string& login)>;

// A plain password that the login's stored hash already verifies keeps that hash, so that
// re-importing the same file changes nothing (and voids no token).
core::Result<store::ImportData> parse_import(std::string_view json_text,
                                             const core::TimeZone& zone,
                                             const ExistingHash& existing = {});

}  // namespace deskbridge::app
