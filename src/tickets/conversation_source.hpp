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

    // A webhook said the ticket changed: the next request revalidates.
    core::Result<bool> mark_stale(const std::string& zoho_id);

  private:
    struct Cached {
        std::shared_ptr<const ConversationView> view;
        core::Instant fetched_at;
        bool stale = false;
    };
    bool fresh(const Cached& c) const;
    std::optional<Cached> from_memory(const std::string& zoho_id);
    void remember(const std::string& zoho_id, const Cached& c);
    std::optional<Cached> load(const std::string& zoho_id);
    void complete(const std::string& key,
                  const std::string& zoho_id,
                  const std::optional<Cached>& cached,
                  std::uint64_t generation,
                  zoho::FetchOutcome outcome,
                  bool save);
    void save(const std::string& zoho_id,
              const std::optional<Cached>& cached,
              const zoho::Conversation& c,
              core::Instant fetched_at,
              bool stale);
    std::uint64_t generation(const std::string& zoho_id);
    void finish_flight(const std::string& key, const ConversationResult& result);

    store::Store& store_;
    core::WorkPool& pool_;
    zoho::ZohoDesk& zoho_;
    const core::TimeZone& zone_;
    const ConversationSourceOptions options_;

    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Callback>> flights_;  // guarded by mutex_
    std::unordered_map<std::string, Cached> memory_;                  // guarded by mutex_
    // Webhooks seen per ticket: a fetch that a webhook overtook is saved still stale.
    std::unordered_map<std::string, std::uint64_t> invalidations_;  // guarded by mutex_
};

}  // namespace deskbridge::tickets
