#pragma once
// The store: the service's only door to the database.
//
// One interface, two engines behind it (SQLite now, PostgreSQL next). Implementations are
// thread-safe and block: call them from a core::WorkPool thread, never from an I/O thread.
// Expected outcomes are values (an empty optional for "no such ticket"); failures are
// core::Error with kind kUnavailable (database busy or down) or kInternal.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/records.hpp"

namespace deskbridge::store {

class Store {
  public:
    virtual ~Store() = default;

    // Applies pending migrations; refuses a schema newer than this build knows.
    virtual core::Status migrate() = 0;
    // Fails unless the schema is exactly the version this build knows.
    virtual core::Status check_schema() = 0;
    // The version the database records, read without writing anything (readiness probes).
    virtual core::Result<int> schema_version() = 0;

    // A number that moves whenever the database may have changed, whoever changed it; nullopt
    // when the engine cannot tell cheaply (then nothing read may be reused across requests).
    // Costs no query: callers ask it on every request, before reading, and may reuse what they
    // read for as long as the number stays the same.
    virtual std::optional<std::uint64_t> change_generation() = 0;

    virtual core::Result<std::optional<TicketView>> find_ticket(const TicketQuery& query) = 0;
    virtual core::Result<std::optional<ApiUser>> find_user_by_login(std::string_view login) = 0;
    virtual core::Result<std::optional<ApiUser>> find_user_by_id(std::int64_t id) = 0;

    // Writes Zoho's fresh values in one statement: the ticket is either old or new, never half
    // written. Fails with kNotFound when the ticket does not exist.
    virtual core::Status apply_ticket_update(std::int64_t id, const TicketUpdate& update) = 0;

    // The Zoho conversation cache, keyed by Zoho ticket id. `save_conversation` replaces the
    // cached thread set with `current_ids` (dropping threads Zoho no longer lists), writes
    // `upserts`, and sets the stale mark to `stale`, in one transaction.
    virtual core::Result<std::optional<CachedConversation>> load_conversation(
        std::string_view zoho_id) = 0;
    virtual core::Status save_conversation(std::string_view zoho_id,
                                           core::Instant fetched_at,
                                           const std::string& attachments_json,
                                           const std::vector<std::string>& current_ids,
                                           const std::vector<CachedThread>& upserts,
                                           bool stale) = 0;
    // Returns whether a cached conversation existed to mark.
    virtual core::Result<bool> mark_conversation_stale(std::string_view zoho_id) = 0;

    // The shared Zoho access token of OAuth client `client_id` (see docs/deployment.md).
    // `renew_zoho_token` holds a lock every instance takes (PostgreSQL: the row, SQLite: the
    // write lock) for the whole call: it re-reads the token, returns it when `keep` accepts
    // it, otherwise calls `grant` (which may block on Zoho) and stores what it returns, with
    // the next generation. A failed grant stores nothing.
    virtual core::Result<std::optional<ZohoToken>> load_zoho_token(std::string_view client_id) = 0;
    virtual core::Result<ZohoToken> renew_zoho_token(
        std::string_view client_id,
        const std::function<bool(const ZohoToken&)>& keep,
        const std::function<core::Result<ZohoToken>()>& grant) = 0;

    // A lease on fetching one ticket's conversation from Zoho, so that instances asked for the
    // same cold ticket at once make one set of calls. Taken when free or expired (true), refused
    // while another owner holds it (false). `release_fetch_lease` drops only `owner`'s lease.
    virtual core::Result<bool> take_fetch_lease(std::string_view zoho_id,
                                                std::string_view owner,
                                                core::Instant expires_at) = 0;
    virtual core::Status release_fetch_lease(std::string_view zoho_id, std::string_view owner) = 0;

    // Upserts everything by id (users by login) in one transaction: all or nothing. A user's
    // credential version changes only when its password hash, client or staff flag does, and
    // the import never changes whether a user is disabled. A record
    // that names a client or requester that exists neither in `data` nor in the database fails
    // with kInvalidArgument naming the record and the field.
    virtual core::Status import(const ImportData& data) = 0;

    // Fails with kInvalidArgument when the client exists.
    virtual core::Status add_client(const Client& client) = 0;
    // Fails with kNotFound when there is no such client.
    virtual core::Status set_client_blocked(std::int64_t id, bool blocked) = 0;
    // Fails with kInvalidArgument when the login exists or the client does not.
    virtual core::Status add_user(const NewUser& user) = 0;
    // Both bump the credential version, which invalidates every token issued before. Neither
    // re-enables a disabled user: that is enable_user's job.
    virtual core::Status set_password(std::string_view login, const std::string& hash) = 0;
    virtual core::Status disable_user(std::string_view login) = 0;
    virtual core::Status enable_user(std::string_view login) = 0;
};

struct StoreOptions {
    unsigned pool_size = 4;  // connections; match the database worker count
};

// "sqlite:PATH" (PATH may be relative) or "postgresql://user:pass@host:port/db" (also
// "postgres://"; libpq's environment variables apply). Fails with kInvalidArgument for an
// unknown scheme.
// The schema version this build migrates to.
int latest_schema_version();

core::Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options);

}  // namespace deskbridge::store
