#include "tickets/attachment_links.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "zoho/http_client.hpp"

namespace deskbridge::tickets {

AttachmentsTemplate AttachmentsTemplate::make(const boost::json::array& attachments) {
    AttachmentsTemplate t;
    t.heads.reserve(attachments.size());
    for (const auto& a : attachments) {
        std::string head = t.heads.empty() ? "[" : ",";
        head += boost::json::serialize(a);
        head.pop_back();  // the object's closing brace: the link goes before it
        t.heads.push_back(std::move(head));
        const auto* id = a.as_object().if_contains("id");
        t.ids.emplace_back(id != nullptr && id->is_string() ? id->get_string() : "");
    }
    return t;
}

std::string download_path(const auth::LinkClaims& claims, std::string_view signature) {
    std::string out = "/api/attachments/";
    out += zoho::url_encode(claims.ticket_zoho_id);
    out += '/';
    out += zoho::url_encode(claims.attachment_id);
    out += "?c=";
    out += auth::LinkSigner::customer_text(claims.client_id);
    out += "&e=";
    out += std::to_string(claims.expires_at.time_since_epoch().count());
    out += "&s=";
    out += signature;
    return out;
}

core::Result<std::string> public_base_url(std::string_view url) {
    namespace urls = boost::urls;
    const auto u = urls::parse_absolute_uri(url);
    const auto refuse = [&](std::string_view why) {
        return core::Error::invalid("public URL '" + std::string(url) + "' " + std::string(why));
    };
    if (!u) {
        return refuse("is not an absolute URL");
    }
    if (u->scheme_id() != urls::scheme::https && u->scheme_id() != urls::scheme::http) {
        return refuse("must be http or https");
    }
    if (u->encoded_host().empty()) {
        return refuse("has no host");
    }
    if (u->has_userinfo()) {
        return refuse("must not carry a user or password");
    }
    // A link's own query follows the base, and nothing may stand between the two.
    if (u->has_query() || u->has_fragment()) {
        return refuse("must not have a query or fragment");
    }
    // A URI holds no quote, backslash or control character, so the base needs no JSON escaping.
    std::string base(url);
    while (base.ends_with('/')) {
        base.pop_back();
    }
    return base;
}

core::Instant AttachmentLinks::expiry(core::Instant now) const {
    const auto seconds = now.time_since_epoch().count();
    return core::Instant{std::chrono::seconds{seconds - seconds % step_.count() + ttl_.count()}};
}

std::string AttachmentLinks::render(const AttachmentsTemplate& t,
                                    const std::string& ticket_zoho_id,
                                    const std::optional<std::int64_t>& client_id,
                                    core::Instant now) const {
    if (t.heads.empty()) {
        return "[]";
    }
    auth::LinkClaims claims{ticket_zoho_id, {}, client_id, expiry(now)};
    {
        const std::lock_guard lock(t.memo->mutex);
        for (const auto& r : t.memo->recent) {
            if (r.renderer == this && r.expires_at == claims.expires_at &&
                r.client_id == client_id && r.ticket_zoho_id == ticket_zoho_id && !r.text.empty()) {
                return r.text;
            }
        }
    }

    std::string out;
    out.reserve(t.heads.size() * 512);
    for (std::size_t i = 0; i < t.heads.size(); ++i) {
        claims.attachment_id = t.ids[i];
        out += t.heads[i];
        // The path holds only unreserved characters and '%', so it needs no JSON escaping.
        out += R"(,"downloadUrl":")";
        out += base_;
        out += download_path(claims, signer_.sign(claims));
        out += "\"}";
    }
    out += ']';

    const std::lock_guard lock(t.memo->mutex);
    t.memo->recent[t.memo->next++ % t.memo->recent.size()] =
        AttachmentsTemplate::Rendered{this, ticket_zoho_id, client_id, claims.expires_at, out};
    return out;
}

std::string AttachmentLinks::render_plain(const AttachmentsTemplate& t) {
    if (t.heads.empty()) {
        return "[]";
    }
    std::string out;
    for (const auto& head : t.heads) {
        out += head;
        out += '}';
    }
    out += ']';
    return out;
}

}  // namespace deskbridge::tickets
