#include "app/config_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace deskbridge::app {
namespace {

// A command line shaped like deskbridge's: settings carry an environment variable.
struct Cli {
    CLI::App app{"test"};
    CLI::App* serve = nullptr;
    std::string listen = "127.0.0.1:8080";
    std::string db = "sqlite:deskbridge.db";
    long ttl = 86400;
    double deadline = 8;
    std::string secret, secret_file, ticket;

    Cli() {
        serve = app.add_subcommand("serve");
        serve->add_option("--listen", listen)->envname("TEST_DB_LISTEN")->capture_default_str();
        serve->add_option("--db", db)->envname("TEST_DB_DB")->capture_default_str();
        serve->add_option("--token-ttl", ttl)
            ->envname("TEST_DB_TTL")
            ->check(CLI::Range(60L, 3600L))
            ->capture_default_str();
        serve->add_option("--zoho-deadline", deadline)->envname("TEST_DB_DEADLINE");
        serve->add_option("--zoho-client-secret", secret)->envname("TEST_DB_SECRET");
        serve->add_option("--zoho-client-secret-file", secret_file)->envname("TEST_DB_SECRET_FILE");
        serve->add_option("--ticket", ticket);  // no variable: not a setting
    }

    void parse(std::vector<std::string> args) {
        args.insert(args.begin(), "test");
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        app.parse(static_cast<int>(argv.size()), argv.data());
    }
};

class ConfigFileTest : public ::testing::Test {
  protected:
    void TearDown() override {
        for (const char* name : {"TEST_DB_LISTEN", "TEST_DB_TTL", "TEST_DB_SECRET_FILE"}) {
            ::unsetenv(name);
        }
        std::filesystem::remove(path_);
    }

    std::string write(const std::string& text, mode_t mode = 0600) {
        std::ofstream(path_) << text;
        ::chmod(path_.c_str(), mode);
        return path_;
    }

    // ctest runs tests as parallel processes: one file per test and process.
    std::string path_ = ::testing::TempDir() + "deskbridge_config_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                        std::to_string(::getpid()) + ".toml";
};

TEST_F(ConfigFileTest, KeysFollowFromFlags) {
    Cli cli;
    const auto key = [&](const char* flag) { return setting_key(*cli.serve->get_option(flag)); };
    EXPECT_EQ(key("--listen"), "server.listen");
    EXPECT_EQ(key("--token-ttl"), "server.token_ttl");
    EXPECT_EQ(key("--db"), "database.url");
    EXPECT_EQ(key("--zoho-client-secret-file"), "zoho.client_secret_file");
    EXPECT_EQ(key("--ticket"), "");
    EXPECT_TRUE(is_secret_setting(*cli.serve->get_option("--zoho-client-secret")));
    EXPECT_FALSE(is_secret_setting(*cli.serve->get_option("--zoho-client-secret-file")));
}

TEST_F(ConfigFileTest, FileFillsWhatFlagsAndEnvironmentLeaveOpen) {
    Cli cli;
    ::setenv("TEST_DB_TTL", "120", 1);
    cli.parse({"serve", "--db", "sqlite:flag.db"});
    auto file = ConfigFile::load(write("[server]\nlisten = \"0.0.0.0:1\"\ntoken_ttl = 600\n"
                                       "[database]\nurl = \"sqlite:file.db\"\n"
                                       "[zoho]\ndeadline = 2.5\n"),
                                 cli.app);
    ASSERT_TRUE(file) << file.error().message;
    ASSERT_TRUE(file->apply(cli.app));

    EXPECT_EQ(cli.listen, "0.0.0.0:1");   // file
    EXPECT_EQ(cli.ttl, 120);              // environment over file
    EXPECT_EQ(cli.db, "sqlite:flag.db");  // flag over file
    EXPECT_DOUBLE_EQ(cli.deadline, 2.5);  // a TOML float for a number
    EXPECT_TRUE(file->filled(cli.serve->get_option("--listen")));
    EXPECT_FALSE(file->filled(cli.serve->get_option("--db")));
}

TEST_F(ConfigFileTest, IntegerServesForAFloatSetting) {
    Cli cli;
    cli.parse({"serve"});
    auto file = ConfigFile::load(write("[zoho]\ndeadline = 3\n"), cli.app);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->apply(cli.app));
    EXPECT_DOUBLE_EQ(cli.deadline, 3.0);
}

TEST_F(ConfigFileTest, RefusesUnknownKeysAndWrongTypes) {
    Cli cli;
    const auto error = [&](const std::string& text) {
        auto file = ConfigFile::load(write(text), cli.app);
        return file ? std::string() : file.error().message;
    };
    EXPECT_EQ(error("[zoho]\nclientid = \"x\"\n"), "config " + path_ +
                                                       ":2: unknown key "
                                                       "'zoho.clientid'");
    EXPECT_EQ(error("[server]\nticket = \"1\"\n"), "config " + path_ +
                                                       ":2: unknown key "
                                                       "'server.ticket'");
    EXPECT_EQ(error("[server]\ntoken_ttl = \"600\"\n"),
              "config " + path_ + ":2: server.token_ttl must be an integer, not a string");
    EXPECT_EQ(error("[server]\nlisten = [1]\n"),
              "config " + path_ + ":2: server.listen must be a string, not an array");
    EXPECT_NE(error("[server\n").find(":1:8: "), std::string::npos);
}

TEST_F(ConfigFileTest, ValuesGoThroughTheOptionsChecks) {
    Cli cli;
    cli.parse({"serve"});
    auto file = ConfigFile::load(write("[server]\ntoken_ttl = 5\n"), cli.app);
    ASSERT_TRUE(file);
    const auto applied = file->apply(cli.app);
    ASSERT_FALSE(applied);
    EXPECT_NE(applied.error().message.find("server.token_ttl: --token-ttl: Value 5 not in range"),
              std::string::npos)
        << applied.error().message;
}

TEST_F(ConfigFileTest, InlineSecretNeedsAPrivateFile) {
    Cli cli;
    auto loose = ConfigFile::load(write("[zoho]\nclient_secret = \"s\"\n", 0640), cli.app);
    ASSERT_FALSE(loose);
    EXPECT_NE(loose.error().message.find("holds zoho.client_secret"), std::string::npos);
    EXPECT_TRUE(ConfigFile::load(write("[zoho]\nclient_secret = \"s\"\n", 0600), cli.app));
    EXPECT_TRUE(ConfigFile::load(write("[zoho]\nclient_secret_file = \"/x\"\n", 0644), cli.app));
    auto url =
        ConfigFile::load(write("[database]\nurl = \"postgresql://u:pw@h/db\"\n", 0644), cli.app);
    ASSERT_FALSE(url);
    EXPECT_NE(url.error().message.find("holds database.url"), std::string::npos);
    EXPECT_TRUE(
        ConfigFile::load(write("[database]\nurl = \"postgresql://u@h/db\"\n", 0644), cli.app));
}

TEST_F(ConfigFileTest, CredentialGivenOneWayIsNotOverriddenTheOther) {
    Cli cli;
    ::setenv("TEST_DB_SECRET_FILE", "/run/secret", 1);
    cli.parse({"serve"});
    auto file = ConfigFile::load(write("[zoho]\nclient_secret = \"inline\"\n"), cli.app);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->apply(cli.app));
    EXPECT_EQ(cli.secret, "");
    EXPECT_EQ(cli.secret_file, "/run/secret");
}

TEST_F(ConfigFileTest, ShowMasksSecretsAndNamesSources) {
    Cli cli;
    ::setenv("TEST_DB_LISTEN", "127.0.0.1:2", 1);
    cli.parse({"serve", "--db", "postgresql://u:pw@h/db"});
    auto file = ConfigFile::load(write("[zoho]\nclient_secret = \"hidden\"\n"), cli.app);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->apply(cli.app));
    std::ostringstream out;
    print_effective_config(cli.app, &*file, {"serve", "--db", "postgresql://u:pw@h/db"}, out);
    const std::string text = out.str();
    EXPECT_EQ(text.find("hidden"), std::string::npos);
    EXPECT_EQ(text.find("pw"), std::string::npos);
    EXPECT_NE(text.find("listen = \"127.0.0.1:2\"  # environment TEST_DB_LISTEN"),
              std::string::npos);
    EXPECT_NE(text.find("url = \"postgresql://u:****@h/db\"  # flag"), std::string::npos);
    EXPECT_NE(text.find("client_secret = \"****\"  # file " + path_), std::string::npos);
    EXPECT_NE(text.find("token_ttl = 86400  # default"), std::string::npos);
    EXPECT_NE(text.find("# deadline =   # unset"), std::string::npos) << text;
}

}  // namespace
}  // namespace deskbridge::app
