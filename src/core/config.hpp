#pragma once
// The service's settings, filled by app/ from flags, then environment, then these defaults.
//
// Every limit lives in `Limits`, each with the reason for its default, so that operators find
// them in one place and the code never hides a magic number.

#include <chrono>
#include <cstddef>
#include <string>

namespace deskbridge::core {

struct Limits {
    // A ticket_details or auth body is a few hundred bytes; 64 KiB leaves room for long
    // identifiers while a 10 MB upload is refused before it is buffered.
    std::size_t max_body_bytes = 64 * 1024;
    // Beast buffers the whole header block; 16 KiB fits any sane client and proxy headers.
    std::size_t max_header_bytes = 16 * 1024;
    // A slow client (one byte a second) may not hold a connection for longer than this.
    std::chrono::seconds read_timeout{10};
    // Idle keep-alive connections are closed after this long to free sockets.
    std::chrono::seconds idle_timeout{30};
    // Connections past this are accepted and closed at once, so the accept queue never stalls.
    std::size_t max_connections = 10000;
    // Blocking database jobs waiting for a worker; past this the request gets 503 at once.
    std::size_t max_queued_jobs = 4096;
    // Nesting deeper than any real request is refused before it costs stack or memory.
    std::size_t max_json_depth = 16;
    // Identifiers and tokens are short; a longer string is an error, not data.
    std::size_t max_json_string = 4096;
    // How long SIGTERM waits for in-flight requests before closing connections.
    std::chrono::seconds drain_timeout{10};
    // Failed logins (auth/login_throttle.hpp). A person mistyping a password fails a few times;
    // past that each failure doubles a block, starting at one second.
    std::size_t login_free_failures_per_login = 5;
    // Higher per address: an office behind one NAT holds many users, each allowed some typos.
    std::size_t login_free_failures_per_address = 20;
    std::chrono::seconds login_backoff_first{1};
    // The longest block: a guesser gets one try per 5 minutes, and a real user whose login is
    // under attack waits at most this long once the attack stops.
    std::chrono::seconds login_backoff_max{300};
    // One failure is forgotten per minute without failures, so old typos stop counting.
    std::chrono::seconds login_failure_decay{60};
    // Logins and addresses remembered (each kind): about 150 bytes each, so a flood of invented
    // logins costs at most a few MiB; past it the least recently failed key is forgotten.
    std::size_t login_throttle_entries = 20000;
    // 20 MiB is Zoho Desk's own limit for one attachment, so every real file fits.
    std::size_t max_attachment_bytes = 20 * 1024 * 1024;
    // Downloads streaming at once; more get 503. Each holds one of the Zoho calls in flight
    // (--zoho-max-in-flight, 10 by default) until its last byte, so downloads can never take
    // more than a few of them from ticket reads.
    std::size_t max_attachment_downloads = 4;
    // The whole download, from the first request to Zoho to the caller's last byte
    // (--attachment-timeout): a large file on a slow Zoho needs longer than a JSON call's
    // deadline, and a caller too slow to read 20 MiB in this time would hold a Zoho slot for
    // too long.
    std::chrono::seconds attachment_timeout{60};
    // Gumbo tears its tree down recursively, one stack frame per nesting level: a thread's
    // HTML is rendered as text from its first this-many tags only, which bounds the depth.
    std::size_t max_text_html_tags = 50000;
    // Download links are short-lived: a leaked one is useless after this, and a caller that
    // kept a ticket open for long asks ticket_details again. Expiries are rounded to a
    // fifteenth of it (a minute by default), so answers within that step are byte-identical.
    std::chrono::seconds attachment_link_ttl{900};
};

struct ServerConfig {
    std::string listen = "127.0.0.1:8080";
    std::string db_url = "sqlite:deskbridge.db";
    std::string display_time_zone = "America/Sao_Paulo";
    std::chrono::seconds token_ttl{24 * 3600};
    unsigned io_threads = 0;    // 0: one per core
    unsigned db_workers = 0;    // 0: two per core, since database calls block
    std::string trusted_proxy;  // a reverse proxy's address: its X-Forwarded-For names the client
    // The service's address as callers reach it ("https://oms.example.com"): download links
    // are then absolute on it. Empty: they are paths on whatever address the caller used.
    std::string public_url;
    Limits limits;
};

}  // namespace deskbridge::core
