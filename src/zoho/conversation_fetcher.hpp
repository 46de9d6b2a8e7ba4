#pragma once
// Fetches a ticket's conversation from Zoho Desk with as few round trips as the API allows:
// the thread list, the attachment list and (on refresh) the ticket start together; each thread
// detail starts as soon as its list page arrives, in parallel under the HttpClient's cap, and
// only for threads not already known.
//
// The result is all or nothing: any failed call fails the whole fetch, so half-mapped data is
// never passed on as complete. Thread-safe; `done` runs once, on the HttpClient thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "zoho/config.hpp"
#include "zoho/desk_client.hpp"
#include "zoho/types.hpp"

namespace deskbridge::zoho {

struct FetchRequest {
    std::string ticket_id;     // Zoho's id
    bool with_ticket = false;  // also GET the ticket itself (refresh=1)
    // Threads already known in full (from the cache): listed again, never fetched in detail.
    std::unordered_map<std::string, Thread> known;
};

struct FetchOutcome {
    core::Result<Conversation> conversation;
    bool ticket_missing = false;  // Zoho answered 404 for the ticket
    int calls = 0;
    std::int64_t credits_remaining = -1;
};

class ConversationFetcher {
  public:
    ConversationFetcher(const DeskClient& desk, const ZohoConfig& config)
        : desk_(desk), config_(config) {}

    void fetch(FetchRequest request, std::function<void(FetchOutcome)> done) const;

  private:
    struct State;
    // The rows of a list page, or nothing after recording the failure in `s`.
    static std::optional<std::vector<boost::json::value>> page_rows(State& s,
                                                                    core::Result<DeskReply> reply,
                                                                    bool thread_list);
    void list_threads(std::shared_ptr<State> s, int from) const;
    void list_attachments(std::shared_ptr<State> s, int from) const;
    void thread_detail(std::shared_ptr<State> s, std::size_t index) const;
    void get_ticket(std::shared_ptr<State> s) const;

    const DeskClient& desk_;
    const ZohoConfig& config_;
};

}  // namespace deskbridge::zoho
