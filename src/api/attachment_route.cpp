#include "api/attachment_route.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>

#include "api/api.hpp"
#include "api/errors.hpp"
#include "core/log.hpp"

namespace deskbridge::api {
namespace {

namespace urls = boost::urls;

bool attr_char(unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::optional<std::int64_t> parse_expiry(std::string_view s) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<DownloadLink> parse_download_link(std::string_view target) {
    const auto u = urls::parse_origin_form(target);
    if (!u || !u->encoded_path().starts_with(kAttachmentsPrefix)) {
        return std::nullopt;
    }
    const auto segments = u->segments();  // decoded
    if (segments.size() != 4) {
        return std::nullopt;
    }
    auto it = segments.begin();
    std::advance(it, 2);
    DownloadLink link;
    link.claims.ticket_zoho_id = *it++;
    link.claims.attachment_id = *it;
    if (link.claims.ticket_zoho_id.empty() || link.claims.attachment_id.empty()) {
        return std::nullopt;
    }

    std::optional<std::string> customer, expiry, signature;
    for (const auto& p : u->params()) {
        std::optional<std::string>* slot = p.key == "c"   ? &customer
                                           : p.key == "e" ? &expiry
                                           : p.key == "s" ? &signature
                                                          : nullptr;
        // Nothing else belongs in a link, and a repeated parameter is ambiguous.
        if (slot == nullptr || *slot) {
            return std::nullopt;
        }
        *slot = std::string(p.value);
    }
    if (!customer || !expiry || !signature) {
        return std::nullopt;
    }
    const auto client = auth::LinkSigner::parse_customer(*customer);
    const auto seconds = parse_expiry(*expiry);
    if (!client || !seconds) {
        return std::nullopt;
    }
    link.claims.client_id = *client;
    link.claims.expires_at = core::Instant{std::chrono::seconds{*seconds}};
    link.signature = std::move(*signature);
    return link;
}

std::string content_disposition(std::string_view filename) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string fallback;
    std::string encoded;
    for (const char ch : filename) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/';
        fallback.push_back(plain ? ch : '_');
        if (attr_char(c)) {
            encoded.push_back(ch);
        } else {
            encoded.push_back('%');
            encoded.push_back(kHex[c >> 4]);
            encoded.push_back(kHex[c & 0xf]);
        }
    }
    if (fallback.empty()) {
        fallback = encoded = "attachment";
    }
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

void Api::attachment_download(const http::Request& request,
                              const std::string& request_id,
                              http::Responder respond) const {
    if (request.method != "GET") {
        return respond(failure_response(Failure::kMethodNotAllowed, "GET"));
    }
    const auto link = parse_download_link(request.target);
    if (!link || deps_.link_signer == nullptr || deps_.attachments == nullptr) {
        return respond(failure_response(Failure::kLinkInvalid));
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    switch (deps_.link_signer->check(link->claims, link->signature, now)) {
        case auth::LinkCheck::kForged:
            return respond(failure_response(Failure::kLinkInvalid));
        case auth::LinkCheck::kExpired:
            return respond(failure_response(Failure::kLinkExpired));
        case auth::LinkCheck::kOk:
            break;
    }

    offload(
        [this, claims = link->claims, respond, request_id]() {
            deps_.attachments->download(claims, [respond, request_id,
                                                 claims](tickets::DownloadOutcome outcome) {
                if (auto* error = std::get_if<tickets::DownloadError>(&outcome)) {
                    // A missing or oversized file is the caller's business, not an incident.
                    const bool expected = error->kind == tickets::DownloadFailure::kNotFound ||
                                          error->kind == tickets::DownloadFailure::kTooLarge;
                    (expected ? core::log::info : core::log::warn)(
                        "attachment_download_failed", {{"request_id", request_id},
                                                       {"zoho_id", claims.ticket_zoho_id},
                                                       {"attachment_id", claims.attachment_id},
                                                       {"error", error->message},
                                                       {"detail", error->detail}});
                    return respond(download_error_response(*error));
                }
                auto& file = std::get<tickets::AttachmentFile>(outcome);
                http::Response res{200};
                res.body_stream = std::move(file.body);
                res.stream_length = file.length;
                res.content_type = std::move(file.content_type);
                res.headers.emplace_back("Content-Disposition", content_disposition(file.filename));
                // The bytes are the customer's: a browser must not render them as our page or
                // keep them in a shared cache.
                res.headers.emplace_back("X-Content-Type-Options", "nosniff");
                res.headers.emplace_back("Cache-Control", "private, no-store");
                respond(std::move(res));
            });
        },
        respond);
}

}  // namespace deskbridge::api
