#pragma once
// The administrative subcommands. Each returns the process exit code and prints its own errors.

#include <cstdint>
#include <optional>
#include <string>

namespace deskbridge::app {

int migrate_command(const std::string& db_url);
int import_command(const std::string& db_url, const std::string& file, const std::string& zone);

int client_add(const std::string& db_url,
               std::int64_t id,
               const std::string& apelido,
               const std::optional<std::string>& cnpj);
int client_set_blocked(const std::string& db_url, std::int64_t id, bool blocked);

// Passwords are read from stdin (one line), never from argv.
int user_add(const std::string& db_url,
             const std::string& login,
             std::optional<std::int64_t> client_id,
             bool staff);
int user_passwd(const std::string& db_url, const std::string& login);
int user_disable(const std::string& db_url, const std::string& login);
// Re-enables a disabled user; tokens issued before the disable stay void.
int user_enable(const std::string& db_url, const std::string& login);

}  // namespace deskbridge::app
