#pragma once
// Where a ticket's Zoho conversation comes from: the cache in the database while it is fresh,
// otherwise Zoho (revalidating the cache), otherwise, when Zoho fails, the last cached copy
// marked stale.
//
// Concurrent requests for the same ticket share one Zoho fetch (single flight, per process).
// A thread is fetched in detail once: later revalidations list threads and attachments and
// fetch only the new ones. `get` must be called on a WorkPool thread and answers on one.
// Thread-safe.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "core/work_pool.hpp"
#include "store/store.hpp"
#include "zoho/zoho_desk.hpp"

namespace deskbridge::tickets {

struct ConversationResult {
    std::optional<zoho::Conversation> conversation;  // absent when there is nothing to show
    std::string state = "ok";  // "ok", "stale" (cached copy, Zoho failed), "error", "missing"
    std::string source;        // "zoho" or "cache"
    std::optional<core::Instant> fetched_at;
    std::string error;  // for the caller, when state is not "ok"
    int calls = 0;      // Zoho calls made for this answer
};

class ConversationSource {
  public:
    ConversationSource(store::Store& store,
                       core::WorkPool& pool,
                       zoho::ZohoDesk& zoho,
                       std::chrono::seconds max_age)
        : store_(store), pool_(pool), zoho_(zoho), max_age_(max_age) {}

    using Callback = std::function<void(ConversationResult)>;
    // `refresh` always asks Zoho, and also for the ticket itself.
    void get(const std::string& zoho_id, bool refresh, Callback done);

    // A webhook said the ticket changed: the next request revalidates.
    core::Result<bool> mark_stale(const std::string& zoho_id);

  private:
    struct Cached {
        zoho::Conversation conversation;
        core::Instant fetched_at;
        bool stale = false;
    };
    std::optional<Cached> load(const std::string& zoho_id);
    void complete(const std::string& key,
                  const std::string& zoho_id,
                  const std::optional<Cached>& cached,
                  zoho::FetchOutcome outcome,
                  bool save);
    void finish_flight(const std::string& key, const ConversationResult& result);

    store::Store& store_;
    core::WorkPool& pool_;
    zoho::ZohoDesk& zoho_;
    const std::chrono::seconds max_age_;

    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Callback>> flights_;  // guarded by mutex_
};

}  // namespace deskbridge::tickets
