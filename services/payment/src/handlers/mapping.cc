#include "handlers/mapping.h"

namespace healthtech::payment::handlers {

v1::PaymentStatus StatusOf(const std::string& s) {
  if (s == "creating" || s == "created") return v1::PAYMENT_STATUS_CREATED;
  if (s == "authorized") return v1::PAYMENT_STATUS_AUTHORIZED;
  if (s == "captured") return v1::PAYMENT_STATUS_CAPTURED;
  if (s == "failed") return v1::PAYMENT_STATUS_FAILED;
  if (s == "refunded") return v1::PAYMENT_STATUS_REFUNDED;
  if (s == "partially_refunded") return v1::PAYMENT_STATUS_PARTIALLY_REFUNDED;
  return v1::PAYMENT_STATUS_UNSPECIFIED;
}

v1::RefundStatus RefundStatusOf(const std::string& s) {
  return s == "processed" ? v1::REFUND_STATUS_PROCESSED
         : s == "failed"  ? v1::REFUND_STATUS_FAILED
                          : v1::REFUND_STATUS_PENDING;
}

std::string StoredStatuses(v1::PaymentStatus filter) {
  switch (filter) {
    case v1::PAYMENT_STATUS_CREATED:
      return "{created}";
    case v1::PAYMENT_STATUS_AUTHORIZED:
      return "{authorized}";
    case v1::PAYMENT_STATUS_CAPTURED:
      return "{captured}";
    case v1::PAYMENT_STATUS_FAILED:
      return "{failed}";
    case v1::PAYMENT_STATUS_REFUNDED:
      return "{refunded}";
    case v1::PAYMENT_STATUS_PARTIALLY_REFUNDED:
      return "{partially_refunded}";
    default:
      return "{created,authorized,captured,failed,refunded,partially_refunded}";
  }
}

void ToProto(const storage::Payment& r, v1::Payment* p) {
  p->set_id(r.id);
  p->set_appointment_id(r.appointment_id);
  p->set_payer_id(r.payer_id);
  p->set_organization_id(r.organization_id);
  p->mutable_amount()->set_amount_minor(r.amount_minor);
  p->mutable_amount()->set_currency(r.currency);
  p->mutable_amount_refunded()->set_amount_minor(0);
  p->mutable_amount_refunded()->set_currency(r.currency);
  p->set_status(StatusOf(r.status));
  p->set_gateway(r.gateway);
  p->set_gateway_order_id(r.gateway_order_id);
  if (r.gateway_payment_id) p->set_gateway_payment_id(*r.gateway_payment_id);
  if (r.failure_reason) p->set_failure_reason(*r.failure_reason);
  p->mutable_created_at()->set_seconds(r.created_at);
  p->mutable_updated_at()->set_seconds(r.updated_at);
  if (r.captured_at) p->mutable_captured_at()->set_seconds(*r.captured_at);
}

void ToProto(const storage::Refund& r, v1::Refund* out) {
  out->set_id(r.id);
  out->set_payment_id(r.payment_id);
  out->mutable_amount()->set_amount_minor(r.amount_minor);
  out->mutable_amount()->set_currency(r.currency);
  out->set_status(RefundStatusOf(r.status));
  out->set_reason(r.reason);
  out->set_initiated_by(r.initiated_by);
  if (r.gateway_refund_id) out->set_gateway_refund_id(*r.gateway_refund_id);
  out->mutable_created_at()->set_seconds(r.created_at);
  if (r.processed_at) out->mutable_processed_at()->set_seconds(*r.processed_at);
}

}  // namespace healthtech::payment::handlers
