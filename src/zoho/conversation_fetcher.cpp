#include "zoho/conversation_fetcher.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "zoho/mapping.hpp"

namespace deskbridge::zoho {

struct ConversationFetcher::State {
    FetchRequest request;
    std::shared_ptr<CallBudget> budget;
    std::function<void(FetchOutcome)> done;

    std::mutex mutex;
    int pending = 0;                         // guarded by mutex
    std::optional<core::Error> error;        // guarded by mutex; the first failure wins
    bool ticket_missing = false;             // guarded by mutex
    Conversation result;                     // guarded by mutex
    std::set<std::string> seen_threads;      // guarded by mutex
    std::set<std::string> seen_attachments;  // guarded by mutex

    void add_pending(int n = 1) {
        const std::lock_guard lock(mutex);
        pending += n;
    }

    void fail(core::Error e) {
        const std::lock_guard lock(mutex);
        if (!error) {
            error = std::move(e);
        }
    }

    // Every step ends here; the last one to finish answers.
    void step_done() {
        std::unique_lock lock(mutex);
        if (--pending > 0) {
            return;
        }
        FetchOutcome out{error ? core::Result<Conversation>(std::move(*error))
                               : core::Result<Conversation>(std::move(result)),
                         ticket_missing, budget->calls.load(), budget->credits_remaining.load()};
        if (out.conversation) {
            auto& threads = out.conversation->threads;
            std::stable_sort(threads.begin(), threads.end(), [](const Thread& a, const Thread& b) {
                return a.created_ms < b.created_ms;
            });
        }
        lock.unlock();
        done(std::move(out));
    }
};

namespace {

std::string page_query(int from, int limit) {
    return "from=" + std::to_string(from) + "&limit=" + std::to_string(limit);
}

}  // namespace

std::optional<std::vector<boost::json::value>> ConversationFetcher::page_rows(
    State& s, core::Result<DeskReply> reply, bool thread_list) {
    if (!reply) {
        if (thread_list && reply.error().kind == core::ErrorKind::kNotFound) {
            const std::lock_guard lock(s.mutex);
            s.ticket_missing = true;  // no thread list: the ticket itself is gone
        }
        s.fail(std::move(reply).error());
        return std::nullopt;
    }
    auto items = list_items(reply->body ? &*reply->body : nullptr);
    if (!items) {
        s.fail(std::move(items).error());
        return std::nullopt;
    }
    return std::move(*items);
}

void ConversationFetcher::fetch(FetchRequest request,
                                std::function<void(FetchOutcome)> done) const {
    auto s = std::make_shared<State>();
    s->request = std::move(request);
    s->budget = std::make_shared<CallBudget>(config_.deadline);
    s->done = std::move(done);

    // One pending step per root so that no early finisher answers before the others start.
    s->add_pending(s->request.with_ticket ? 3 : 2);
    list_threads(s, 0);
    list_attachments(s, 0);
    if (s->request.with_ticket) {
        get_ticket(s);
    }
}

void ConversationFetcher::list_threads(std::shared_ptr<State> s, int from) const {
    const int limit = config_.page_size;
    const std::string path =
        "/api/v1/tickets/" + s->request.ticket_id + "/threads?" + page_query(from, limit);
    desk_.get(path, s->budget, [this, s, from, limit](core::Result<DeskReply> reply) {
        if (!reply && from == 0 && reply.error().kind == core::ErrorKind::kInvalidArgument) {
            // Sources disagree on whether paging starts at 0 or 1: try 1 when 0 is refused.
            return list_threads(s, 1);
        }
        auto items = page_rows(*s, std::move(reply), true);
        if (!items) {
            return s->step_done();
        }

        std::vector<std::size_t> to_detail;
        {
            const std::lock_guard lock(s->mutex);
            for (const auto& item : *items) {
                auto t = parse_thread(item);
                if (!t) {
                    s->error = s->error ? s->error : std::optional(std::move(t).error());
                    break;
                }
                // Pages may overlap (Zoho's paging base is not certain): one entry per id.
                if (!t->is_message() || !s->seen_threads.insert(t->id).second) {
                    continue;
                }
                if (auto known = s->request.known.find(t->id); known != s->request.known.end()) {
                    s->result.threads.push_back(known->second);
                    continue;
                }
                s->result.threads.push_back(std::move(*t));
                to_detail.push_back(s->result.threads.size() - 1);
            }
            s->pending += static_cast<int>(to_detail.size());
            if (static_cast<int>(items->size()) >= limit) {
                ++s->pending;  // the next page
            }
        }
        for (const std::size_t i : to_detail) {
            thread_detail(s, i);
        }
        if (static_cast<int>(items->size()) >= limit) {
            list_threads(s, from + limit);
        }
        s->step_done();
    });
}

void ConversationFetcher::thread_detail(std::shared_ptr<State> s, std::size_t index) const {
    std::string id;
    {
        const std::lock_guard lock(s->mutex);
        id = s->result.threads[index].id;
    }
    const std::string base = "/api/v1/tickets/" + s->request.ticket_id + "/threads/" + id;
    desk_.get(base, s->budget, [this, s, index, base](core::Result<DeskReply> reply) {
        core::Result<Thread> t =
            reply && reply->body
                ? parse_thread(*reply->body)
                : core::Result<Thread>(
                      reply ? core::Error::unavailable("Zoho Desk sent an empty thread")
                            : std::move(reply).error());
        if (!t) {
            s->fail(std::move(t).error());
            return s->step_done();
        }
        const bool truncated = t->content_truncated;
        {
            const std::lock_guard lock(s->mutex);
            s->result.threads[index] = std::move(*t);
        }
        if (!truncated) {
            return s->step_done();
        }

        // The detail cut the content short; fullContent has all of it.
        desk_.get(base + "/fullContent", s->budget, [s, index](core::Result<DeskReply> full) {
            core::Result<Thread> ft =
                full && full->body
                    ? parse_thread(*full->body)
                    : core::Result<Thread>(
                          full ? core::Error::unavailable("Zoho Desk sent empty full content")
                               : std::move(full).error());
            if (!ft) {
                s->fail(std::move(ft).error());
            } else {
                const std::lock_guard lock(s->mutex);
                s->result.threads[index].content = std::move(ft->content);
                s->result.threads[index].content_truncated = false;
            }
            s->step_done();
        });
    });
}

void ConversationFetcher::list_attachments(std::shared_ptr<State> s, int from) const {
    const int limit = config_.page_size;
    const std::string path =
        "/api/v1/tickets/" + s->request.ticket_id + "/attachments?" + page_query(from, limit);
    desk_.get(path, s->budget, [this, s, from, limit](core::Result<DeskReply> reply) {
        if (!reply && from == 0 && reply.error().kind == core::ErrorKind::kInvalidArgument) {
            // Sources disagree on whether paging starts at 0 or 1: try 1 when 0 is refused.
            return list_attachments(s, 1);
        }
        auto items = page_rows(*s, std::move(reply), false);
        if (!items) {
            return s->step_done();
        }
        bool more = static_cast<int>(items->size()) >= limit;
        {
            const std::lock_guard lock(s->mutex);
            for (const auto& item : *items) {
                auto a = parse_attachment(item);
                if (!a) {
                    s->error = s->error ? s->error : std::optional(std::move(a).error());
                    more = false;
                    break;
                }
                if (s->seen_attachments.insert(a->id).second) {
                    s->result.attachments.push_back(std::move(*a));
                }
            }
            if (more) {
                ++s->pending;
            }
        }
        if (more) {
            list_attachments(s, from + limit);
        }
        s->step_done();
    });
}

void ConversationFetcher::get_ticket(std::shared_ptr<State> s) const {
    const std::string path = "/api/v1/tickets/" + s->request.ticket_id + "?include=departments";
    desk_.get(path, s->budget, [this, s](core::Result<DeskReply> reply) {
        if (!reply) {
            if (reply.error().kind == core::ErrorKind::kNotFound) {
                const std::lock_guard lock(s->mutex);
                s->ticket_missing = true;
            }
            s->fail(std::move(reply).error());
            return s->step_done();
        }
        auto t =
            reply->body
                ? parse_ticket(*reply->body, config_.cf_order_number, config_.cf_invoice_number)
                : core::Result<Ticket>(core::Error::unavailable("Zoho Desk sent an empty ticket"));
        if (!t) {
            s->fail(std::move(t).error());
        } else {
            const std::lock_guard lock(s->mutex);
            s->result.ticket = std::move(*t);
        }
        s->step_done();
    });
}

}  // namespace deskbridge::zoho
