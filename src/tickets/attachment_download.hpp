#pragma once
// Following a download link: checks the link's customer may still see the ticket, finds the
// attachment among the files that customer is shown, and fetches its bytes from Zoho Desk with
// the service's token (never the caller's, never exposed).
//
// Only the configured Desk host is ever asked: an attachment `href` on any other scheme, host
// or port is refused without a request. The file is answered as soon as Zoho starts sending it
// and streamed: at most `Limits::max_attachment_bytes` per file, `max_attachment_downloads`
// files at once, and a bounded buffer per file whatever its size.
//
// `download` must be called on a core::WorkPool thread (the ticket lookup blocks); it answers
// exactly once, from a pool thread or the Zoho client's thread. Thread-safe.

#include <atomic>
#include <functional>
#include <string>
#include <variant>

#include "auth/link_signer.hpp"
#include "core/byte_stream.hpp"
#include "core/config.hpp"
#include "store/store.hpp"
#include "tickets/conversation_source.hpp"

namespace deskbridge::tickets {

struct AttachmentFile {
    // Still arriving from Zoho; fails mid-way if Zoho does or passes the cap. Counts as one of
    // the downloads at once until it is destroyed.
    std::shared_ptr<core::ByteStream> body;
    std::optional<std::uint64_t> length;  // as Zoho announced it
    std::string content_type;
    std::string filename;  // as Zoho names the attachment; not yet encoded for a header
};

enum class DownloadFailure {
    kNotFound,       // no such ticket for this customer, or no such attachment (404)
    kClientBlocked,  // the link's customer was blocked since (403)
    kTooLarge,       // Zoho's size for the file is over the cap (413)
    kOversized,      // Zoho announced more bytes than the cap allows (502)
    kForeignHost,    // the href leaves the configured Desk host (502)
    kUpstream,       // Zoho failed or timed out (502)
    kBusy,           // too many downloads at once (503)
    kInternal,       // the database failed (500)
};

struct DownloadError {
    DownloadFailure kind;
    std::string message;  // for the caller
    std::string detail;   // for the log
};

using DownloadOutcome = std::variant<AttachmentFile, DownloadError>;

class AttachmentService {
  public:
    // `conversations` and `zoho` may be null (Zoho not configured): every link then answers
    // kNotFound, as no attachment can exist.
    AttachmentService(store::Store& store,
                      ConversationSource* conversations,
                      const zoho::ZohoDesk* zoho,
                      const core::Limits& limits)
        : store_(store), conversations_(conversations), zoho_(zoho), limits_(limits) {}

    // `claims` must be verified (signature and expiry) by the caller.
    void download(const auth::LinkClaims& claims, std::function<void(DownloadOutcome)> done) const;

  private:
    void fetch(const zoho::Attachment& attachment, std::function<void(DownloadOutcome)> done) const;

    store::Store& store_;
    ConversationSource* conversations_;
    const zoho::ZohoDesk* zoho_;
    const core::Limits& limits_;
    // Shared with the bodies still streaming, which may outlive a request's callbacks.
    std::shared_ptr<std::atomic<std::size_t>> downloads_ =
        std::make_shared<std::atomic<std::size_t>>(0);
};

// The `path?query` of `href` on the Desk base URL `base`, when both name the same scheme, host
// and port (default ports made explicit); otherwise empty.
std::optional<std::string> same_origin_target(std::string_view href, std::string_view base);

}  // namespace deskbridge::tickets
