#pragma once
// Zoho Desk JSON to zoho:: values. Pure functions, fuzzed and unit-tested.
//
// Parsing is lenient where Zoho is inconsistent (ids, counts and sizes as strings or numbers,
// booleans quoted, times as ISO-8601 or epoch milliseconds) and strict where data would be
// wrong: a thread or attachment without an id is an error (kInternal, "malformed").

#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "zoho/types.hpp"

namespace deskbridge::zoho {

// A list body ({"data": [...]}); an empty vector for a 204. Fails when `data` is not an array.
core::Result<std::vector<boost::json::value>> list_items(const boost::json::value* body);

// A thread row from the list (no content) or a thread detail (content and attachments).
core::Result<Thread> parse_thread(const boost::json::value& v);
core::Result<Attachment> parse_attachment(const boost::json::value& v);
core::Result<Ticket> parse_ticket(const boost::json::value& v,
                                  std::string_view cf_order,
                                  std::string_view cf_invoice);

// "2026-05-10T17:30:00.000Z" or epoch milliseconds, to milliseconds since the epoch.
std::optional<std::int64_t> parse_time_ms(const boost::json::value& v);

}  // namespace deskbridge::zoho
