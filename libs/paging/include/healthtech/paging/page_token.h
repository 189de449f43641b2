#pragma once
// The one page-token scheme of the API: opaque to clients, tamper-evident, bound to the
// list it came from. A token is base64url(payload || HMAC-SHA256(key, payload)[:16]), where
// the payload names the list ("kind") and carries the position as strings (e.g. the last
// row's sort key and id). A token that was edited, truncated, made up, or returned by
// another list is refused before any of it is used: 400 INVALID_PAGE_TOKEN on page_token.
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace healthtech::paging {

class PageTokens {
 public:
  // The key is derived from a secret every replica of a service shares (the platform uses
  // INTERNAL_SERVICE_TOKEN), so a token from one replica opens the next page on another.
  explicit PageTokens(std::string_view secret);

  // A token for the page after `position` of list `kind` (e.g. "appointments").
  std::string Encode(std::string_view kind, const std::vector<std::string>& position) const;
  // The position inside `token`, checked: its MAC, its list, and that it holds `fields` values.
  absl::StatusOr<std::vector<std::string>> Decode(std::string_view kind, std::string_view token,
                                                  size_t fields) const;

 private:
  std::string key_;
};

// The page size of a list: `requested`, or `fallback` when unset (0), at most `max`. The
// API refuses other values before a service sees them; gRPC callers get them clamped.
inline int Limit(int requested, int fallback = 20, int max = 100) {
  return requested <= 0 ? fallback : (requested < max ? requested : max);
}

// The error every list answers for a token it did not issue.
absl::Status InvalidPageToken();

// Strict numeric fields of a decoded position (no NaN, no trailing text, in range).
absl::StatusOr<int64_t> Int64Field(const std::string& s);
absl::StatusOr<double> FiniteDoubleField(const std::string& s);

}  // namespace healthtech::paging
