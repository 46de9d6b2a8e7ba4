#pragma once
// ticket_details as a plain function of (who asks, which ticket): finds the local record within
// the caller's scope, joins the Zoho Desk conversation when the ticket is linked, and builds the
// full response body.
//
// `details` must be called from a core::WorkPool thread (the local lookup blocks). It answers
// through `done`, exactly once, from a WorkPool thread (ConversationSource hops back to the
// pool after Zoho calls, for the database write-back and the JSON).
// `details_from_memory` answers without blocking, from what earlier requests read under the
// store's current change generation and a fresh conversation in memory, or says it cannot.
// Thread-safe.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "auth/authenticator.hpp"
#include "core/generation_memo.hpp"
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

// A 200 answer: its JSON body, its entity tag, and what the access and audit logs name.
//
// The tag covers the body except the delivery facts in `sync` (`source`, `fetched_at`, `calls`):
// the same ticket, conversation and sync state give the same tag whether the copy came from the
// cache or from a revalidation that found nothing new, and any change of data gives a new one.
struct DetailsBody {
    std::string json;
    std::string etag;
    std::int64_t ticket_id = 0;
    int zoho_calls = 0;
};

struct NotFound {};
using DetailsOutcome = std::variant<DetailsBody, NotFound, core::Error>;

// A local ticket as read from the store, with its `ticket` JSON object serialized once.
struct KnownTicket {
    store::TicketView view;
    std::string json;
};

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
    // nullopt when the answer needs the database or Zoho; never blocks.
    std::optional<DetailsOutcome> details_from_memory(const auth::Principal& who,
                                                      DetailsRequest request) const;

  private:
    // Sets the query's client scope; false when the principal may see no ticket at all.
    static bool scope(const auth::Principal& who, DetailsRequest& request);
    std::shared_ptr<const KnownTicket> know(store::TicketView view) const;
    void answer(const auth::Principal& who,
                const DetailsRequest& request,
                std::shared_ptr<const KnownTicket> known,
                std::function<void(DetailsOutcome)> done) const;
    void finish_with_zoho(const auth::Principal& who,
                          const DetailsRequest& request,
                          std::shared_ptr<const KnownTicket> known,
                          ConversationResult fetched,
                          const std::function<void(DetailsOutcome)>& done) const;

    store::Store& store_;
    const core::TimeZone& zone_;
    ConversationSource* conversations_;
    const std::string cf_order_;
    const std::string cf_invoice_;
    const AttachmentLinks* links_;
    // Tickets read under the current change generation, keyed by query and scope.
    mutable core::GenerationMemo<std::string, std::shared_ptr<const KnownTicket>> memo_{10000};
    // Whole answers given from memory, keyed by ticket, reader and conversation copy.
    mutable core::GenerationMemo<std::string, std::shared_ptr<const DetailsBody>> answers_{10000};
};

}  // namespace deskbridge::tickets
