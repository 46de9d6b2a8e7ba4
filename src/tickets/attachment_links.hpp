#pragma once
// The `downloadUrl` of each attachment in a ticket_details answer.
//
// A conversation's attachments are serialized once per reader kind and cached (see
// ConversationView); a link names the caller's customer and an expiry, so it cannot be part of
// that cache. Instead the cached array keeps a gap at the end of each object, and `render`
// fills the gaps per request: one HMAC per attachment (under a microsecond each) and string
// appends, no JSON work. Expiries are rounded down to a step of `ttl / 15` (at least a second),
// so every answer for the same customer and ticket within a step is byte-identical (stable for
// caches and ETags), and a link lives between `ttl - step` and `ttl`. Thread-safe.

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/link_signer.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace deskbridge::tickets {

// An attachments array serialized with a gap before each object's closing brace.
struct AttachmentsTemplate {
    std::vector<std::string> heads;  // "[{...", ",{...": an object without its final '}'
    std::vector<std::string> ids;    // the attachment id of each head

    // The arrays rendered last: within a step every request of one customer gets the same
    // text, so the links are signed once per step and customer, not once per request.
    struct Rendered {
        const void* renderer = nullptr;  // the AttachmentLinks that rendered it
        std::string ticket_zoho_id;
        std::optional<std::int64_t> client_id;
        core::Instant expires_at;
        std::string text;
    };
    struct Memo {
        std::mutex mutex;
        std::array<Rendered, 4> recent;  // guarded by mutex
        std::size_t next = 0;            // guarded by mutex
    };
    std::unique_ptr<Memo> memo = std::make_unique<Memo>();

    static AttachmentsTemplate make(const boost::json::array& attachments);
};

// "/api/attachments/<ticket>/<attachment>?c=<customer>&e=<expiry>&s=<signature>", the ids
// percent-encoded.
std::string download_path(const auth::LinkClaims& claims, std::string_view signature);

// `url` as a base for download links: an http(s) URL with a host and nothing after its path,
// without the path's trailing slash. Fails with kInvalidArgument, saying why.
core::Result<std::string> public_base_url(std::string_view url);

class AttachmentLinks {
  public:
    // `base` (from public_base_url, or empty for paths) goes before every link's path.
    AttachmentLinks(const auth::LinkSigner& signer, std::chrono::seconds ttl, std::string base = {})
        : signer_(signer),
          ttl_(ttl),
          step_(std::max<std::int64_t>(1, ttl.count() / 15)),
          base_(std::move(base)) {}

    // The expiry of links minted at `now`.
    core::Instant expiry(core::Instant now) const;

    // The JSON array with a `downloadUrl` in each object.
    std::string render(const AttachmentsTemplate& t,
                       const std::string& ticket_zoho_id,
                       const std::optional<std::int64_t>& client_id,
                       core::Instant now) const;

    // The same array without links (no signer configured).
    static std::string render_plain(const AttachmentsTemplate& t);

  private:
    const auth::LinkSigner& signer_;
    const std::chrono::seconds ttl_;
    const std::chrono::seconds step_;
    const std::string base_;
};

}  // namespace deskbridge::tickets
