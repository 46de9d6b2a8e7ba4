#pragma once
// Where a ticket's Zoho conversation comes from: memory or the database cache while it is
// fresh, otherwise Zoho (revalidating the cache), otherwise, when Zoho fails, the last cached
// copy marked stale.
//
// The database cache survives restarts and is shared by every instance; the memory layer in
// front of it keeps the ready-to-send JSON of recent conversations, so a warm request neither
// reads nor re-serializes them. A webhook clears both layers at once on the instance that
// receives it; another instance notices within its freshness window.
//
// Concurrent requests for the same ticket share one Zoho fetch (single flight, per process).
// Across instances a lease row in the database does the same: the instance that takes it
// fetches, the others poll the database cache until it lands there or the lease is free again
// (then they take it), at most `lease_ttl`. `refresh` requests always ask Zoho themselves.
// A thread is fetched in detail once: later revalidations list threads and attachments and
// fetch only the new ones. `get` must be called on a WorkPool thread and answers on one.
// Thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "core/work_pool.hpp"
#include "store/store.hpp"
#include "tickets/attachment_links.hpp"
#include "zoho/zoho_desk.hpp"

namespace deskbridge::tickets {

// A conversation with its `threads` and `attachments` JSON already serialized for both kinds of
// reader. Immutable once built; shared between requests.
struct ConversationView {
    zoho::Conversation conversation;
    std::string threads_json[2];         // [0] client users, [1] staff
    AttachmentsTemplate attachments[2];  // [0] client users, [1] staff; links added per request

    static std::shared_ptr<const ConversationView> make(zoho::Conversation c,
                                                        const core::TimeZone& zone);

    // The threads with `conteudo_texto` added, built on first use: few callers ask for text,
    // and HTML parsing costs more than the rest of the serialization.
    const std::string& threads_with_text(int reader) const;

  private:
    const core::TimeZone* zone_ = nullptr;
    mutable std::once_flag text_once_[2];
    mutable std::string threads_text_json_[2];  // written once under text_once_
};

struct ConversationResult {
    std::shared_ptr<const ConversationView> view;  // null when there is nothing to show
    std::string state = "ok";  // "ok", "stale" (cached copy, Zoho failed), "error", "missing"
    std::string source;        // "zoho" or "cache"
    std::optional<core::Instant> fetched_at;
    std::string error;  // for the caller, when state is not "ok"
    int calls = 0;      // Zoho calls made for this answer
};

struct ConversationSourceOptions {
    std::chrono::seconds max_age{60};
    std::size_t memory_entries = 10000;  // conversations kept in memory, at most
    // How long an instance may hold a ticket's fetch lease: longer than one request's Zoho
    // deadline, so that only a crashed holder's lease runs out.
    std::chrono::seconds lease_ttl{10};
    // How often an instance waiting on another's lease looks at the database again.
    std::chrono::milliseconds lease_poll{50};
};

class ConversationSource {
  public:
    ConversationSource(store::Store& store,
                       core::WorkPool& pool,
                       zoho::ZohoDesk& zoho,
                       const core::TimeZone& zone,
                       ConversationSourceOptions options)
        : store_(store), pool_(pool), zoho_(zoho), zone_(zone), options_(options) {}

    using Callback = std::function<void(ConversationResult)>;
    // `refresh` always asks Zoho, and also for the ticket itself.
    void get(const std::string& zoho_id, bool refresh, Callback done);

    // The conversation as `get` would answer it from memory, without blocking; nullopt unless
    // this instance holds a fresh copy.
    std::optional<ConversationResult> from_memory_if_fresh(const std::string& zoho_id);

    // A webhook said the ticket changed: the next request revalidates.
    core::Result<bool> mark_stale(const std::string& zoho_id);

  private:
    struct Cached {
        std::shared_ptr<const ConversationView> view;
        core::Instant fetched_at;
        bool stale = false;
    };
    bool fresh(const Cached& c) const;
    static ConversationResult from_cache(const Cached& c);
    std::optional<Cached> from_memory(const std::string& zoho_id);
    void remember(const std::string& zoho_id, const Cached& c);
    std::optional<Cached> load(const std::string& zoho_id);
    // What lease_or_wait found: the copy another instance stored (serve it), or nothing, and
    // then whether this instance holds the lease for its own fetch.
    struct LeaseOutcome {
        std::optional<Cached> shared;
        bool leased = false;
    };
    // Takes the ticket's fetch lease, or waits for the instance holding it.
    LeaseOutcome lease_or_wait(const std::string& zoho_id);
    void complete(const std::string& key,
                  const std::string& zoho_id,
                  const std::optional<Cached>& cached,
                  std::uint64_t generation,
                  zoho::FetchOutcome outcome,
                  bool save,
                  bool leased);
    void save(const std::string& zoho_id,
              const std::optional<Cached>& cached,
              const zoho::Conversation& c,
              core::Instant fetched_at,
              bool stale);
    std::uint64_t generation(const std::string& zoho_id);
    void finish_flight(const std::string& key, const ConversationResult& result);
    static std::string new_owner_id();

    store::Store& store_;
    core::WorkPool& pool_;
    zoho::ZohoDesk& zoho_;
    const core::TimeZone& zone_;
    const ConversationSourceOptions options_;
    const std::string owner_ = new_owner_id();  // names this process's leases

    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Callback>> flights_;  // guarded by mutex_
    std::unordered_map<std::string, Cached> memory_;                  // guarded by mutex_
    // Webhooks seen per ticket: a fetch that a webhook overtook is saved still stale.
    std::unordered_map<std::string, std::uint64_t> invalidations_;  // guarded by mutex_
};

}  // namespace deskbridge::tickets
