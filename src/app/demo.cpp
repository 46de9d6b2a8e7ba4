#include "app/demo.hpp"

#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/demo_data.hpp"
#include "app/import_file.hpp"
#include "app/serve.hpp"
#include "store/store.hpp"

namespace deskbridge::app {
namespace {

void print_instructions(unsigned short port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    std::cout
        << R"txt(
deskbridge demo is running on )txt"
        << base << R"txt(  (Ctrl-C stops it)

Log in as a client user (sees only its own tickets) and keep the token:
  TOKEN=$(curl -s -X GET )txt"
        << base
        << R"txt(/api/get/auth -d '{"login":"acme","password":"acme-demo-password"}' | sed 's/.*"auth":"\([^"]*\)".*/\1/')

Ticket details by ticket number, by chamado id, by Zoho id:
  curl -s -X GET )txt"
        << base
        << R"txt(/api/get/ticket_details -d "{\"auth\":\"$TOKEN\",\"ticket_number\":\"12345\"}"
  curl -s -X GET )txt"
        << base << R"txt(/api/get/ticket_details -d "{\"auth\":\"$TOKEN\",\"chamado_id\":100}"
  curl -s -X GET )txt"
        << base
        << R"txt(/api/get/ticket_details -d "{\"auth\":\"$TOKEN\",\"zoho_id\":\"123456789012345678\"}"

Another client's ticket is not found for acme (404); staff sees it:
  curl -s -X GET )txt"
        << base << R"txt(/api/get/ticket_details -d "{\"auth\":\"$TOKEN\",\"chamado_id\":101}"
  STAFF=$(curl -s -X GET )txt"
        << base
        << R"txt(/api/get/auth -d '{"login":"ops","password":"ops-demo-password"}' | sed 's/.*"auth":"\([^"]*\)".*/\1/')
  curl -s -X GET )txt"
        << base << R"txt(/api/get/ticket_details -d "{\"auth\":\"$STAFF\",\"chamado_id\":101}"

A blocked client (403):
  curl -s -X GET )txt"
        << base << R"txt(/api/get/auth -d '{"login":"initech","password":"initech-demo-password"}'
)txt" << std::endl;
}

}  // namespace

int demo_command(const std::string& listen) {
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

    ServeOptions options;
    options.server.listen = listen;
    options.server.db_url = db_url;
    options.secret = hex;
    options.on_listening = print_instructions;
    std::cout << "demo database: " << dir_template << "/demo.db\n";
    return serve(options);
}

}  // namespace deskbridge::app
