#include "auth/password.hpp"

#include <sodium.h>

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

bool verify_password(std::string_view password, const std::string& hash) {
    if (!is_argon2id_hash(hash)) {
        return false;
    }
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_dummy_password(std::string_view password) {
    static const std::string kDummy = [] {
        auto h = hash_password("deskbridge-timing-equaliser");
        return h ? *h : std::string();
    }();
    (void)verify_password(password, kDummy);
}

bool is_argon2id_hash(std::string_view hash) {
    return hash.starts_with("$argon2id$") && hash.size() < crypto_pwhash_STRBYTES;
}

}  // namespace deskbridge::auth
