// UploadDocument, GetDocumentContent: an organization's verification documents.
#include "handlers/mapping.h"
#include "healthtech/crypto/hash.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/org/domain/rules.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::SubjectOf;
namespace st = status;

grpc::Status OrgServiceImpl::UploadDocument(Ctx* ctx, const v1::UploadDocumentRequest* req,
                                            v1::OrganizationDocument* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string doc_type =
        req->document_type().empty() ? "registration_certificate" : req->document_type();
    if (!ValidDocumentType(doc_type))
      v.push_back(
          {"document_type", "must be a lower_snake_case name, e.g. registration_certificate"});
    std::string filename = validate::Trim(req->filename());
    if (filename.empty()) filename = "document";
    if (!ValidFilename(filename))
      v.push_back({"filename", "must be a plain file name of at most 255 characters"});
    if (req->content().empty())
      v.push_back({"content", "is required"});
    else if (req->content().size() > 5u * 1024 * 1024)
      v.push_back({"content", "must be at most 5 MiB"});
    std::string detected = SniffContentType(req->content());
    if (!req->content().empty() && detected.empty())
      v.push_back({"content", "must be a PDF, PNG or JPEG file (checked by content)"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    storage::NewDocument d;
    d.organization_id = req->organization_id();
    d.document_type = doc_type;
    d.filename = filename;
    d.content_type = detected;
    d.content = req->content();
    d.sha256 = crypto::Sha256Hex(req->content());
    d.uploaded_by = caller->sub;
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
      if (!storage::IsMember(tx, req->organization_id(), caller->sub, {"org_admin", "org_staff"})) {
        return st::PermissionDenied("FORBIDDEN",
                                    "Only this organization's admins and staff can upload.");
      }
      handlers::ToProto(storage::InsertDocument(tx, d), req->organization_id(), resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::GetDocumentContent(Ctx* ctx, const v1::GetDocumentContentRequest* req,
                                                v1::DocumentContent* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    const absl::Status not_found = st::NotFound("DOCUMENT_NOT_FOUND", "No such document.");
    if (!validate::ValidUuid(req->organization_id()) || !validate::ValidUuid(req->document_id()))
      return not_found;
    // Row-level security decides who sees a document (members, platform admins).
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto doc = storage::FindDocumentContent(tx, req->organization_id(), req->document_id());
      if (!doc) return not_found;
      resp->set_content(doc->content);
      resp->set_content_type(doc->content_type);
      resp->set_filename(doc->filename);
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
