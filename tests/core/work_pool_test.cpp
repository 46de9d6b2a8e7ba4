#include "core/work_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace deskbridge::core {
namespace {

TEST(WorkPool, RunsEveryAcceptedJob) {
    std::atomic<int> done{0};
    {
        WorkPool pool(3, 1000);
        for (int i = 0; i < 500; ++i) {
            ASSERT_TRUE(pool.try_submit([&] { ++done; }));
        }
    }  // the destructor drains the queue
    EXPECT_EQ(done.load(), 500);
}

TEST(WorkPool, RefusesWorkPastTheQueueLimit) {
    WorkPool pool(1, 2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::promise<void> started;

    ASSERT_TRUE(pool.try_submit([&] {
        started.set_value();
        gate.wait();
    }));
    started.get_future().wait();  // the only worker is now busy

    EXPECT_TRUE(pool.try_submit([gate] { gate.wait(); }));
    EXPECT_TRUE(pool.try_submit([gate] { gate.wait(); }));
    EXPECT_FALSE(pool.try_submit([] {})) << "a third queued job exceeds max_queued = 2";
    EXPECT_EQ(pool.queued(), 2u);
    EXPECT_EQ(pool.busy(), 1u);
    release.set_value();
}

}  // namespace
}  // namespace deskbridge::core
