#include "zoho/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

namespace deskbridge::zoho {
namespace {

struct Transfer {
    HttpRequest request;
    HttpClient::Callback done;  // empty once a streamed body has begun
    HttpResponse response;
    curl_slist* headers = nullptr;
    CURL* easy = nullptr;

    // Streamed bodies (request.stream_body) only.
    std::uint64_t id = 0;
    std::function<void()> resume;            // for the pipe: unpause this transfer
    std::shared_ptr<core::StreamPipe> pipe;  // once the body has begun
    std::uint64_t streamed = 0;              // bytes the pipe took
    bool buffered = false;                   // not a 2xx: read whole, as any other answer
};

struct Timer {
    Clock::time_point when;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Timer& o) const { return when != o.when ? when > o.when : seq > o.seq; }
};

bool over_cap(const Transfer& t, std::uint64_t bytes) {
    return t.request.max_body_bytes != 0 && bytes > t.request.max_body_bytes;
}

// The first bytes of a 2xx answer to a streamed request: the caller gets the answer now, and
// the body through a pipe. Anything else is read whole, so that errors look the same.
bool begin_stream(Transfer& t) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
        return false;
    }
    curl_off_t length = -1;
    curl_easy_getinfo(t.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);

    t.pipe = std::make_shared<core::StreamPipe>(kStreamHighWater, t.resume, kStreamMinPiece);
    t.response.status = status;
    t.response.body_stream = t.pipe;
    if (length >= 0) {
        t.response.content_length = static_cast<std::uint64_t>(length);
    }
    auto done = std::move(t.done);
    t.done = nullptr;
    done(std::move(t.response));
    return true;
}

std::size_t stream_bytes(Transfer& t, const char* data, std::size_t len) {
    if (over_cap(t, t.streamed + len)) {
        t.pipe->fail("the body passed " + std::to_string(t.request.max_body_bytes) + " bytes");
        return 0;
    }
    switch (t.pipe->offer(std::string_view(data, len))) {
        case core::StreamPipe::Offer::kTaken:
            t.streamed += len;
            return len;
        case core::StreamPipe::Offer::kFull:
            return CURL_WRITEFUNC_PAUSE;  // libcurl keeps these bytes and offers them again
        case core::StreamPipe::Offer::kCancelled:
            break;
    }
    return 0;
}

// Returning less than was given makes libcurl abort the transfer.
std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    if (t->request.stream_body && !t->buffered) {
        if (t->pipe || begin_stream(*t)) {
            return stream_bytes(*t, data, size * n);
        }
        t->buffered = true;
    }
    if (over_cap(*t, t->response.body.size() + size * n)) {
        t->response.too_large = true;
        return 0;
    }
    t->response.body.append(data, size * n);
    return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * n);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value(line.substr(colon + 1));
        try {
            if (name == "retry-after") {
                t->response.retry_after_seconds = std::stol(value);
            } else if (name == "x-rate-limit-remaining-v3") {
                t->response.credits_remaining = std::stoll(value);
            } else if (name == "content-type") {
                const auto first = value.find_first_not_of(" \t");
                const auto last = value.find_last_not_of(" \t\r\n");
                t->response.content_type =
                    first == std::string::npos ? "" : value.substr(first, last - first + 1);
            } else if (name == "content-length" && over_cap(*t, std::stoull(value))) {
                // An announced body past the cap is refused before a byte of it is read.
                t->response.too_large = true;
                return 0;
            }
        } catch (const std::exception&) {
            // A malformed header value is ignored like an absent one.
        }
    }
    return size * n;
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
    ~Impl() {
        if (multi != nullptr) {
            curl_multi_cleanup(multi);
        }
    }

    HttpClientOptions options;
    CURLM* multi = nullptr;
    std::thread thread;

    std::mutex mutex;
    std::deque<std::unique_ptr<Transfer>> incoming;  // guarded by mutex
    std::vector<Timer> new_timers;                   // guarded by mutex
    bool stopping = false;                           // guarded by mutex

    // Owned by the client thread only. Waiting calls start earliest deadline first, so that
    // under the cap the requests closest to giving up are served first and older requests
    // finish before newer ones instead of all finishing late together.
    std::multimap<Clock::time_point, std::unique_ptr<Transfer>> waiting;
    std::map<CURL*, std::unique_ptr<Transfer>> running;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
    std::uint64_t timer_seq = 0;     // guarded by mutex
    std::uint64_t transfer_seq = 0;  // client thread only

    void run() {
        for (;;) {
            bool stop = false;
            {
                const std::lock_guard lock(mutex);
                stop = stopping;
                for (auto& t : incoming) {
                    const auto order = t->request.start_by.value_or(t->request.deadline);
                    waiting.emplace(order, std::move(t));
                }
                incoming.clear();
                for (auto& t : new_timers) {
                    timers.push(std::move(t));
                }
                new_timers.clear();
            }
            if (stop) {
                return fail_all();
            }

            start_waiting();
            int still_running = 0;
            curl_multi_perform(multi, &still_running);
            flush_streams();
            collect_finished();
            run_due_timers();
            if (!waiting.empty() && running.size() < options.max_in_flight) {
                continue;  // finished transfers freed slots for waiting ones
            }

            int wait_ms = 1000;
            if (!timers.empty()) {
                const auto until = timers.top().when - Clock::now();
                wait_ms = static_cast<int>(std::clamp<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(until).count(), 0, 1000));
            }
            curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
        }
    }

    void start_waiting() {
        while (!waiting.empty() && running.size() < options.max_in_flight) {
            auto t = std::move(waiting.begin()->second);
            waiting.erase(waiting.begin());
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                t->request.deadline - Clock::now());
            if (left.count() <= 0) {
                t->response.timed_out = true;
                t->response.transport_error = "deadline passed before the call started";
                t->done(std::move(t->response));
                continue;
            }
            setup(*t, left);
            CURL* easy = t->easy;
            running.emplace(easy, std::move(t));
            curl_multi_add_handle(multi, easy);
        }
    }

    void setup(Transfer& t, std::chrono::milliseconds left) {
        t.easy = curl_easy_init();
        CURL* e = t.easy;
        curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str());
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min(left, options.connect_timeout).count()));
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
        for (const auto& h : t.request.headers) {
            t.headers = curl_slist_append(t.headers, h.c_str());
        }
        if (t.request.stream_body) {
            // The bytes are passed on as they come, with their announced length: no encoding.
            t.headers = curl_slist_append(t.headers, "Accept-Encoding: identity");
            t.id = ++transfer_seq;
            t.resume = [weak = weak_from_this(), easy = e, id = t.id] {
                if (auto self = weak.lock()) {
                    self->post([raw = self.get(), easy, id] { raw->unpause(easy, id); });
                }
            };
        } else {
            curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
        }
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
        if (t.request.method == "POST") {
            curl_easy_setopt(e, CURLOPT_POST, 1L);
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t.request.body.size()));
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.request.body.c_str());
        } else if (t.request.method != "GET") {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.request.method.c_str());
        }
    }

    void collect_finished() {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result;
            auto it = running.find(easy);
            curl_multi_remove_handle(multi, easy);
            if (it == running.end()) {
                curl_easy_cleanup(easy);
                continue;
            }
            auto t = std::move(it->second);
            running.erase(it);

            if (t->pipe) {  // the caller has its answer: only the body's end is left to tell
                if (code == CURLE_OK) {
                    t->pipe->finish();
                } else {
                    t->pipe->fail(curl_easy_strerror(code));
                }
                curl_easy_cleanup(easy);
                curl_slist_free_all(t->headers);
                continue;
            }
            if (code == CURLE_OK || t->response.too_large) {
                curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &t->response.status);
            } else {
                t->response.status = 0;
                t->response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
                t->response.transport_error = curl_easy_strerror(code);
            }
            curl_easy_cleanup(easy);
            curl_slist_free_all(t->headers);
            t->done(std::move(t->response));
        }
    }

    void run_due_timers() {
        const auto now = Clock::now();
        while (!timers.empty() && timers.top().when <= now) {
            auto fn = timers.top().fn;
            timers.pop();
            fn();
        }
    }

    // A round of reading is over: what the pipes hold goes to their consumers now rather than
    // once a larger piece has gathered.
    void flush_streams() {
        for (auto& [easy, t] : running) {
            if (t->pipe) {
                t->pipe->flush();
            }
        }
    }

    // Runs `fn` on the client thread once `when` has come.
    void post_at(Clock::time_point when, std::function<void()> fn) {
        {
            const std::lock_guard lock(mutex);
            new_timers.push_back(Timer{when, timer_seq++, std::move(fn)});
        }
        curl_multi_wakeup(multi);
    }
    void post(std::function<void()> fn) { post_at(Clock::now(), std::move(fn)); }

    // The consumer took bytes from a paused transfer's pipe. The id guards against a handle
    // freed and reused by a later transfer.
    void unpause(CURL* easy, std::uint64_t id) {
        const auto it = running.find(easy);
        if (it != running.end() && it->second->id == id) {
            curl_easy_pause(easy, CURLPAUSE_CONT);
        }
    }

    void fail_all() {
        for (auto& [easy, t] : running) {
            curl_multi_remove_handle(multi, easy);
            curl_easy_cleanup(easy);
            curl_slist_free_all(t->headers);
            if (t->pipe) {
                t->pipe->fail("client shutting down");
                continue;
            }
            t->response.transport_error = "client shutting down";
            t->done(std::move(t->response));
        }
        running.clear();
        for (auto& [deadline, t] : waiting) {
            t->response.transport_error = "client shutting down";
            t->done(std::move(t->response));
        }
        waiting.clear();
    }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_shared<Impl>()) {
    static const bool global_init = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == 0; }();
    (void)global_init;
    impl_->options = options;
    impl_->options.max_in_flight = std::max<std::size_t>(1, options.max_in_flight);
    impl_->multi = curl_multi_init();
    curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(impl_->options.max_in_flight));
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

HttpClient::~HttpClient() {
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    curl_multi_wakeup(impl_->multi);
    impl_->thread.join();
}

void HttpClient::send(HttpRequest request, Callback done) {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->incoming.push_back(std::move(t));
    }
    curl_multi_wakeup(impl_->multi);
}

void HttpClient::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    impl_->post_at(Clock::now() + delay, std::move(fn));
}

std::string url_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size() * 3);
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

}  // namespace deskbridge::zoho
