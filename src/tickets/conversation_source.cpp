#include "tickets/conversation_source.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <random>
#include <thread>
#include <unordered_set>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "tickets/conversation_json.hpp"
#include "zoho/cache_codec.hpp"

namespace deskbridge::tickets {
namespace {

core::Instant now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

std::shared_ptr<const ConversationView> ConversationView::make(zoho::Conversation c,
                                                               const core::TimeZone& zone) {
    auto v = std::make_shared<ConversationView>();
    for (const bool staff : {false, true}) {
        v->threads_json[staff] = boost::json::serialize(threads_to_json(c, zone, staff));
        v->attachments[staff] = AttachmentsTemplate::make(attachments_to_json(c, zone, staff));
    }
    v->conversation = std::move(c);
    v->zone_ = &zone;
    return v;
}

ConversationResult ConversationSource::from_cache(const Cached& c) {
    ConversationResult r;
    r.view = c.view;
    r.source = "cache";
    r.fetched_at = c.fetched_at;
    return r;
}

const std::string& ConversationView::threads_with_text(int reader) const {
    std::call_once(text_once_[reader], [this, reader] {
        threads_text_json_[reader] =
            boost::json::serialize(threads_to_json(conversation, *zone_, reader == 1, true));
    });
    return threads_text_json_[reader];
}

bool ConversationSource::fresh(const Cached& c) const {
    return !c.stale && options_.max_age.count() > 0 &&
           now_seconds() - c.fetched_at < options_.max_age;
}

std::optional<ConversationSource::Cached> ConversationSource::from_memory(
    const std::string& zoho_id) {
    const std::lock_guard lock(mutex_);
    const auto it = memory_.find(zoho_id);
    return it == memory_.end() ? std::nullopt : std::optional(it->second);
}

void ConversationSource::remember(const std::string& zoho_id, const Cached& c) {
    const std::lock_guard lock(mutex_);
    if (memory_.size() >= options_.memory_entries && memory_.count(zoho_id) == 0) {
        // Evict expired entries; when all are fresh, drop an arbitrary one.
        std::erase_if(memory_, [this](const auto& kv) { return !fresh(kv.second); });
        if (memory_.size() >= options_.memory_entries) {
            memory_.erase(memory_.begin());
        }
    }
    memory_[zoho_id] = c;
}

std::optional<ConversationSource::Cached> ConversationSource::load(const std::string& zoho_id) {
    auto row = store_.load_conversation(zoho_id);
    if (!row) {
        core::log::warn("zoho_cache_unreadable",
                        {{"zoho_id", zoho_id}, {"error", row.error().detail}});
        return std::nullopt;
    }
    if (!*row) {
        return std::nullopt;
    }

    zoho::Conversation conversation;
    auto files = zoho::decode_attachments((*row)->attachments_json);
    if (!files) {
        return std::nullopt;
    }
    conversation.attachments = std::move(*files);
    for (const auto& t : (*row)->threads) {
        auto thread = zoho::decode_thread(t.json);
        if (!thread) {
            // A damaged entry is refetched rather than shown half-read.
            return std::nullopt;
        }
        conversation.threads.push_back(std::move(*thread));
    }
    return Cached{ConversationView::make(std::move(conversation), zone_), (*row)->fetched_at,
                  (*row)->stale};
}

std::optional<ConversationResult> ConversationSource::from_memory_if_fresh(
    const std::string& zoho_id) {
    const auto memory = from_memory(zoho_id);
    if (!memory || !fresh(*memory)) {
        return std::nullopt;
    }
    core::metrics::conversation_cache(core::metrics::CacheResult::kMemoryHit);
    return from_cache(*memory);
}

void ConversationSource::get(const std::string& zoho_id, bool refresh, Callback done) {
    const auto memory = from_memory(zoho_id);
    std::optional<Cached> cached = memory;
    const bool memory_fresh = memory && fresh(*memory);
    if (!memory_fresh) {
        // The database may hold a newer copy (another instance fetched it) or a stale mark;
        // this instance's memory may hold one the database write has not reached yet.
        auto stored = load(zoho_id);
        if (stored && (!memory || stored->fetched_at >= memory->fetched_at)) {
            cached = std::move(stored);
            if (fresh(*cached)) {
                remember(zoho_id, *cached);
            }
        }
    }
    using core::metrics::CacheResult;
    if (!refresh && cached && fresh(*cached)) {
        core::metrics::conversation_cache(memory_fresh ? CacheResult::kMemoryHit
                                                       : CacheResult::kDatabaseHit);
        return done(from_cache(*cached));
    }

    core::metrics::conversation_cache(refresh ? CacheResult::kBypass : CacheResult::kMiss);
    const std::string key = refresh ? zoho_id + "#refresh" : zoho_id;
    {
        const std::lock_guard lock(mutex_);
        auto& waiters = flights_[key];
        waiters.push_back(std::move(done));
        if (waiters.size() > 1) {
            return;  // a fetch for this ticket is already on its way
        }
    }

    bool leased = false;
    if (!refresh && options_.max_age.count() > 0) {
        auto lease = lease_or_wait(zoho_id);
        if (lease.shared) {
            remember(zoho_id, *lease.shared);
            ConversationResult r;
            r.view = lease.shared->view;
            r.source = "cache";
            r.fetched_at = lease.shared->fetched_at;
            return finish_flight(key, r);
        }
        leased = lease.leased;
    }

    zoho::FetchRequest request{zoho_id, refresh, {}};
    for (const std::optional<Cached>* source :
         std::initializer_list<const std::optional<Cached>*>{&cached, &memory}) {
        if (!*source) {
            continue;
        }
        for (const auto& t : (*source)->view->conversation.threads) {
            // Only a sent message is final; anything else is fetched again.
            if (t.status == "SUCCESS") {
                request.known.emplace(t.id, t);
            }
        }
    }
    const std::uint64_t gen = generation(zoho_id);
    zoho_.fetcher().fetch(
        std::move(request), [this, key, zoho_id, cached, gen, leased](zoho::FetchOutcome outcome) {
            auto job = [this, key, zoho_id, cached, gen, outcome, leased]() {
                complete(key, zoho_id, cached, gen, outcome, true, leased);
            };
            if (!pool_.try_submit(job)) {
                // No worker to write the cache: answer anyway, without saving
                // (the lease, if any, runs out by itself).
                complete(key, zoho_id, cached, gen, std::move(outcome), false, false);
            }
        });
}

ConversationSource::LeaseOutcome ConversationSource::lease_or_wait(const std::string& zoho_id) {
    // Empty when the database cannot say: then fetch, as a second set of calls beats no answer.
    const auto take = [&]() -> std::optional<bool> {
        auto taken = store_.take_fetch_lease(zoho_id, owner_, now_seconds() + options_.lease_ttl);
        if (!taken) {
            core::log::warn("zoho_lease_unavailable",
                            {{"zoho_id", zoho_id}, {"error", taken.error().detail}});
            return std::nullopt;
        }
        return *taken;
    };

    auto taken = take();
    if (!taken || *taken) {
        return {std::nullopt, taken.value_or(false)};
    }

    // Another instance is fetching: its copy lands in the database, then it frees the lease.
    const auto give_up = std::chrono::steady_clock::now() + options_.lease_ttl;
    while (std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(options_.lease_poll);
        if (auto stored = load(zoho_id); stored && fresh(*stored)) {
            return {std::move(stored), false};
        }
        taken = take();
        if (!taken || *taken) {
            // The holder finished or died; it may have saved just before letting go.
            auto stored = load(zoho_id);
            if (!stored || !fresh(*stored)) {
                return {std::nullopt, taken.value_or(false)};
            }
            if (taken.value_or(false)) {
                (void)store_.release_fetch_lease(zoho_id, owner_);
            }
            return {std::move(stored), false};
        }
    }
    core::log::warn("zoho_lease_wait_timed_out", {{"zoho_id", zoho_id}});
    return {std::nullopt, false};
}

std::string ConversationSource::new_owner_id() {
    char host[64] = {};
    (void)::gethostname(host, sizeof host - 1);
    std::random_device random;
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

void ConversationSource::save(const std::string& zoho_id,
                              const std::optional<Cached>& cached,
                              const zoho::Conversation& c,
                              core::Instant fetched_at,
                              bool stale) {
    // Threads the cache already holds as sent messages are final: only the others are written.
    std::unordered_set<std::string> final_ids;
    if (cached) {
        for (const auto& t : cached->view->conversation.threads) {
            if (t.status == "SUCCESS") {
                final_ids.insert(t.id);
            }
        }
    }
    std::vector<std::string> ids;
    std::vector<store::CachedThread> upserts;
    for (const auto& t : c.threads) {
        ids.push_back(t.id);
        if (final_ids.count(t.id) == 0) {
            upserts.push_back({t.id, t.created_ms, zoho::encode_thread(t)});
        }
    }
    auto st = store_.save_conversation(zoho_id, fetched_at, zoho::encode_attachments(c.attachments),
                                       ids, upserts, stale);
    if (!st) {
        core::log::warn("zoho_cache_write_failed",
                        {{"zoho_id", zoho_id}, {"error", st.error().detail}});
    }
}

void ConversationSource::complete(const std::string& key,
                                  const std::string& zoho_id,
                                  const std::optional<Cached>& cached,
                                  std::uint64_t gen,
                                  zoho::FetchOutcome outcome,
                                  bool save_it,
                                  bool leased) {
    ConversationResult r;
    r.calls = outcome.calls;

    if (outcome.conversation) {
        r.fetched_at = now_seconds();
        r.source = "zoho";
        // A webhook that arrived while the calls ran may describe a change they missed: the
        // copy is answered and kept, but stays marked stale.
        const bool overtaken = generation(zoho_id) != gen;
        if (save_it) {
            save(zoho_id, cached, *outcome.conversation, *r.fetched_at, overtaken);
        }
        r.view = ConversationView::make(std::move(*outcome.conversation), zone_);
        remember(zoho_id, Cached{r.view, *r.fetched_at, overtaken});
    } else {
        r.error = outcome.conversation.error().message;
        core::log::warn("zoho_fetch_failed", {{"zoho_id", zoho_id},
                                              {"error", r.error},
                                              {"detail", outcome.conversation.error().detail},
                                              {"calls", outcome.calls}});
        if (outcome.ticket_missing) {
            r.state = "missing";
            r.error = "Zoho Desk has no ticket " + zoho_id;
        } else if (cached) {
            r.state = "stale";
            r.source = "cache";
            r.fetched_at = cached->fetched_at;
            r.view = cached->view;
        } else {
            r.state = "error";
        }
    }
    if (leased) {
        // After the save: an instance that takes the lease next finds the copy first.
        if (auto st = store_.release_fetch_lease(zoho_id, owner_); !st) {
            core::log::warn("zoho_lease_release_failed",
                            {{"zoho_id", zoho_id}, {"error", st.error().detail}});
        }
    }
    finish_flight(key, r);
}

void ConversationSource::finish_flight(const std::string& key, const ConversationResult& result) {
    std::vector<Callback> waiters;
    {
        const std::lock_guard lock(mutex_);
        auto it = flights_.find(key);
        if (it != flights_.end()) {
            waiters = std::move(it->second);
            flights_.erase(it);
        }
    }
    for (std::size_t i = 0; i < waiters.size(); ++i) {
        ConversationResult copy = result;
        if (i > 0) {
            copy.calls = 0;  // the leader's request made the calls; the others shared them
        }
        waiters[i](std::move(copy));
    }
}

std::uint64_t ConversationSource::generation(const std::string& zoho_id) {
    const std::lock_guard lock(mutex_);
    const auto it = invalidations_.find(zoho_id);
    return it == invalidations_.end() ? 0 : it->second;
}

core::Result<bool> ConversationSource::mark_stale(const std::string& zoho_id) {
    {
        const std::lock_guard lock(mutex_);
        memory_.erase(zoho_id);
        ++invalidations_[zoho_id];
    }
    return store_.mark_conversation_stale(zoho_id);
}

}  // namespace deskbridge::tickets
