#pragma once
// The local half of a ticket, as the store keeps it. Plain values, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace deskbridge::store {

struct Client {
    std::int64_t id = 0;
    std::string apelido;
    std::optional<std::string> cnpj;
    bool blocked = false;
};

struct Requester {
    std::int64_t id = 0;
    std::optional<std::string> nome;
    std::optional<std::string> email;
    std::optional<std::int64_t> client_id;
};

struct Ticket {
    std::int64_t id = 0;
    std::optional<std::string> ticket_number;
    std::optional<std::string> zoho_id;
    std::optional<std::string> web_url;
    std::optional<std::string> status;
    std::optional<core::Instant> created_at;
    std::optional<core::Instant> updated_at;
    std::optional<std::string> subject;
    std::optional<std::string> description;
    std::optional<std::string> department;
    std::optional<std::string> category;
    std::optional<std::string> numero_pedido;
    std::optional<std::string> numero_nf;
    std::optional<std::int64_t> client_id;
    std::optional<std::int64_t> requester_id;
};

// A ticket joined with its customer and requester, as ticket_details shows it.
struct TicketView {
    Ticket ticket;
    std::optional<Client> client;
    std::optional<Requester> requester;
};

// Which ticket to find. Every identifier that is set must match; `client_scope`, when set,
// restricts the search to that client's tickets (a client user's view).
struct TicketQuery {
    std::optional<std::int64_t> id;
    std::optional<std::string> ticket_number;
    std::optional<std::string> zoho_id;
    std::optional<std::int64_t> client_scope;
};

struct ApiUser {
    std::int64_t id = 0;
    std::string login;
    std::string password_hash;
    std::optional<std::int64_t> client_id;  // absent for staff
    bool staff = false;
    bool disabled = false;
    std::int64_t credential_version = 1;  // bumped by a password change or disable
    bool client_blocked = false;
};

struct NewUser {
    std::string login;
    std::string password_hash;
    std::optional<std::int64_t> client_id;
    bool staff = false;
};

// Fresh values for a ticket from Zoho Desk (refresh=1). Absent fields keep their local value,
// so a field Zoho does not send never erases what the OMS knows.
struct TicketUpdate {
    std::optional<std::string> status;
    std::optional<std::string> subject;
    std::optional<std::string> description;
    std::optional<std::string> department;
    std::optional<std::string> category;
    std::optional<std::string> numero_pedido;
    std::optional<std::string> numero_nf;
    std::optional<core::Instant> updated_at;
    std::optional<std::string> web_url;
};

// The cached Zoho conversation of one ticket. The store keeps threads and the attachment list
// as opaque JSON texts; zoho/ owns their shape.
struct CachedThread {
    std::string thread_id;
    std::int64_t created_ms = 0;
    std::string json;
};

struct CachedConversation {
    core::Instant fetched_at;  // last successful revalidation
    bool stale = false;        // a webhook said something changed since
    std::string attachments_json;
    std::vector<CachedThread> threads;  // oldest first
};

// The Zoho access token every instance shares, keyed by the OAuth client it was granted to.
// Times are Unix seconds: instances on different machines share no steady clock.
struct ZohoToken {
    std::string access_token;
    std::int64_t renew_at = 0;    // renew from here on
    std::int64_t expires_at = 0;  // Zoho refuses it from here on
    std::int64_t generation = 0;  // grants so far for this client; logged instead of the token
};

// One import file, already validated field by field (see app/import_file).
struct ImportData {
    std::vector<Client> clients;
    std::vector<Requester> requesters;
    std::vector<Ticket> tickets;
    std::vector<NewUser> api_users;
};

}  // namespace deskbridge::store
