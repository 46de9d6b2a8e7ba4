#pragma once
// The pieces of `GET /api/attachments/<ticket>/<attachment>?c=&e=&s=` that need no server:
// reading a link back from a request target, and the Content-Disposition of the answer.

#include <optional>
#include <string>
#include <string_view>

#include "auth/link_signer.hpp"

namespace deskbridge::api {

inline constexpr std::string_view kAttachmentsPrefix = "/api/attachments/";

struct DownloadLink {
    auth::LinkClaims claims;
    std::string signature;
};

// The link named by a request target, or nothing when its shape is not a link's (the
// signature is not checked here).
std::optional<DownloadLink> parse_download_link(std::string_view target);

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 and
// RFC 8187): quotes, backslashes, path separators and control characters never reach the
// header, and a name that is not plain ASCII keeps its exact spelling in filename*.
std::string content_disposition(std::string_view filename);

}  // namespace deskbridge::api
