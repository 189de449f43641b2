#pragma once
// appointment-service's gRPC class: the constructor, the caller, the caches. Each group of
// RPCs lives in handlers/ (availability, booking, lifecycle, waitlist); the rules they
// apply are in domain/, the SQL they run in storage/ and sql/.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "clients/org_directory.h"
#include "clients/patients.h"
#include "config.h"
#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"

namespace healthtech::appointment {

class AppointmentService final : public v1::AppointmentService::Service {
 public:
  AppointmentService(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                     std::shared_ptr<grpc::Channel> org);
  ~AppointmentService() override;

  using Ctx = grpc::ServerContext;
  // handlers/availability.cc
  grpc::Status PutAvailability(Ctx*, const v1::PutAvailabilityRequest*, v1::Availability*) override;
  grpc::Status GetAvailability(Ctx*, const v1::GetAvailabilityRequest*, v1::Availability*) override;
  grpc::Status ListSlots(Ctx*, const v1::ListSlotsRequest*, v1::ListSlotsResponse*) override;
  // handlers/booking.cc
  grpc::Status CreateAppointment(Ctx*, const v1::CreateAppointmentRequest*,
                                 v1::Appointment*) override;
  grpc::Status RescheduleAppointment(Ctx*, const v1::RescheduleAppointmentRequest*,
                                     v1::Appointment*) override;
  grpc::Status ConfirmPayment(Ctx*, const v1::ConfirmPaymentRequest*,
                              v1::ConfirmPaymentResponse*) override;
  grpc::Status ConfirmHold(Ctx*, const v1::ConfirmHoldRequest*, v1::Appointment*) override;
  // handlers/lifecycle.cc
  grpc::Status GetAppointment(Ctx*, const v1::GetAppointmentRequest*, v1::Appointment*) override;
  grpc::Status ListAppointments(Ctx*, const v1::ListAppointmentsRequest*,
                                v1::ListAppointmentsResponse*) override;
  grpc::Status CancelAppointment(Ctx*, const v1::CancelAppointmentRequest*,
                                 v1::Appointment*) override;
  grpc::Status CheckIn(Ctx*, const v1::CheckInRequest*, v1::Appointment*) override;
  grpc::Status Start(Ctx*, const v1::StartRequest*, v1::Appointment*) override;
  grpc::Status Complete(Ctx*, const v1::CompleteRequest*, v1::Appointment*) override;
  grpc::Status MarkNoShow(Ctx*, const v1::MarkNoShowRequest*, v1::Appointment*) override;
  // handlers/waitlist.cc
  grpc::Status JoinWaitlist(Ctx*, const v1::JoinWaitlistRequest*, v1::WaitlistEntry*) override;

  // Every free slot of the request's window (cached for a second), in start order.
  absl::Status AllSlots(const v1::ListSlotsRequest& req, v1::ListSlotsResponse* out);

  // Background work (handlers/waitlist.cc): expire payment holds, emit due reminders,
  // rotate waitlist offers; and publish the free days that changed (the organization
  // service's search read model), on a shorter beat.
  void StartSweeper();
  void StopSweeper();
  int SweepOnce();
  int PublishFreeDaysOnce();

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  absl::Status CheckInternal(const grpc::ServerContext& ctx);
  // Names the patient (full name, phone) on the appointments the caller sees as their
  // practitioner or clinic staff (not on the caller's own): one call to iam for the page.
  void NamePatients(const std::string& caller, const std::string& request_id,
                    const std::vector<v1::Appointment*>& items);
  // The provider-side moves of a visit (check in, start, complete, no-show).
  grpc::Status Transition(grpc::ServerContext* ctx, const std::string& id, int action,
                          const std::string& note, v1::Appointment* resp);

  // Slot lists are cached for a second, and this replica drops a practitioner's lists on
  // every change it makes; bookings are always checked against the database.
  struct CachedSlots {
    std::chrono::steady_clock::time_point expires;
    v1::ListSlotsResponse slots;
  };
  // A slot list being computed; callers that want the same list wait for it.
  struct SlotFlight {
    std::mutex mu;
    std::condition_variable done_cv;
    bool done = false;
    absl::Status status;
    v1::ListSlotsResponse slots;
  };
  absl::Status ComputeSlots(const v1::ListSlotsRequest& req, double from, double to,
                            v1::ListSlotsResponse* out);
  void ForgetSlots(const std::string& practitioner_id);
  void ForgetAllSlots();
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedSlots> slot_cache_;
  std::unordered_map<std::string, std::shared_ptr<SlotFlight>> slot_flights_;

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  clients::OrgDirectory org_;
  clients::Patients patients_;
  auth::Authenticator authn_;
  std::atomic<bool> stop_{false};
  std::thread sweeper_, free_days_;
};

}  // namespace healthtech::appointment
