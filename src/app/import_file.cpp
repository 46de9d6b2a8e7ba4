#include "app/import_file.hpp"

#include <boost/json/parse.hpp>
#include <initializer_list>

#include "auth/password.hpp"

namespace deskbridge::app {
namespace {

namespace json = boost::json;
using core::Error;

// Reads the fields of one record, remembering the first problem with its location.
class RecordReader {
  public:
    RecordReader(const json::object& obj, std::string where, const core::TimeZone& zone)
        : obj_(obj), where_(std::move(where)), zone_(zone) {}

    std::optional<Error> error;

    void allow_only(std::initializer_list<std::string_view> names) {
        for (const auto& kv : obj_) {
            bool known = false;
            for (auto n : names) {
                known = known || kv.key() == n;
            }
            if (!known) {
                fail(kv.key(), "unknown field");
            }
        }
    }

    std::int64_t required_id(std::string_view name) {
        auto v = optional_id(name);
        if (!v && !error) {
            fail(name, "is required");
        }
        return v.value_or(0);
    }

    std::optional<std::int64_t> optional_id(std::string_view name) {
        const json::value* v = get(name);
        if (v == nullptr) {
            return std::nullopt;
        }
        if (const auto* i = v->if_int64()) {
            return *i;
        }
        if (const auto* u = v->if_uint64(); u && *u <= INT64_MAX) {
            return static_cast<std::int64_t>(*u);
        }
        fail(name, "must be an integer");
        return std::nullopt;
    }

    // Strings, or integers written as numbers (order and invoice numbers often are).
    std::optional<std::string> optional_text(std::string_view name, bool numbers_ok = false) {
        const json::value* v = get(name);
        if (v == nullptr) {
            return std::nullopt;
        }
        if (const auto* s = v->if_string()) {
            return std::string(*s);
        }
        if (numbers_ok && v->is_int64()) {
            return std::to_string(v->get_int64());
        }
        if (numbers_ok && v->is_uint64()) {
            return std::to_string(v->get_uint64());
        }
        fail(name, numbers_ok ? "must be a string or an integer" : "must be a string");
        return std::nullopt;
    }

    std::string required_text(std::string_view name) {
        auto v = optional_text(name);
        if ((!v || v->empty()) && !error) {
            fail(name, "is required");
        }
        return v.value_or("");
    }

    std::optional<core::Instant> optional_time(std::string_view name) {
        auto text = optional_text(name);
        if (!text) {
            return std::nullopt;
        }
        auto t = zone_.parse(*text);
        if (!t) {
            fail(name, t.error().message);
            return std::nullopt;
        }
        return *t;
    }

    bool optional_bool(std::string_view name) {
        const json::value* v = get(name);
        if (v == nullptr) {
            return false;
        }
        if (const auto* b = v->if_bool()) {
            return *b;
        }
        fail(name, "must be true or false");
        return false;
    }

    void fail(std::string_view field, std::string_view what) {
        if (!error) {
            error = Error::invalid(where_ + "." + std::string(field) + ": " + std::string(what));
        }
    }

  private:
    const json::value* get(std::string_view name) const {
        const json::value* v = obj_.if_contains(name);
        return v == nullptr || v->is_null() ? nullptr : v;
    }

    const json::object& obj_;
    std::string where_;
    const core::TimeZone& zone_;
};

// Calls `read` for each object of the array `name`; stops at the first error.
template <typename T, typename F>
core::Status read_array(const json::object& doc,
                        std::string_view name,
                        const core::TimeZone& zone,
                        std::vector<T>& out,
                        F read) {
    const json::value* v = doc.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return {};
    }
    if (!v->is_array()) {
        return Error::invalid(std::string(name) + ": must be an array");
    }
    const auto& arr = v->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
        if (!arr[i].is_object()) {
            return Error::invalid(where + ": must be an object");
        }
        RecordReader r(arr[i].get_object(), where, zone);
        T record = read(r);
        if (r.error) {
            return std::move(*r.error);
        }
        out.push_back(std::move(record));
    }
    return {};
}

store::Client read_client(RecordReader& r) {
    r.allow_only({"id", "apelido", "cnpj", "blocked"});
    store::Client c;
    c.id = r.required_id("id");
    c.apelido = r.required_text("apelido");
    c.cnpj = r.optional_text("cnpj", true);
    c.blocked = r.optional_bool("blocked");
    return c;
}

store::Requester read_requester(RecordReader& r) {
    r.allow_only({"id", "nome", "email", "client_id"});
    store::Requester q;
    q.id = r.required_id("id");
    q.nome = r.optional_text("nome");
    q.email = r.optional_text("email");
    q.client_id = r.optional_id("client_id");
    return q;
}

store::Ticket read_ticket(RecordReader& r) {
    r.allow_only({"id", "ticket_number", "zoho_id", "web_url", "status", "created_at", "updated_at",
                  "subject", "description", "department", "category", "numero_pedido", "numero_nf",
                  "client_id", "requester_id"});
    store::Ticket t;
    t.id = r.required_id("id");
    t.ticket_number = r.optional_text("ticket_number", true);
    t.zoho_id = r.optional_text("zoho_id", true);
    t.web_url = r.optional_text("web_url");
    t.status = r.optional_text("status");
    t.created_at = r.optional_time("created_at");
    t.updated_at = r.optional_time("updated_at");
    t.subject = r.optional_text("subject");
    t.description = r.optional_text("description");
    t.department = r.optional_text("department");
    t.category = r.optional_text("category");
    t.numero_pedido = r.optional_text("numero_pedido", true);
    t.numero_nf = r.optional_text("numero_nf", true);
    t.client_id = r.optional_id("client_id");
    t.requester_id = r.optional_id("requester_id");
    return t;
}

store::NewUser read_user(RecordReader& r, const ExistingHash& existing) {
    r.allow_only({"login", "password", "password_hash", "client_id", "staff"});
    store::NewUser u;
    u.login = r.required_text("login");
    u.client_id = r.optional_id("client_id");
    u.staff = r.optional_bool("staff");
    const auto password = r.optional_text("password");
    const auto hash = r.optional_text("password_hash");
    if (r.error) {
        return u;
    }
    if (u.staff == u.client_id.has_value()) {
        r.fail("staff", "a user is either staff (\"staff\": true) or has a client_id");
    } else if (password.has_value() == hash.has_value()) {
        r.fail("password", "give exactly one of password and password_hash");
    } else if (hash) {
        if (!auth::is_argon2id_hash(*hash)) {
            r.fail("password_hash", "must be an Argon2id hash ($argon2id$...)");
        }
        u.password_hash = *hash;
    } else if (password->empty()) {
        r.fail("password", "must not be empty");
    } else if (auto stored = existing ? existing(u.login) : std::nullopt;
               stored && auth::verify_password(*password, *stored)) {
        u.password_hash = *stored;
    } else if (auto hashed = auth::hash_password(*password)) {
        u.password_hash = *hashed;
    } else {
        r.fail("password", hashed.error().message);
    }
    return u;
}

}  // namespace

core::Result<store::ImportData> parse_import(std::string_view json_text,
                                             const core::TimeZone& zone,
                                             const ExistingHash& existing) {
    boost::system::error_code ec;
    json::value doc = json::parse(json_text, ec);
    if (ec) {
        return Error::invalid("not valid JSON: " + ec.message());
    }
    if (!doc.is_object()) {
        return Error::invalid("the import file must be a JSON object");
    }
    const auto& obj = doc.get_object();
    for (const auto& kv : obj) {
        const auto k = kv.key();
        if (k != "clients" && k != "requesters" && k != "tickets" && k != "api_users") {
            return Error::invalid(std::string(k) + ": unknown section");
        }
    }

    store::ImportData data;
    core::Status st = read_array(obj, "clients", zone, data.clients, read_client);
    if (st) {
        st = read_array(obj, "requesters", zone, data.requesters, read_requester);
    }
    if (st) {
        st = read_array(obj, "tickets", zone, data.tickets, read_ticket);
    }
    if (st) {
        st = read_array(obj, "api_users", zone, data.api_users,
                        [&](RecordReader& r) { return read_user(r, existing); });
    }
    if (!st) {
        return std::move(st).error();
    }
    return data;
}

}  // namespace deskbridge::app
