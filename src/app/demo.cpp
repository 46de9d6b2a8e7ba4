#include "app/demo.hpp"

#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/commands.hpp"
#include "app/demo_data.hpp"
#include "app/import_file.hpp"
#include "app/serve.hpp"
#include "store/store.hpp"

namespace deskbridge::app {
namespace {

void print_instructions(unsigned short port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    const std::string login = "curl -s -X GET " + base + "/api/get/auth -d ";
    const std::string details = "  curl -s -X GET " + base + "/api/get/ticket_details -d ";
    const std::string keep_token = R"sed( | sed 's/.*"auth":"\([^"]*\)".*/\1/')sed";
    const auto ask = [&](const std::string& who, const std::string& what) {
        return details + R"("{\"auth\":\"$)" + who + R"(\",)" + what + "}\"\n";
    };

    std::cout << "\ndeskbridge demo is running on " << base << "  (Ctrl-C stops it)\n\n"
              << "Log in as a client user (sees only its own tickets) and keep the token:\n"
              << "  TOKEN=$(" << login << R"('{"login":"acme","password":"acme-demo-password"}')"
              << keep_token << ")\n\n"
              << "Ticket details by ticket number (with its Zoho conversation), by chamado id,\n"
              << "by Zoho id, and refreshed from Zoho:\n"
              << ask("TOKEN", R"(\"ticket_number\":\"12345\")")
              << ask("TOKEN", R"(\"chamado_id\":100)")
              << ask("TOKEN", R"(\"zoho_id\":\"123456789012345678\")")
              << ask("TOKEN", R"(\"chamado_id\":99,\"refresh\":1)") << "\n"
              << "Another client's ticket is not found for acme (404); staff sees it, and also\n"
              << "the internal notes:\n"
              << ask("TOKEN", R"(\"chamado_id\":101)") << "  STAFF=$(" << login
              << R"('{"login":"ops","password":"ops-demo-password"}')" << keep_token << ")\n"
              << ask("STAFF", R"(\"chamado_id\":101)") << "\n"
              << "A blocked client (403):\n"
              << "  " << login << R"('{"login":"initech","password":"initech-demo-password"}')"
              << "\n"
              << std::endl;
}

// The simulator as a child process; killed when this object goes.
class SimulatorProcess {
  public:
    ~SimulatorProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
    }

    // Starts it on an ephemeral port and returns its base URL once it listens.
    core::Result<std::string> start(const DemoOptions& o, const std::string& dir) {
        const std::string port_file = dir + "/zoho-sim.port";
        std::vector<std::string> args = {o.zoho_sim, "--fixture",   o.zoho_fixture, "--port",
                                         "0",        "--port-file", port_file,      "--quiet"};
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, o.zoho_sim.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
            pid_ = 0;
            return core::Error::invalid("cannot start the Zoho Desk simulator " + o.zoho_sim);
        }
        for (int i = 0; i < 100; ++i) {
            std::ifstream in(port_file);
            std::string port;
            if (in >> port && !port.empty()) {
                return "http://127.0.0.1:" + port;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return core::Error::unavailable("the Zoho Desk simulator did not start within 5 s");
    }

  private:
    pid_t pid_ = 0;
};

// Credentials and org id for the simulator, from its fixture.
core::Result<zoho::ZohoConfig> simulator_config(const std::string& fixture,
                                                const std::string& url) {
    std::ifstream in(fixture);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto doc = boost::json::parse(text.str(), ec);
    const auto* oauth = ec || !doc.is_object() ? nullptr : doc.get_object().if_contains("oauth");
    const auto* org = ec || !doc.is_object() ? nullptr : doc.get_object().if_contains("org");
    if (oauth == nullptr || org == nullptr || !oauth->is_object() || !org->is_object()) {
        return core::Error::invalid("the simulator fixture " + fixture + " has no oauth or org");
    }
    const auto str = [](const boost::json::value& o, const char* key) {
        const auto* v = o.get_object().if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    zoho::ZohoConfig z;
    z.desk_url = url;
    z.accounts_url = url;
    z.client_id = str(*oauth, "client_id");
    z.client_secret = str(*oauth, "client_secret");
    z.refresh_token = str(*oauth, "refresh_token");
    z.org_id = str(*org, "id");
    return z;
}

}  // namespace

int demo_command(const DemoOptions& demo) {
    const std::string& listen = demo.listen;
    if (sodium_init() < 0) {
        std::cerr << "deskbridge: libsodium failed to initialise\n";
        return 2;
    }
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "deskbridge-demo-XXXXXX").string();
    if (mkdtemp(dir_template.data()) == nullptr) {
        std::cerr << "deskbridge: cannot create a temporary directory\n";
        return 2;
    }
    const std::string db_url = "sqlite:" + dir_template + "/demo.db";

    const std::string zone = "America/Sao_Paulo";
    auto tz = core::TimeZone::locate(zone);
    auto data = tz ? parse_import(kDemoJson, *tz) : core::Result<store::ImportData>(tz.error());
    auto s = store::open_store(db_url, store::StoreOptions{1});
    if (!data || !s) {
        std::cerr << "deskbridge: demo data could not be loaded\n";
        return 2;
    }
    if (auto st = (*s)->migrate(); !st || !(*s)->import(*data)) {
        std::cerr << "deskbridge: demo database could not be created\n";
        return 2;
    }
    s->reset();

    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    char hex[sizeof key * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);

    SimulatorProcess simulator;
    ServeOptions options;
    if (!demo.zoho_sim.empty()) {
        auto url = simulator.start(demo, dir_template);
        auto config = url ? simulator_config(demo.zoho_fixture, *url)
                          : core::Result<zoho::ZohoConfig>(url.error());
        if (!config) {
            std::cerr << "deskbridge: " << config.error().message << "\n";
            return 2;
        }
        options.zoho = *config;
        std::cout << "Zoho Desk simulator: " << *url << "\n";
    }
    options.server.listen = listen;
    options.server.db_url = db_url;
    options.secret = hex;
    options.on_listening = print_instructions;
    std::cout << "demo database: " << dir_template << "/demo.db (removed on exit)\n";
    const int code = serve(options);
    std::error_code ignored;
    std::filesystem::remove_all(dir_template, ignored);
    return code;
}

}  // namespace deskbridge::app
