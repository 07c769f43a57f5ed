// Pieces shared by the selector implementation files (selector*.cc).
// Not for use outside them.
#ifndef KSIM_APISERVER_SELECTOR_INTERNAL_H_
#define KSIM_APISERVER_SELECTOR_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/selector.h"
#include "base/status.h"

namespace ksim::apiserver::selector_internal {

// Go's strconv.Quote (what %q prints), for error messages.
std::string GoQuote(std::string_view s);

// strconv.ParseInt(s, 10, 64).
std::optional<int64_t> ParseInt64(const std::string& s);

// validation.IsQualifiedName's messages joined with "; " ("" when valid).
std::string QualifiedNameErrors(std::string_view key);

// labels.NewRequirement with a nil field path: validates key, operator arity
// and values, and returns the requirement with sorted values, or BadRequest
// carrying the aggregated field errors ("key: Invalid value: ..." or
// "[e1, e2]"). `values_from_json` tells how an empty list prints in errors
// ([]string(nil) from LabelSelectorAsSelector, []string{} from the parser).
base::StatusOr<LabelRequirement> NewRequirement(std::string key,
                                                LabelRequirement::Op op,
                                                std::vector<std::string> values,
                                                bool values_from_json);

// labels.Parse without the final sort: requirements in input order.
base::StatusOr<std::vector<LabelRequirement>> ParseRequirements(
    std::string_view selector);

}  // namespace ksim::apiserver::selector_internal

#endif  // KSIM_APISERVER_SELECTOR_INTERNAL_H_
