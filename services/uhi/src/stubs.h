#pragma once
// The platform services the answers ask (answers.cc and orders.cc only: the generated
// headers stay out of answers.h).
#include "answers.h"
#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"
#include "healthtech/payment/v1/payment_service.grpc.pb.h"

namespace healthtech::uhi {

struct Answers::Stubs {
  std::unique_ptr<iam::v1::IamService::Stub> iam;
  std::unique_ptr<org::v1::OrgService::Stub> org;
  std::unique_ptr<appointment::v1::AppointmentService::Stub> appointment;
  std::unique_ptr<payment::v1::PaymentService::Stub> payment;
};

// Worth trying again later: the service did not answer.
inline bool Transient(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

}  // namespace healthtech::uhi
