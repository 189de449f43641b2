#include "clients/appointments.h"

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "healthtech/grpc_server/server.h"
#include "healthtech/status/status.h"

namespace healthtech::payment::clients {

Appointments::Appointments(std::shared_ptr<grpc::Channel> channel, std::string internal_token)
    : stub_(appointment::v1::AppointmentService::NewStub(channel)),
      internal_token_(std::move(internal_token)) {}

absl::StatusOr<appointment::v1::Appointment> Appointments::GetForCaller(
    const std::string& id, const std::string& authorization, const std::string& request_id) {
  grpc::ClientContext actx;
  actx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  actx.AddMetadata("authorization", authorization);
  actx.AddMetadata("x-request-id", request_id);
  appointment::v1::GetAppointmentRequest areq;
  areq.set_id(id);
  appointment::v1::Appointment appt;
  grpc::Status gs = stub_->GetAppointment(&actx, areq, &appt);
  if (gs.error_code() == grpc::StatusCode::NOT_FOUND) {
    return status::NotFound("APPOINTMENT_NOT_FOUND",
                            "No appointment with this id is visible to you.");
  }
  if (!gs.ok())
    return status::Unavailable("APPOINTMENTS_UNAVAILABLE",
                               "Appointments are temporarily unavailable.");
  return appt;
}

grpc::Status Appointments::Confirm(const std::string& appointment_id, const std::string& payment_id,
                                   const std::string& request_id,
                                   appointment::v1::ConfirmPaymentResponse* resp) {
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_, request_id);
  appointment::v1::ConfirmPaymentRequest req;
  req.set_appointment_id(appointment_id);
  req.set_payment_id(payment_id);
  return stub_->ConfirmPayment(&ctx, req, resp);
}

}  // namespace healthtech::payment::clients
