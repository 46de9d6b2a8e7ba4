#pragma once
// Errors as values at module boundaries.
//
// Every module returns `Result<T>` (or `Status` when there is no value). An `Error` carries a
// kind, which api/error_response.cpp maps to an HTTP status in one place, a `message` that is
// safe to show to a caller, and a `detail` that only goes to the log (database or libcurl text).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace deskbridge::core {

enum class ErrorKind {
    kInvalidArgument,   // the caller sent something wrong (400)
    kUnauthenticated,   // no or bad credentials (401)
    kPermissionDenied,  // authenticated but not allowed (403)
    kNotFound,          // the thing does not exist, or the caller may not see it (404)
    kTooManyRequests,   // throttled (429)
    kUnavailable,       // a dependency is down or timed out; retrying later may work (503)
    kInternal,          // a bug or an unexpected state (500)
};

struct [[nodiscard]] Error {
    ErrorKind kind = ErrorKind::kInternal;
    std::string message;  // for the caller
    std::string detail;   // for the log only; may contain dependency error text

    static Error invalid(std::string msg) {
        return {ErrorKind::kInvalidArgument, std::move(msg), {}};
    }
    static Error not_found(std::string msg) { return {ErrorKind::kNotFound, std::move(msg), {}}; }
    static Error internal(std::string msg, std::string detail = {}) {
        return {ErrorKind::kInternal, std::move(msg), std::move(detail)};
    }
    static Error unavailable(std::string msg, std::string detail = {}) {
        return {ErrorKind::kUnavailable, std::move(msg), std::move(detail)};
    }
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(v_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(v_));
    }

  private:
    std::variant<T, Error> v_;
};

struct Ok {};

// A Result with no value.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

  private:
    Error error_;
    bool ok_ = true;
};

}  // namespace deskbridge::core
