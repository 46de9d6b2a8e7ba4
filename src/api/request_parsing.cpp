#include "api/request_parsing.hpp"

#include <boost/json/parser.hpp>
#include <charconv>

namespace deskbridge::api {
namespace {

namespace json = boost::json;
using core::Error;

// PostgreSQL cannot hold NUL in text and libpq would cut the value at it, so that "12345\0"
// would find ticket 12345 there and nothing in SQLite: refused before any engine sees it.
bool has_nul(std::string_view s) {
    return s.find('\0') != std::string_view::npos;
}

// A JSON string or integer, as text; empty and null count as absent.
core::Result<std::optional<std::string>> identifier_text(const json::object& body,
                                                         std::string_view name) {
    const auto* v = body.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::optional<std::string>{};
    }
    if (const auto* s = v->if_string()) {
        if (s->empty()) {
            return std::optional<std::string>{};
        }
        if (has_nul(*s)) {
            return Error::invalid(std::string(name) + " must not contain NUL characters");
        }
        return std::optional<std::string>{std::string(*s)};
    }
    if (const auto* i = v->if_int64()) {
        if (*i >= 0) {
            return std::optional<std::string>{std::to_string(*i)};
        }
    }
    if (const auto* u = v->if_uint64()) {
        return std::optional<std::string>{std::to_string(*u)};
    }
    return Error::invalid(std::string(name) + " must be a string or a non-negative integer");
}

core::Result<std::optional<std::int64_t>> chamado_id(const json::object& body) {
    auto text = identifier_text(body, "chamado_id");
    if (!text) {
        return std::move(text).error();
    }
    if (!*text) {
        return std::optional<std::int64_t>{};
    }
    const std::string& s = **text;
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || end != s.data() + s.size() || id < 0) {
        return Error::invalid("chamado_id must be a non-negative integer");
    }
    return std::optional<std::int64_t>{id};
}

core::Result<bool> flag(const json::object& body, std::string_view name) {
    const auto* v = body.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return false;
    }
    if (const auto* b = v->if_bool()) {
        return *b;
    }
    if (const auto* i = v->if_int64(); i && (*i == 0 || *i == 1)) {
        return *i == 1;
    }
    if (const auto* u = v->if_uint64(); u && (*u == 0 || *u == 1)) {
        return *u == 1;
    }
    if (const auto* s = v->if_string(); s && (*s == "0" || *s == "1")) {
        return *s == "1";
    }
    return Error::invalid(std::string(name) + " must be 0 or 1 (or \"0\", \"1\", false, true)");
}

core::Result<std::string> required_string(const json::object& body, std::string_view name) {
    const auto* v = body.if_contains(name);
    if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) {
        return Error::invalid(std::string(name) + " is required");
    }
    if (!v->is_string()) {
        return Error::invalid(std::string(name) + " must be a string");
    }
    return std::string(v->get_string());
}

bool strings_within(const json::value& v, std::size_t max_len) {
    if (const auto* s = v.if_string()) {
        return s->size() <= max_len;
    }
    if (const auto* o = v.if_object()) {
        for (const auto& kv : *o) {
            if (kv.key().size() > max_len || !strings_within(kv.value(), max_len)) {
                return false;
            }
        }
    }
    if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
            if (!strings_within(e, max_len)) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace

core::Result<json::object> parse_json_object(std::string_view body, const core::Limits& limits) {
    json::parse_options options;
    options.max_depth = limits.max_json_depth;
    json::parser parser({}, options);
    boost::system::error_code ec;
    parser.write(body.data(), body.size(), ec);
    if (ec || body.empty()) {
        if (ec == json::error::too_deep) {
            return Error::invalid("Request body is nested too deeply (limit " +
                                  std::to_string(limits.max_json_depth) + " levels)");
        }
        return Error::invalid("Request body must be a JSON object");
    }
    json::value v = parser.release();
    if (!v.is_object()) {
        return Error::invalid("Request body must be a JSON object");
    }
    if (!strings_within(v, limits.max_json_string)) {
        return Error::invalid("Request body has a string longer than " +
                              std::to_string(limits.max_json_string) + " characters");
    }
    return std::move(v.as_object());
}

std::optional<std::string> auth_field(const json::object& body) {
    const auto* v = body.if_contains("auth");
    if (v == nullptr || v->is_null()) {
        return std::nullopt;
    }
    if (const auto* s = v->if_string()) {
        if (s->empty()) {
            return std::nullopt;
        }
        return std::string(*s);
    }
    return std::string();
}

core::Result<TicketRequestFields> parse_ticket_fields(const json::object& body) {
    TicketRequestFields out;
    auto number = identifier_text(body, "ticket_number");
    if (!number) {
        return std::move(number).error();
    }
    auto zoho = identifier_text(body, "zoho_id");
    if (!zoho) {
        return std::move(zoho).error();
    }
    auto id = chamado_id(body);
    if (!id) {
        return std::move(id).error();
    }
    auto refresh = flag(body, "refresh");
    if (!refresh) {
        return std::move(refresh).error();
    }
    auto text = flag(body, "texto");
    if (!text) {
        return std::move(text).error();
    }

    out.request.query.ticket_number = std::move(*number);
    out.request.query.zoho_id = std::move(*zoho);
    out.request.query.id = *id;
    out.request.refresh = *refresh;
    out.request.text = *text;
    out.no_identifier =
        !out.request.query.ticket_number && !out.request.query.zoho_id && !out.request.query.id;
    return out;
}

core::Result<LoginFields> parse_login_fields(const json::object& body) {
    auto login = required_string(body, "login");
    if (!login) {
        return std::move(login).error();
    }
    if (has_nul(*login)) {
        return Error::invalid("login must not contain NUL characters");
    }
    auto password = required_string(body, "password");
    if (!password) {
        return std::move(password).error();
    }
    return LoginFields{std::move(*login), std::move(*password)};
}

}  // namespace deskbridge::api
