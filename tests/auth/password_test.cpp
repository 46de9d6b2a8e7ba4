#include "auth/password.hpp"

#include <gtest/gtest.h>

namespace deskbridge::auth {
namespace {

TEST(Password, HashesWithArgon2idAndVerifies) {
    const auto hash = hash_password("correct horse ção");
    ASSERT_TRUE(hash.ok());
    EXPECT_TRUE(hash->starts_with("$argon2id$v=19$")) << *hash;
    EXPECT_TRUE(verify_password("correct horse ção", *hash));
    EXPECT_FALSE(verify_password("correct horse cao", *hash));
    EXPECT_FALSE(verify_password("", *hash));
}

TEST(Password, SaltsEachHash) {
    EXPECT_NE(hash_password("same").value(), hash_password("same").value());
}

TEST(Password, RejectsMalformedAndForeignHashes) {
    EXPECT_FALSE(verify_password("x", ""));
    EXPECT_FALSE(verify_password("x", "$2b$10$abcdefghijklmnopqrstuv"));
    EXPECT_FALSE(verify_password("x", "$argon2id$garbage"));
    EXPECT_FALSE(is_argon2id_hash("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
    EXPECT_TRUE(is_argon2id_hash(hash_password("x").value()));
}

}  // namespace
}  // namespace deskbridge::auth
