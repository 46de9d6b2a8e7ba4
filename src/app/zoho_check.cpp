#include "app/zoho_check.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <future>
#include <optional>
#include <ostream>
#include <vector>

#include "zoho/desk_client.hpp"
#include "zoho/http_client.hpp"
#include "zoho/mapping.hpp"
#include "zoho/token_provider.hpp"

namespace deskbridge::app {
namespace {

namespace json = boost::json;

constexpr const char* kScopes = "Desk.tickets.READ,Desk.basic.READ";

// The report: one line per step, a diagnosis under each failure.
class Report {
  public:
    explicit Report(std::ostream& out) : out_(out) {}

    void info(const std::string& what, const std::string& text) {
        out_ << "  " << pad(what, 14) << text << "\n";
    }
    void ok(const std::string& what, const std::string& text) {
        out_ << "  ok    " << pad(what, 15) << text << "\n";
    }
    void fail(const std::string& what, const std::string& text, const std::string& diagnosis) {
        ++failures_;
        out_ << "  FAIL  " << pad(what, 15) << text << "\n";
        if (!diagnosis.empty()) {
            out_ << "        diagnosis: " << diagnosis << "\n";
        }
    }
    int failures() const { return failures_; }

  private:
    static std::string pad(const std::string& text, std::size_t width) {
        return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
    }

    std::ostream& out_;
    int failures_ = 0;
};

zoho::HttpResponse call_once(zoho::HttpClient& http, zoho::HttpRequest request) {
    std::promise<zoho::HttpResponse> answer;
    auto future = answer.get_future();
    http.send(std::move(request),
              [&answer](zoho::HttpResponse res) { answer.set_value(std::move(res)); });
    return future.get();
}

core::Result<std::string> renew_token(zoho::TokenProvider& tokens, zoho::Clock::time_point until) {
    std::promise<core::Result<std::string>> answer;
    auto future = answer.get_future();
    tokens.get(until, nullptr,
               [&answer](core::Result<std::string> token) { answer.set_value(std::move(token)); });
    return future.get();
}

// What a refused grant means. Zoho Accounts answers with an `error` code (sometimes with 200).
std::string grant_diagnosis(const core::Error& error, const zoho::ZohoConfig& config) {
    const std::string& code = error.detail;
    if (code == "invalid_client") {
        return "wrong data centre: Zoho Accounts at " + config.accounts_url +
               " does not know this client id. A client exists only in the data centre it was "
               "registered in (api-console.zoho.<dc>); set --zoho-dc (com, eu, in, com.au, jp, "
               "zohocloud.ca, com.cn, sa) to that one, or fix --zoho-client-id";
    }
    if (code == "invalid_client_secret") {
        return "the client secret does not belong to this client id: copy it again from the "
               "Zoho API console";
    }
    if (code == "invalid_code") {
        return "revoked refresh token: Zoho does not accept the refresh token (revoked, deleted "
               "past the limit of 20 per user, or made for another client). Generate a new "
               "one for this client with the scopes " +
               std::string(kScopes) + " and set --zoho-refresh-token[-file]";
    }
    if (code == "Access Denied") {
        return "Zoho is throttling token grants (about 10 per 10 minutes per refresh token): "
               "wait 10 minutes before trying again, and do not run the check in a loop";
    }
    if (!error.detail.empty() && error.message.find("unreachable") != std::string::npos) {
        return "cannot reach " + config.accounts_url + " (" + error.detail +
               "): check the network, proxy and --zoho-accounts-url";
    }
    return {};
}

// What a failed Desk call means. `scope` is the scope the call needs.
std::string desk_diagnosis(const zoho::HttpResponse& res,
                           const zoho::DeskError& error,
                           const zoho::ZohoConfig& config,
                           const std::string& scope) {
    if (res.status == 0) {
        return "cannot reach Zoho Desk at " + config.desk_url + " (" + res.transport_error +
               "): check the network, proxy and --zoho-desk-url";
    }
    if (error.code == "SCOPE_MISMATCH") {
        return "missing scope: the refresh token was made without " + scope +
               ". Scopes are fixed when the refresh token is made: generate a new one with " +
               kScopes + " and set --zoho-refresh-token[-file]";
    }
    if (error.code == "OAUTH_ORG_MISMATCH") {
        return "wrong org id: the token is not valid for organisation " + config.org_id +
               "; Zoho Desk shows the org id under Setup > Developer Space > APIs, and the "
               "organisations step lists those this token reaches";
    }
    if (res.status == 401) {
        return "wrong data centre: Zoho Desk at " + config.desk_url +
               " refuses a token that Zoho Accounts at " + config.accounts_url +
               " has just issued, so the two are in different data centres; set --zoho-dc "
               "and drop --zoho-desk-url/--zoho-accounts-url unless both name the same one "
               "(if they do, the refresh token may lack the scope " +
               scope + ": some portals answer a missing scope this way)";
    }
    if (error.code == "THRESHOLD_EXCEEDED") {
        return "the portal has spent today's API credits; calls work again after the daily "
               "reset, or buy more credits";
    }
    if (error.code == "TOO_MANY_REQUESTS") {
        return "the portal's limit of concurrent calls was exceeded: something else is calling "
               "Zoho with these credentials, or --zoho-max-in-flight (" +
               std::to_string(config.max_in_flight) + ") is above the edition's limit";
    }
    return {};
}

std::string answer_text(const zoho::HttpResponse& res, const zoho::DeskError& error) {
    if (res.status == 0) {
        return res.timed_out ? "no answer in time" : "no answer";
    }
    std::string text = "Zoho Desk answered HTTP " + std::to_string(res.status);
    if (!error.code.empty()) {
        text += " " + error.code;
    }
    if (!error.message.empty()) {
        text += " (" + error.message + ")";
    }
    return text;
}

// Organisation ids come as strings, or as numbers (the OAS allows both).
std::string field_text(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v != nullptr && v->is_string()) {
        return std::string(v->get_string());
    }
    return v != nullptr && (v->is_int64() || v->is_uint64()) ? json::serialize(*v) : std::string();
}

struct Organisation {
    std::string id;
    std::string name;
    std::string portal;
};

std::optional<std::vector<Organisation>> parse_organisations(const zoho::HttpResponse& res) {
    boost::system::error_code ec;
    const json::value body = res.status == 204 ? json::value() : json::parse(res.body, ec);
    auto items = zoho::list_items(res.status == 204 ? nullptr : &body);
    if (ec || !items) {
        return std::nullopt;
    }
    std::vector<Organisation> orgs;
    for (const auto& item : *items) {
        if (item.is_object()) {
            const auto& o = item.get_object();
            orgs.push_back(
                {field_text(o, "id"), field_text(o, "companyName"), field_text(o, "portalName")});
        }
    }
    return orgs;
}

std::string describe(const Organisation& org) {
    std::string text = org.id;
    if (!org.name.empty()) {
        text += " \"" + org.name + "\"";
    }
    if (!org.portal.empty()) {
        text += " (" + org.portal + ")";
    }
    return text;
}

std::string missing_credentials(const zoho::ZohoConfig& config) {
    std::string missing;
    const std::pair<const std::string*, const char*> credentials[] = {
        {&config.client_id, "--zoho-client-id"},
        {&config.client_secret, "--zoho-client-secret"},
        {&config.refresh_token, "--zoho-refresh-token"},
        {&config.org_id, "--zoho-org-id"}};
    for (const auto& [value, flag] : credentials) {
        if (value->empty()) {
            missing += missing.empty() ? flag : std::string(", ") + flag;
        }
    }
    return missing;
}

// Data centres of the two hosts; a failure when they disagree.
void check_data_centre(const zoho::ZohoConfig& config, Report& report) {
    const std::string accounts = zoho_data_centre_of(config.accounts_url);
    const std::string desk = zoho_data_centre_of(config.desk_url);
    const std::string hosts =
        "(accounts " + config.accounts_url + ", desk " + config.desk_url + ")";
    if (accounts.empty() || desk.empty()) {
        report.info("data centre", "not a Zoho host " + hosts);
    } else if (accounts != desk) {
        report.fail("data centre", "accounts in " + accounts + ", desk in " + desk + " " + hosts,
                    "wrong data centre: a token works only in the data centre that issued it; "
                    "set --zoho-dc and drop the URL overrides");
    } else {
        report.info("data centre", desk + " " + hosts);
    }
}

void check_organisations(zoho::HttpClient& http,
                         const zoho::ZohoConfig& config,
                         const std::string& token,
                         Report& report,
                         std::optional<std::int64_t>& credits) {
    const auto res = call_once(http, zoho::desk_request(config, token, "/api/v1/organizations",
                                                        zoho::Clock::now() + config.deadline));
    if (res.credits_remaining) {
        credits = res.credits_remaining;
    }
    auto orgs = res.status == 200 || res.status == 204 ? parse_organisations(res) : std::nullopt;
    if (!orgs) {
        const auto error = zoho::desk_error_of(res.body);
        report.fail("organisations", answer_text(res, error),
                    desk_diagnosis(res, error, config,
                                   "Desk.basic.READ (or Desk.settings.READ, "
                                   "Desk.organization.READ)"));
        return;
    }

    std::string listed;
    for (const auto& org : *orgs) {
        listed += (listed.empty() ? "" : ", ") + describe(org);
    }
    report.ok("organisations",
              std::to_string(orgs->size()) + " reachable" + (listed.empty() ? "" : ": " + listed));
    const auto mine = std::find_if(orgs->begin(), orgs->end(),
                                   [&](const Organisation& o) { return o.id == config.org_id; });
    if (mine != orgs->end()) {
        report.ok("org id", config.org_id + " is among them");
    } else {
        report.fail("org id", config.org_id + " is not among them",
                    orgs->empty() ? "the user who made the refresh token belongs to no Zoho Desk "
                                    "portal in this data centre"
                                  : "wrong org id: set --zoho-org-id to one of: " + listed);
    }
}

void check_ticket(zoho::HttpClient& http,
                  const zoho::ZohoConfig& config,
                  const std::string& token,
                  const std::string& ticket_id,
                  Report& report,
                  std::optional<std::int64_t>& credits) {
    const bool digits =
        !ticket_id.empty() && std::all_of(ticket_id.begin(), ticket_id.end(),
                                          [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits) {
        report.fail("ticket", "'" + ticket_id + "' is not a Zoho ticket id",
                    "give Zoho's ticket id (the long number at the end of the ticket's URL)");
        return;
    }
    const auto res =
        call_once(http, zoho::desk_request(config, token, "/api/v1/tickets/" + ticket_id,
                                           zoho::Clock::now() + config.deadline));
    if (res.credits_remaining) {
        credits = res.credits_remaining;
    }
    boost::system::error_code ec;
    const json::value body = res.status == 200 ? json::parse(res.body, ec) : json::value();
    auto ticket = !ec && res.status == 200
                      ? zoho::parse_ticket(body, config.cf_order_number, config.cf_invoice_number)
                      : core::Result<zoho::Ticket>(core::Error::unavailable("no ticket"));
    if (ticket) {
        report.ok("ticket", ticket_id + " read: #" + ticket->ticket_number + ", status " +
                                ticket->status.value_or("unknown"));
        return;
    }
    const auto error = zoho::desk_error_of(res.body);
    std::string diagnosis = desk_diagnosis(res, error, config, "Desk.tickets.READ");
    if (diagnosis.empty() && res.status == 404) {
        diagnosis = "organisation " + config.org_id + " has no ticket " + ticket_id +
                    ": give Zoho's ticket id (the long number in the ticket's URL), not the "
                    "ticket number";
    }
    report.fail("ticket", answer_text(res, error), diagnosis);
}

}  // namespace

std::string zoho_data_centre_of(const std::string& url) {
    const auto scheme = url.find("://");
    const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto end = url.find_first_of(":/", start);
    std::string host =
        url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string prefix : {"accounts.", "desk."}) {
        if (host.rfind(prefix, 0) == 0) {
            const std::string domain = host.substr(prefix.size());
            if (domain == "zohocloud.ca") {
                return domain;
            }
            if (domain.rfind("zoho.", 0) == 0 && domain.size() > 5) {
                return domain.substr(5);
            }
        }
    }
    return {};
}

int zoho_check(zoho::ZohoConfig config, const std::string& ticket_id, std::ostream& out) {
    out << "deskbridge zoho check\n";
    if (const std::string missing = missing_credentials(config); !missing.empty()) {
        out << "  not configured: " << missing
            << " (flags, DESKBRIDGE_ZOHO_* variables, their _FILE forms or the config file)\n";
        return 2;
    }
    if (auto st = config.resolve_hosts(); !st) {
        out << "  " << st.error().message << "\n";
        return 2;
    }

    Report report(out);
    check_data_centre(config, report);
    report.info("concurrency", std::to_string(config.max_in_flight) +
                                   " Zoho calls at once (--zoho-max-in-flight; Zoho allows 5 "
                                   "to 25 by edition)");

    zoho::HttpClient http(
        zoho::HttpClientOptions{config.max_in_flight, config.connect_timeout, config.verify_tls});
    zoho::TokenProvider tokens(http, config);
    std::optional<std::int64_t> credits;
    const auto token = renew_token(tokens, zoho::Clock::now() + config.deadline);
    if (!token) {
        report.fail("token", token.error().message, grant_diagnosis(token.error(), config));
    } else {
        report.ok("token", "Zoho Accounts at " + config.accounts_url + " issued an access token");
        check_organisations(http, config, *token, report, credits);
        if (!ticket_id.empty()) {
            check_ticket(http, config, *token, ticket_id, report, credits);
        }
    }

    report.info("credits",
                credits ? std::to_string(*credits) + " remaining today (X-Rate-Limit-Remaining-v3)"
                        : "not reported (no X-Rate-Limit-Remaining-v3 header)");
    if (report.failures() == 0) {
        out << "all checks passed\n";
        return 0;
    }
    out << report.failures() << (report.failures() == 1 ? " check" : " checks") << " failed\n";
    return 1;
}

}  // namespace deskbridge::app
