#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/request_id.hpp"

namespace deskbridge::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string error_json(std::string_view message) {
    std::string body = R"({"success":false,"error":")";
    body += message;  // callers pass fixed ASCII text
    body += "\"}";
    return body;
}

struct Shared {
    core::Limits limits;
    Handler handler;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> draining{false};
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, std::shared_ptr<Shared> shared)
        : stream_(std::move(socket)), shared_(std::move(shared)) {
        beast::error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        remote_ = ec ? std::string() : ep.address().to_string();
    }

    ~Session() { --shared_->connections; }

    void start() {
        asio::dispatch(stream_.get_executor(),
                       beast::bind_front_handler(&Session::read, shared_from_this()));
    }

  private:
    void read() {
        if (shared_->draining) {
            return close();
        }
        parser_.emplace();
        parser_->body_limit(shared_->limits.max_body_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
        stream_.expires_after(first_ ? shared_->limits.read_timeout : shared_->limits.idle_timeout);
        first_ = false;
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
            ec == asio::error::eof) {
            return close();
        }
        if (ec == bhttp::error::body_limit) {
            return reply_error(413, "Request body too large (limit " +
                                        std::to_string(shared_->limits.max_body_bytes) + " bytes)");
        }
        if (ec == bhttp::error::header_limit) {
            return reply_error(431, "Request headers too large");
        }
        if (ec) {
            return reply_error(400, "Malformed HTTP request");
        }

        auto msg = parser_->release();
        keep_alive_ = msg.keep_alive();
        head_ = msg.method() == bhttp::verb::head;
        Request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        req.body = std::move(msg.body());
        req.remote_address = remote_;
        for (const auto& field : msg) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            req.headers.emplace_back(std::move(name), std::string(field.value()));
        }

        // No read while the handler works: one request at a time per connection.
        stream_.expires_never();
        ++shared_->in_flight;
        auto self = shared_from_this();
        // dispatch: an answer given inline on this connection's thread is written at once; one
        // from a worker thread is queued to the connection's io_context.
        shared_->handler(std::move(req), [self](Response&& res) {
            asio::dispatch(self->stream_.get_executor(),
                           [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
        });
    }

    void reply_error(unsigned status, const std::string& message) {
        keep_alive_ = false;
        head_ = false;
        ++shared_->in_flight;
        core::metrics::request_started();
        core::metrics::request_finished(core::metrics::Endpoint::kRejected, status, {});
        // Refused before routing, so the API layer never named it; it still gets an id.
        const std::string id = core::new_request_id();
        core::log::info(
            "request",
            {{"request_id", id}, {"status", status}, {"error", message}, {"client", remote_}});
        Response res{status, error_json(message)};
        res.headers.emplace_back("X-Request-Id", id);
        write(std::move(res));
    }

    // The status line and headers are written by hand into one string, sent with the body as a
    // second buffer in one gathered write: Beast's generic serializer cost more instructions
    // than the rest of the local ticket_details path.
    void write(Response&& res) {
        const bool keep_alive = keep_alive_ && !shared_->draining;
        const bool streamed = res.body_stream != nullptr;
        const bool chunked = streamed && !res.stream_length;
        auto out = std::make_shared<Outgoing>();
        out->head.reserve(256);
        out->head += "HTTP/1.1 ";
        out->head += std::to_string(res.status);
        out->head += ' ';
        out->head += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
        out->head += "\r\n";
        if (!res.content_type.empty()) {
            append_header(out->head, "Content-Type", res.content_type);
        }
        for (const auto& [name, value] : res.headers) {
            append_header(out->head, name, value);
        }
        if (!keep_alive) {
            out->head += "Connection: close\r\n";
        }
        // A 304 has no body and no Content-Length (it could only be the full answer's).
        if (chunked && res.status != 304) {
            out->head += "Transfer-Encoding: chunked\r\n";
        } else if (res.status != 304) {
            out->head += "Content-Length: ";
            out->head += std::to_string(streamed ? *res.stream_length : res.body.size());
            out->head += "\r\n";
        }
        out->head += "\r\n";
        const bool sends_body = !head_ && res.status != 304;  // HEAD: the GET headers, no body
        if (sends_body && !streamed) {
            out->body = std::move(res.body);
        }

        std::shared_ptr<Streaming> st;
        if (streamed && sends_body) {
            st = std::make_shared<Streaming>();
            st->source = std::move(res.body_stream);
            st->length = res.stream_length;
            st->keep_alive = keep_alive;
            st->request_id = header_value(res.headers, "X-Request-Id");
        } else if (streamed) {
            res.body_stream->cancel();
        }

        stream_.expires_after(shared_->limits.read_timeout);
        const std::array<asio::const_buffer, 2> buffers{asio::buffer(out->head),
                                                        asio::buffer(out->body)};
        asio::async_write(
            stream_, buffers,
            [self = shared_from_this(), out, st, keep_alive](beast::error_code ec, std::size_t) {
                if (!st) {
                    return self->on_write(ec, keep_alive);
                }
                if (ec) {
                    return self->abort_stream(*st, "the caller stopped reading", true);
                }
                self->pump(st);
            });
    }

    struct Outgoing {
        std::string head;
        std::string body;
    };

    // A body sent while it is produced: one piece is asked for once the previous one is
    // written, so the producer never runs ahead of the caller by more than its own buffer.
    struct Streaming {
        std::shared_ptr<core::ByteStream> source;
        std::optional<std::uint64_t> length;  // sent as Content-Length; chunked when unknown
        std::uint64_t sent = 0;
        bool keep_alive = false;
        std::string request_id;
        std::string piece;
        std::array<char, 24> frame{};  // a chunk's size line
    };

    void pump(std::shared_ptr<Streaming> st) {
        auto source = st->source;
        source->pull([self = shared_from_this(), st = std::move(st)](core::StreamPiece piece) {
            asio::dispatch(self->stream_.get_executor(),
                           [self, st, piece = std::move(piece)]() mutable {
                               self->on_piece(st, std::move(piece));
                           });
        });
    }

    void on_piece(const std::shared_ptr<Streaming>& st, core::StreamPiece piece) {
        if (piece.failed) {
            return abort_stream(*st, piece.error);
        }
        if (piece.end) {
            if (st->length && st->sent != *st->length) {
                return abort_stream(*st, "the body ended short of its announced length");
            }
            static constexpr std::string_view kLastChunk = "0\r\n\r\n";
            core::metrics::stream_finished(core::metrics::StreamEnd::kComplete, st->sent);
            if (st->length) {
                return on_write({}, st->keep_alive);
            }
            stream_.expires_after(shared_->limits.read_timeout);
            return asio::async_write(
                stream_, asio::buffer(kLastChunk.data(), kLastChunk.size()),
                [self = shared_from_this(), st](beast::error_code ec, std::size_t) {
                    self->on_write(ec, st->keep_alive);
                });
        }

        st->sent += piece.bytes.size();
        if (st->length && st->sent > *st->length) {
            return abort_stream(*st, "the body ran past its announced length");
        }
        st->piece = std::move(piece.bytes);
        std::size_t frame_size = 0;
        if (!st->length) {
            auto* first = st->frame.data();
            const auto r = std::to_chars(first, first + 16, st->piece.size(), 16);
            *r.ptr = '\r';
            *(r.ptr + 1) = '\n';
            frame_size = static_cast<std::size_t>(r.ptr + 2 - first);
        }
        static constexpr std::string_view kCrlf = "\r\n";
        const std::array<asio::const_buffer, 3> buffers{
            asio::buffer(st->frame.data(), frame_size), asio::buffer(st->piece),
            asio::buffer(kCrlf.data(), st->length ? 0 : kCrlf.size())};
        stream_.expires_after(shared_->limits.read_timeout);
        asio::async_write(
            stream_, buffers, [self = shared_from_this(), st](beast::error_code ec, std::size_t) {
                if (ec) {
                    return self->abort_stream(*st, "the caller stopped reading", true);
                }
                self->pump(st);
            });
    }

    // The answer's status and headers are gone already: closing the connection before the
    // body is complete is the only way left to tell the caller it failed.
    // A caller that leaves part-way is its own business; a body that failed on our side is
    // worth a warning.
    void abort_stream(Streaming& st, std::string_view why, bool caller_left = false) {
        st.source->cancel();
        core::metrics::stream_finished(
            caller_left ? core::metrics::StreamEnd::kCallerLeft : core::metrics::StreamEnd::kFailed,
            st.sent);
        (caller_left ? core::log::info : core::log::warn)(
            "response_aborted",
            {{"request_id", st.request_id}, {"bytes_sent", st.sent}, {"error", why}});
        on_write(asio::error::operation_aborted, false);
    }

    static std::string header_value(const std::vector<std::pair<std::string, std::string>>& hs,
                                    std::string_view name) {
        for (const auto& [k, v] : hs) {
            if (k == name) {
                return v;
            }
        }
        return {};
    }

    // Names and values come from this program, never raw from a caller; a line break would
    // still split the header block, so such a header is dropped rather than sent.
    static void append_header(std::string& out, std::string_view name, std::string_view value) {
        if (name.find_first_of("\r\n:") != std::string_view::npos ||
            value.find_first_of("\r\n") != std::string_view::npos) {
            core::log::error("header_dropped", {{"header", name}});
            return;
        }
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        --shared_->in_flight;
        if (ec || !keep_alive) {
            return close();
        }
        read();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<Shared> shared_;
    std::string remote_;
    bool first_ = true;
    bool keep_alive_ = false;
    bool head_ = false;
};

}  // namespace

// One io_context per I/O thread: a connection lives on one thread for its whole life, so no
// strand or cross-thread wake-up is paid per request; answers from worker threads are posted to
// the connection's own context.
struct Server::Impl {
    explicit Impl(unsigned threads) : contexts(make_contexts(threads)) {
        for (auto& c : contexts) {
            guards.emplace_back(asio::make_work_guard(*c));
        }
    }

    static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
        std::vector<std::unique_ptr<asio::io_context>> out;
        for (unsigned i = 0; i < n; ++i) {
            out.push_back(std::make_unique<asio::io_context>(1));
        }
        return out;
    }

    core::ServerConfig config;
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    asio::io_context& main = *contexts.front();
    tcp::acceptor acceptor{main};
    asio::signal_set signals{main, SIGINT, SIGTERM};
    asio::steady_timer drain_timer{main};
    std::size_t next_context = 0;

    void accept() {
        auto& target = *contexts[next_context++ % contexts.size()];
        acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
                return;
            }
            if (!ec) {
                if (shared->connections.load() >= config.limits.max_connections) {
                    core::log::warn("connection_refused", {{"reason", "max_connections"}});
                    beast::error_code ignored;
                    socket.close(ignored);
                } else {
                    ++shared->connections;
                    std::make_shared<Session>(std::move(socket), shared)->start();
                }
            }
            accept();
        });
    }

    void begin_drain() {
        core::log::info("shutdown_started", {{"in_flight", shared->in_flight.load()}});
        shared->draining = true;
        beast::error_code ec;
        acceptor.close(ec);
        const auto deadline = std::chrono::steady_clock::now() + config.limits.drain_timeout;
        poll_drain(deadline);
    }

    void poll_drain(std::chrono::steady_clock::time_point deadline) {
        if (shared->in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
            core::log::info("shutdown_finished", {{"in_flight", shared->in_flight.load()}});
            for (auto& c : contexts) {
                c->stop();
            }
            return;
        }
        drain_timer.expires_after(std::chrono::milliseconds(20));
        drain_timer.async_wait([this, deadline](beast::error_code) { poll_drain(deadline); });
    }
};

namespace {

unsigned io_threads_for(const core::ServerConfig& config) {
    return config.io_threads != 0 ? config.io_threads
                                  : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

Server::Server(const core::ServerConfig& config, Handler handler)
    : impl_(new Impl(io_threads_for(config))) {
    impl_->config = config;
    impl_->shared->limits = config.limits;
    impl_->shared->handler = std::move(handler);
}

Server::~Server() = default;

core::Status Server::bind() {
    const std::string& listen = impl_->config.listen;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        return core::Error::invalid("listen address must be HOST:PORT, got '" + listen + "'");
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned long port = 0;
    try {
        port = std::stoul(listen.substr(colon + 1));
    } catch (const std::exception&) {
        port = 65536;
    }
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec || port > 65535) {
        return core::Error::invalid("invalid listen address '" + listen + "'");
    }

    auto& acc = impl_->acceptor;
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acc.open(endpoint.protocol(), ec);
    if (!ec) {
        acc.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acc.bind(endpoint, ec);
    }
    if (!ec) {
        acc.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return core::Error::invalid("cannot listen on " + listen + ": " + ec.message());
    }
    return {};
}

unsigned short Server::port() const {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void Server::run() {
    impl_->signals.async_wait([this](beast::error_code ec, int) {
        if (!ec) {
            impl_->begin_drain();
        }
    });
    impl_->accept();

    std::vector<std::thread> extra;
    for (std::size_t i = 1; i < impl_->contexts.size(); ++i) {
        extra.emplace_back([this, i] { impl_->contexts[i]->run(); });
    }
    impl_->main.run();
    for (auto& t : extra) {
        t.join();
    }
}

}  // namespace deskbridge::http
