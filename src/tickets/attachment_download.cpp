#include "tickets/attachment_download.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/mime_types.hpp"
#include "tickets/conversation_json.hpp"

namespace deskbridge::tickets {
namespace {

namespace urls = boost::urls;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::uint16_t effective_port(const urls::url_view& u) {
    if (u.has_port()) {
        return u.port_number();
    }
    return u.scheme_id() == urls::scheme::https  ? 443
           : u.scheme_id() == urls::scheme::http ? 80
                                                 : 0;
}

DownloadError not_found(std::string detail = {}) {
    return {DownloadFailure::kNotFound, "Attachment not found", std::move(detail)};
}

// A body that holds one of the download slots until its last bytes are handed over (the end,
// or as many bytes as announced) or it is dropped. Handing over is before the server writes
// them, so a caller who has the whole file finds the slot free for its next download.
class CountedStream final : public core::ByteStream {
  public:
    CountedStream(std::shared_ptr<core::ByteStream> inner,
                  std::shared_ptr<std::atomic<std::size_t>> slots,
                  std::optional<std::uint64_t> length)
        : inner_(std::move(inner)), slot_(std::make_shared<Slot>(std::move(slots), length)) {}
    ~CountedStream() override { slot_->release(); }
    CountedStream(const CountedStream&) = delete;
    CountedStream& operator=(const CountedStream&) = delete;

    void pull(Deliver deliver) override {
        inner_->pull([slot = slot_, deliver = std::move(deliver)](core::StreamPiece piece) {
            slot->handed += piece.bytes.size();
            if (piece.end || piece.failed || (slot->length && slot->handed >= *slot->length)) {
                slot->release();
            }
            deliver(std::move(piece));
        });
    }
    void cancel() override { inner_->cancel(); }

  private:
    // Shared with a pending delivery, which may outlive the stream. One pull at a time, so
    // `handed` needs no lock; the destructor may release from another thread, hence the flag.
    struct Slot {
        Slot(std::shared_ptr<std::atomic<std::size_t>> slots, std::optional<std::uint64_t> length)
            : slots(std::move(slots)), length(length) {}

        void release() {
            if (!released.exchange(true)) {
                --*slots;
            }
        }

        std::shared_ptr<std::atomic<std::size_t>> slots;
        const std::optional<std::uint64_t> length;
        std::uint64_t handed = 0;
        std::atomic<bool> released{false};
    };

    std::shared_ptr<core::ByteStream> inner_;
    std::shared_ptr<Slot> slot_;
};

}  // namespace

std::optional<std::string> same_origin_target(std::string_view href, std::string_view base) {
    const auto h = urls::parse_uri(href);
    const auto b = urls::parse_uri(base);
    if (!h || !b || h->has_userinfo()) {
        return std::nullopt;
    }
    const bool web = h->scheme_id() == urls::scheme::https || h->scheme_id() == urls::scheme::http;
    if (!web || h->scheme_id() != b->scheme_id() ||
        lower(h->encoded_host()) != lower(b->encoded_host()) ||
        effective_port(*h) != effective_port(*b) || !h->encoded_path().starts_with("/api/v1/")) {
        return std::nullopt;
    }
    std::string target(h->encoded_path());
    if (h->has_query()) {
        target += '?';
        target += h->encoded_query();
    }
    return target;
}

void AttachmentService::download(const auth::LinkClaims& claims,
                                 std::function<void(DownloadOutcome)> done) const {
    if (conversations_ == nullptr || zoho_ == nullptr) {
        return done(not_found("Zoho Desk is not configured"));
    }

    // The link's customer must still see the ticket: a ticket moved to another client, or a
    // blocked client, ends every link minted before.
    auto found =
        store_.find_ticket(store::TicketQuery{{}, {}, claims.ticket_zoho_id, claims.client_id});
    if (!found) {
        return done(
            DownloadError{DownloadFailure::kInternal, found.error().message, found.error().detail});
    }
    if (!*found) {
        return done(not_found("no such ticket for this customer"));
    }
    if (claims.client_id && (*found)->client && (*found)->client->blocked) {
        return done(DownloadError{DownloadFailure::kClientBlocked, "Client blocked", {}});
    }

    const bool staff = !claims.client_id;
    const std::string attachment_id = claims.attachment_id;
    conversations_->get(
        claims.ticket_zoho_id, false,
        [this, staff, attachment_id, done = std::move(done)](ConversationResult result) {
            if (!result.view && result.state == "missing") {
                return done(not_found(result.error));
            }
            if (!result.view) {
                return done(DownloadError{
                    DownloadFailure::kUpstream,
                    result.error.empty() ? "Zoho Desk unavailable" : result.error, result.state});
            }
            const auto* a =
                find_visible_attachment(result.view->conversation, attachment_id, staff);
            if (a == nullptr) {
                return done(not_found("not in the conversation this customer sees"));
            }
            fetch(*a, done);
        });
}

void AttachmentService::fetch(const zoho::Attachment& a,
                              std::function<void(DownloadOutcome)> done) const {
    const std::size_t cap = limits_.max_attachment_bytes;
    if (a.size > 0 && static_cast<std::uint64_t>(a.size) > cap) {
        return done(DownloadError{DownloadFailure::kTooLarge,
                                  "Attachment is " + std::to_string(a.size) +
                                      " bytes, over the download limit of " + std::to_string(cap) +
                                      " bytes",
                                  {}});
    }
    const auto target = same_origin_target(a.href, zoho_->config().desk_url);
    if (!target) {
        return done(DownloadError{DownloadFailure::kForeignHost,
                                  "Attachment link does not point to the configured Zoho Desk; "
                                  "refused",
                                  a.href});
    }
    if (downloads_->fetch_add(1) >= limits_.max_attachment_downloads) {
        --*downloads_;
        return done(
            DownloadError{DownloadFailure::kBusy, "Too many downloads at once, retry shortly", {}});
    }

    auto budget = std::make_shared<zoho::CallBudget>(
        std::chrono::duration_cast<std::chrono::milliseconds>(limits_.attachment_timeout));
    AttachmentFile meta{
        {}, {}, a.content_type ? *a.content_type : core::content_type_for(a.name), a.name};
    zoho_->desk().download(
        *target, cap, budget,
        [slots = downloads_, cap, meta = std::move(meta),
         done](core::Result<zoho::DeskFile> file) mutable {
            if (!file || !file->body) {
                --*slots;
            }
            if (!file) {
                const auto& e = file.error();
                if (e.kind == core::ErrorKind::kNotFound) {
                    return done(not_found(e.detail));
                }
                return done(DownloadError{DownloadFailure::kUpstream, e.message, e.detail});
            }
            if (!file->body) {
                return done(DownloadError{DownloadFailure::kOversized,
                                          "Zoho Desk sent more than the download limit of " +
                                              std::to_string(cap) + " bytes",
                                          {}});
            }
            meta.length = file->length;
            meta.body = std::make_shared<CountedStream>(std::move(file->body), slots, meta.length);
            if (!file->content_type.empty()) {
                meta.content_type = std::move(file->content_type);
            }
            done(std::move(meta));
        });
}

}  // namespace deskbridge::tickets
