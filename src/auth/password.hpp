#pragma once
// Password hashing with Argon2id (libsodium's crypto_pwhash_str), in the PHC string format
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") so parameters can change without breaking old
// hashes. Hashing costs tens of milliseconds and 64 MiB by design: call it off the I/O threads.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace deskbridge::auth {

// Fails only when memory cannot be allocated.
core::Result<std::string> hash_password(std::string_view password);

// Constant-time in the password; false for a wrong password or a malformed hash. A malformed
// hash still costs a full verify (against the dummy hash), so no stored value is told apart by
// timing.
bool verify_password(std::string_view password, const std::string& hash);

// Burns the same time as a verify against a real hash, so that an unknown login cannot be told
// apart from a wrong password by timing.
void verify_dummy_password(std::string_view password);

// How many Argon2id verifications this process has run: tests check with it that every login
// path, known user or not, pays for exactly one.
std::uint64_t password_verifications();

// Whether `hash` looks like an Argon2id PHC string that verify_password can read.
bool is_argon2id_hash(std::string_view hash);

}  // namespace deskbridge::auth
