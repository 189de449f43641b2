// ResolveAbhaPatient (service-to-service, uhi-service only): a patient who books through
// another app on the Unified Health Interface is known by an ABHA address. Their account is
// created on first use (patient role, no email, no password: nobody signs in to it) and
// uhi-service acts as that patient with a five-minute access token, so every rule of a
// platform booking (row-level security, overlaps, cancellation cut-offs) applies unchanged.
#include <algorithm>

#include "handlers/common.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/session.h"
#include "healthtech/iam/domain/validation.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

namespace {
constexpr int64_t kAbhaTokenSeconds = 300;
}  // namespace

grpc::Status IamServiceImpl::ResolveAbhaPatient(Ctx* ctx, const v1::ResolveAbhaPatientRequest* req,
                                                v1::ResolveAbhaPatientResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    std::string abha;
    if (!NormalizeAbhaAddress(req->abha_address(), &abha)) {
      return st::ValidationFailed(
          {{"abha_address", "must be an ABHA address, e.g. rahul.k001@abdm"}});
    }
    // Sandbox addresses (@sbx, NHA's test network) belong to test and staging only.
    if (config_.server.environment == "production" && abha.ends_with("@sbx")) {
      return st::ValidationFailed(
          {{"abha_address", "is a sandbox ABHA address; production takes @abdm addresses"}});
    }
    std::string name = Trim(req->full_name());
    if (CodePoints(name) > 200 || !validate::DisplayNameProblem(name).empty()) name.clear();
    if (name.empty()) name = abha;  // what the clinic sees until the patient gives a name
    v1::User user;
    absl::Status s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto account = storage::UpsertAbhaAccount(tx, abha, name);
          if (account.created) {
            storage::GrantPatient(tx, account.id);
            AppendAudit(tx, "", "user.create_abha", account.id, scope);
          }
          resp->set_user_id(account.id);
          resp->set_created(account.created);
          return LoadUser(tx, account.id, &user);
        });
    if (!s.ok()) return s;
    if (std::find(user.roles().begin(), user.roles().end(), "patient") == user.roles().end()) {
      return st::PermissionDenied("FORBIDDEN", "This ABHA address's account is not a patient.");
    }
    auto active = keys_->Active();
    if (!active.ok()) return active.status();
    auth::Claims c;
    c.iss = config_.jwt_issuer;
    c.aud = config_.jwt_audience;
    c.sub = resp->user_id();
    c.sid = NewUuid();
    c.iat = IssuedAt(resp->user_id());
    c.exp = c.iat + kAbhaTokenSeconds;
    c.jti = NewUuid();
    c.roles = {"patient"};
    c.amr = {"uhi"};
    c.aal = AalFor(c.amr);
    resp->set_access_token(auth::Sign(c, active->first, active->second));
    return absl::OkStatus();
  });
}

}  // namespace healthtech::iam
