#include "api/docs.hpp"

#include <cstddef>

#include "api/docs_data.hpp"
#include "api/errors.hpp"

namespace deskbridge::api {
namespace {

// The page runs only its own inline script and styles: nothing may be loaded from elsewhere,
// which also proves that it works offline. Redoc starts its search worker from a blob.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; worker-src blob:; base-uri 'none'; form-action 'none'";

template <std::size_t N>
http::Response document(const char (&text)[N], std::string_view content_type) {
    http::Response res{200, std::string(text, N - 1)};
    res.content_type = std::string(content_type);
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

std::optional<http::Response> docs_response(std::string_view method, std::string_view path) {
    const bool page = path == "/docs" || path == "/docs/";
    const bool yaml = path == "/docs/openapi.yaml";
    if (!page && !yaml) {
        return std::nullopt;
    }
    if (method != "GET" && method != "HEAD") {
        return failure_response(Failure::kMethodNotAllowed, "GET, HEAD");
    }

    if (yaml) {
        return document(docs_data::kOpenApiYaml, "application/yaml; charset=utf-8");
    }
    auto res = document(docs_data::kReferenceHtml, "text/html; charset=utf-8");
    res.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
    return res;
}

}  // namespace deskbridge::api
