#pragma once
// What every handler of iam-service shares: "now", the one wrong-credentials answer, the
// audit row of a call, and the user as a proto.
#include <chrono>
#include <cstdint>
#include <string>

#include "healthtech/grpc_server/server.h"
#include "healthtech/iam/v1/iam_service.pb.h"
#include "healthtech/status/status.h"
#include "storage/store.h"

namespace healthtech::iam::handlers {

inline int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline absl::Status BadCredentials() {
  return status::Unauthenticated("INVALID_CREDENTIALS", "Email or password is incorrect.");
}

inline absl::Status UserNotFound() { return status::NotFound("USER_NOT_FOUND", "No such user."); }

// One audit row: who did what to which target, from where.
inline void AppendAudit(storage::Tx& tx, const std::string& actor, const std::string& action,
                        const std::string& target, const grpc_server::RpcScope& scope) {
  storage::AppendAudit(tx, actor, action, target, scope.client_ip(), scope.request_id());
}

inline void ToProto(const storage::User& u, v1::User* out) {
  out->set_id(u.id);
  out->set_email(u.email);
  out->set_full_name(u.full_name);
  out->set_phone(u.phone);
  out->set_email_verified(u.email_verified);
  out->set_mfa_enabled(u.mfa_enabled);
  out->mutable_created_at()->set_seconds(u.created_at);
  out->set_date_of_birth(u.date_of_birth);
  out->clear_roles();
  for (const auto& role : u.roles) out->add_roles(role);
}

}  // namespace healthtech::iam::handlers
