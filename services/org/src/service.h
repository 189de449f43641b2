#pragma once
// org-service's gRPC class: the constructor, the caller. Each group of RPCs lives in
// handlers/ (organizations, verification, documents, facilities, members, practitioners,
// internal); the rules they apply are in domain/, the SQL they run in storage/ and sql/,
// the calls to iam-service in clients/.
#include <memory>
#include <string>

#include "clients/iam.h"
#include "config.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/org/domain/stale_cache.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"
#include "storage/store.h"

namespace healthtech::org {

// Organization management. Authorization is decided by the handlers from org.members (the
// source of truth) and enforced again by row-level security.
class OrgServiceImpl final : public v1::OrgService::Service {
 public:
  OrgServiceImpl(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam);

  using Ctx = grpc::ServerContext;
  // handlers/organizations.cc
  grpc::Status CreateOrganization(Ctx*, const v1::CreateOrganizationRequest*,
                                  v1::Organization*) override;
  grpc::Status GetOrganization(Ctx*, const v1::GetOrganizationRequest*, v1::Organization*) override;
  grpc::Status UpdateOrganization(Ctx*, const v1::UpdateOrganizationRequest*,
                                  v1::Organization*) override;
  // handlers/documents.cc
  grpc::Status UploadDocument(Ctx*, const v1::UploadDocumentRequest*,
                              v1::OrganizationDocument*) override;
  grpc::Status GetDocumentContent(Ctx*, const v1::GetDocumentContentRequest*,
                                  v1::DocumentContent*) override;
  // handlers/verification.cc
  grpc::Status SubmitForVerification(Ctx*, const v1::SubmitForVerificationRequest*,
                                     v1::Organization*) override;
  grpc::Status ListVerifications(Ctx*, const v1::ListVerificationsRequest*,
                                 v1::ListVerificationsResponse*) override;
  grpc::Status DecideVerification(Ctx*, const v1::DecideVerificationRequest*,
                                  v1::Organization*) override;
  // handlers/facilities.cc
  grpc::Status CreateFacility(Ctx*, const v1::CreateFacilityRequest*, v1::Facility*) override;
  grpc::Status ListFacilities(Ctx*, const v1::ListFacilitiesRequest*,
                              v1::ListFacilitiesResponse*) override;
  // handlers/members.cc
  grpc::Status InviteStaff(Ctx*, const v1::InviteStaffRequest*, v1::StaffInvitation*) override;
  grpc::Status AcceptInvitation(Ctx*, const v1::AcceptInvitationRequest*,
                                v1::StaffMember*) override;
  grpc::Status ListStaff(Ctx*, const v1::ListStaffRequest*, v1::ListStaffResponse*) override;
  grpc::Status RemoveStaff(Ctx*, const v1::RemoveStaffRequest*, v1::RemoveStaffResponse*) override;
  // handlers/practitioners.cc
  grpc::Status UpsertMyPractitionerProfile(Ctx*, const v1::UpsertMyPractitionerProfileRequest*,
                                           v1::Practitioner*) override;
  grpc::Status GetMyPractitionerProfile(Ctx*, const v1::GetMyPractitionerProfileRequest*,
                                        v1::Practitioner*) override;
  grpc::Status GetPractitioner(Ctx*, const v1::GetPractitionerRequest*, v1::Practitioner*) override;
  grpc::Status SetMyPractitionerPhoto(Ctx*, const v1::SetMyPractitionerPhotoRequest*,
                                      v1::Practitioner*) override;
  grpc::Status DeleteMyPractitionerPhoto(Ctx*, const v1::DeleteMyPractitionerPhotoRequest*,
                                         v1::Practitioner*) override;
  grpc::Status GetPractitionerPhoto(Ctx*, const v1::GetPractitionerPhotoRequest*,
                                    v1::PractitionerPhoto*) override;
  grpc::Status SearchPractitioners(Ctx*, const v1::SearchPractitionersRequest*,
                                   v1::SearchPractitionersResponse*) override;
  // handlers/internal.cc (other services, with the internal token)
  grpc::Status GetPractitionerBookingInfo(Ctx*, const v1::GetPractitionerBookingInfoRequest*,
                                          v1::PractitionerBookingInfo*) override;
  grpc::Status LookupPractitioners(Ctx*, const v1::LookupPractitionersRequest*,
                                   v1::LookupPractitionersResponse*) override;

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  absl::Status CheckInternal(const grpc::ServerContext& ctx);

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  // Search's facets by their search (SEARCH_FACETS_TTL_MS): a broad search's counts cost
  // hundreds of milliseconds at scale and are the same for everyone for a while.
  StaleCache<storage::Facets> facets_;
  clients::Iam iam_;
  auth::Authenticator authn_;
};

}  // namespace healthtech::org
