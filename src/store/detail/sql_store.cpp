#include "store/detail/sql_store.hpp"

#include <set>
#include <string>

#include "store/detail/migrations.hpp"

namespace deskbridge::store::detail {
namespace {

using core::Error;
using core::Result;
using core::Status;

// Column order shared by the ticket queries and read_ticket_view().
constexpr std::string_view kTicketSelect =
    "SELECT t.id, t.ticket_number, t.zoho_id, t.web_url, t.status, t.created_at, t.updated_at, "
    "t.subject, t.description, t.department, t.category, t.numero_pedido, t.numero_nf, "
    "t.client_id, t.requester_id, c.id, c.apelido, c.cnpj, c.blocked, r.id, r.nome, r.email, "
    "r.client_id FROM tickets t LEFT JOIN clients c ON c.id = t.client_id "
    "LEFT JOIN requesters r ON r.id = t.requester_id WHERE ";

// Every identifier is checked; the one given first drives the index. $1 id, $2 ticket number,
// $3 zoho id, $4 client scope.
constexpr std::string_view kTicketFilters =
    " AND (CAST($1 AS BIGINT) IS NULL OR t.id = CAST($1 AS BIGINT))"
    " AND (CAST($2 AS TEXT) IS NULL OR t.ticket_number = CAST($2 AS TEXT))"
    " AND (CAST($3 AS TEXT) IS NULL OR t.zoho_id = CAST($3 AS TEXT))"
    " AND (CAST($4 AS BIGINT) IS NULL OR t.client_id = CAST($4 AS BIGINT))"
    " ORDER BY t.id LIMIT 1";

const std::string kTicketById =
    std::string(kTicketSelect) + "t.id = CAST($1 AS BIGINT)" + std::string(kTicketFilters);
const std::string kTicketByZohoId =
    std::string(kTicketSelect) + "t.zoho_id = CAST($3 AS TEXT)" + std::string(kTicketFilters);
const std::string kTicketByNumber =
    std::string(kTicketSelect) + "t.ticket_number = CAST($2 AS TEXT)" + std::string(kTicketFilters);

constexpr std::string_view kUserSelect =
    "SELECT u.id, u.login, u.password_hash, u.client_id, u.staff, u.disabled, "
    "u.credential_version, COALESCE(c.blocked, 0) FROM api_users u "
    "LEFT JOIN clients c ON c.id = u.client_id WHERE ";
const std::string kUserByLogin = std::string(kUserSelect) + "u.login = CAST($1 AS TEXT)";
const std::string kUserById = std::string(kUserSelect) + "u.id = CAST($1 AS BIGINT)";

constexpr std::string_view kUpsertClient =
    "INSERT INTO clients (id, apelido, cnpj, blocked) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (id) DO UPDATE SET apelido = excluded.apelido, cnpj = excluded.cnpj, "
    "blocked = excluded.blocked";
constexpr std::string_view kUpsertRequester =
    "INSERT INTO requesters (id, nome, email, client_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (id) DO UPDATE SET nome = excluded.nome, email = excluded.email, "
    "client_id = excluded.client_id";
constexpr std::string_view kUpsertTicket =
    "INSERT INTO tickets (id, ticket_number, zoho_id, web_url, status, created_at, updated_at, "
    "subject, description, department, category, numero_pedido, numero_nf, client_id, "
    "requester_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT (id) DO UPDATE SET ticket_number = excluded.ticket_number, "
    "zoho_id = excluded.zoho_id, web_url = excluded.web_url, status = excluded.status, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at, "
    "subject = excluded.subject, description = excluded.description, "
    "department = excluded.department, category = excluded.category, "
    "numero_pedido = excluded.numero_pedido, numero_nf = excluded.numero_nf, "
    "client_id = excluded.client_id, requester_id = excluded.requester_id";
constexpr std::string_view kApplyTicketUpdate =
    "UPDATE tickets SET status = COALESCE($2, status), subject = COALESCE($3, subject), "
    "description = COALESCE($4, description), department = COALESCE($5, department), "
    "category = COALESCE($6, category), numero_pedido = COALESCE($7, numero_pedido), "
    "numero_nf = COALESCE($8, numero_nf), updated_at = COALESCE($9, updated_at), "
    "web_url = COALESCE($10, web_url) WHERE id = $1 RETURNING id";
constexpr std::string_view kLoadConversation =
    "SELECT fetched_at, stale, attachments FROM zoho_conversations WHERE zoho_id = $1";
constexpr std::string_view kLoadThreads =
    "SELECT thread_id, created_ms, data FROM zoho_threads WHERE zoho_id = $1 "
    "ORDER BY created_ms, thread_id";
constexpr std::string_view kUpsertConversation =
    "INSERT INTO zoho_conversations (zoho_id, fetched_at, stale, attachments) "
    "VALUES ($1, $2, $4, $3) ON CONFLICT (zoho_id) DO UPDATE SET "
    "fetched_at = excluded.fetched_at, stale = excluded.stale, attachments = excluded.attachments";
constexpr std::string_view kUpsertThread =
    "INSERT INTO zoho_threads (zoho_id, thread_id, created_ms, data) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (zoho_id, thread_id) DO UPDATE SET created_ms = excluded.created_ms, "
    "data = excluded.data";
constexpr std::string_view kUpsertUser =
    "INSERT INTO api_users (login, password_hash, client_id, staff) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (login) DO UPDATE SET password_hash = excluded.password_hash, "
    "client_id = excluded.client_id, staff = excluded.staff, "
    "credential_version = CASE WHEN api_users.password_hash = excluded.password_hash "
    "AND api_users.staff = excluded.staff AND COALESCE(api_users.client_id, -1) = "
    "COALESCE(excluded.client_id, -1) THEN api_users.credential_version "
    "ELSE api_users.credential_version + 1 END";

constexpr std::string_view kEnsureToken =
    "INSERT INTO zoho_tokens (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING";
constexpr std::string_view kLoadToken =
    "SELECT access_token, renew_at, expires_at, generation FROM zoho_tokens WHERE client_id = $1";
constexpr std::string_view kStoreToken =
    "UPDATE zoho_tokens SET access_token = $2, renew_at = $3, expires_at = $4, "
    "generation = generation + 1 WHERE client_id = $1 RETURNING generation";
// Taken when absent or expired ($4 is now); RETURNING yields no row when another owner holds it.
constexpr std::string_view kTakeLease =
    "INSERT INTO zoho_fetch_leases (zoho_id, owner, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (zoho_id) DO UPDATE SET owner = excluded.owner, "
    "expires_at = excluded.expires_at WHERE zoho_fetch_leases.expires_at <= $4 RETURNING owner";

SqlValue opt(const std::optional<std::string>& v) {
    return v ? SqlValue{*v} : SqlValue{};
}
SqlValue opt(const std::optional<std::int64_t>& v) {
    return v ? SqlValue{*v} : SqlValue{};
}
SqlValue opt(const std::optional<core::Instant>& v) {
    return v ? SqlValue{static_cast<std::int64_t>(v->time_since_epoch().count())} : SqlValue{};
}
SqlValue flag(bool b) {
    return std::int64_t{b ? 1 : 0};
}

std::optional<std::string> text_at(const SqlRow& row, std::size_t i) {
    if (const auto* s = std::get_if<std::string>(&row[i])) {
        return *s;
    }
    if (const auto* n = std::get_if<std::int64_t>(&row[i])) {
        return std::to_string(*n);
    }
    return std::nullopt;
}
std::optional<std::int64_t> int_at(const SqlRow& row, std::size_t i) {
    if (const auto* n = std::get_if<std::int64_t>(&row[i])) {
        return *n;
    }
    if (const auto* s = std::get_if<std::string>(&row[i])) {
        return std::stoll(*s);  // PostgreSQL hands every value over as text
    }
    return std::nullopt;
}
std::optional<core::Instant> instant_at(const SqlRow& row, std::size_t i) {
    const auto n = int_at(row, i);
    return n ? std::optional(core::Instant{std::chrono::seconds{*n}}) : std::nullopt;
}

TicketView read_ticket_view(const SqlRow& row) {
    TicketView v;
    Ticket& t = v.ticket;
    t.id = *int_at(row, 0);
    t.ticket_number = text_at(row, 1);
    t.zoho_id = text_at(row, 2);
    t.web_url = text_at(row, 3);
    t.status = text_at(row, 4);
    t.created_at = instant_at(row, 5);
    t.updated_at = instant_at(row, 6);
    t.subject = text_at(row, 7);
    t.description = text_at(row, 8);
    t.department = text_at(row, 9);
    t.category = text_at(row, 10);
    t.numero_pedido = text_at(row, 11);
    t.numero_nf = text_at(row, 12);
    t.client_id = int_at(row, 13);
    t.requester_id = int_at(row, 14);
    if (auto id = int_at(row, 15)) {
        v.client = Client{*id, text_at(row, 16).value_or(""), text_at(row, 17),
                          int_at(row, 18).value_or(0) != 0};
    }
    if (auto id = int_at(row, 19)) {
        v.requester = Requester{*id, text_at(row, 20), text_at(row, 21), int_at(row, 22)};
    }
    return v;
}

ZohoToken read_token(const SqlRow& row) {
    return ZohoToken{text_at(row, 0).value_or(""), int_at(row, 1).value_or(0),
                     int_at(row, 2).value_or(0), int_at(row, 3).value_or(0)};
}

std::int64_t unix_seconds(core::Instant t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

ApiUser read_user(const SqlRow& row) {
    ApiUser u;
    u.id = *int_at(row, 0);
    u.login = text_at(row, 1).value_or("");
    u.password_hash = text_at(row, 2).value_or("");
    u.client_id = int_at(row, 3);
    u.staff = int_at(row, 4).value_or(0) != 0;
    u.disabled = int_at(row, 5).value_or(0) != 0;
    u.credential_version = int_at(row, 6).value_or(1);
    u.client_blocked = int_at(row, 7).value_or(0) != 0;
    return u;
}

Status as_status(Result<std::vector<SqlRow>> r) {
    return r ? Status{} : Status{std::move(r).error()};
}

class SqlStore final : public Store {
  public:
    SqlStore(ConnectionPool::Factory factory, unsigned size, std::unique_ptr<ChangeWatch> watch)
        : pool_(std::move(factory), size), watch_(std::move(watch)) {}

    std::optional<std::uint64_t> change_generation() override {
        if (!watch_) {
            return std::nullopt;
        }
        return watch_->generation();
    }

    Status migrate() override {
        return with_connection([](Connection& c) { return detail::migrate(c); });
    }

    Status check_schema() override {
        return with_connection([](Connection& c) -> Status {
            auto v = detail::schema_version(c);
            if (!v) {
                return std::move(v).error();
            }
            if (*v != latest_schema_version()) {
                return Error::internal("database schema is at version " + std::to_string(*v) +
                                       ", this build needs " +
                                       std::to_string(latest_schema_version()));
            }
            return {};
        });
    }

    Result<int> schema_version() override {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        auto rows = (*lease)->query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
        if (!rows) {
            return std::move(rows).error();
        }
        return static_cast<int>(std::get<std::int64_t>(rows->at(0).at(0)));
    }

    Result<std::optional<TicketView>> find_ticket(const TicketQuery& q) override {
        const std::string* sql = q.id              ? &kTicketById
                                 : q.zoho_id       ? &kTicketByZohoId
                                 : q.ticket_number ? &kTicketByNumber
                                                   : nullptr;
        if (sql == nullptr) {
            return Error::invalid("no ticket identifier");
        }
        const SqlValue params[] = {opt(q.id), opt(q.ticket_number), opt(q.zoho_id),
                                   opt(q.client_scope)};
        return query_one<TicketView>(*sql, params, read_ticket_view);
    }

    Result<std::optional<ApiUser>> find_user_by_login(std::string_view login) override {
        const SqlValue params[] = {std::string(login)};
        return query_one<ApiUser>(kUserByLogin, params, read_user);
    }

    Result<std::optional<ApiUser>> find_user_by_id(std::int64_t id) override {
        const SqlValue params[] = {id};
        return query_one<ApiUser>(kUserById, params, read_user);
    }

    Status apply_ticket_update(std::int64_t id, const TicketUpdate& u) override {
        return with_connection([&](Connection& c) -> Status {
            const SqlValue p[] = {id,
                                  opt(u.status),
                                  opt(u.subject),
                                  opt(u.description),
                                  opt(u.department),
                                  opt(u.category),
                                  opt(u.numero_pedido),
                                  opt(u.numero_nf),
                                  opt(u.updated_at),
                                  opt(u.web_url)};
            auto rows = c.query(kApplyTicketUpdate, p);
            if (!rows) {
                return std::move(rows).error();
            }
            if (rows->empty()) {
                return Error::not_found("ticket " + std::to_string(id) + " does not exist");
            }
            return {};
        });
    }

    Result<std::optional<CachedConversation>> load_conversation(std::string_view zoho_id) override {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        const SqlValue key[] = {std::string(zoho_id)};
        auto head = (*lease)->query(kLoadConversation, key);
        if (!head) {
            return std::move(head).error();
        }
        if (head->empty()) {
            return std::optional<CachedConversation>{};
        }
        auto rows = (*lease)->query(kLoadThreads, key);
        if (!rows) {
            return std::move(rows).error();
        }

        CachedConversation c;
        const SqlRow& h = head->front();
        c.fetched_at = instant_at(h, 0).value_or(core::Instant{});
        c.stale = int_at(h, 1).value_or(0) != 0;
        c.attachments_json = text_at(h, 2).value_or("[]");
        c.threads.reserve(rows->size());
        for (const SqlRow& r : *rows) {
            c.threads.push_back(
                {text_at(r, 0).value_or(""), int_at(r, 1).value_or(0), text_at(r, 2).value_or("")});
        }
        return std::optional<CachedConversation>{std::move(c)};
    }

    Status save_conversation(std::string_view zoho_id,
                             core::Instant fetched_at,
                             const std::string& attachments_json,
                             const std::vector<std::string>& current_ids,
                             const std::vector<CachedThread>& upserts,
                             bool stale) override {
        return with_connection([&](Connection& c) {
            return in_transaction(c, [&]() -> Status {
                const std::string id(zoho_id);
                const SqlValue head[] = {id, opt(std::optional(fetched_at)), attachments_json,
                                         flag(stale)};
                if (auto st = as_status(c.query(kUpsertConversation, head)); !st) {
                    return st;
                }
                if (auto st = drop_unlisted_threads(c, id, current_ids); !st) {
                    return st;
                }
                for (const auto& t : upserts) {
                    const SqlValue p[] = {id, t.thread_id, t.created_ms, t.json};
                    if (auto st = as_status(c.query(kUpsertThread, p)); !st) {
                        return st;
                    }
                }
                return {};
            });
        });
    }

    Result<bool> mark_conversation_stale(std::string_view zoho_id) override {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        const SqlValue key[] = {std::string(zoho_id)};
        auto rows = (*lease)->query(
            "UPDATE zoho_conversations SET stale = 1 WHERE zoho_id = $1 RETURNING zoho_id", key);
        if (!rows) {
            return std::move(rows).error();
        }
        return !rows->empty();
    }

    Result<std::optional<ZohoToken>> load_zoho_token(std::string_view client_id) override {
        const SqlValue key[] = {std::string(client_id)};
        return query_one<ZohoToken>(kLoadToken, key, read_token);
    }

    Result<ZohoToken> renew_zoho_token(std::string_view client_id,
                                       const std::function<bool(const ZohoToken&)>& keep,
                                       const std::function<Result<ZohoToken>()>& grant) override {
        std::optional<ZohoToken> out;
        auto st = with_connection([&](Connection& c) {
            return in_transaction(c, [&]() -> Status {
                const SqlValue key[] = {std::string(client_id)};
                if (auto st = as_status(c.query(kEnsureToken, key)); !st) {
                    return st;
                }
                // SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL locks the
                // row, so instances renewing at once take turns here.
                const std::string lock = c.engine() == Engine::kPostgres
                                             ? std::string(kLoadToken) + " FOR UPDATE"
                                             : std::string(kLoadToken);
                auto rows = c.query(lock, key);
                if (!rows) {
                    return std::move(rows).error();
                }
                ZohoToken current = read_token(rows->at(0));
                if (keep(current)) {
                    out = std::move(current);
                    return {};
                }

                auto fresh = grant();
                if (!fresh) {
                    return std::move(fresh).error();
                }
                const SqlValue p[] = {std::string(client_id), fresh->access_token, fresh->renew_at,
                                      fresh->expires_at};
                auto stored = c.query(kStoreToken, p);
                if (!stored) {
                    return std::move(stored).error();
                }
                fresh->generation = int_at(stored->at(0), 0).value_or(0);
                out = std::move(*fresh);
                return {};
            });
        });
        if (!st) {
            return std::move(st).error();
        }
        return std::move(*out);
    }

    Result<bool> take_fetch_lease(std::string_view zoho_id,
                                  std::string_view owner,
                                  core::Instant expires_at) override {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        const SqlValue p[] = {std::string(zoho_id), std::string(owner), unix_seconds(expires_at),
                              unix_seconds(std::chrono::floor<std::chrono::seconds>(
                                  std::chrono::system_clock::now()))};
        auto rows = (*lease)->query(kTakeLease, p);
        if (!rows) {
            return std::move(rows).error();
        }
        return !rows->empty();
    }

    Status release_fetch_lease(std::string_view zoho_id, std::string_view owner) override {
        return with_connection([&](Connection& c) {
            const SqlValue p[] = {std::string(zoho_id), std::string(owner)};
            return as_status(
                c.query("DELETE FROM zoho_fetch_leases WHERE zoho_id = $1 AND owner = $2", p));
        });
    }

    Status import(const ImportData& data) override {
        return with_connection(
            [&](Connection& c) { return in_transaction(c, [&] { return import_rows(c, data); }); });
    }

    Status add_client(const Client& client) override {
        return with_connection([&](Connection& c) {
            return in_transaction(c, [&]() -> Status {
                if (exists(c, "SELECT 1 FROM clients WHERE id = $1", client.id)) {
                    return Error::invalid("client " + std::to_string(client.id) +
                                          " already exists");
                }
                return upsert_client(c, client);
            });
        });
    }

    Status set_client_blocked(std::int64_t id, bool blocked) override {
        return with_connection([&](Connection& c) -> Status {
            const SqlValue params[] = {flag(blocked), id};
            auto rows =
                c.query("UPDATE clients SET blocked = $1 WHERE id = $2 RETURNING id", params);
            if (!rows) {
                return std::move(rows).error();
            }
            if (rows->empty()) {
                return Error::not_found("client " + std::to_string(id) + " does not exist");
            }
            return {};
        });
    }

    Status add_user(const NewUser& user) override {
        return with_connection([&](Connection& c) {
            return in_transaction(c, [&]() -> Status {
                const SqlValue login[] = {user.login};
                auto found = c.query("SELECT 1 FROM api_users WHERE login = $1", login);
                if (!found) {
                    return std::move(found).error();
                }
                if (!found->empty()) {
                    return Error::invalid("user '" + user.login + "' already exists");
                }
                if (user.client_id &&
                    !exists(c, "SELECT 1 FROM clients WHERE id = $1", *user.client_id)) {
                    return Error::invalid("client " + std::to_string(*user.client_id) +
                                          " does not exist");
                }
                return upsert_user(c, user);
            });
        });
    }

    Status set_password(std::string_view login, const std::string& hash) override {
        const SqlValue params[] = {hash, std::string(login)};
        return update_user(
            "UPDATE api_users SET password_hash = $1, "
            "credential_version = credential_version + 1 WHERE login = $2 RETURNING id",
            params, login);
    }

    Status enable_user(std::string_view login) override {
        const SqlValue params[] = {std::string(login)};
        return update_user("UPDATE api_users SET disabled = 0 WHERE login = $1 RETURNING id",
                           params, login);
    }

    Status disable_user(std::string_view login) override {
        const SqlValue params[] = {std::string(login)};
        return update_user(
            "UPDATE api_users SET disabled = 1, credential_version = credential_version + 1 "
            "WHERE login = $1 RETURNING id",
            params, login);
    }

  private:
    template <typename F>
    Status with_connection(F&& body) {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        return body(**lease);
    }

    template <typename T>
    Result<std::optional<T>> query_one(std::string_view sql,
                                       std::span<const SqlValue> params,
                                       T (*read)(const SqlRow&)) {
        auto lease = pool_.acquire();
        if (!lease) {
            return std::move(lease).error();
        }
        auto rows = (*lease)->query(sql, params);
        if (!rows) {
            return std::move(rows).error();
        }
        if (rows->empty()) {
            return std::optional<T>{};
        }
        return std::optional<T>{read(rows->front())};
    }

    Status update_user(std::string_view sql,
                       std::span<const SqlValue> params,
                       std::string_view login) {
        return with_connection([&](Connection& c) -> Status {
            auto rows = c.query(sql, params);
            if (!rows) {
                return std::move(rows).error();
            }
            if (rows->empty()) {
                return Error::not_found("user '" + std::string(login) + "' does not exist");
            }
            return {};
        });
    }

    static Status drop_unlisted_threads(Connection& c,
                                        const std::string& zoho_id,
                                        const std::vector<std::string>& current_ids) {
        const SqlValue key[] = {zoho_id};
        auto rows = c.query("SELECT thread_id FROM zoho_threads WHERE zoho_id = $1", key);
        if (!rows) {
            return std::move(rows).error();
        }
        const std::set<std::string> keep(current_ids.begin(), current_ids.end());
        for (const SqlRow& r : *rows) {
            auto thread_id = text_at(r, 0).value_or("");
            if (keep.count(thread_id) == 0) {
                const SqlValue p[] = {zoho_id, std::move(thread_id)};
                auto st = as_status(
                    c.query("DELETE FROM zoho_threads WHERE zoho_id = $1 AND thread_id = $2", p));
                if (!st) {
                    return st;
                }
            }
        }
        return {};
    }

    static bool exists(Connection& c, std::string_view sql, std::int64_t id) {
        const SqlValue params[] = {id};
        auto rows = c.query(sql, params);
        return rows && !rows->empty();
    }

    static Status upsert_client(Connection& c, const Client& v) {
        const SqlValue p[] = {v.id, v.apelido, opt(v.cnpj), flag(v.blocked)};
        return as_status(c.query(kUpsertClient, p));
    }

    static Status upsert_user(Connection& c, const NewUser& u) {
        const SqlValue p[] = {u.login, u.password_hash, opt(u.client_id), flag(u.staff)};
        return as_status(c.query(kUpsertUser, p));
    }

    // References are checked here rather than left to foreign keys so that the error can name
    // the record and the field.
    static Status import_rows(Connection& c, const ImportData& data) {
        std::set<std::int64_t> clients;
        std::set<std::int64_t> requesters;
        for (const auto& v : data.clients) {
            clients.insert(v.id);
        }
        for (const auto& v : data.requesters) {
            requesters.insert(v.id);
        }
        const auto known = [&](const std::set<std::int64_t>& in_file, std::string_view table,
                               std::int64_t id) {
            return in_file.count(id) > 0 ||
                   exists(c, "SELECT 1 FROM " + std::string(table) + " WHERE id = $1", id);
        };
        const auto missing = [](std::string_view where, std::size_t i, std::string_view field,
                                std::string_view what, std::int64_t id) {
            return Error::invalid(std::string(where) + "[" + std::to_string(i) + "]." +
                                  std::string(field) + ": " + std::string(what) + " " +
                                  std::to_string(id) + " does not exist");
        };

        for (const auto& v : data.clients) {
            if (auto st = upsert_client(c, v); !st) {
                return st;
            }
        }
        for (std::size_t i = 0; i < data.requesters.size(); ++i) {
            const auto& v = data.requesters[i];
            if (v.client_id && !known(clients, "clients", *v.client_id)) {
                return missing("requesters", i, "client_id", "client", *v.client_id);
            }
            const SqlValue p[] = {v.id, opt(v.nome), opt(v.email), opt(v.client_id)};
            if (auto st = as_status(c.query(kUpsertRequester, p)); !st) {
                return st;
            }
        }
        for (std::size_t i = 0; i < data.tickets.size(); ++i) {
            const auto& v = data.tickets[i];
            if (v.client_id && !known(clients, "clients", *v.client_id)) {
                return missing("tickets", i, "client_id", "client", *v.client_id);
            }
            if (v.requester_id && !known(requesters, "requesters", *v.requester_id)) {
                return missing("tickets", i, "requester_id", "requester", *v.requester_id);
            }
            const SqlValue p[] = {v.id,
                                  opt(v.ticket_number),
                                  opt(v.zoho_id),
                                  opt(v.web_url),
                                  opt(v.status),
                                  opt(v.created_at),
                                  opt(v.updated_at),
                                  opt(v.subject),
                                  opt(v.description),
                                  opt(v.department),
                                  opt(v.category),
                                  opt(v.numero_pedido),
                                  opt(v.numero_nf),
                                  opt(v.client_id),
                                  opt(v.requester_id)};
            if (auto st = as_status(c.query(kUpsertTicket, p)); !st) {
                return st;
            }
        }
        for (std::size_t i = 0; i < data.api_users.size(); ++i) {
            const auto& v = data.api_users[i];
            if (v.client_id && !known(clients, "clients", *v.client_id)) {
                return missing("api_users", i, "client_id", "client", *v.client_id);
            }
            if (auto st = upsert_user(c, v); !st) {
                return st;
            }
        }
        return {};
    }

    ConnectionPool pool_;
    std::unique_ptr<ChangeWatch> watch_;
};

}  // namespace

std::unique_ptr<Store> make_sql_store(ConnectionPool::Factory factory,
                                      unsigned pool_size,
                                      std::unique_ptr<ChangeWatch> watch) {
    return std::make_unique<SqlStore>(std::move(factory), pool_size, std::move(watch));
}

}  // namespace deskbridge::store::detail
