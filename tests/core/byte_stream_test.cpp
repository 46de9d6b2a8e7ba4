#include "core/byte_stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

namespace deskbridge::core {
namespace {

// Pulls one piece and returns it if it was delivered before `pull` returned.
std::optional<StreamPiece> pull_now(ByteStream& s) {
    std::optional<StreamPiece> got;
    s.pull([&](StreamPiece p) { got = std::move(p); });
    return got;
}

TEST(StreamOf, OnePieceThenTheEnd) {
    auto s = stream_of("abc");
    auto first = pull_now(*s);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->bytes, "abc");
    EXPECT_FALSE(first->end);
    auto second = pull_now(*s);
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->end);
    EXPECT_TRUE(second->bytes.empty());
}

TEST(StreamOf, EmptyIsAtOnceTheEnd) {
    auto s = stream_of("");
    auto first = pull_now(*s);
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->end);
}

TEST(StreamPipe, BuffersUpToTheHighWaterMarkThenRefuses) {
    int resumed = 0;
    StreamPipe pipe(8, [&] { ++resumed; });
    EXPECT_EQ(pipe.offer("12345"), StreamPipe::Offer::kTaken);
    EXPECT_EQ(pipe.offer("6789"), StreamPipe::Offer::kTaken);  // 5 < 8: still taken
    EXPECT_EQ(pipe.offer("x"), StreamPipe::Offer::kFull);      // 9 >= 8
    EXPECT_EQ(resumed, 0);

    auto piece = pull_now(pipe);
    ASSERT_TRUE(piece);
    EXPECT_EQ(piece->bytes, "123456789");
    EXPECT_EQ(resumed, 1);  // the refused producer is told to offer again

    EXPECT_EQ(pipe.offer("x"), StreamPipe::Offer::kTaken);
    auto next = pull_now(pipe);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->bytes, "x");
    EXPECT_EQ(resumed, 1);  // nothing was refused since
}

TEST(StreamPipe, AWaitingConsumerGetsBytesDirectly) {
    StreamPipe pipe(8, [] {});
    std::optional<StreamPiece> got;
    pipe.pull([&](StreamPiece p) { got = std::move(p); });
    EXPECT_FALSE(got);
    EXPECT_EQ(pipe.offer("hello"), StreamPipe::Offer::kTaken);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, "hello");
}

TEST(StreamPipe, EndComesAfterTheBufferedBytes) {
    StreamPipe pipe(8, [] {});
    pipe.offer("ab");
    pipe.finish();
    EXPECT_EQ(pull_now(pipe)->bytes, "ab");
    EXPECT_TRUE(pull_now(pipe)->end);
}

TEST(StreamPipe, FinishWakesAWaitingConsumer) {
    StreamPipe pipe(8, [] {});
    std::optional<StreamPiece> got;
    pipe.pull([&](StreamPiece p) { got = std::move(p); });
    pipe.finish();
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->end);
}

TEST(StreamPipe, FailureDropsBufferedBytesAndIsFinal) {
    StreamPipe pipe(8, [] {});
    pipe.offer("ab");
    pipe.fail("cut off");
    pipe.finish();  // too late: a failed body stays failed
    auto piece = pull_now(pipe);
    ASSERT_TRUE(piece);
    EXPECT_TRUE(piece->failed);
    EXPECT_FALSE(piece->end);
    EXPECT_EQ(piece->error, "cut off");
    EXPECT_EQ(pipe.offer("more"), StreamPipe::Offer::kCancelled);
}

TEST(StreamPipe, CancelReleasesTheConsumerAndStopsTheProducer) {
    int resumed = 0;
    StreamPipe pipe(4, [&] { ++resumed; });
    pipe.offer("abcd");
    EXPECT_EQ(pipe.offer("e"), StreamPipe::Offer::kFull);
    pipe.cancel();
    EXPECT_EQ(resumed, 1);  // so that it offers again and learns of the cancel
    EXPECT_EQ(pipe.offer("e"), StreamPipe::Offer::kCancelled);

    bool called = false;
    pipe.pull([&](StreamPiece) { called = true; });
    pipe.finish();
    EXPECT_FALSE(called);
}

// A producer and a consumer on two threads: every byte arrives once and in order, and the
// buffer never holds more than the mark plus one offer.
TEST(StreamPipe, ProducerAndConsumerOnTwoThreads) {
    constexpr std::size_t kHigh = 64;
    constexpr int kOffers = 20000;
    std::atomic<bool> may_offer{true};
    auto pipe = std::make_shared<StreamPipe>(kHigh, [&] { may_offer = true; });

    std::thread producer([&] {
        for (int i = 0; i < kOffers;) {
            if (!may_offer.load()) {
                std::this_thread::yield();
                continue;
            }
            const char byte = static_cast<char>('a' + i % 26);
            const auto r = pipe->offer(std::string(3, byte));
            if (r == StreamPipe::Offer::kFull) {
                may_offer = false;
                // The consumer may have emptied the pipe between the refusal and this store.
                if (pipe->offer(std::string(3, byte)) == StreamPipe::Offer::kFull) {
                    continue;
                }
                may_offer = true;
            }
            ++i;
        }
        pipe->finish();
    });

    std::string received;
    std::size_t largest = 0;
    for (;;) {
        std::atomic<bool> ready{false};
        StreamPiece piece;
        pipe->pull([&](StreamPiece p) {
            piece = std::move(p);
            ready = true;
        });
        while (!ready.load()) {
            std::this_thread::yield();
        }
        if (piece.end) {
            break;
        }
        largest = std::max(largest, piece.bytes.size());
        received += piece.bytes;
    }
    producer.join();

    ASSERT_EQ(received.size(), 3u * kOffers);
    for (int i = 0; i < kOffers; ++i) {
        ASSERT_EQ(received.substr(3 * i, 3), std::string(3, static_cast<char>('a' + i % 26)));
    }
    EXPECT_LE(largest, kHigh + 3);
}

}  // namespace
}  // namespace deskbridge::core

namespace deskbridge::core {
namespace {

TEST(StreamPipe, AWaitingConsumerGetsAMinimumPieceOrWhatAFlushFinds) {
    StreamPipe pipe(
        64, [] {}, 8);
    std::optional<StreamPiece> got;
    pipe.pull([&](StreamPiece p) { got = std::move(p); });

    EXPECT_EQ(pipe.offer("abc"), StreamPipe::Offer::kTaken);
    EXPECT_FALSE(got);  // 3 < 8: gathered rather than handed over
    EXPECT_EQ(pipe.offer("defgh"), StreamPipe::Offer::kTaken);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, "abcdefgh");

    got.reset();
    pipe.pull([&](StreamPiece p) { got = std::move(p); });
    pipe.offer("ij");
    EXPECT_FALSE(got);
    pipe.flush();  // the producer has nothing more for now
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, "ij");

    got.reset();
    pipe.flush();  // nobody waiting, nothing buffered: nothing happens
    EXPECT_FALSE(got);
}

TEST(StreamPipe, FinishHandsOverWhatIsGatheredThenEnds) {
    StreamPipe pipe(
        64, [] {}, 8);
    std::optional<StreamPiece> got;
    pipe.pull([&](StreamPiece p) { got = std::move(p); });
    pipe.offer("xy");
    pipe.finish();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, "xy");
    EXPECT_FALSE(got->end);
    EXPECT_TRUE(pull_now(pipe)->end);
}

}  // namespace
}  // namespace deskbridge::core
