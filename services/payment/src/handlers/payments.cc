// Payment RPCs: creating a payment for an appointment (with its gateway order), reading and
// listing payments, and the client's verification of a checkout.
#include <chrono>
#include <thread>

#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::payment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

namespace {

// What a payment shows beyond its row: refunds, the refunded total and its invoice. The same
// for GET /v1/payments/{id} and every item of the list.
void LoadDetails(storage::Tx& tx, v1::Payment* p) {
  int64_t refunded = 0;
  for (const auto& r : storage::RefundsOf(tx, p->id())) {
    ToProto(r, p->add_refunds());
    if (r.status != "failed") refunded += r.amount_minor;
  }
  p->mutable_amount_refunded()->set_amount_minor(refunded);
  if (auto inv = storage::InvoiceOf(tx, p->id())) p->set_invoice_id(*inv);
}

}  // namespace

grpc::Status PaymentService::CreatePayment(Ctx* ctx, const v1::CreatePaymentRequest* req,
                                           v1::CreatePaymentResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    if (!validate::ValidUuid(req->appointment_id())) {
      return st::ValidationFailed({{"appointment_id", "must be an appointment id"}});
    }
    if (auto k = domain::CheckIdempotencyKey(key); !k.ok()) return k;
    std::string request_hash = domain::PaymentRequestHash(req->appointment_id());
    // The appointment, as the payer sees it (the appointment service checks it is theirs).
    auto appt = appointments_.GetForCaller(
        req->appointment_id(), grpc_server::Metadata(*ctx, "authorization"), scope.request_id());
    if (!appt.ok()) return appt.status();
    if (appt->patient_id() != caller->sub) {
      return st::PermissionDenied("FORBIDDEN", "Only the patient pays for an appointment.");
    }
    const std::string currency = domain::CurrencyOrDefault(appt->fee().currency());
    // Reuse: the same key, or the appointment's open payment.
    std::string payment_id;
    bool need_order = false;
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      if (!key.empty()) {
        if (auto prior = storage::PaymentByKey(tx, caller->sub, key)) {
          if (prior->request_hash != request_hash) {
            return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                                "This Idempotency-Key was used for a different request.");
          }
          payment_id = prior->id;
          return absl::OkStatus();
        }
      }
      if (auto open = storage::OpenPayment(tx, req->appointment_id())) {
        payment_id = *open;
        return absl::OkStatus();
      }
      if (auto p = domain::CheckPayable(
              appt->status() == appointment::v1::APPOINTMENT_STATUS_PENDING_PAYMENT,
              appt->fee().amount_minor());
          !p.ok())
        return p;
      storage::NewPayment row;
      row.appointment_id = req->appointment_id();
      row.payer_id = caller->sub;
      row.organization_id = appt->organization_id();
      row.amount_minor = appt->fee().amount_minor();
      row.currency = currency;
      row.gateway = gateway_->name();
      row.idempotency_key = key;
      row.request_hash = request_hash;
      row.practitioner_name = appt->practitioner_name();
      row.practitioner_specialty = appt->practitioner_specialty();
      row.start_seconds = appt->start().seconds();
      row.timezone = appt->timezone();
      row.place = appt->mode() == appointment::v1::CONSULTATION_MODE_VIDEO ? "video consultation"
                                                                           : appt->facility_name();
      if (auto id = storage::InsertPayment(tx, row)) {
        payment_id = *id;
        need_order = true;
        return absl::OkStatus();
      }
      // A concurrent request created it first: answer with that one.
      auto again = storage::OpenPayment(tx, req->appointment_id());
      if (!again) return st::Conflict("CONFLICT", "Try again.");
      payment_id = *again;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (need_order) {
      // Outside any transaction: the gateway call. Exactly one request gets here per
      // appointment (the unique index); a failure removes the row, so nothing half-made stays.
      // The receipt is our payment id: if this process dies between the gateway's answer
      // and the row below, the sweeper finds the order by it (CompleteCreatingOnce).
      auto order = gateway_->CreateOrder(appt->fee().amount_minor(), currency, payment_id);
      absl::Status saved =
          order.ok() ? RecordOrder(payment_id, *order) : ForgetCreating(payment_id);
      if (!saved.ok()) return saved;
      if (!order.ok()) return order.status();
    }
    // Another request may still be creating the order: wait briefly for it.
    for (int i = 0; i < 50; ++i) {
      v1::Payment p;
      std::string status;
      auto r =
          pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
            auto row = storage::FindPayment(tx, payment_id);
            if (!row) return domain::PaymentNotFound();
            status = row->status;
            ToProto(*row, &p);
            return absl::OkStatus();
          });
      if (!r.ok())
        return r.code() == absl::StatusCode::kNotFound
                   ? st::Unavailable("GATEWAY_UNAVAILABLE",
                                     "The payment could not be created; try again.")
                   : r;
      if (status != "creating") {
        resp->set_id(p.id());
        resp->set_gateway(p.gateway());
        resp->set_gateway_order_id(p.gateway_order_id());
        resp->set_key_id(gateway_->key_id());
        *resp->mutable_amount() = p.amount();
        resp->set_status(p.status());
        resp->set_checkout_url(gateway_->CheckoutUrl(p.gateway_order_id()));
        return absl::OkStatus();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return st::Unavailable("GATEWAY_UNAVAILABLE", "The payment is still being created; try again.");
  });
}

absl::Status PaymentService::RecordOrder(const std::string& payment_id, const GatewayOrder& order) {
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    if (storage::RecordOrder(tx, payment_id, order.id)) {
      storage::LedgerOrderCreated(tx, payment_id, order.amount_minor, order.currency, order.id);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return absl::OkStatus();  // not recorded: the sweeper completed (or dropped) it meanwhile
}

absl::Status PaymentService::ForgetCreating(const std::string& payment_id) {
  // No order at the gateway: remove the placeholder, so that a retry (same key or another)
  // starts again rather than waiting for an order that will never exist.
  return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    storage::ForgetCreating(tx, payment_id);
    return absl::OkStatus();
  });
}

grpc::Status PaymentService::GetPayment(Ctx* ctx, const v1::GetPaymentRequest* req,
                                        v1::Payment* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->id())) return domain::PaymentNotFound();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto row = storage::FindPayment(tx, req->id());
      if (!row) return domain::PaymentNotFound();
      ToProto(*row, resp);
      LoadDetails(tx, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status PaymentService::ListPayments(Ctx* ctx, const v1::ListPaymentsRequest* req,
                                          v1::ListPaymentsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!req->appointment_id().empty() && !validate::ValidUuid(req->appointment_id())) {
      return st::ValidationFailed({{"appointment_id", "must be an appointment id"}});
    }
    int limit = paging::Limit(req->limit());
    storage::ListQuery q;
    // Newest first; the page token holds the last item's created_at (µs) and id.
    q.after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("payments", req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      q.after = true;
      q.after_us = *us;
      q.after_id = (*pos)[1];
    }
    q.statuses = StoredStatuses(req->status());
    q.appointment_id = req->appointment_id();
    q.limit = limit + 1;
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto rows = storage::ListPayments(tx, q);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        auto* item = resp->add_items();
        ToProto(rows[i], item);
        LoadDetails(tx, item);
      }
      if (static_cast<int>(rows.size()) > limit) {
        const auto& last = rows[limit - 1];
        resp->set_next_page_token(
            page_tokens_.Encode("payments", {std::to_string(last.created_us), last.id}));
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status PaymentService::VerifyPayment(Ctx* ctx, const v1::VerifyPaymentRequest* req,
                                           v1::Payment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->payment_id())) return domain::PaymentNotFound();
    std::string order_id;
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto order = storage::OrderIdOf(tx, req->payment_id());
      if (!order) return domain::PaymentNotFound();
      order_id = *order;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (order_id.empty() ||
        !gateway_->VerifyCheckoutSignature(order_id, req->gateway_payment_id(), req->signature())) {
      return st::InvalidArgument("SIGNATURE_INVALID", "The checkout signature does not match.",
                                 {{"signature", "does not match"}});
    }
    // The signature proves the checkout happened; the gateway says whether money moved.
    log::Debug("verify_signature_ok");
    auto gp = gateway_->GetPayment(req->gateway_payment_id());
    log::Debug("verify_gateway_answered");
    if (!gp.ok()) return gp.status();
    if (gp->order_id != order_id) {
      return st::InvalidArgument("SIGNATURE_INVALID", "This payment belongs to another order.", {});
    }
    if (gp->status == "captured") {
      bool applied = false;
      if (auto a = ApplyCapture(order_id, gp->id, gp->amount_minor, scope.request_id(), &applied);
          !a.ok())
        return a;
    }
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto row = storage::FindPayment(tx, req->payment_id());
      if (!row) return domain::PaymentNotFound();
      ToProto(*row, resp);
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::payment
