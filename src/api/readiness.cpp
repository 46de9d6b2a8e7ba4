#include "api/readiness.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/log.hpp"

namespace deskbridge::api {
namespace {

namespace json = boost::json;

json::object passed(std::string_view status = "ok") {
    return json::object{{"status", status}};
}

json::object failed(std::string_view error) {
    return json::object{{"status", "error"}, {"error", error}};
}

}  // namespace

void Readiness::check(std::function<void(unsigned, std::string)> done) const {
    json::object checks;
    bool ready = true;

    // The message, not the detail: this answer needs no authentication.
    const int expected = store::latest_schema_version();
    auto version = store_.schema_version();
    if (!version) {
        ready = false;
        core::log::warn("not_ready", {{"check", "database"}, {"error", version.error().detail}});
        checks["database"] = failed(version.error().message);
        checks["migrations"] = passed("unknown");
    } else if (*version != expected) {
        ready = false;
        checks["database"] = passed();
        auto m = failed("schema is at version " + std::to_string(*version) + ", this build needs " +
                        std::to_string(expected));
        core::log::warn("not_ready", {{"check", "migrations"}, {"error", m["error"].as_string()}});
        checks["migrations"] = std::move(m);
    } else {
        checks["database"] = passed();
        checks["migrations"] = json::object{{"status", "ok"}, {"version", *version}};
    }

    const auto answer = [done = std::move(done)](json::object checks, bool ready) {
        json::object body{{"status", ready ? "ready" : "not_ready"}, {"checks", std::move(checks)}};
        done(ready ? 200 : 503, json::serialize(body));
    };
    if (tokens_ == nullptr) {
        checks["zoho"] = passed("not_configured");
        return answer(std::move(checks), ready);
    }
    tokens_->probe(
        kZohoRetryInterval, kZohoGrantDeadline,
        [answer, checks = std::move(checks), ready](core::Status st) mutable {
            if (st) {
                checks["zoho"] = passed();
            } else {
                core::log::warn("not_ready", {{"check", "zoho"}, {"error", st.error().message}});
                checks["zoho"] = failed(st.error().message);
            }
            answer(std::move(checks), ready && st.ok());
        });
}

}  // namespace deskbridge::api
