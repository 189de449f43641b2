// SetMyPractitionerPhoto, DeleteMyPractitionerPhoto, GetPractitionerPhoto: profile photos.
// The upload is decoded and re-encoded (libs/image) before anything is stored, so only a
// small square JPEG the platform made itself is ever served.
#include "handlers/mapping.h"
#include "healthtech/crypto/hash.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/image/portrait.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status OrgServiceImpl::SetMyPractitionerPhoto(Ctx* ctx,
                                                    const v1::SetMyPractitionerPhotoRequest* req,
                                                    v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    // Decoding happens before the transaction: no connection is held while it runs.
    image::Portrait photo = image::MakePortrait(req->content());
    if (!photo.ok()) return st::ValidationFailed({{"content", photo.message}});
    const std::string sha = crypto::Sha256Hex(photo.jpeg);
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      // Without a profile nothing is stored, and loading it answers PRACTITIONER_NOT_FOUND.
      storage::SetPractitionerPhoto(tx, caller->sub, photo.jpeg, sha);
      return handlers::LoadOwnPractitioner(tx, caller->sub, resp);
    });
  });
}

grpc::Status OrgServiceImpl::DeleteMyPractitionerPhoto(Ctx* ctx,
                                                       const v1::DeleteMyPractitionerPhotoRequest*,
                                                       v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      storage::DeletePractitionerPhoto(tx, caller->sub);
      return handlers::LoadOwnPractitioner(tx, caller->sub, resp);
    });
  });
}

grpc::Status OrgServiceImpl::GetPractitionerPhoto(Ctx* ctx,
                                                  const v1::GetPractitionerPhotoRequest* req,
                                                  v1::PractitionerPhoto* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    const absl::Status not_found = st::NotFound("PHOTO_NOT_FOUND", "No such photo.");
    std::string sub;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      sub = caller->sub;
    }
    if (!validate::ValidUuid(req->id())) return not_found;
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      // Visible when the profile is: at a verified organization, or the caller's own.
      auto p = storage::FindPractitioner(tx, req->id());
      if (!p || p->photo_version.empty()) return not_found;
      if (p->user_id != sub && !handlers::PubliclyListed(tx, p->id)) return not_found;
      auto jpeg = storage::PractitionerPhoto(tx, p->id);
      if (!jpeg) return not_found;
      resp->set_content(std::move(*jpeg));
      resp->set_content_type("image/jpeg");
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
