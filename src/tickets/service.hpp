#pragma once
// ticket_details as a plain function of (who asks, which ticket): finds the local record within
// the caller's scope, joins the Zoho Desk conversation when the ticket is linked, and builds the
// full response body.
//
// `details` must be called from a core::WorkPool thread (the local lookup blocks). It answers
// through `done`, exactly once, from a WorkPool thread (ConversationSource hops back to the
// pool after Zoho calls, for the database write-back and the JSON).
// Thread-safe.

#include <functional>
#include <string>
#include <variant>

#include "auth/authenticator.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/work_pool.hpp"
#include "store/store.hpp"
#include "tickets/conversation_source.hpp"

namespace deskbridge::tickets {

struct DetailsRequest {
    store::TicketQuery query;  // identifiers; client_scope is set here from the principal
    bool refresh = false;
    bool text = false;  // add `conteudo_texto` to each thread
};

struct NotFound {};
// The serialized JSON body of a 200 answer, a 404, or an error.
using DetailsOutcome = std::variant<std::string, NotFound, core::Error>;

class TicketService {
  public:
    // `conversations` may be null (Zoho not configured): the service then answers with the
    // local ticket only. `cf_order` and `cf_invoice` name the custom fields of the zoho object.
    // Attachments carry a `downloadUrl` when `links` is given.
    TicketService(store::Store& store,
                  const core::TimeZone& zone,
                  ConversationSource* conversations,
                  std::string cf_order,
                  std::string cf_invoice,
                  const AttachmentLinks* links = nullptr)
        : store_(store),
          zone_(zone),
          conversations_(conversations),
          cf_order_(std::move(cf_order)),
          cf_invoice_(std::move(cf_invoice)),
          links_(links) {}

    void details(const auth::Principal& who,
                 DetailsRequest request,
                 std::function<void(DetailsOutcome)> done) const;

  private:
    void finish_with_zoho(const auth::Principal& who,
                          const DetailsRequest& request,
                          store::TicketView view,
                          ConversationResult fetched,
                          const std::function<void(DetailsOutcome)>& done) const;

    store::Store& store_;
    const core::TimeZone& zone_;
    ConversationSource* conversations_;
    const std::string cf_order_;
    const std::string cf_invoice_;
    const AttachmentLinks* links_;
};

}  // namespace deskbridge::tickets
