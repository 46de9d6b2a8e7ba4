#pragma once
// Password hashing with Argon2id (libsodium's crypto_pwhash_str), in the PHC string format
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") so parameters can change without breaking old
// hashes. Hashing costs tens of milliseconds and 64 MiB by design: call it off the I/O threads.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace deskbridge::auth {

// Fails only when memory cannot be allocated.
core::Result<std::string> hash_password(std::string_view password);

// Constant-time in the password; false for a wrong password or a malformed hash.
bool verify_password(std::string_view password, const std::string& hash);

// Burns the same time as a verify against a real hash, so that an unknown login cannot be told
// apart from a wrong password by timing.
void verify_dummy_password(std::string_view password);

// Whether `hash` looks like an Argon2id PHC string that verify_password can read.
bool is_argon2id_hash(std::string_view hash);

}  // namespace deskbridge::auth
