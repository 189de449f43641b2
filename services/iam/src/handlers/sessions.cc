// Sessions: Refresh (rotation, reuse detection), Logout, LogoutAll, and how an ended
// session's access tokens are cut before they expire.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/auth/revocation.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

std::vector<std::string> IamServiceImpl::RevokeSessions(pqxx::transaction_base& tx,
                                                        const std::string& user_id,
                                                        const std::string& reason,
                                                        const std::string& keep) {
  // Every refresh token of the user but `keep`'s family ends; the sessions returned are
  // those that may still have live access tokens (a token issued within one lifetime:
  // every issue inserts a refresh-token row).
  auto rows =
      storage::RevokeOtherSessions(tx, user_id, reason, validate::ValidUuid(keep) ? keep : "",
                                   config_.access_token_ttl_seconds + 60);
  std::vector<std::string> families;
  for (const auto& r : rows)
    if (r.recent) families.push_back(r.family_id);
  std::sort(families.begin(), families.end());
  families.erase(std::unique(families.begin(), families.end()), families.end());
  return families;
}

void IamServiceImpl::CutAccess(const std::string& user_id, const std::vector<std::string>& sessions,
                               bool everything_before) {
  if (sessions.empty() && !everything_before) return;
  const std::string ttl = std::to_string(config_.access_token_ttl_seconds + 60);
  for (const auto& sid : sessions) {  // each on its own: one failure stops no other
    auto r = redis_->Command({"SET", auth::RevokedSessionKey(sid), "1", "EX", ttl});
    if (!r.ok() || r->type == redis::Reply::Type::kError)
      log::Warn("access_cut_failed", {{"session", sid}});
  }
  // The mark: one second ahead (a token issued earlier in this second is cut as well;
  // IssuedAt stamps later ones at the mark), and past any mark already there, so a token
  // stamped at an earlier cut of this same second is cut by this one.
  static constexpr const char* kRaise =
      "local v = math.max(tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or '0') + 1) "
      "redis.call('SET', KEYS[1], v, 'EX', ARGV[2]) return v";
  int64_t before = 0;
  if (everything_before) {
    auto r = redis_->Command({"EVAL", kRaise, "1", auth::RevokedBeforeKey(user_id),
                              std::to_string(handlers::NowSeconds() + 1), ttl});
    if (r.ok() && r->type == redis::Reply::Type::kInteger)
      before = r->integer;
    else
      log::Warn("access_cut_failed", {{"user_id", user_id}});
  }
  // Open WebSocket sessions on every BFF replica hear it on the user's channel and close
  // the affected ones (websocket.h); "type" first: the hub tells these notes from
  // notifications by their opening bytes.
  nlohmann::ordered_json note = {{"type", "session_revoked"}, {"sessions", sessions}};
  if (before > 0) note["before"] = before;
  (void)redis_->Command({"PUBLISH", "healthtech:notify:user:" + user_id, note.dump()});
}

int64_t IamServiceImpl::IssuedAt(const std::string& user_id) {
  int64_t now = handlers::NowSeconds();
  auto r = redis_->Command({"GET", auth::RevokedBeforeKey(user_id)});
  if (!r.ok() || r->type != redis::Reply::Type::kString) return now;
  try {
    return std::max(now, static_cast<int64_t>(std::stoll(r->str)));
  } catch (...) {
    return now;
  }
}

grpc::Status IamServiceImpl::Refresh(Ctx* ctx, const v1::RefreshRequest* req,
                                     v1::LoginResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->refresh_token().empty())
      return st::ValidationFailed({{"refresh_token", "is required"}});
    const absl::Status invalid =
        st::Unauthenticated("REFRESH_TOKEN_INVALID", "The session has ended. Sign in again.");
    bool rejected = false;
    std::string reused_family, reused_user;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto t = storage::FindForRefresh(tx, TokenHash(req->refresh_token()));
          if (!t) {
            rejected = true;
            return absl::OkStatus();
          }
          if (t->rotated && !t->revoked) {
            // A rotated token came back: it was stolen or replayed. End the whole family.
            storage::RevokeReusedFamily(tx, t->family_id);
            reused_family = t->family_id;
            reused_user = t->user_id;
            AppendAudit(tx, t->user_id, "session.reuse_detected", t->family_id, scope);
            log::Warn("refresh_token_reuse",
                      {{"user_id", t->user_id}, {"family_id", t->family_id}});
            rejected = true;
            return absl::OkStatus();  // commit the revocation
          }
          if (t->rotated || t->revoked || t->expired) {
            rejected = true;
            return absl::OkStatus();
          }
          storage::Rotate(tx, t->id);
          return IssueTokens(tx, t->user_id, t->amr, t->family_id, t->id, resp);
        });
    if (!s.ok()) return s;
    if (!reused_family.empty()) CutAccess(reused_user, {reused_family}, false);
    if (rejected) {
      resp->Clear();
      return invalid;
    }
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::Logout(Ctx* ctx, const v1::LogoutRequest* req,
                                    v1::LogoutResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->refresh_token().empty())
      return st::ValidationFailed({{"refresh_token", "is required"}});
    std::string family, user_id;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto ended = storage::Logout(tx, TokenHash(req->refresh_token()));
          resp->set_sessions_revoked(ended ? 1 : 0);
          if (ended) {
            user_id = ended->user_id;
            family = ended->family_id;
            AppendAudit(tx, ended->user_id, "user.logout", "", scope);
          }
          return absl::OkStatus();
        });
    if (s.ok() && !family.empty()) CutAccess(user_id, {family}, false);
    return s;
  });
}

grpc::Status IamServiceImpl::LogoutAll(Ctx* ctx, const v1::LogoutAllRequest*,
                                       v1::LogoutResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<std::string> families;
    auto s = pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          int active = storage::CountActiveSessions(tx, caller->sub);
          families = RevokeSessions(tx, caller->sub, "logout_all", "");
          resp->set_sessions_revoked(active);
          AppendAudit(tx, caller->sub, "user.logout_all", caller->sub, scope);
          return absl::OkStatus();
        });
    if (s.ok()) CutAccess(caller->sub, families, true);
    return s;
  });
}

}  // namespace healthtech::iam
