#pragma once
// The contract's `ticket` object, built from the local record.
//
// Every field of the contract is present in its contract type (`id` and `cliente.id` numbers,
// the rest strings) and null when unknown; timestamps are shown in the display time zone.

#include <boost/json/object.hpp>

#include "core/time.hpp"
#include "store/records.hpp"

namespace deskbridge::tickets {

boost::json::object ticket_to_json(const store::TicketView& view, const core::TimeZone& zone);

}  // namespace deskbridge::tickets
