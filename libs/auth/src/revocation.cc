#include "healthtech/auth/revocation.h"

#include <charconv>

namespace healthtech::auth {

std::string RevokedSessionKey(std::string_view sid) {
  return "healthtech:auth:revoked_session:" + std::string(sid);
}

std::string RevokedBeforeKey(std::string_view sub) {
  return "healthtech:auth:revoked_before:" + std::string(sub);
}

bool IsRevoked(const Claims& c, bool session_marked,
               const std::optional<std::string>& before_value) {
  if (!c.sid.empty() && session_marked) return true;
  if (before_value.has_value()) {
    int64_t before = 0;
    const char* end = before_value->data() + before_value->size();
    auto [p, ec] = std::from_chars(before_value->data(), end, before);
    if (ec == std::errc() && p == end && c.iat < before) return true;
  }
  return false;
}

}  // namespace healthtech::auth
