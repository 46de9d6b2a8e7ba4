#pragma once
// Plain HTTP request and response values passed between the server and the handlers, so that
// no module but http/ includes Beast or Asio.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_stream.hpp"

namespace deskbridge::http {

struct Request {
    std::string method;  // as sent: "GET", "POST", ...
    std::string target;  // path plus any "?query"
    std::string body;
    std::string remote_address;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

    // The first value of a header (name lower-case), or empty.
    std::string_view header(std::string_view name) const {
        for (const auto& [k, v] : headers) {
            if (k == name) {
                return v;
            }
        }
        return {};
    }
    std::string_view path() const {
        const auto q = target.find('?');
        return std::string_view(target).substr(0, q);
    }
    bool has_query() const { return target.find('?') != std::string::npos; }
};

struct Response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;

    // Set instead of `body` for an answer sent while it is produced: with `stream_length` as
    // Content-Length when known, chunked otherwise. A failure part-way closes the connection
    // before the body is complete, so a caller can never take a cut file for a whole one.
    std::shared_ptr<core::ByteStream> body_stream;
    std::optional<std::uint64_t> stream_length;

    // Never sent: what only the handler knows, for the access log line.
    struct LogNote {
        std::string user;
        std::int64_t ticket = 0;  // chamado_id, 0 for none
        int zoho_calls = -1;      // -1: the request could not call Zoho
    } log;
};

// Called exactly once per request, from any thread.
using Responder = std::function<void(Response&&)>;
using Handler = std::function<void(Request&&, Responder)>;

}  // namespace deskbridge::http
