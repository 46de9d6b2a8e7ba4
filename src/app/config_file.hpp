#pragma once
// Settings from a TOML file (`--config deskbridge.toml`), below flags and environment variables.
//
// Every command-line option that also has an environment variable is a setting, and its file key
// follows from the flag: `--db` is `[database] url`, `--zoho-X-Y` is `[zoho] X_Y`, any other
// `--X-Y` is `[server] X_Y`. A key the file sets fills its option only when neither the flag nor
// the variable gave one (nor the `_file` twin of a credential), and goes through the option's
// own checks, so a value is refused in the file exactly as on the command line.
//
// The file is refused as a whole for: a TOML syntax error, an unknown key, a value of the wrong
// TOML type, or a secret written inline (client_secret, refresh_token, webhook_secret) while
// group or others can read the file. Not thread-safe; used once at start-up.

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace deskbridge::app {

// The file key of a setting option ("zoho.client_secret"), or empty for an option that is not a
// setting (no environment variable).
std::string setting_key(const CLI::Option& option);

// Settings whose values are never printed.
bool is_secret_setting(const CLI::Option& option);

class ConfigFile {
  public:
    // Parses `path` and checks every key against the settings that `root` (and all its
    // subcommands) declare.
    static core::Result<ConfigFile> load(const std::string& path, const CLI::App& root);

    // Fills the options of the commands that were parsed (root and the chosen subcommand chain)
    // that neither a flag nor an environment variable set. An out-of-range or malformed value
    // fails with the key's name.
    core::Status apply(CLI::App& root);

    const std::string& path() const { return path_; }
    bool filled(const CLI::Option* option) const { return filled_.count(option) > 0; }

  private:
    struct Entry {
        std::string key;   // "section.key"
        std::string text;  // the value as the option parses it
    };

    std::string path_;
    std::vector<Entry> entries_;
    std::set<const CLI::Option*> filled_;
};

// Prints the settings of the parsed command (after flags, environment and file) as TOML, with
// secrets masked, each line followed by where its value came from. `args` is argv without the
// program name; `file` may be null.
void print_effective_config(const CLI::App& root,
                            const ConfigFile* file,
                            const std::vector<std::string>& args,
                            std::ostream& out);

}  // namespace deskbridge::app
