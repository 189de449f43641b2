#pragma once
// What payment-service asks appointment-service: the appointment being paid (as the payer
// sees it) and, once the money is captured, its confirmation.
#include <memory>
#include <string>

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"

namespace healthtech::payment::clients {

class Appointments {
 public:
  Appointments(std::shared_ptr<grpc::Channel> channel, std::string internal_token);

  // The appointment as the caller (their `authorization`) sees it, 3 s deadline: 404
  // APPOINTMENT_NOT_FOUND, or 503 APPOINTMENTS_UNAVAILABLE on any other failure.
  absl::StatusOr<appointment::v1::Appointment> GetForCaller(const std::string& id,
                                                            const std::string& authorization,
                                                            const std::string& request_id);
  // ConfirmPayment (internal call); the gRPC status as it came.
  grpc::Status Confirm(const std::string& appointment_id, const std::string& payment_id,
                       const std::string& request_id,
                       appointment::v1::ConfirmPaymentResponse* resp);

 private:
  std::unique_ptr<appointment::v1::AppointmentService::Stub> stub_;
  std::string internal_token_;
};

}  // namespace healthtech::payment::clients
