#pragma once
// The contract's `threads`, `attachments` and `zoho` values, built from Zoho data.
//
// Client users never see private threads (internal notes) or their files; staff see all.
// Dates are shown in the display time zone; sizes as bytes plus a 1024-step text.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "zoho/types.hpp"

namespace deskbridge::tickets {

// `with_text` adds `conteudo_texto`, the plain text of `conteudo` (see html_text.hpp).
boost::json::array threads_to_json(const zoho::Conversation& c,
                                   const core::TimeZone& zone,
                                   bool include_private,
                                   bool with_text = false);

// Files of every returned thread merged with the ticket-level list, one entry per id.
boost::json::array attachments_to_json(const zoho::Conversation& c,
                                       const core::TimeZone& zone,
                                       bool include_private);

// The attachment `id` exactly when attachments_to_json would list it for this reader; null
// otherwise. Points into `c`.
const zoho::Attachment* find_visible_attachment(const zoho::Conversation& c,
                                                std::string_view id,
                                                bool include_private);

// Exactly the contract's fields of the `zoho` object.
boost::json::object zoho_ticket_to_json(const zoho::Ticket& t,
                                        std::string_view cf_order,
                                        std::string_view cf_invoice);

// "512 B", "100 KB", "1.5 MB": 1024 steps, at most one decimal.
std::string format_size(std::int64_t bytes);

}  // namespace deskbridge::tickets
