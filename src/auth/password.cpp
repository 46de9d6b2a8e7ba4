#include "auth/password.hpp"

#include <sodium.h>

#include <atomic>

namespace deskbridge::auth {

core::Result<std::string> hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return core::Error::internal("password hashing failed", "crypto_pwhash_str: out of memory");
    }
    return std::string(out);
}

namespace {

std::atomic<std::uint64_t> verifications{0};

bool argon2id_verify(std::string_view password, const std::string& hash) {
    verifications.fetch_add(1, std::memory_order_relaxed);
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// Made once with the same parameters as real hashes, so verifying against it costs the same.
const std::string& dummy_hash() {
    static const std::string kDummy = [] {
        auto h = hash_password("deskbridge-timing-equaliser");
        return h ? *h : std::string();
    }();
    return kDummy;
}

}  // namespace

bool verify_password(std::string_view password, const std::string& hash) {
    if (!is_argon2id_hash(hash)) {
        verify_dummy_password(password);
        return false;
    }
    return argon2id_verify(password, hash);
}

void verify_dummy_password(std::string_view password) {
    const std::string& dummy = dummy_hash();
    if (is_argon2id_hash(dummy)) {
        (void)argon2id_verify(password, dummy);
    }
}

std::uint64_t password_verifications() {
    return verifications.load(std::memory_order_relaxed);
}

bool is_argon2id_hash(std::string_view hash) {
    return hash.starts_with("$argon2id$") && hash.size() < crypto_pwhash_STRBYTES;
}

}  // namespace deskbridge::auth
