// Base64 and SHA-256 through OpenSSL (libssl-dev, already required by
// cpp-httplib's Debian build), so no codec is hand-written here.
#ifndef KSIM_BASE_ENCODING_H_
#define KSIM_BASE_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace ksim::base {

// Standard base64 with padding (Go's base64.StdEncoding).
std::string Base64Encode(std::string_view data);
// nullopt when `text` is not valid padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);
// URL-safe alphabet with padding (Go's base64.URLEncoding).
std::string Base64UrlEncode(std::string_view data);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Lower-case hex SHA-256 of data.
std::string Sha256Hex(std::string_view data);

}  // namespace ksim::base

#endif  // KSIM_BASE_ENCODING_H_
