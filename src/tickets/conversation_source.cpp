#include "tickets/conversation_source.hpp"

#include "core/log.hpp"
#include "zoho/cache_codec.hpp"

namespace deskbridge::tickets {
namespace {

core::Instant now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

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

    Cached c;
    c.fetched_at = (*row)->fetched_at;
    c.stale = (*row)->stale;
    auto files = zoho::decode_attachments((*row)->attachments_json);
    if (!files) {
        return std::nullopt;
    }
    c.conversation.attachments = std::move(*files);
    for (const auto& t : (*row)->threads) {
        auto thread = zoho::decode_thread(t.json);
        if (!thread) {
            // A damaged entry is refetched rather than shown half-read.
            return std::nullopt;
        }
        c.conversation.threads.push_back(std::move(*thread));
    }
    return c;
}

void ConversationSource::get(const std::string& zoho_id, bool refresh, Callback done) {
    auto cached = load(zoho_id);
    if (!refresh && cached && !cached->stale && max_age_.count() > 0 &&
        now_seconds() - cached->fetched_at < max_age_) {
        ConversationResult r;
        r.conversation = std::move(cached->conversation);
        r.source = "cache";
        r.fetched_at = cached->fetched_at;
        return done(std::move(r));
    }

    const std::string key = refresh ? zoho_id + "#refresh" : zoho_id;
    {
        const std::lock_guard lock(mutex_);
        auto& waiters = flights_[key];
        waiters.push_back(std::move(done));
        if (waiters.size() > 1) {
            return;  // a fetch for this ticket is already on its way
        }
    }

    zoho::FetchRequest request{zoho_id, refresh, {}};
    if (cached) {
        for (const auto& t : cached->conversation.threads) {
            // Only a sent message is final; anything else is fetched again.
            if (t.status == "SUCCESS") {
                request.known.emplace(t.id, t);
            }
        }
    }
    zoho_.fetcher().fetch(std::move(request),
                          [this, key, zoho_id, cached](zoho::FetchOutcome outcome) {
                              auto job = [this, key, zoho_id, cached, outcome]() {
                                  complete(key, zoho_id, cached, outcome, true);
                              };
                              if (!pool_.try_submit(job)) {
                                  // No worker to write the cache: answer anyway, without saving.
                                  complete(key, zoho_id, cached, std::move(outcome), false);
                              }
                          });
}

void ConversationSource::complete(const std::string& key,
                                  const std::string& zoho_id,
                                  const std::optional<Cached>& cached,
                                  zoho::FetchOutcome outcome,
                                  bool save) {
    ConversationResult r;
    r.calls = outcome.calls;

    if (outcome.conversation) {
        const zoho::Conversation& c = *outcome.conversation;
        r.fetched_at = now_seconds();
        r.source = "zoho";
        if (save) {
            std::vector<std::string> ids;
            std::vector<store::CachedThread> upserts;
            for (const auto& t : c.threads) {
                ids.push_back(t.id);
                const bool known =
                    cached &&
                    std::any_of(cached->conversation.threads.begin(),
                                cached->conversation.threads.end(), [&](const zoho::Thread& k) {
                                    return k.id == t.id && k.status == "SUCCESS";
                                });
                if (!known) {
                    upserts.push_back({t.id, t.created_ms, zoho::encode_thread(t)});
                }
            }
            auto st = store_.save_conversation(
                zoho_id, *r.fetched_at, zoho::encode_attachments(c.attachments), ids, upserts);
            if (!st) {
                core::log::warn("zoho_cache_write_failed",
                                {{"zoho_id", zoho_id}, {"error", st.error().detail}});
            }
        }
        r.conversation = std::move(*outcome.conversation);
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
            r.conversation = cached->conversation;
        } else {
            r.state = "error";
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

core::Result<bool> ConversationSource::mark_stale(const std::string& zoho_id) {
    return store_.mark_conversation_stale(zoho_id);
}

}  // namespace deskbridge::tickets
