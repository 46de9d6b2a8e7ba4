#pragma once
// Turning request bodies into typed requests. Pure functions: no I/O, unit-tested directly.
//
// Errors are kInvalidArgument with a message that names the field and what it must be.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"
#include "tickets/service.hpp"

namespace deskbridge::api {

// The body as a JSON object, within the depth and string-length limits.
core::Result<boost::json::object> parse_json_object(std::string_view body,
                                                    const core::Limits& limits);

// The `auth` field: absent (or empty) gives an empty optional; a non-string gives "" so that
// it fails verification like any other bad token.
std::optional<std::string> auth_field(const boost::json::object& body);

// Identifiers and refresh, read after authentication; `no_identifier` is set when none of
// ticket_number, zoho_id and chamado_id is present.
struct TicketRequestFields {
    tickets::DetailsRequest request;
    bool no_identifier = false;
};
core::Result<TicketRequestFields> parse_ticket_fields(const boost::json::object& body);

struct LoginFields {
    std::string login;
    std::string password;
};
core::Result<LoginFields> parse_login_fields(const boost::json::object& body);

}  // namespace deskbridge::api
