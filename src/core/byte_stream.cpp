#include "core/byte_stream.hpp"

#include <utility>

namespace deskbridge::core {
namespace {

class StringStream final : public ByteStream {
  public:
    explicit StringStream(std::string bytes) : bytes_(std::move(bytes)) {}

    void pull(Deliver deliver) override {
        if (sent_ || bytes_.empty()) {
            return deliver(StreamPiece{{}, true});
        }
        sent_ = true;
        deliver(StreamPiece{std::move(bytes_)});
    }
    void cancel() override { bytes_.clear(); }

  private:
    std::string bytes_;
    bool sent_ = false;
};

StreamPiece failure(const std::string& error) {
    return StreamPiece{{}, false, true, error};
}

}  // namespace

std::shared_ptr<ByteStream> stream_of(std::string bytes) {
    return std::make_shared<StringStream>(std::move(bytes));
}

StreamPipe::Offer StreamPipe::offer(std::string_view bytes) {
    std::unique_lock lock(mutex_);
    if (cancelled_ || ended_ || failed_) {
        return Offer::kCancelled;
    }

    if (buffer_.size() >= high_water_) {
        refused_ = true;
        return Offer::kFull;
    }
    buffer_.append(bytes);

    // A waiting consumer has only ever seen less than min_piece_ buffered.
    if (waiting_ && buffer_.size() >= min_piece_) {
        hand_over(lock);
    }
    return Offer::kTaken;
}

void StreamPipe::flush() {
    std::unique_lock lock(mutex_);
    if (waiting_ && !buffer_.empty() && !cancelled_ && !failed_) {
        hand_over(lock);
    }
}

void StreamPipe::hand_over(std::unique_lock<std::mutex>& lock) {
    auto deliver = std::move(waiting_);
    waiting_ = nullptr;
    StreamPiece piece{std::move(buffer_)};
    buffer_ = std::string();
    lock.unlock();
    deliver(std::move(piece));
}

void StreamPipe::finish() {
    std::unique_lock lock(mutex_);
    if (cancelled_ || failed_) {
        return;
    }
    ended_ = true;
    resume_ = nullptr;
    if (waiting_ && !buffer_.empty()) {
        return hand_over(lock);  // the end follows at the next pull
    }
    if (waiting_) {
        auto deliver = std::move(waiting_);
        waiting_ = nullptr;
        lock.unlock();
        deliver(StreamPiece{{}, true});
    }
}

void StreamPipe::fail(std::string error) {
    std::unique_lock lock(mutex_);
    if (cancelled_ || ended_ || failed_) {
        return;
    }
    failed_ = true;
    error_ = std::move(error);
    resume_ = nullptr;
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (waiting_) {
        auto deliver = std::move(waiting_);
        waiting_ = nullptr;
        const std::string error_text = error_;
        lock.unlock();
        deliver(failure(error_text));
    }
}

void StreamPipe::pull(Deliver deliver) {
    std::unique_lock lock(mutex_);
    if (cancelled_) {
        return;
    }
    if (failed_) {
        const std::string error_text = error_;
        lock.unlock();
        return deliver(failure(error_text));
    }

    if (!buffer_.empty()) {
        StreamPiece piece{std::move(buffer_)};
        buffer_ = std::string();
        const bool wake = refused_;
        refused_ = false;
        auto resume = wake ? resume_ : nullptr;
        lock.unlock();
        if (resume) {
            resume();
        }
        return deliver(std::move(piece));
    }

    if (ended_) {
        lock.unlock();
        return deliver(StreamPiece{{}, true});
    }
    waiting_ = std::move(deliver);
}

void StreamPipe::cancel() {
    std::unique_lock lock(mutex_);
    cancelled_ = true;
    auto dropped = std::move(waiting_);
    waiting_ = nullptr;
    buffer_ = std::string();
    // A refused producer is told to go on, so that it learns of the cancel and stops.
    auto resume = refused_ ? resume_ : nullptr;
    refused_ = false;
    lock.unlock();
    if (resume) {
        resume();
    }
}

}  // namespace deskbridge::core
