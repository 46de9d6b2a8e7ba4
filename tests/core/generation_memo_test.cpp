#include "core/generation_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace deskbridge::core {
namespace {

TEST(GenerationMemo, FindsOnlyUnderTheGenerationItWasRememberedIn) {
    GenerationMemo<int, std::string> memo(10);
    memo.remember(5, 1, "one");
    EXPECT_EQ(memo.find(5, 1), "one");
    EXPECT_FALSE(memo.find(5, 2));
    EXPECT_FALSE(memo.find(6, 1));
    EXPECT_FALSE(memo.find(4, 1));
}

TEST(GenerationMemo, ANewerGenerationForgetsEverythingOlder) {
    GenerationMemo<int, std::string> memo(10);
    memo.remember(5, 1, "one");
    memo.remember(6, 2, "two");
    EXPECT_FALSE(memo.find(6, 1));
    EXPECT_EQ(memo.find(6, 2), "two");
}

TEST(GenerationMemo, AValueReadBeforeANewerGenerationIsNotKept) {
    GenerationMemo<int, std::string> memo(10);
    memo.remember(6, 2, "two");
    memo.remember(5, 1, "stale");  // its reader started before generation 6
    EXPECT_FALSE(memo.find(5, 1));
    EXPECT_FALSE(memo.find(6, 1));
    EXPECT_EQ(memo.find(6, 2), "two");
}

TEST(GenerationMemo, StartsAgainWhenFull) {
    GenerationMemo<int, int> memo(3);
    for (int i = 0; i < 3; ++i) {
        memo.remember(1, i, i);
    }
    memo.remember(1, 3, 3);
    EXPECT_EQ(memo.find(1, 3), 3);
    EXPECT_FALSE(memo.find(1, 0));
}

}  // namespace
}  // namespace deskbridge::core
