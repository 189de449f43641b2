// Signing keys: GetJwks (the public keys, for every service that checks tokens) and
// RotateSigningKey (platform admins). The keys themselves live in key_store.{h,cc}.
#include "handlers/common.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status IamServiceImpl::GetJwks(Ctx* ctx, const v1::GetJwksRequest*,
                                     v1::GetJwksResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto keys = keys_->Published();
    if (!keys.ok()) return keys.status();
    for (const auto& k : *keys) {
      auto* jwk = resp->add_keys();
      jwk->set_kty("OKP");
      jwk->set_crv("Ed25519");
      jwk->set_x(auth::Base64UrlEncode(k.public_key));
      jwk->set_kid(k.kid);
      jwk->set_alg("EdDSA");
      jwk->set_use("sig");
    }
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::RotateSigningKey(Ctx* ctx, const v1::RotateSigningKeyRequest*,
                                              v1::RotateSigningKeyResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can rotate keys.");
    }
    auto kid = keys_->Rotate();
    if (!kid.ok()) return kid.status();
    resp->set_kid(*kid);
    return absl::OkStatus();
  });
}

}  // namespace healthtech::iam
