// deskbridge: the ticket details service and its administrative commands.

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.hpp"
#include "app/config_file.hpp"
#include "app/demo.hpp"
#include "app/serve.hpp"
#include "app/zoho_check.hpp"
#include "core/log.hpp"
#include "core/secret_file.hpp"

namespace {

using namespace deskbridge;

struct Flags {
    core::ServerConfig server;
    std::string secret_file;
    std::string log_level = "info";
    long token_ttl_seconds = 24 * 3600;
    std::string import_file;
    std::int64_t client_id = 0;
    std::string apelido;
    std::string cnpj;
    std::string login;
    std::int64_t user_client = 0;
    bool staff = false;
    bool password_stdin = false;
    zoho::ZohoConfig zoho;
    double zoho_deadline_seconds = 8;
    long zoho_max_age_seconds = 60;
    long attachment_link_ttl_seconds = 900;
    long attachment_timeout_seconds = 60;
    // Credentials given as files (the *_FILE variables); read after parsing.
    std::string zoho_client_id_file, zoho_client_secret_file, zoho_refresh_token_file,
        zoho_org_id_file;
    std::string config_file;  // --config: settings below flags and environment
    std::string check_ticket;
};

// A Zoho credential as a value (flag or variable) or as a file (flag or *_FILE variable).
void add_credential(CLI::App* cmd,
                    const std::string& name,
                    const std::string& env,
                    std::string& value,
                    std::string& file) {
    cmd->add_option("--zoho-" + name, value, "Zoho " + name)->envname(env);
    cmd->add_option("--zoho-" + name + "-file", file, "file holding the Zoho " + name)
        ->envname(env + "_FILE");
}

void add_zoho_options(CLI::App* cmd, Flags& f) {
    auto& z = f.zoho;
    cmd->add_option("--zoho-dc", z.dc,
                    "data centre: com, eu, in, com.au, jp, zohocloud.ca, "
                    "com.cn, sa")
        ->envname("DESKBRIDGE_ZOHO_DC")
        ->capture_default_str();
    cmd->add_option("--zoho-desk-url", z.desk_url, "override the Desk base URL")
        ->envname("DESKBRIDGE_ZOHO_DESK_URL");
    cmd->add_option("--zoho-accounts-url", z.accounts_url, "override the Accounts base URL")
        ->envname("DESKBRIDGE_ZOHO_ACCOUNTS_URL");
    add_credential(cmd, "client-id", "DESKBRIDGE_ZOHO_CLIENT_ID", z.client_id,
                   f.zoho_client_id_file);
    add_credential(cmd, "client-secret", "DESKBRIDGE_ZOHO_CLIENT_SECRET", z.client_secret,
                   f.zoho_client_secret_file);
    add_credential(cmd, "refresh-token", "DESKBRIDGE_ZOHO_REFRESH_TOKEN", z.refresh_token,
                   f.zoho_refresh_token_file);
    add_credential(cmd, "org-id", "DESKBRIDGE_ZOHO_ORG_ID", z.org_id, f.zoho_org_id_file);
    cmd->add_option("--zoho-cf-order", z.cf_order_number, "custom field of the order number")
        ->envname("DESKBRIDGE_ZOHO_CF_ORDER")
        ->capture_default_str();
    cmd->add_option("--zoho-cf-invoice", z.cf_invoice_number, "custom field of the invoice number")
        ->envname("DESKBRIDGE_ZOHO_CF_INVOICE")
        ->capture_default_str();
    cmd->add_option("--zoho-deadline", f.zoho_deadline_seconds,
                    "seconds one request may spend on Zoho, retries included")
        ->envname("DESKBRIDGE_ZOHO_DEADLINE")
        ->check(CLI::Range(0.1, 120.0))
        ->capture_default_str();
    cmd->add_option("--zoho-max-age", f.zoho_max_age_seconds,
                    "seconds a cached conversation is served without asking Zoho (0: always ask)")
        ->envname("DESKBRIDGE_ZOHO_MAX_AGE")
        ->check(CLI::Range(0L, 86400L))
        ->capture_default_str();
    cmd->add_option("--zoho-webhook-secret", z.webhook_secret,
                    "secret path segment of POST /api/zoho/webhook/<secret> (empty: off)")
        ->envname("DESKBRIDGE_ZOHO_WEBHOOK_SECRET");
    cmd->add_option("--zoho-max-in-flight", z.max_in_flight,
                    "Zoho calls in flight at once, process-wide")
        ->envname("DESKBRIDGE_ZOHO_MAX_IN_FLIGHT")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
}

// Reads the credentials given as files; a value given directly wins.
deskbridge::core::Status load_zoho_files(Flags& f) {
    const std::pair<std::string*, const std::string*> pairs[] = {
        {&f.zoho.client_id, &f.zoho_client_id_file},
        {&f.zoho.client_secret, &f.zoho_client_secret_file},
        {&f.zoho.refresh_token, &f.zoho_refresh_token_file},
        {&f.zoho.org_id, &f.zoho_org_id_file}};
    for (auto [value, file] : pairs) {
        if (value->empty() && !file->empty()) {
            auto read = core::read_secret_file(*file);
            if (!read) {
                return std::move(read).error();
            }
            *value = std::move(*read);
        }
    }
    f.zoho.deadline = std::chrono::milliseconds(static_cast<long>(f.zoho_deadline_seconds * 1000));
    f.zoho.cache_max_age = std::chrono::seconds(f.zoho_max_age_seconds);
    return {};
}

void add_db_option(CLI::App* cmd, Flags& f) {
    cmd->add_option("--db", f.server.db_url, "database URL: sqlite:PATH")
        ->envname("DESKBRIDGE_DB")
        ->capture_default_str();
}

void add_serve_options(CLI::App* serve, Flags& f) {
    add_db_option(serve, f);
    serve->add_option("--listen", f.server.listen, "HOST:PORT to listen on")
        ->envname("DESKBRIDGE_LISTEN")
        ->capture_default_str();
    serve
        ->add_option("--secret-file", f.secret_file,
                     "file holding the token signing key (else DESKBRIDGE_SECRET)")
        ->envname("DESKBRIDGE_SECRET_FILE");
    serve->add_option("--threads", f.server.io_threads, "I/O threads (0: one per core)")
        ->envname("DESKBRIDGE_THREADS")
        ->capture_default_str();
    serve
        ->add_option("--db-workers", f.server.db_workers,
                     "database worker threads (0: two per core)")
        ->envname("DESKBRIDGE_DB_WORKERS")
        ->capture_default_str();
    serve
        ->add_option("--trusted-proxy", f.server.trusted_proxy,
                     "reverse proxy address whose X-Forwarded-For names the client")
        ->envname("DESKBRIDGE_TRUSTED_PROXY");
    serve->add_option("--time-zone", f.server.display_time_zone, "display time zone")
        ->envname("DESKBRIDGE_TIME_ZONE")
        ->capture_default_str();
    serve->add_option("--token-ttl", f.token_ttl_seconds, "token lifetime in seconds")
        ->envname("DESKBRIDGE_TOKEN_TTL")
        ->check(CLI::Range(60L, 30L * 24 * 3600))
        ->capture_default_str();
    serve
        ->add_option("--public-url", f.server.public_url,
                     "the service's address for callers; download links become absolute on it")
        ->envname("DESKBRIDGE_PUBLIC_URL");
    serve
        ->add_option("--attachment-max-bytes", f.server.limits.max_attachment_bytes,
                     "largest attachment a download link serves")
        ->envname("DESKBRIDGE_ATTACHMENT_MAX_BYTES")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
        ->capture_default_str();
    serve
        ->add_option("--attachment-max-downloads", f.server.limits.max_attachment_downloads,
                     "downloads streaming at once; each holds a Zoho call slot")
        ->envname("DESKBRIDGE_ATTACHMENT_MAX_DOWNLOADS")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
        ->capture_default_str();
    serve
        ->add_option("--attachment-timeout", f.attachment_timeout_seconds,
                     "seconds a whole download may take, Zoho's wait and the caller's reading")
        ->envname("DESKBRIDGE_ATTACHMENT_TIMEOUT")
        ->check(CLI::Range(1L, 3600L))
        ->capture_default_str();
    serve
        ->add_option("--attachment-link-ttl", f.attachment_link_ttl_seconds,
                     "download link lifetime in seconds")
        ->envname("DESKBRIDGE_ATTACHMENT_LINK_TTL")
        ->check(CLI::Range(2L, 7L * 24 * 3600))
        ->capture_default_str();
    add_zoho_options(serve, f);
}

}  // namespace

int main(int argc, char** argv) {
    Flags f;
    CLI::App cli{"deskbridge: support ticket details from the OMS database and Zoho Desk"};
    cli.require_subcommand(1);
    cli.fallthrough();  // --config and --log-level also after the subcommand
    cli.add_option("--log-level", f.log_level, "debug, info, warn or error")
        ->envname("DESKBRIDGE_LOG_LEVEL")
        ->capture_default_str();
    cli.add_option("--config", f.config_file, "TOML settings file (README: Configuration file)")
        ->envname("DESKBRIDGE_CONFIG");

    auto* serve = cli.add_subcommand("serve", "run the HTTP API");
    add_serve_options(serve, f);

    auto* migrate = cli.add_subcommand("migrate", "create or upgrade the database schema");
    add_db_option(migrate, f);

    auto* import = cli.add_subcommand("import", "load an OMS export (one transaction)");
    add_db_option(import, f);
    import->add_option("FILE", f.import_file, "JSON file (docs/import-format.md)")->required();
    import
        ->add_option("--time-zone", f.server.display_time_zone,
                     "zone of naive timestamps in the file")
        ->envname("DESKBRIDGE_TIME_ZONE")
        ->capture_default_str();

    auto* client = cli.add_subcommand("client", "manage API clients (customers)");
    client->require_subcommand(1);
    auto* client_add = client->add_subcommand("add", "add a client");
    auto* client_block = client->add_subcommand("block", "block a client's users");
    auto* client_unblock = client->add_subcommand("unblock", "unblock a client");
    for (auto* c : {client_add, client_block, client_unblock}) {
        add_db_option(c, f);
        c->add_option("ID", f.client_id, "client id")->required();
    }
    client_add->add_option("--apelido", f.apelido, "display name")->required();
    client_add->add_option("--cnpj", f.cnpj, "CNPJ");

    auto* user = cli.add_subcommand("user", "manage API users");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "add a user (password on stdin)");
    auto* user_passwd = user->add_subcommand("passwd", "change a password (on stdin)");
    auto* user_disable = user->add_subcommand("disable", "disable a user");
    auto* user_enable = user->add_subcommand("enable", "enable a disabled user");
    for (auto* c : {user_add, user_passwd, user_disable, user_enable}) {
        add_db_option(c, f);
        c->add_option("LOGIN", f.login, "login")->required();
    }
    for (auto* c : {user_add, user_passwd}) {
        c->add_flag("--password-stdin", f.password_stdin, "read the password from stdin")
            ->required();
    }
    auto* client_opt = user_add->add_option("--client", f.user_client, "the user's client id");
    user_add->add_flag("--staff", f.staff, "staff user: sees every client's tickets")
        ->excludes(client_opt);

    auto* demo = cli.add_subcommand("demo", "run with a throwaway database and demo data");
    app::DemoOptions demo_options;
    demo->add_option("--listen", f.server.listen, "HOST:PORT to listen on")
        ->envname("DESKBRIDGE_LISTEN")
        ->capture_default_str();
    demo->add_option("--zoho-sim", demo_options.zoho_sim, "the Zoho Desk simulator to start");
    demo->add_option("--zoho-fixture", demo_options.zoho_fixture, "the simulator's fixture");

    auto* zoho_cmd = cli.add_subcommand("zoho", "Zoho Desk tools");
    zoho_cmd->require_subcommand(1);
    auto* zoho_check = zoho_cmd->add_subcommand("check", "try the Zoho credentials and diagnose");
    add_zoho_options(zoho_check, f);
    zoho_check->add_option("--ticket", f.check_ticket, "also read this Zoho ticket id");

    auto* config_cmd = cli.add_subcommand("config", "configuration tools");
    config_cmd->require_subcommand(1);
    auto* config_show = config_cmd->add_subcommand("show", "print the settings in effect");
    add_serve_options(config_show, f);

    CLI11_PARSE(cli, argc, argv);
    std::optional<app::ConfigFile> config_file;
    if (!f.config_file.empty()) {
        auto loaded = app::ConfigFile::load(f.config_file, cli);
        auto applied = loaded ? loaded->apply(cli) : core::Status(loaded.error());
        if (!applied) {
            std::cerr << "deskbridge: " << applied.error().message << "\n";
            return 2;
        }
        config_file = std::move(*loaded);
    }

    if (!core::log::set_level(f.log_level)) {
        std::cerr << "deskbridge: unknown log level '" << f.log_level << "'\n";
        return 1;
    }
    const std::string& db = f.server.db_url;

    if (serve->parsed()) {
        auto secret = app::load_secret(f.secret_file);
        if (!secret) {
            std::cerr << "deskbridge: " << secret.error().message << "\n";
            return 2;
        }
        if (auto st = load_zoho_files(f); !st) {
            std::cerr << "deskbridge: " << st.error().message << "\n";
            return 2;
        }
        app::ServeOptions options;
        options.zoho = f.zoho;
        options.server = f.server;
        options.server.token_ttl = std::chrono::seconds(f.token_ttl_seconds);
        options.server.limits.attachment_link_ttl =
            std::chrono::seconds(f.attachment_link_ttl_seconds);
        options.server.limits.attachment_timeout =
            std::chrono::seconds(f.attachment_timeout_seconds);
        options.secret = std::move(*secret);
        return app::serve(options);
    }
    if (zoho_check->parsed()) {
        if (auto st = load_zoho_files(f); !st) {
            std::cerr << "deskbridge: " << st.error().message << "\n";
            return 2;
        }
        return app::zoho_check(f.zoho, f.check_ticket, std::cout);
    }
    if (config_show->parsed()) {
        app::print_effective_config(cli, config_file ? &*config_file : nullptr,
                                    std::vector<std::string>(argv + 1, argv + argc), std::cout);
        return 0;
    }
    if (migrate->parsed()) {
        return app::migrate_command(db);
    }
    if (import->parsed()) {
        return app::import_command(db, f.import_file, f.server.display_time_zone);
    }
    if (client_add->parsed()) {
        return app::client_add(db, f.client_id, f.apelido,
                               f.cnpj.empty() ? std::nullopt : std::optional(f.cnpj));
    }
    if (client_block->parsed() || client_unblock->parsed()) {
        return app::client_set_blocked(db, f.client_id, client_block->parsed());
    }
    if (user_add->parsed()) {
        return app::user_add(db, f.login,
                             client_opt->count() > 0 ? std::optional(f.user_client) : std::nullopt,
                             f.staff);
    }
    if (user_passwd->parsed()) {
        return app::user_passwd(db, f.login);
    }
    if (user_disable->parsed()) {
        return app::user_disable(db, f.login);
    }
    if (user_enable->parsed()) {
        return app::user_enable(db, f.login);
    }
    if (demo->parsed()) {
        demo_options.listen = f.server.listen;
        return app::demo_command(demo_options);
    }
    return 1;
}
