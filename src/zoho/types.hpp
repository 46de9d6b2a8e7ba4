#pragma once
// A Zoho Desk ticket's conversation as deskbridge uses it, parsed from Zoho's JSON.
// Ids stay strings: they exceed 2^53.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace deskbridge::zoho {

struct Attachment {
    std::string id;
    std::string name;
    std::optional<std::string> content_type;  // Zoho's, when it sent one
    std::int64_t size = 0;                    // bytes
    std::string href;
    std::optional<core::Instant> created;
    std::string thread_id;  // empty for a ticket-level attachment
    bool is_public = true;
};

struct Thread {
    std::string id;
    std::int64_t created_ms = 0;  // for ordering; shown at second precision
    std::string channel;
    std::string direction;
    std::string author_name;
    std::string author_email;
    std::string summary;
    std::string content;
    std::string visibility;  // "public" or "private"
    std::string status;      // SUCCESS, PENDING, FAILED, DRAFT
    bool has_attach = false;
    std::int64_t attachment_count = 0;
    bool content_truncated = false;
    std::vector<Attachment> attachments;

    // Drafts and failed sends are not part of the conversation.
    bool is_message() const { return status != "DRAFT" && status != "FAILED"; }
    bool is_private() const { return visibility == "private"; }
};

struct Ticket {
    std::string id;
    std::string ticket_number;
    std::optional<std::string> subject;
    std::optional<std::string> description;
    std::optional<std::string> status;
    std::optional<std::string> priority;
    std::optional<std::string> category;
    std::optional<std::string> department_name;
    std::optional<std::string> created_time;   // as Zoho sent it
    std::optional<std::string> modified_time;  // as Zoho sent it
    std::optional<core::Instant> modified_at;
    std::optional<std::string> web_url;
    std::optional<std::string> order_number;    // from the configured custom field
    std::optional<std::string> invoice_number;  // from the configured custom field
};

struct Conversation {
    std::vector<Thread> threads;          // every message, oldest first, with content
    std::vector<Attachment> attachments;  // ticket-level list
    std::optional<Ticket> ticket;         // only when asked for (refresh)
};

}  // namespace deskbridge::zoho
