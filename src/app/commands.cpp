#include "app/commands.hpp"

#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/import_file.hpp"
#include "auth/password.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace deskbridge::app {
namespace {

int report(const core::Error& e) {
    std::cerr << "deskbridge: " << e.message;
    if (!e.detail.empty()) {
        std::cerr << " (" << e.detail << ")";
    }
    std::cerr << "\n";
    return e.kind == core::ErrorKind::kInvalidArgument || e.kind == core::ErrorKind::kNotFound ? 1
                                                                                               : 2;
}

// Opens the store and brings its schema up to date; the CLI works on any fresh database.
core::Result<std::unique_ptr<store::Store>> open_migrated(const std::string& db_url) {
    auto s = store::open_store(db_url, store::StoreOptions{1});
    if (!s) {
        return std::move(s).error();
    }
    if (auto st = (*s)->migrate(); !st) {
        return std::move(st).error();
    }
    return s;
}

int run(const std::string& db_url,
        const std::function<core::Status(store::Store&)>& body,
        const std::string& done) {
    auto s = open_migrated(db_url);
    if (!s) {
        return report(s.error());
    }
    if (auto st = body(**s); !st) {
        return report(st.error());
    }
    std::cout << done << "\n";
    return 0;
}

core::Result<std::string> read_password() {
    std::string line;
    if (!std::getline(std::cin, line)) {
        return core::Error::invalid("no password on stdin (use --password-stdin)");
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (line.empty()) {
        return core::Error::invalid("the password must not be empty");
    }
    return line;
}

// The password on stdin, hashed.
core::Result<std::string> read_password_hash() {
    auto password = read_password();
    if (!password) {
        return std::move(password).error();
    }
    return auth::hash_password(*password);
}

}  // namespace

int migrate_command(const std::string& db_url) {
    return run(
        db_url, [](store::Store&) { return core::Status{}; }, "schema is up to date");
}

int import_command(const std::string& db_url, const std::string& file, const std::string& zone) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return report(core::Error::invalid("cannot read " + file));
    }
    std::ostringstream text;
    text << in.rdbuf();

    auto tz = core::TimeZone::locate(zone);
    if (!tz) {
        return report(tz.error());
    }
    auto s = open_migrated(db_url);
    if (!s) {
        return report(s.error());
    }
    store::Store& db = **s;
    const auto existing = [&db](const std::string& login) -> std::optional<std::string> {
        auto user = db.find_user_by_login(login);
        return user && *user ? std::optional((*user)->password_hash) : std::nullopt;
    };
    auto data = parse_import(text.str(), *tz, existing);
    if (!data) {
        return report(data.error());
    }
    if (auto st = db.import(*data); !st) {
        return report(st.error());
    }
    std::cout << "imported " << data->clients.size() << " clients, " << data->requesters.size()
              << " requesters, " << data->tickets.size() << " tickets, " << data->api_users.size()
              << " users\n";
    return 0;
}

int client_add(const std::string& db_url,
               std::int64_t id,
               const std::string& apelido,
               const std::optional<std::string>& cnpj) {
    return run(
        db_url,
        [&](store::Store& s) {
            return s.add_client({id, apelido, cnpj, false});
        },
        "client " + std::to_string(id) + " added");
}

int client_set_blocked(const std::string& db_url, std::int64_t id, bool blocked) {
    return run(
        db_url, [&](store::Store& s) { return s.set_client_blocked(id, blocked); },
        "client " + std::to_string(id) + (blocked ? " blocked" : " unblocked"));
}

int user_add(const std::string& db_url,
             const std::string& login,
             std::optional<std::int64_t> client_id,
             bool staff) {
    if (staff == client_id.has_value()) {
        return report(core::Error::invalid("give exactly one of --client ID and --staff"));
    }
    auto hash = read_password_hash();
    if (!hash) {
        return report(hash.error());
    }
    return run(
        db_url,
        [&](store::Store& s) {
            return s.add_user({login, *hash, client_id, staff});
        },
        "user " + login + " added");
}

int user_passwd(const std::string& db_url, const std::string& login) {
    auto hash = read_password_hash();
    if (!hash) {
        return report(hash.error());
    }
    return run(
        db_url, [&](store::Store& s) { return s.set_password(login, *hash); },
        "password of " + login + " changed; older tokens are void");
}

int user_enable(const std::string& db_url, const std::string& login) {
    return run(
        db_url, [&](store::Store& s) { return s.enable_user(login); },
        "user " + login + " enabled");
}

int user_disable(const std::string& db_url, const std::string& login) {
    return run(
        db_url, [&](store::Store& s) { return s.disable_user(login); },
        "user " + login + " disabled; its tokens are void");
}

}  // namespace deskbridge::app
