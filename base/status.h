// Status: the error value used everywhere inside ksim (no exceptions cross
// module boundaries). Codes mirror the Kubernetes StatusReasons so that one
// place (apiserver/status_wire) can turn any Status into the wire object
// kube-apiserver would send.
//
// Thread-safety: Status and StatusOr are values; const methods are safe to
// call concurrently.
#ifndef KSIM_BASE_STATUS_H_
#define KSIM_BASE_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ksim::base {

enum class Code {
  kOk = 0,
  kBadRequest,             // 400 BadRequest
  kUnauthorized,           // 401 Unauthorized
  kForbidden,              // 403 Forbidden
  kNotFound,               // 404 NotFound
  kMethodNotAllowed,       // 405 MethodNotAllowed
  kNotAcceptable,          // 406 NotAcceptable
  kAlreadyExists,          // 409 AlreadyExists
  kConflict,               // 409 Conflict
  kGone,                   // 410 Gone
  kExpired,                // 410 Expired (resource version compacted)
  kRequestEntityTooLarge,  // 413 RequestEntityTooLarge
  kUnsupportedMediaType,   // 415 UnsupportedMediaType
  kInvalid,                // 422 Invalid
  kTooManyRequests,        // 429 TooManyRequests
  kInternal,               // 500 InternalError
  kServiceUnavailable,     // 503 ServiceUnavailable
  kTimeout,                // 504 Timeout
};

// One entry of StatusDetails.causes (metav1.StatusCause).
struct Cause {
  std::string reason;   // e.g. "FieldValueRequired"
  std::string message;  // e.g. "Required value"
  std::string field;    // e.g. "spec.ports"
};

// metav1.StatusDetails: which object the error is about.
struct Details {
  std::string name;
  std::string group;
  std::string kind;  // plural resource for most errors, Kind for Invalid
  std::string uid;
  std::vector<Cause> causes;
  int retry_after_seconds = 0;
};

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}
  Status(Code code, std::string message, Details details)
      : code_(code),
        message_(std::move(message)),
        details_(std::make_shared<const Details>(std::move(details))) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Null when the error names no object.
  const Details* details() const { return details_.get(); }

  // "NotFound: pods \"x\" not found" — for logs and test failures.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::shared_ptr<const Details> details_;
};

// The Kubernetes reason string ("NotFound", "InternalError", ...) and HTTP code.
const char* ReasonOf(Code code);
int HttpCodeOf(Code code);

// Convenience constructors.
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) {
  return {Code::kAlreadyExists, std::move(m)};
}
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status BadRequest(std::string m) {
  return {Code::kBadRequest, std::move(m)};
}
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status Expired(std::string m) { return {Code::kExpired, std::move(m)}; }

// StatusOr<T>: a T or a non-OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT
  // REQUIRES: !status.ok() when constructed from a Status.

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ksim::base

// Propagates a non-OK Status from an expression returning Status.
#define KSIM_RETURN_IF_ERROR(expr)             \
  do {                                         \
    ::ksim::base::Status _st = (expr);         \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define KSIM_CONCAT_INNER_(a, b) a##b
#define KSIM_CONCAT_(a, b) KSIM_CONCAT_INNER_(a, b)
// KSIM_ASSIGN_OR_RETURN(auto x, F()); declares x from a StatusOr or returns.
#define KSIM_ASSIGN_OR_RETURN(lhs, expr) \
  KSIM_ASSIGN_OR_RETURN_IMPL_(KSIM_CONCAT_(_so_, __LINE__), lhs, expr)
#define KSIM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // KSIM_BASE_STATUS_H_
