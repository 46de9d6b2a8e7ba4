#pragma once
// ticket_details as a plain function of (who asks, which ticket): finds the local record within
// the caller's scope and builds the full response body.
//
// `details` may finish asynchronously (the Zoho half will), so it answers through a callback,
// called exactly once, from any thread. Call it from a core::WorkPool thread: the local lookup
// blocks. Thread-safe.

#include <functional>
#include <string>
#include <variant>

#include "auth/authenticator.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace deskbridge::tickets {

struct DetailsRequest {
    store::TicketQuery query;  // identifiers; client_scope is set here from the principal
    bool refresh = false;
};

struct NotFound {};
// The serialized JSON body of a 200 answer, a 404, or an error.
using DetailsOutcome = std::variant<std::string, NotFound, core::Error>;

class TicketService {
  public:
    TicketService(store::Store& store, const core::TimeZone& zone) : store_(store), zone_(zone) {}

    void details(const auth::Principal& who,
                 DetailsRequest request,
                 std::function<void(DetailsOutcome)> done) const;

  private:
    store::Store& store_;
    const core::TimeZone& zone_;
};

}  // namespace deskbridge::tickets
