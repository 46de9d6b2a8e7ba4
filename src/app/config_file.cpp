#include "app/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <sstream>

#include "core/secret_file.hpp"

namespace deskbridge::app {
namespace {

// The options of `app` and of every subcommand it declares, parsed or not.
void collect_all(const CLI::App& app, std::vector<const CLI::Option*>& out) {
    for (const CLI::Option* option : app.get_options()) {
        if (!setting_key(*option).empty()) {
            out.push_back(option);
        }
    }
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        collect_all(*sub, out);
    }
}

// The root and the chain of subcommands the command line chose.
std::vector<CLI::App*> parsed_chain(CLI::App& root) {
    std::vector<CLI::App*> chain{&root};
    for (std::size_t i = 0; i < chain.size(); ++i) {
        for (CLI::App* sub : chain[i]->get_subcommands()) {
            chain.push_back(sub);
        }
    }
    return chain;
}

// "INT", "UINT", "FLOAT" or "TEXT": CLI11's type name without the validators' descriptions.
std::string base_type(const CLI::Option& option) {
    const std::string full = option.get_type_name();
    return full.substr(0, full.find(':'));
}

std::string type_word(const std::string& type) {
    if (type == "INT" || type == "UINT") {
        return "an integer";
    }
    if (type == "FLOAT") {
        return "a number";
    }
    return "a string";
}

std::string toml_type_word(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        default:
            return "a date or time";
    }
}

// The value as the option's parser reads it, or nothing when its TOML type does not fit.
std::optional<std::string> value_text(const toml::node& node, const std::string& type) {
    if (type == "INT" || type == "UINT" || type == "FLOAT") {
        if (const auto i = node.value_exact<std::int64_t>()) {
            return std::to_string(*i);
        }
        if (type == "FLOAT" && node.is_floating_point()) {
            std::ostringstream text;
            text.precision(17);
            text << *node.value<double>();
            return text.str();
        }
        return std::nullopt;
    }
    if (const auto s = node.value_exact<std::string>()) {
        return *s;
    }
    return std::nullopt;
}

bool option_given_on_command_line(const CLI::Option& option, const std::vector<std::string>& args) {
    for (const std::string& name : option.get_lnames()) {
        const std::string flag = "--" + name;
        for (const std::string& arg : args) {
            if (arg == flag || arg.rfind(flag + "=", 0) == 0) {
                return true;
            }
        }
    }
    return false;
}

// A database URL's password replaced by "****": `postgresql://user:****@host/db`.
std::string mask_url_password(const std::string& url) {
    const auto scheme = url.find("://");
    const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) {
        return url;
    }
    const auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) {
        return url;
    }
    return url.substr(0, colon + 1) + "****" + url.substr(at);
}

std::string toml_quote(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

int section_rank(const std::string& section) {
    static const std::vector<std::string> kOrder = {"server", "database", "zoho"};
    const auto it = std::find(kOrder.begin(), kOrder.end(), section);
    return static_cast<int>(it - kOrder.begin());
}

}  // namespace

std::string setting_key(const CLI::Option& option) {
    if (option.get_envname().empty() || option.get_lnames().empty()) {
        return {};
    }
    std::string name = option.get_lnames().front();
    if (name == "config") {
        return {};
    }
    if (name == "db") {
        return "database.url";
    }
    std::string section = "server";
    if (name.rfind("zoho-", 0) == 0) {
        section = "zoho";
        name.erase(0, 5);
    }
    std::replace(name.begin(), name.end(), '-', '_');
    return section + "." + name;
}

bool is_secret_setting(const CLI::Option& option) {
    if (option.get_lnames().empty()) {
        return false;
    }
    const std::string& name = option.get_lnames().front();
    return !name.ends_with("-file") && (name.find("secret") != std::string::npos ||
                                        name.find("refresh-token") != std::string::npos);
}

core::Result<ConfigFile> ConfigFile::load(const std::string& path, const CLI::App& root) {
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        // Line 0: the file could not be read at all.
        const auto& at = e.source().begin;
        const std::string where =
            at.line == 0 ? "" : ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
        return core::Error::invalid("config " + path + where + ": " + std::string(e.description()));
    }

    std::vector<const CLI::Option*> settings;
    collect_all(root, settings);
    std::map<std::string, const CLI::Option*> by_key;
    for (const CLI::Option* option : settings) {
        by_key.emplace(setting_key(*option), option);
    }

    ConfigFile file;
    file.path_ = path;
    std::string first_secret;  // the first secret written inline, if any
    for (const auto& [section, section_node] : table) {
        const auto* keys = section_node.as_table();
        if (keys == nullptr) {
            return core::Error::invalid("config " + path + ":" +
                                        std::to_string(section_node.source().begin.line) +
                                        ": unknown key '" + std::string(section.str()) +
                                        "' (settings go in [server], [database] or [zoho])");
        }
        for (const auto& [name, node] : *keys) {
            const std::string key = std::string(section.str()) + "." + std::string(name.str());
            const auto known = by_key.find(key);
            if (known == by_key.end()) {
                return core::Error::invalid("config " + path + ":" +
                                            std::to_string(node.source().begin.line) +
                                            ": unknown key '" + key + "'");
            }
            const std::string type = base_type(*known->second);
            auto text = value_text(node, type);
            if (!text) {
                return core::Error::invalid(
                    "config " + path + ":" + std::to_string(node.source().begin.line) + ": " + key +
                    " must be " + type_word(type) + ", not " + toml_type_word(node));
            }
            // A database URL with a password in it is a secret too.
            const bool secret = is_secret_setting(*known->second)
                                    ? !text->empty()
                                    : key == "database.url" && mask_url_password(*text) != *text;
            if (secret && first_secret.empty()) {
                first_secret = key;
            }
            file.entries_.push_back(Entry{key, std::move(*text)});
        }
    }

    // A secret inline is only as safe as the file's permissions: the same rule as secret files.
    if (!first_secret.empty()) {
        if (auto checked = core::read_secret_file(path); !checked) {
            const std::string instead = first_secret == "database.url"
                                            ? "leave the password to PGPASSFILE or ~/.pgpass"
                                            : "name a file instead (" + first_secret + "_file)";
            return core::Error::invalid("config " + path + " holds " + first_secret + " but " +
                                        checked.error().message + ", or " + instead);
        }
    }
    return file;
}

core::Status ConfigFile::apply(CLI::App& root) {
    const std::vector<CLI::App*> chain = parsed_chain(root);
    for (const Entry& entry : entries_) {
        for (CLI::App* app : chain) {
            for (CLI::Option* option : app->get_options()) {
                if (setting_key(*option) != entry.key || option->count() > 0) {
                    continue;
                }
                // A credential given either way on the command line or in the environment
                // (value or _file twin) is not overridden by the other form in the file.
                const std::string& name = option->get_lnames().front();
                const bool is_file = name.ends_with("-file");
                const std::string twin = is_file ? name.substr(0, name.size() - 5) : name + "-file";
                const CLI::Option* other = app->get_option_no_throw("--" + twin);
                if (other != nullptr && other->count() > 0) {
                    continue;
                }
                const char* env_secret = std::getenv("DESKBRIDGE_SECRET");
                if (name == "secret-file" && env_secret != nullptr && *env_secret != '\0') {
                    continue;
                }
                try {
                    option->add_result(entry.text);
                    option->run_callback();
                } catch (const CLI::Error& e) {
                    return core::Error::invalid("config " + path_ + ": " + entry.key + ": " +
                                                e.what());
                }
                filled_.insert(option);
            }
        }
    }
    return {};
}

void print_effective_config(const CLI::App& root,
                            const ConfigFile* file,
                            const std::vector<std::string>& args,
                            std::ostream& out) {
    // Settings of the chosen command, grouped by section, in declaration order within each.
    struct Line {
        std::string section, key, value, source;
    };
    std::vector<Line> lines;
    std::vector<const CLI::App*> chain{&root};
    for (std::size_t i = 0; i < chain.size(); ++i) {
        for (const CLI::App* sub : chain[i]->get_subcommands()) {
            chain.push_back(sub);
        }
    }
    for (const CLI::App* app : chain) {
        for (const CLI::Option* option : app->get_options()) {
            const std::string key = setting_key(*option);
            if (key.empty()) {
                continue;
            }
            const std::string text =
                option->count() > 0 ? option->results().back() : option->get_default_str();
            std::string value;
            if (is_secret_setting(*option)) {
                value = toml_quote(text.empty() ? "" : "****");
            } else if (base_type(*option) == "TEXT") {
                value = toml_quote(key == "database.url" ? mask_url_password(text) : text);
            } else {
                value = text;
            }
            std::string source = "default";
            if (file != nullptr && file->filled(option)) {
                source = "file " + file->path();
            } else if (option->count() > 0) {
                source = option_given_on_command_line(*option, args)
                             ? "flag"
                             : "environment " + option->get_envname();
            }
            const auto dot = key.find('.');
            lines.push_back({key.substr(0, dot), key.substr(dot + 1), value, source});
        }
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
        return section_rank(a.section) < section_rank(b.section);
    });

    out << "# deskbridge settings in effect (flags over environment over config file over "
           "defaults); secrets shown as \"****\"\n";
    const char* env_secret = std::getenv("DESKBRIDGE_SECRET");
    out << "# token signing key (DESKBRIDGE_SECRET): "
        << (env_secret != nullptr && *env_secret != '\0' ? "set" : "unset") << "\n";
    std::string section;
    for (const Line& line : lines) {
        if (line.section != section) {
            section = line.section;
            out << "\n[" << section << "]\n";
        }
        // A number without a value (none given, no default) cannot be written as TOML.
        const bool missing = line.value.empty();
        out << (missing ? "# " : "") << line.key << " = " << line.value << "  # "
            << (missing ? "unset" : line.source) << "\n";
    }
}

}  // namespace deskbridge::app
