#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "config.h"
#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"

namespace healthtech::appointment {

// gRPC transport and flows of appointments. Slots come from one SQL function
// (appointment.candidate_slots) shared by listing and booking; the database's
// exclusion constraints make double booking impossible whatever the code does.
class AppointmentServiceImpl final : public v1::AppointmentService::Service {
 public:
  AppointmentServiceImpl(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                         std::shared_ptr<grpc::Channel> org);
  ~AppointmentServiceImpl() override;

  using Ctx = grpc::ServerContext;
  grpc::Status PutAvailability(Ctx*, const v1::PutAvailabilityRequest*, v1::Availability*) override;
  grpc::Status GetAvailability(Ctx*, const v1::GetAvailabilityRequest*, v1::Availability*) override;
  grpc::Status ListSlots(Ctx*, const v1::ListSlotsRequest*, v1::ListSlotsResponse*) override;
  // Every free slot of the request's window (cached for a second), in start order.
  absl::Status AllSlots(const v1::ListSlotsRequest& req, v1::ListSlotsResponse* out);
  grpc::Status CreateAppointment(Ctx*, const v1::CreateAppointmentRequest*,
                                 v1::Appointment*) override;
  grpc::Status GetAppointment(Ctx*, const v1::GetAppointmentRequest*, v1::Appointment*) override;
  grpc::Status ListAppointments(Ctx*, const v1::ListAppointmentsRequest*,
                                v1::ListAppointmentsResponse*) override;
  grpc::Status CancelAppointment(Ctx*, const v1::CancelAppointmentRequest*,
                                 v1::Appointment*) override;
  grpc::Status RescheduleAppointment(Ctx*, const v1::RescheduleAppointmentRequest*,
                                     v1::Appointment*) override;
  grpc::Status CheckIn(Ctx*, const v1::CheckInRequest*, v1::Appointment*) override;
  grpc::Status Start(Ctx*, const v1::StartRequest*, v1::Appointment*) override;
  grpc::Status Complete(Ctx*, const v1::CompleteRequest*, v1::Appointment*) override;
  grpc::Status MarkNoShow(Ctx*, const v1::MarkNoShowRequest*, v1::Appointment*) override;
  grpc::Status ConfirmPayment(Ctx*, const v1::ConfirmPaymentRequest*,
                              v1::ConfirmPaymentResponse*) override;
  grpc::Status JoinWaitlist(Ctx*, const v1::JoinWaitlistRequest*, v1::WaitlistEntry*) override;
  grpc::Status FilterAvailablePractitioners(Ctx*, const v1::FilterAvailablePractitionersRequest*,
                                            v1::FilterAvailablePractitionersResponse*) override;

  // Background work: expire payment holds, emit due reminders, rotate waitlist offers.
  void StartSweeper();
  void StopSweeper();
  int SweepOnce();

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  absl::Status CheckInternal(const grpc::ServerContext& ctx);
  absl::StatusOr<org::v1::PractitionerBookingInfo> BookingInfo(const std::string& practitioner_id,
                                                               const std::string& request_id);
  grpc::Status Transition(grpc::ServerContext* ctx, const std::string& id,
                          const std::vector<std::string>& from, const std::string& to,
                          const std::string& note, v1::Appointment* resp);

  // Short-lived caches for the hot read paths. Staleness is bounded (booking info 5 s,
  // slot lists 1 s, and this replica drops a practitioner's lists on every change it
  // makes); bookings are always validated against the database, so a stale list can
  // only lead to a clear 409.
  struct CachedInfo {
    std::chrono::steady_clock::time_point expires;
    org::v1::PractitionerBookingInfo info;
  };
  struct CachedSlots {
    std::chrono::steady_clock::time_point expires;
    v1::ListSlotsResponse slots;
  };
  void ForgetSlots(const std::string& practitioner_id);
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedInfo> info_cache_;
  std::unordered_map<std::string, CachedSlots> slot_cache_;

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  std::unique_ptr<org::v1::OrgService::Stub> org_;
  auth::Authenticator authn_;
  std::atomic<bool> stop_{false};
  std::thread sweeper_;
};

}  // namespace healthtech::appointment
