#pragma once
#include <memory>
#include <set>

#include "config.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"

namespace healthtech::org {

// gRPC transport and flows of organization management. Authorization is decided here
// from org.members (the source of truth) and enforced again by row-level security.
class OrgServiceImpl final : public v1::OrgService::Service {
 public:
  OrgServiceImpl(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam);

  using Ctx = grpc::ServerContext;
  grpc::Status CreateOrganization(Ctx*, const v1::CreateOrganizationRequest*,
                                  v1::Organization*) override;
  grpc::Status GetOrganization(Ctx*, const v1::GetOrganizationRequest*, v1::Organization*) override;
  grpc::Status UpdateOrganization(Ctx*, const v1::UpdateOrganizationRequest*,
                                  v1::Organization*) override;
  grpc::Status UploadDocument(Ctx*, const v1::UploadDocumentRequest*,
                              v1::OrganizationDocument*) override;
  grpc::Status GetDocumentContent(Ctx*, const v1::GetDocumentContentRequest*,
                                  v1::DocumentContent*) override;
  grpc::Status SubmitForVerification(Ctx*, const v1::SubmitForVerificationRequest*,
                                     v1::Organization*) override;
  grpc::Status ListVerifications(Ctx*, const v1::ListVerificationsRequest*,
                                 v1::ListVerificationsResponse*) override;
  grpc::Status DecideVerification(Ctx*, const v1::DecideVerificationRequest*,
                                  v1::Organization*) override;
  grpc::Status CreateFacility(Ctx*, const v1::CreateFacilityRequest*, v1::Facility*) override;
  grpc::Status ListFacilities(Ctx*, const v1::ListFacilitiesRequest*,
                              v1::ListFacilitiesResponse*) override;
  grpc::Status InviteStaff(Ctx*, const v1::InviteStaffRequest*, v1::StaffInvitation*) override;
  grpc::Status AcceptInvitation(Ctx*, const v1::AcceptInvitationRequest*,
                                v1::StaffMember*) override;
  grpc::Status ListStaff(Ctx*, const v1::ListStaffRequest*, v1::ListStaffResponse*) override;
  grpc::Status RemoveStaff(Ctx*, const v1::RemoveStaffRequest*, v1::RemoveStaffResponse*) override;
  grpc::Status UpsertMyPractitionerProfile(Ctx*, const v1::UpsertMyPractitionerProfileRequest*,
                                           v1::Practitioner*) override;
  grpc::Status GetMyPractitionerProfile(Ctx*, const v1::GetMyPractitionerProfileRequest*,
                                        v1::Practitioner*) override;
  grpc::Status GetPractitioner(Ctx*, const v1::GetPractitionerRequest*, v1::Practitioner*) override;
  grpc::Status SearchPractitioners(Ctx*, const v1::SearchPractitionersRequest*,
                                   v1::SearchPractitionersResponse*) override;
  grpc::Status GetPractitionerBookingInfo(Ctx*, const v1::GetPractitionerBookingInfoRequest*,
                                          v1::PractitionerBookingInfo*) override;
  grpc::Status LookupPractitioners(Ctx*, const v1::LookupPractitionersRequest*,
                                   v1::LookupPractitionersResponse*) override;

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  absl::Status CheckInternal(const grpc::ServerContext& ctx);
  absl::Status SetIamRole(const std::string& user_id, const std::string& org_id,
                          const std::string& role, bool granted, const std::string& request_id);
  absl::StatusOr<std::vector<iam::v1::User>> LookupIamUsers(const std::vector<std::string>& ids,
                                                            const std::vector<std::string>& emails);

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  auth::Authenticator authn_;
};

}  // namespace healthtech::org
