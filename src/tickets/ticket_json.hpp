#pragma once
// The contract's `ticket` object, built from the local record.
//
// Every field of the contract is present in its contract type (`id` and `cliente.id` numbers,
// the rest strings) and null when unknown; timestamps are shown in the display time zone.

#include <string>

#include "core/time.hpp"
#include "store/records.hpp"

namespace deskbridge::tickets {

// Appends the object's JSON text to `out` (written directly: this runs on every request).
void append_ticket_json(std::string& out,
                        const store::TicketView& view,
                        const core::TimeZone& zone);

}  // namespace deskbridge::tickets
