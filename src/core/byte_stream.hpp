#pragma once
// A body that is produced a piece at a time on one thread and sent on another: an attachment
// on its way from Zoho Desk to a caller. The consumer pulls one piece at a time and asks again
// only once the piece is written, so a slow reader slows the producer down instead of making
// the service hold the whole body.
//
// `StreamPipe` is the producer's side: a buffer bounded by a high-water mark, which refuses
// bytes when full and calls `resume` once the consumer has taken them. Thread-safe.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace deskbridge::core {

struct StreamPiece {
    std::string bytes;    // empty only when `end` or `failed`
    bool end = false;     // the body is complete
    bool failed = false;  // the body cannot be completed: the consumer must not pretend it was
    std::string error;    // why, when failed (for the log)
};

class ByteStream {
  public:
    using Deliver = std::function<void(StreamPiece)>;
    virtual ~ByteStream() = default;

    // Asks for the next piece. `deliver` runs exactly once, on any thread, possibly before
    // `pull` returns, unless the stream is cancelled first. One pull at a time.
    virtual void pull(Deliver deliver) = 0;
    // The consumer is gone: the producer stops and drops what it holds; a pending `deliver` is
    // released without being called.
    virtual void cancel() = 0;
};

// A stream of bytes already in memory: one piece, then the end.
std::shared_ptr<ByteStream> stream_of(std::string bytes);

class StreamPipe final : public ByteStream {
  public:
    enum class Offer { kTaken, kFull, kCancelled };

    // `resume` is never called under the pipe's lock; it must be cheap (it tells the
    // producer's thread to offer again) and harmless once the producer has finished.
    // A waiting consumer gets bytes as soon as `min_piece` of them are there, or at `flush`:
    // fewer, larger pieces cost fewer hand-overs between threads.
    StreamPipe(std::size_t high_water, std::function<void()> resume, std::size_t min_piece = 0)
        : high_water_(high_water), min_piece_(min_piece), resume_(std::move(resume)) {}

    // kFull: nothing was taken; offer the same bytes again after `resume`.
    Offer offer(std::string_view bytes);
    // Hands what is buffered to a waiting consumer, however little (the producer has nothing
    // more for now).
    void flush();
    void finish();
    void fail(std::string error);

    void pull(Deliver deliver) override;
    void cancel() override;

  private:
    // Gives the buffer to the waiting consumer; releases the lock first.
    void hand_over(std::unique_lock<std::mutex>& lock);

    const std::size_t high_water_;
    const std::size_t min_piece_;
    std::mutex mutex_;
    std::string buffer_;
    Deliver waiting_;
    std::function<void()> resume_;
    bool refused_ = false;  // the producer was told kFull and waits for `resume`
    bool ended_ = false;
    bool failed_ = false;
    bool cancelled_ = false;
    std::string error_;
};

}  // namespace deskbridge::core
