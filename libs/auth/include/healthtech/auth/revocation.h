#pragma once
// Access tokens cut off before they expire. IAM writes two kinds of Redis keys, each living
// as long as an access token can (so Redis forgets them once every affected token has
// expired anyway); the BFF reads both for every signed-in request:
//   healthtech:auth:revoked_session:{sid}  a signed-out session (logout, a password change
//                                          elsewhere, refresh-token reuse);
//   healthtech:auth:revoked_before:{sub}   unix seconds: every token of the user issued
//                                          earlier (logout everywhere, password reset, a
//                                          role taken away: the next refresh carries the
//                                          new roles).
#include <optional>
#include <string>
#include <string_view>

#include "healthtech/auth/jwt.h"

namespace healthtech::auth {

std::string RevokedSessionKey(std::string_view sid);
std::string RevokedBeforeKey(std::string_view sub);

// Whether `c` is cut off, given whether its session is marked and the user's
// revoked_before value (nullopt: no mark). A token without a session id is only affected
// by revoked_before.
bool IsRevoked(const Claims& c, bool session_marked,
               const std::optional<std::string>& before_value);

}  // namespace healthtech::auth
