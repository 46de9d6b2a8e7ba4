#pragma once
// ticket_details as a plain function of (who asks, which ticket): finds the local record within
// the caller's scope, joins the Zoho Desk conversation when the ticket is linked, and builds the
// full response body.
//
// `details` must be called from a core::WorkPool thread (the local lookup blocks). It answers
// through `done`, exactly once, from a WorkPool thread: Zoho calls run on the Zoho client's
// thread and the answer hops back to the pool for the database write-back and the JSON.
// Thread-safe.

#include <functional>
#include <string>
#include <variant>

#include "auth/authenticator.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/work_pool.hpp"
#include "store/store.hpp"
#include "zoho/zoho_desk.hpp"

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
    // `zoho` may be null: the service then answers with the local ticket only.
    TicketService(store::Store& store,
                  const core::TimeZone& zone,
                  core::WorkPool& pool,
                  zoho::ZohoDesk* zoho)
        : store_(store), zone_(zone), pool_(pool), zoho_(zoho) {}

    void details(const auth::Principal& who,
                 DetailsRequest request,
                 std::function<void(DetailsOutcome)> done) const;

  private:
    void finish_with_zoho(const auth::Principal& who,
                          bool refresh,
                          store::TicketView view,
                          zoho::FetchOutcome fetched,
                          const std::function<void(DetailsOutcome)>& done) const;

    store::Store& store_;
    const core::TimeZone& zone_;
    core::WorkPool& pool_;
    zoho::ZohoDesk* zoho_;
};

}  // namespace deskbridge::tickets
