#include "payment_service.h"

#include <chrono>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "healthtech/crypto/hash.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"
#include "invoice.h"

namespace healthtech::payment {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using pqxx::transaction_base;

// A refund the gateway has processed, in the caller's transaction: its ledger row, the
// payment's refunded state and the refund.processed event. Both ways a refund completes
// (the gateway's answer and its later webhook) come through here.
void RecordRefundProcessed(transaction_base& tx, const std::string& refund_id,
                           const std::string& payment_id, int64_t amount,
                           const std::string& currency, const std::string& gateway_refund_id,
                           const std::string& initiated_by) {
  tx.exec_params(
      "INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref) "
      "VALUES ($1::uuid, 'refunded', $2, $3, $4) ON CONFLICT (kind, gateway_ref) DO NOTHING",
      payment_id, -amount, currency, gateway_refund_id);
  auto payer = tx.exec_params(
      "UPDATE payment.payments p SET status = CASE WHEN (SELECT coalesce(sum(amount_minor), 0) "
      "FROM payment.refunds WHERE payment_id = p.id AND status = 'processed') >= p.amount_minor "
      "THEN 'refunded' ELSE 'partially_refunded' END, updated_at = now() WHERE id = $1::uuid "
      "RETURNING payer_id::text",
      payment_id);
  nlohmann::json ev = {{"refund_id", refund_id},
                       {"payment_id", payment_id},
                       {"payer_id", payer[0][0].as<std::string>()},
                       {"amount", {{"amount_minor", amount}, {"currency", currency}}},
                       {"initiated_by", initiated_by}};
  outbox::Enqueue(tx, "payment", "refund.processed", refund_id, ev.dump());
}

const absl::Status kNotFound =
    st::NotFound("PAYMENT_NOT_FOUND", "No payment with this id is visible to you.");

v1::PaymentStatus StatusOf(const std::string& s) {
  if (s == "creating" || s == "created") return v1::PAYMENT_STATUS_CREATED;
  if (s == "authorized") return v1::PAYMENT_STATUS_AUTHORIZED;
  if (s == "captured") return v1::PAYMENT_STATUS_CAPTURED;
  if (s == "failed") return v1::PAYMENT_STATUS_FAILED;
  if (s == "refunded") return v1::PAYMENT_STATUS_REFUNDED;
  if (s == "partially_refunded") return v1::PAYMENT_STATUS_PARTIALLY_REFUNDED;
  return v1::PAYMENT_STATUS_UNSPECIFIED;
}

constexpr const char* kCols =
    "p.id::text, p.appointment_id::text, p.payer_id::text, p.organization_id::text, "
    "p.amount_minor, "
    "p.currency, p.status, p.gateway, coalesce(p.gateway_order_id, ''), p.gateway_payment_id, "
    "p.failure_reason, extract(epoch from p.created_at)::bigint, extract(epoch from "
    "p.updated_at)::bigint, "
    "extract(epoch from p.captured_at)::bigint";

v1::RefundStatus RefundStatusOf(const std::string& s) {
  return s == "processed" ? v1::REFUND_STATUS_PROCESSED
         : s == "failed"  ? v1::REFUND_STATUS_FAILED
                          : v1::REFUND_STATUS_PENDING;
}

constexpr const char* kRefundCols =
    "r.id::text, r.payment_id::text, r.amount_minor, r.currency, r.status, r.reason, "
    "r.initiated_by, "
    "r.gateway_refund_id, extract(epoch from r.created_at)::bigint, extract(epoch from "
    "r.processed_at)::bigint";

void ReadRefund(const pqxx::row& r, v1::Refund* out) {
  out->set_id(r[0].as<std::string>());
  out->set_payment_id(r[1].as<std::string>());
  out->mutable_amount()->set_amount_minor(r[2].as<int64_t>());
  out->mutable_amount()->set_currency(r[3].as<std::string>());
  out->set_status(RefundStatusOf(r[4].as<std::string>()));
  out->set_reason(r[5].as<std::string>());
  out->set_initiated_by(r[6].as<std::string>());
  if (!r[7].is_null()) out->set_gateway_refund_id(r[7].as<std::string>());
  out->mutable_created_at()->set_seconds(r[8].as<int64_t>());
  if (!r[9].is_null()) out->mutable_processed_at()->set_seconds(r[9].as<int64_t>());
}

void Read(const pqxx::row& r, v1::Payment* p) {
  p->set_id(r[0].as<std::string>());
  p->set_appointment_id(r[1].as<std::string>());
  p->set_payer_id(r[2].as<std::string>());
  p->set_organization_id(r[3].as<std::string>());
  p->mutable_amount()->set_amount_minor(r[4].as<int64_t>());
  p->mutable_amount()->set_currency(r[5].as<std::string>());
  p->mutable_amount_refunded()->set_amount_minor(0);
  p->mutable_amount_refunded()->set_currency(r[5].as<std::string>());
  p->set_status(StatusOf(r[6].as<std::string>()));
  p->set_gateway(r[7].as<std::string>());
  p->set_gateway_order_id(r[8].as<std::string>());
  if (!r[9].is_null()) p->set_gateway_payment_id(r[9].as<std::string>());
  if (!r[10].is_null()) p->set_failure_reason(r[10].as<std::string>());
  p->mutable_created_at()->set_seconds(r[11].as<int64_t>());
  p->mutable_updated_at()->set_seconds(r[12].as<int64_t>());
  if (!r[13].is_null()) p->mutable_captured_at()->set_seconds(r[13].as<int64_t>());
}

void LoadRefunds(transaction_base& tx, v1::Payment* p) {
  int64_t refunded = 0;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kRefundCols +
               " FROM payment.refunds r WHERE r.payment_id = $1::uuid ORDER BY r.created_at",
           p->id())) {
    ReadRefund(r, p->add_refunds());
    if (r[4].as<std::string>() != "failed") refunded += r[2].as<int64_t>();
  }
  p->mutable_amount_refunded()->set_amount_minor(refunded);
}

// What a payment shows beyond its row: refunds, the refunded total and its invoice. The same
// for GET /v1/payments/{id} and every item of the list.
void LoadDetails(transaction_base& tx, v1::Payment* p) {
  LoadRefunds(tx, p);
  auto inv = tx.exec_params(
      "SELECT id::text FROM payment.invoices WHERE payment_id = $1::uuid AND kind = 'invoice'",
      p->id());
  if (!inv.empty()) p->set_invoice_id(inv[0][0].as<std::string>());
}

using crypto::Sha256Hex;

pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

}  // namespace

PaymentServiceImpl::PaymentServiceImpl(Config config, pg::Pool* pool, Gateway* gateway,
                                       std::shared_ptr<grpc::Channel> iam,
                                       std::shared_ptr<grpc::Channel> appointments,
                                       std::shared_ptr<grpc::Channel> orgs)
    : config_(std::move(config)),
      pool_(pool),
      page_tokens_(config_.internal_token),
      gateway_(gateway),
      authn_(auth::JwksFromIam(iam), config_.jwt_issuer, config_.jwt_audience),
      appointments_(appointment::v1::AppointmentService::NewStub(appointments)),
      orgs_(org::v1::OrgService::NewStub(orgs)),
      iam_(iam::v1::IamService::NewStub(iam)) {}

grpc::Status PaymentServiceImpl::CreatePayment(Ctx* ctx, const v1::CreatePaymentRequest* req,
                                               v1::CreatePaymentResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    if (!validate::ValidUuid(req->appointment_id())) {
      return st::ValidationFailed({{"appointment_id", "must be an appointment id"}});
    }
    if (key.size() > 255) {
      return st::InvalidArgument("VALIDATION_FAILED", "Idempotency-Key is too long.",
                                 {{"Idempotency-Key", "must be at most 255 characters"}});
    }
    std::string request_hash = Sha256Hex("appointment:" + req->appointment_id());
    // The appointment, as the payer sees it (the appointment service checks it is theirs).
    grpc::ClientContext actx;
    actx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    actx.AddMetadata("authorization", grpc_server::Metadata(*ctx, "authorization"));
    actx.AddMetadata("x-request-id", scope.request_id());
    appointment::v1::GetAppointmentRequest areq;
    areq.set_id(req->appointment_id());
    appointment::v1::Appointment appt;
    grpc::Status gs = appointments_->GetAppointment(&actx, areq, &appt);
    if (gs.error_code() == grpc::StatusCode::NOT_FOUND) {
      return st::NotFound("APPOINTMENT_NOT_FOUND",
                          "No appointment with this id is visible to you.");
    }
    if (!gs.ok())
      return st::Unavailable("APPOINTMENTS_UNAVAILABLE",
                             "Appointments are temporarily unavailable.");
    if (appt.patient_id() != caller->sub) {
      return st::PermissionDenied("FORBIDDEN", "Only the patient pays for an appointment.");
    }
    // Reuse: the same key, or the appointment's open payment.
    std::string payment_id;
    bool need_order = false;
    auto s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          if (!key.empty()) {
            auto prior = tx.exec_params(
                "SELECT id::text, request_hash FROM payment.payments WHERE payer_id = "
                "$1::uuid AND idempotency_key = $2",
                caller->sub, key);
            if (!prior.empty()) {
              if (prior[0][1].as<std::string>() != request_hash) {
                return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                                    "This Idempotency-Key was used for a different request.");
              }
              payment_id = prior[0][0].as<std::string>();
              return absl::OkStatus();
            }
          }
          auto open = tx.exec_params(
              "SELECT id::text FROM payment.payments WHERE appointment_id = $1::uuid AND "
              "status IN ('creating', 'created', 'authorized', 'captured')",
              req->appointment_id());
          if (!open.empty()) {
            payment_id = open[0][0].as<std::string>();
            return absl::OkStatus();
          }
          if (appt.status() != appointment::v1::APPOINTMENT_STATUS_PENDING_PAYMENT) {
            return st::Conflict("NOT_PAYABLE", "This appointment is not waiting for a payment.");
          }
          if (appt.fee().amount_minor() <= 0) {
            return st::Conflict("NOT_PAYABLE", "This appointment has no fee to pay.");
          }
          try {
            tx.exec("SAVEPOINT create_payment");
            auto rows = tx.exec_params(
                "INSERT INTO payment.payments (appointment_id, payer_id, organization_id, "
                "amount_minor, "
                "currency, status, gateway, idempotency_key, request_hash) VALUES ($1::uuid, "
                "$2::uuid, "
                "$3::uuid, $4, $5, 'creating', $6, nullif($7, ''), $8) RETURNING id::text",
                req->appointment_id(), caller->sub, appt.organization_id(),
                appt.fee().amount_minor(),
                appt.fee().currency().empty() ? "INR" : appt.fee().currency(), gateway_->name(),
                key, request_hash);
            payment_id = rows[0][0].as<std::string>();
            need_order = true;
          } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() != "23505") throw;
            // A concurrent request created it first: answer with that one.
            tx.exec("ROLLBACK TO SAVEPOINT create_payment");
            auto again = tx.exec_params(
                "SELECT id::text FROM payment.payments WHERE appointment_id = $1::uuid AND "
                "status IN ('creating', 'created', 'authorized', 'captured')",
                req->appointment_id());
            if (again.empty()) return st::Conflict("CONFLICT", "Try again.");
            payment_id = again[0][0].as<std::string>();
          }
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    if (need_order) {
      // Outside any transaction: the gateway call. Exactly one request gets here per
      // appointment (the unique index); a failure removes the row, so nothing half-made stays.
      // The receipt is our payment id: if this process dies between the gateway's answer
      // and the row below, the sweeper finds the order by it (CompleteCreatingOnce).
      auto order = gateway_->CreateOrder(
          appt.fee().amount_minor(), appt.fee().currency().empty() ? "INR" : appt.fee().currency(),
          payment_id);
      absl::Status saved =
          order.ok() ? RecordOrder(payment_id, *order) : ForgetCreating(payment_id);
      if (!saved.ok()) return saved;
      if (!order.ok()) return order.status();
    }
    // Another request may still be creating the order: wait briefly for it.
    for (int i = 0; i < 50; ++i) {
      v1::Payment p;
      std::string status;
      auto r = pg::WithTransaction(
          *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
            auto rows = tx.exec_params(
                std::string("SELECT ") + kCols + " FROM payment.payments p WHERE p.id = $1::uuid",
                payment_id);
            if (rows.empty()) return kNotFound;
            status = rows[0][6].as<std::string>();
            Read(rows[0], &p);
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

grpc::Status PaymentServiceImpl::GetPayment(Ctx* ctx, const v1::GetPaymentRequest* req,
                                            v1::Payment* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->id())) return kNotFound;
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols + " FROM payment.payments p WHERE p.id = $1::uuid",
              req->id());
          if (rows.empty()) return kNotFound;
          Read(rows[0], resp);
          LoadDetails(tx, resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status PaymentServiceImpl::ListPayments(Ctx* ctx, const v1::ListPaymentsRequest* req,
                                              v1::ListPaymentsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!req->appointment_id().empty() && !validate::ValidUuid(req->appointment_id())) {
      return st::ValidationFailed({{"appointment_id", "must be an appointment id"}});
    }
    int limit = paging::Limit(req->limit());
    // Newest first; the page token holds the last item's created_at (µs) and id.
    bool after = false;
    int64_t after_us = 0;
    std::string after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("payments", req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      after = true;
      after_us = *us;
      after_id = (*pos)[1];
    }
    // The API's statuses, as stored ("created" also covers a payment still being created,
    // which lists leave out).
    std::string statuses;
    switch (req->status()) {
      case v1::PAYMENT_STATUS_CREATED:
        statuses = "{created}";
        break;
      case v1::PAYMENT_STATUS_AUTHORIZED:
        statuses = "{authorized}";
        break;
      case v1::PAYMENT_STATUS_CAPTURED:
        statuses = "{captured}";
        break;
      case v1::PAYMENT_STATUS_FAILED:
        statuses = "{failed}";
        break;
      case v1::PAYMENT_STATUS_REFUNDED:
        statuses = "{refunded}";
        break;
      case v1::PAYMENT_STATUS_PARTIALLY_REFUNDED:
        statuses = "{partially_refunded}";
        break;
      default:
        statuses = "{created,authorized,captured,failed,refunded,partially_refunded}";
    }
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols +
                  ", (extract(epoch from p.created_at) * 1000000)::bigint FROM payment.payments p "
                  "WHERE p.status = ANY($1::text[]) AND ($2 = '' OR p.appointment_id = nullif($2, "
                  "'')::uuid) AND (NOT $3::bool OR (p.created_at, p.id) < (timestamptz 'epoch' + "
                  "$4::bigint * interval '1 microsecond', $5::uuid)) ORDER BY p.created_at DESC, "
                  "p.id DESC LIMIT $6",
              statuses, req->appointment_id(), after, after_us, after_id, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            auto* item = resp->add_items();
            Read(rows[i], item);
            LoadDetails(tx, item);
          }
          if (static_cast<int>(rows.size()) > limit) {
            const auto& last = rows[limit - 1];
            resp->set_next_page_token(page_tokens_.Encode(
                "payments", {std::to_string(last[14].as<int64_t>()), last[0].as<std::string>()}));
          }
          return absl::OkStatus();
        });
  });
}

absl::Status PaymentServiceImpl::ApplyCapture(const std::string& order_id,
                                              const std::string& gateway_payment_id,
                                              int64_t amount_minor, const std::string& request_id,
                                              bool* applied) {
  std::string payment_id;
  *applied = false;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        auto rows = tx.exec_params(
            "SELECT id::text, status, amount_minor, currency, payer_id::text, "
            "appointment_id::text, organization_id::text FROM payment.payments WHERE "
            "gateway_order_id = $1 FOR UPDATE",
            order_id);
        if (rows.empty()) return st::NotFound("PAYMENT_NOT_FOUND", "No payment for this order.");
        payment_id = rows[0][0].as<std::string>();
        std::string status = rows[0][1].as<std::string>();
        if (amount_minor != rows[0][2].as<int64_t>()) {
          log::Error("capture_amount_mismatch", {{"payment_id", payment_id}});
          return st::Conflict("AMOUNT_MISMATCH", "The captured amount does not match the order.");
        }
        if (status == "captured" || status == "refunded" || status == "partially_refunded") {
          return absl::OkStatus();  // already applied: a duplicate or an older event
        }
        tx.exec_params(
            "UPDATE payment.payments SET status = 'captured', gateway_payment_id = $2, captured_at "
            "= now(), "
            "failure_reason = NULL, updated_at = now() WHERE id = $1::uuid",
            payment_id, gateway_payment_id);
        tx.exec_params(
            "INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref) "
            "VALUES "
            "($1::uuid, 'captured', $2, $3, $4) ON CONFLICT (kind, gateway_ref) DO NOTHING",
            payment_id, amount_minor, rows[0][3].as<std::string>(), gateway_payment_id);
        nlohmann::json ev = {
            {"payment_id", payment_id},
            {"gateway_payment_id", gateway_payment_id},
            {"payer_id", rows[0][4].as<std::string>()},
            {"appointment_id", rows[0][5].as<std::string>()},
            {"organization_id", rows[0][6].as<std::string>()},
            {"amount",
             {{"amount_minor", amount_minor}, {"currency", rows[0][3].as<std::string>()}}}};
        outbox::Enqueue(tx, "payment", "payment.captured", payment_id, ev.dump());
        *applied = true;
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  log::Debug("capture_recorded", {{"payment_id", payment_id}});
  return Settle(payment_id, request_id);
}

absl::Status PaymentServiceImpl::Settle(const std::string& payment_id,
                                        const std::string& request_id) {
  if (auto inv = IssueDocument(payment_id, ""); !inv.ok()) {
    log::Error("invoice_failed",
               {{"payment_id", payment_id}, {"error", std::string(inv.status().message())}});
  }
  ConfirmAppointment(payment_id, request_id);
  return absl::OkStatus();
}

absl::Status PaymentServiceImpl::RecordOrder(const std::string& payment_id,
                                             const GatewayOrder& order) {
  bool recorded = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    recorded = !tx.exec_params(
                      "UPDATE payment.payments SET status = 'created', gateway_order_id = $2, "
                      "updated_at = now() WHERE id = $1::uuid AND status = 'creating' RETURNING 1",
                      payment_id, order.id)
                    .empty();
    if (recorded) {
      tx.exec_params(
          "INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref) "
          "VALUES ($1::uuid, 'order_created', $2, $3, $4) ON CONFLICT DO NOTHING",
          payment_id, order.amount_minor, order.currency, order.id);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return absl::OkStatus();  // not recorded: the sweeper completed (or dropped) it meanwhile
}

absl::Status PaymentServiceImpl::ForgetCreating(const std::string& payment_id) {
  // No order at the gateway: remove the placeholder, so that a retry (same key or another)
  // starts again rather than waiting for an order that will never exist.
  return pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    tx.exec_params("DELETE FROM payment.payments WHERE id = $1::uuid AND status = 'creating'",
                   payment_id);
    return absl::OkStatus();
  });
}

int PaymentServiceImpl::CompleteCreatingOnce(int min_age_seconds) {
  std::vector<std::string> ids;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r : tx.exec_params(
             "SELECT id::text FROM payment.payments WHERE status = 'creating' AND created_at < "
             "now() - make_interval(secs => $1) ORDER BY created_at LIMIT 50",
             min_age_seconds)) {
      ids.push_back(r[0].as<std::string>());
    }
    return absl::OkStatus();
  }).IgnoreError();
  int done = 0;
  for (const auto& id : ids) {
    auto order = gateway_->FindOrderByReceipt(id);
    if (!order.ok()) break;  // gateway down: next round
    auto s = order->has_value() ? RecordOrder(id, **order) : ForgetCreating(id);
    if (s.ok()) {
      log::Warn("payment_creation_resumed",
                {{"payment_id", id}, {"outcome", order->has_value() ? "completed" : "dropped"}});
      ++done;
    }
  }
  return done;
}

int PaymentServiceImpl::SettleCapturedOnce(int min_age_seconds) {
  std::vector<std::string> ids;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r : tx.exec_params(
             "SELECT id::text FROM payment.payments WHERE status = 'captured' AND settled_at IS "
             "NULL AND captured_at < now() - make_interval(secs => $1) ORDER BY captured_at LIMIT "
             "50",
             min_age_seconds)) {
      ids.push_back(r[0].as<std::string>());
    }
    return absl::OkStatus();
  }).IgnoreError();
  for (const auto& id : ids) {
    log::Warn("capture_settlement_resumed", {{"payment_id", id}});
    Settle(id, "").IgnoreError();
  }
  return static_cast<int>(ids.size());
}

void PaymentServiceImpl::ConfirmAppointment(const std::string& payment_id,
                                            const std::string& request_id) {
  std::string appointment_id;
  bool settled = false;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        auto r = tx.exec_params(
            "SELECT appointment_id::text, settled_at IS NOT NULL FROM payment.payments WHERE id = "
            "$1::uuid",
            payment_id);
        if (!r.empty()) {
          appointment_id = r[0][0].as<std::string>();
          settled = r[0][1].as<bool>();
        }
        return absl::OkStatus();
      });
  if (!s.ok() || appointment_id.empty() || settled) return;
  auto mark_settled = [&] {
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE payment.payments SET settled_at = now() WHERE id = $1::uuid AND settled_at IS "
          "NULL",
          payment_id);
      return absl::OkStatus();
    }).IgnoreError();
  };
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
  appointment::v1::ConfirmPaymentRequest req;
  req.set_appointment_id(appointment_id);
  req.set_payment_id(payment_id);
  appointment::v1::ConfirmPaymentResponse resp;
  grpc::Status gs = appointments_->ConfirmPayment(&ctx, req, &resp);
  if (!gs.ok()) {
    // The capture is recorded; the webhook's retry (or the client's verify) confirms later.
    log::Error("confirm_appointment_failed",
               {{"payment_id", payment_id}, {"code", static_cast<int>(gs.error_code())}});
    return;
  }
  if (resp.outcome() == appointment::v1::CONFIRM_PAYMENT_OUTCOME_NOT_CONFIRMABLE) {
    // Captured after the hold expired (or the appointment was cancelled): give it back.
    log::Warn("capture_not_confirmable",
              {{"payment_id", payment_id}, {"appointment_id", appointment_id}});
    auto r = Refund(payment_id, 0, "captured after the booking hold expired", "system", "",
                    "late-capture:" + payment_id, pg::Subject::System());
    if (!r.ok()) {
      log::Error("late_capture_refund_failed", {{"payment_id", payment_id}});
      return;  // the sweeper tries again (the refund's key makes that safe)
    }
  }
  mark_settled();
}

grpc::Status PaymentServiceImpl::VerifyPayment(Ctx* ctx, const v1::VerifyPaymentRequest* req,
                                               v1::Payment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->payment_id())) return kNotFound;
    std::string order_id;
    auto s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT coalesce(gateway_order_id, '') FROM payment.payments WHERE id = $1::uuid",
              req->payment_id());
          if (rows.empty()) return kNotFound;
          order_id = rows[0][0].as<std::string>();
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
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols + " FROM payment.payments p WHERE p.id = $1::uuid",
              req->payment_id());
          if (rows.empty()) return kNotFound;
          Read(rows[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status PaymentServiceImpl::HandleGatewayWebhook(Ctx* ctx,
                                                      const v1::HandleGatewayWebhookRequest* req,
                                                      v1::HandleGatewayWebhookResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->gateway() != gateway_->name()) {
      return st::NotFound("GATEWAY_NOT_FOUND", "No such payment gateway.");
    }
    if (!gateway_->VerifyWebhookSignature(req->raw_body(), req->signature())) {
      return st::Unauthenticated("WEBHOOK_SIGNATURE_INVALID",
                                 "The webhook signature is missing or wrong.");
    }
    auto j = nlohmann::json::parse(req->raw_body(), nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j.contains("event")) {
      return st::InvalidArgument("VALIDATION_FAILED", "Not a gateway event.", {});
    }
    std::string event_id = j["id"].get<std::string>(), type = j["event"].get<std::string>();
    resp->set_event_id(event_id);
    nlohmann::json entity = j.contains("payload") && j["payload"].contains("payment")
                                ? j["payload"]["payment"].value("entity", nlohmann::json::object())
                                : nlohmann::json::object();
    std::string order_id = entity.value("order_id", ""),
                gateway_payment_id = entity.value("id", "");
    bool seen = false;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          // A duplicate is an event processed before; one whose processing was cut short (a
          // crash) is applied again: every step below is idempotent.
          tx.exec_params(
              "INSERT INTO payment.webhook_events (event_id, gateway, event_type, payment_ref, "
              "applied) VALUES ($1, $2, $3, $4, false) ON CONFLICT (event_id) DO NOTHING",
              event_id, req->gateway(), type, gateway_payment_id);
          seen = !tx.exec_params(
                        "SELECT 1 FROM payment.webhook_events WHERE event_id = $1 AND "
                        "processed_at IS NOT NULL",
                        event_id)
                      .empty();
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    if (seen) {
      resp->set_applied(false);  // the same event twice changes state once
      return absl::OkStatus();
    }
    bool applied = false;
    // If applying fails, forget the event so that the gateway's retry applies it.
    auto forget = [&] {
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
        tx.exec_params("DELETE FROM payment.webhook_events WHERE event_id = $1", event_id);
        return absl::OkStatus();
      }).IgnoreError();
    };
    if (type == "payment.captured" && !order_id.empty()) {
      if (auto a = ApplyCapture(order_id, gateway_payment_id, entity.value("amount", int64_t{0}),
                                scope.request_id(), &applied);
          !a.ok() && a.code() != absl::StatusCode::kNotFound) {
        forget();
        return a;
      }
    } else if (type == "refund.processed") {
      nlohmann::json refund = j["payload"].contains("refund")
                                  ? j["payload"]["refund"].value("entity", nlohmann::json::object())
                                  : nlohmann::json::object();
      std::string settled_refund, settled_payment;
      auto f = pg::WithTransaction(
          *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
            auto r = tx.exec_params(
                "UPDATE payment.refunds SET status = 'processed', processed_at = now() WHERE "
                "gateway_refund_id = $1 AND status = 'pending' RETURNING id::text, "
                "payment_id::text, amount_minor, currency, initiated_by",
                refund.value("id", ""));
            applied = !r.empty();
            if (applied) {
              settled_refund = r[0][0].as<std::string>();
              settled_payment = r[0][1].as<std::string>();
              RecordRefundProcessed(tx, settled_refund, settled_payment, r[0][2].as<int64_t>(),
                                    r[0][3].as<std::string>(), refund.value("id", ""),
                                    r[0][4].as<std::string>());
            }
            return absl::OkStatus();
          });
      if (!f.ok()) {
        forget();
        return f;
      }
      if (!settled_refund.empty()) {
        if (auto cn = IssueDocument(settled_payment, settled_refund); !cn.ok()) {
          log::Error("credit_note_failed", {{"refund_id", settled_refund},
                                            {"error", std::string(cn.status().message())}});
        }
      }
    } else if (type == "payment.failed" && !order_id.empty()) {
      auto f = pg::WithTransaction(
          *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
            // An older failure never overwrites a capture.
            auto r = tx.exec_params(
                "UPDATE payment.payments SET status = 'failed', failure_reason = $2, updated_at = "
                "now() WHERE gateway_order_id = $1 AND status IN ('created', 'authorized') "
                "RETURNING "
                "id::text",
                order_id, entity.value("error_description", "declined"));
            applied = !r.empty();
            if (applied) {
              nlohmann::json ev = {{"payment_id", r[0][0].as<std::string>()},
                                   {"gateway_payment_id", gateway_payment_id}};
              outbox::Enqueue(tx, "payment", "payment.failed", r[0][0].as<std::string>(),
                              ev.dump());
            }
            return absl::OkStatus();
          });
      if (!f.ok()) {
        forget();
        return f;
      }
    }
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE payment.webhook_events SET applied = applied OR $2, processed_at = now() WHERE "
          "event_id = $1",
          event_id, applied);
      return absl::OkStatus();
    }).IgnoreError();
    resp->set_applied(applied);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Refund> PaymentServiceImpl::Refund(
    const std::string& payment_id, int64_t amount_minor, const std::string& reason,
    const std::string& initiated_by, const std::string& user_id, const std::string& key,
    const pg::Subject& subject) {
  std::string request_hash =
      Sha256Hex(payment_id + "|" + std::to_string(amount_minor) + "|" + reason);
  std::string refund_id, gateway_payment_id, currency;
  int64_t amount = amount_minor;
  bool replay = false;
  auto s = pg::WithTransaction(*pool_, subject, [&](transaction_base& tx) -> absl::Status {
    // Serialize refunds of one payment: the total can never pass the captured amount.
    auto rows = tx.exec_params(
        "SELECT status, amount_minor, currency, coalesce(gateway_payment_id, '') FROM "
        "payment.payments WHERE id = $1::uuid FOR UPDATE",
        payment_id);
    if (rows.empty()) return kNotFound;
    if (!key.empty()) {
      auto prior = tx.exec_params(
          "SELECT id::text, request_hash FROM payment.refunds WHERE payment_id = $1::uuid "
          "AND idempotency_key = $2",
          payment_id, key);
      if (!prior.empty()) {
        if (prior[0][1].as<std::string>() != request_hash) {
          return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                              "This Idempotency-Key was used for a different refund.");
        }
        refund_id = prior[0][0].as<std::string>();
        replay = true;
        return absl::OkStatus();
      }
    }
    std::string status = rows[0][0].as<std::string>();
    if (status != "captured" && status != "partially_refunded") {
      return st::Conflict("NOT_REFUNDABLE", "Only a captured payment can be refunded.");
    }
    int64_t captured = rows[0][1].as<int64_t>();
    currency = rows[0][2].as<std::string>();
    gateway_payment_id = rows[0][3].as<std::string>();
    int64_t already =
        tx.exec_params(
              "SELECT coalesce(sum(amount_minor), 0)::bigint FROM payment.refunds WHERE "
              "payment_id = $1::uuid AND status <> 'failed'",
              payment_id)[0][0]
            .as<int64_t>();
    if (amount == 0) amount = captured - already;
    if (amount <= 0 || already + amount > captured) {
      return st::InvalidArgument(
          "REFUND_EXCEEDS_CAPTURED", "Refunds cannot exceed the captured amount.",
          {{"amount", "at most " + std::to_string(captured - already) + " can be refunded"}});
    }
    auto r = tx.exec_params(
        "INSERT INTO payment.refunds (payment_id, amount_minor, currency, status, reason, "
        "initiated_by, "
        "initiated_by_user, idempotency_key, request_hash) VALUES ($1::uuid, $2, $3, 'pending', "
        "$4, $5, "
        "nullif($6, '')::uuid, nullif($7, ''), $8) RETURNING id::text",
        payment_id, amount, currency, reason, initiated_by, user_id, key, request_hash);
    refund_id = r[0][0].as<std::string>();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!replay) {
    auto g = gateway_->CreateRefund(gateway_payment_id, amount);
    auto u = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          if (!g.ok()) {
            tx.exec_params("UPDATE payment.refunds SET status = 'failed' WHERE id = $1::uuid",
                           refund_id);
            return absl::OkStatus();
          }
          tx.exec_params(
              "UPDATE payment.refunds SET gateway_refund_id = $2, status = CASE WHEN $3 = "
              "'processed' THEN "
              "'processed' ELSE status END, processed_at = CASE WHEN $3 = 'processed' THEN now() "
              "END WHERE "
              "id = $1::uuid",
              refund_id, g->first, g->second);
          if (g->second == "processed") {
            RecordRefundProcessed(tx, refund_id, payment_id, amount, currency, g->first,
                                  initiated_by);
          }
          return absl::OkStatus();
        });
    if (!u.ok()) return u;
    if (!g.ok()) return g.status();
    if (g->second == "processed") {
      if (auto cn = IssueDocument(payment_id, refund_id); !cn.ok()) {
        log::Error("credit_note_failed",
                   {{"refund_id", refund_id}, {"error", std::string(cn.status().message())}});
      }
    }
  }
  v1::Refund out;
  auto rd =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        auto rows = tx.exec_params(
            std::string("SELECT ") + kRefundCols + " FROM payment.refunds r WHERE r.id = $1::uuid",
            refund_id);
        if (rows.empty()) return kNotFound;
        ReadRefund(rows[0], &out);
        return absl::OkStatus();
      });
  if (!rd.ok()) return rd;
  return out;
}

grpc::Status PaymentServiceImpl::CreateRefund(Ctx* ctx, const v1::CreateRefundRequest* req,
                                              v1::Refund* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->payment_id())) return kNotFound;
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    if (req->has_amount() && req->amount().amount_minor() <= 0) {
      return st::ValidationFailed({{"amount.amount_minor", "must be positive"}});
    }
    if (validate::CodePoints(req->reason()) > 500) {
      return st::ValidationFailed({{"reason", "must be at most 500 characters"}});
    }
    // Who: platform admins, or admins of the selling organization.
    std::string org_id;
    auto s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT organization_id::text FROM payment.payments WHERE id = $1::uuid",
              req->payment_id());
          if (rows.empty()) return kNotFound;
          org_id = rows[0][0].as<std::string>();
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    bool platform = caller->HasRole("platform_admin");
    if (!platform && !caller->HasRole("org_admin:" + org_id)) {
      return st::PermissionDenied("FORBIDDEN",
                                  "Only the organization's admins or platform admins refund.");
    }
    auto r = Refund(req->payment_id(), req->has_amount() ? req->amount().amount_minor() : 0,
                    req->reason(), platform ? "platform_admin" : "org_admin", caller->sub, key,
                    pg::Subject::System());
    if (!r.ok()) return r.status();
    *resp = *r;
    return absl::OkStatus();
  });
}

int PaymentServiceImpl::SyncPendingOnce(int min_age_seconds) {
  std::vector<std::string> orders;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r : tx.exec_params(
             "SELECT gateway_order_id FROM payment.payments WHERE status IN ('created', "
             "'authorized') AND gateway_order_id IS NOT NULL AND updated_at < now() - "
             "make_interval(secs => $1) AND created_at > now() - interval '2 days' ORDER BY "
             "updated_at LIMIT 50",
             min_age_seconds)) {
      orders.push_back(r[0].as<std::string>());
    }
    return absl::OkStatus();
  }).IgnoreError();
  int applied = 0;
  for (const auto& order : orders) {
    auto payments = gateway_->OrderPayments(order);
    if (!payments.ok()) break;  // gateway down: try again next round
    for (const auto& p : *payments) {
      if (p.status != "captured") continue;
      bool done = false;
      if (ApplyCapture(order, p.id, p.amount_minor, "", &done).ok() && done) {
        log::Info("capture_recovered_by_sync", {{"order_id", order}});
        ++applied;
      }
    }
    // Looked at now: wait min_age_seconds before asking again about this one.
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE payment.payments SET updated_at = now() WHERE gateway_order_id = $1 AND status "
          "IN "
          "('created', 'authorized')",
          order);
      return absl::OkStatus();
    }).IgnoreError();
  }
  return applied;
}

int PaymentServiceImpl::Reconcile(std::FILE* out) {
  struct Row {
    std::string id, order, currency;
    int64_t captured, refunded;
  };
  std::vector<Row> rows;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        for (const auto& r : tx.exec(
                 "SELECT p.id::text, p.gateway_order_id, p.currency, coalesce((SELECT "
                 "sum(amount_minor) FROM "
                 "payment.ledger l WHERE l.payment_id = p.id AND l.kind = 'captured'), 0)::bigint, "
                 "coalesce((SELECT -sum(amount_minor) FROM payment.ledger l WHERE l.payment_id = "
                 "p.id AND l.kind = "
                 "'refunded'), 0)::bigint FROM payment.payments p WHERE p.gateway_order_id IS NOT "
                 "NULL ORDER BY "
                 "p.created_at")) {
          rows.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].as<int64_t>(), r[4].as<int64_t>()});
        }
        return absl::OkStatus();
      });
  if (!s.ok()) {
    std::fprintf(out, "cannot read the ledger: %s\n", std::string(s.message()).c_str());
    return -1;
  }
  int differences = 0;
  for (const auto& row : rows) {
    auto payments = gateway_->OrderPayments(row.order);
    if (!payments.ok()) {
      std::fprintf(out, "cannot read order %s from the gateway\n", row.order.c_str());
      return -1;
    }
    int64_t captured = 0, refunded = 0;
    for (const auto& p : *payments) {
      if (p.status == "captured" || p.status == "refunded") captured += p.amount_minor;
      refunded += p.amount_refunded;
    }
    if (captured != row.captured || refunded != row.refunded) {
      ++differences;
      std::fprintf(out,
                   "DIFFERENCE payment %s order %s: gateway captured %lld refunded %lld, ledger "
                   "captured %lld refunded %lld %s\n",
                   row.id.c_str(), row.order.c_str(), static_cast<long long>(captured),
                   static_cast<long long>(refunded), static_cast<long long>(row.captured),
                   static_cast<long long>(row.refunded), row.currency.c_str());
    }
  }
  // Steps a crash left half done, older than any request still working on them.
  struct Stuck {
    std::string id, kind, appointment;
  };
  std::vector<Stuck> stuck;
  auto st = pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r : tx.exec(
             "SELECT id::text, CASE WHEN status = 'creating' THEN 'creating' ELSE 'unsettled' END, "
             "appointment_id::text FROM payment.payments WHERE (status = 'creating' AND "
             "created_at < now() - interval '30 seconds') OR (status = 'captured' AND settled_at "
             "IS NULL AND captured_at < now() - interval '30 seconds') ORDER BY created_at")) {
      stuck.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
    }
    return absl::OkStatus();
  });
  if (!st.ok()) {
    std::fprintf(out, "cannot read the payments: %s\n", std::string(st.message()).c_str());
    return -1;
  }
  for (const auto& s : stuck) {
    ++differences;
    if (s.kind == "creating") {
      std::fprintf(out, "STUCK payment %s has been 'creating' for over 30 s (no order recorded)\n",
                   s.id.c_str());
    } else {
      std::fprintf(out,
                   "UNSETTLED payment %s is captured but appointment %s was never confirmed "
                   "(nor the capture refunded)\n",
                   s.id.c_str(), s.appointment.c_str());
    }
  }
  std::fprintf(out,
               "reconciled %zu payment(s) with the gateway: %d difference(s) (%zu stuck or "
               "unsettled)\n",
               rows.size(), differences, stuck.size());
  return differences;
}

int PaymentServiceImpl::ConsumeAppointmentEventsOnce(redis::Client& redis,
                                                     const std::string& consumer,
                                                     int claim_idle_ms) {
  const std::string stream = "healthtech:events:appointment", group = "payment-service";
  (void)redis.Command(
      {"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});  // BUSYGROUP when it exists
  (void)redis.Command(
      {"XAUTOCLAIM", stream, group, consumer, std::to_string(claim_idle_ms), "0-0", "COUNT", "50"});
  redis::RemoveGoneConsumers(redis, stream, group, consumer);
  auto r = redis.Command(
      {"XREADGROUP", "GROUP", group, consumer, "COUNT", "50", "STREAMS", stream, "0"});
  // First our own pending (unacknowledged) entries, then new ones.
  if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.empty() ||
      r->elements[0].elements.size() < 2 || r->elements[0].elements[1].elements.empty()) {
    r = redis.Command(
        {"XREADGROUP", "GROUP", group, consumer, "COUNT", "50", "STREAMS", stream, ">"});
  }
  if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.empty()) return 0;
  int handled = 0;
  for (const auto& entry : r->elements[0].elements[1].elements) {
    if (entry.elements.size() < 2) continue;
    std::string entry_id = entry.elements[0].str, id, type, payload;
    const auto& f = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      if (f[i].str == "id") id = f[i + 1].str;
      if (f[i].str == "type") type = f[i + 1].str;
      if (f[i].str == "payload") payload = f[i + 1].str;
    }
    bool ok = true;
    if (type == "appointment.cancelled" && !id.empty()) {
      auto j = nlohmann::json::parse(payload, nullptr, false);
      bool first_time = false;
      auto s = pg::WithTransaction(
          *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
            first_time =
                !tx.exec_params(
                       "INSERT INTO payment.consumed_events (event_id, event_type) VALUES ($1, $2) "
                       "ON CONFLICT DO NOTHING RETURNING 1",
                       id, type)
                     .empty();
            return absl::OkStatus();
          });
      ok = s.ok();
      // Cancellation policy: the clinic cancelling, or the patient before the cut-off,
      // gets the whole fee back; a patient after the cut-off gets the organization's
      // late_cancellation_refund_percent (0 unless the organization set it).
      bool full = j.is_object() && (j.value("cancelled_by_role", "") != "patient" ||
                                    j.value("before_cutoff", false));
      int percent = full ? 100 : 0;
      if (ok && first_time && !full && j.is_object()) {
        grpc::ClientContext octx;
        octx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        org::v1::GetOrganizationRequest oreq;
        oreq.set_id(j.value("organization_id", ""));
        org::v1::Organization org;
        if (orgs_->GetOrganization(&octx, oreq, &org).ok())
          percent = org.late_cancellation_refund_percent();
      }
      if (ok && first_time && percent > 0) {
        std::string payment_id;
        pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
          auto p = tx.exec_params(
              "SELECT id::text FROM payment.payments WHERE appointment_id = $1::uuid AND status IN "
              "('captured', 'partially_refunded')",
              j.value("appointment_id", ""));
          if (!p.empty()) payment_id = p[0][0].as<std::string>();
          return absl::OkStatus();
        }).IgnoreError();
        int64_t amount = 0;  // 0 = everything that remains
        if (!payment_id.empty() && percent < 100) {
          pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
            auto a = tx.exec_params("SELECT amount_minor FROM payment.payments WHERE id = $1::uuid",
                                    payment_id);
            if (!a.empty()) amount = a[0][0].as<int64_t>() * percent / 100;
            return absl::OkStatus();
          }).IgnoreError();
        }
        if (!payment_id.empty() && (percent == 100 || amount > 0)) {
          auto rf = Refund(payment_id, amount,
                           percent == 100 ? "appointment cancelled"
                                          : "late cancellation (" + std::to_string(percent) + "%)",
                           "system", "", "cancel:" + id, pg::Subject::System());
          if (!rf.ok() && rf.status().code() == absl::StatusCode::kUnavailable) {
            // Retry later: forget we consumed it and leave the entry unacknowledged.
            pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
              tx.exec_params("DELETE FROM payment.consumed_events WHERE event_id = $1", id);
              return absl::OkStatus();
            }).IgnoreError();
            ok = false;
          }
        }
      }
    }
    if (ok) {
      (void)redis.Command({"XACK", stream, group, entry_id});
      ++handled;
    }
  }
  return handled;
}

absl::StatusOr<std::string> PaymentServiceImpl::IssueDocument(const std::string& payment_id,
                                                              const std::string& refund_id) {
  bool credit = !refund_id.empty();
  // Already issued?
  std::string existing, appointment_id, payer_id, org_id, currency, original;
  int64_t amount = 0;
  int64_t issued_at = 0;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        auto e = credit ? tx.exec_params(
                              "SELECT id::text FROM payment.invoices WHERE refund_id = $1::uuid",
                              refund_id)
                        : tx.exec_params(
                              "SELECT id::text FROM payment.invoices WHERE payment_id = $1::uuid "
                              "AND kind = "
                              "'invoice'",
                              payment_id);
        if (!e.empty()) existing = e[0][0].as<std::string>();
        auto p = tx.exec_params(
            "SELECT appointment_id::text, payer_id::text, organization_id::text, amount_minor, "
            "currency, extract(epoch from coalesce(captured_at, now()))::bigint FROM "
            "payment.payments WHERE id = $1::uuid",
            payment_id);
        if (p.empty()) return kNotFound;
        appointment_id = p[0][0].as<std::string>();
        payer_id = p[0][1].as<std::string>();
        org_id = p[0][2].as<std::string>();
        amount = p[0][3].as<int64_t>();
        currency = p[0][4].as<std::string>();
        issued_at = p[0][5].as<int64_t>();
        if (credit) {
          auto r = tx.exec_params(
              "SELECT amount_minor, extract(epoch from coalesce(processed_at, now()))::bigint FROM "
              "payment.refunds WHERE id = $1::uuid",
              refund_id);
          if (r.empty()) return kNotFound;
          amount = r[0][0].as<int64_t>();
          issued_at = r[0][1].as<int64_t>();
          auto o = tx.exec_params(
              "SELECT id::text FROM payment.invoices WHERE payment_id = $1::uuid AND kind = "
              "'invoice'",
              payment_id);
          if (!o.empty()) original = o[0][0].as<std::string>();
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (!existing.empty()) return existing;

  v1::Invoice inv;
  inv.set_kind(credit ? v1::INVOICE_KIND_CREDIT_NOTE : v1::INVOICE_KIND_INVOICE);
  inv.set_payment_id(payment_id);
  inv.set_appointment_id(appointment_id);
  if (credit) inv.set_refund_id(refund_id);
  if (!original.empty()) inv.set_original_invoice_id(original);
  inv.mutable_issued_at()->set_seconds(issued_at);
  // Seller: the (verified, hence public) organization.
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    org::v1::GetOrganizationRequest req;
    req.set_id(org_id);
    org::v1::Organization org;
    grpc::Status gs = orgs_->GetOrganization(&ctx, req, &org);
    if (!gs.ok()) return st::Unavailable("ORG_UNAVAILABLE", "Seller details are unavailable.");
    auto* seller = inv.mutable_seller();
    seller->set_id(org.id());
    seller->set_name(org.legal_name());
    if (org.has_gstin()) seller->set_gstin(org.gstin());
    *seller->mutable_address() = org.address();
    seller->set_email(org.contact_email());
    inv.set_place_of_supply(org.address().state());
  }
  // Buyer: the patient.
  {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token);
    iam::v1::LookupUsersRequest req;
    req.add_user_ids(payer_id);
    iam::v1::LookupUsersResponse resp;
    grpc::Status gs = iam_->LookupUsers(&ctx, req, &resp);
    if (!gs.ok() || resp.users().empty())
      return st::Unavailable("IAM_UNAVAILABLE", "Buyer details are unavailable.");
    inv.mutable_buyer()->set_id(payer_id);
    inv.mutable_buyer()->set_name(resp.users(0).full_name());
    inv.mutable_buyer()->set_email(resp.users(0).email());
  }
  auto* li = inv.add_line_items();
  li->set_description(std::string(credit ? "Refund of medical consultation, appointment "
                                         : "Medical consultation, appointment ") +
                      appointment_id.substr(0, 8));
  li->set_sac_code("9993");  // human health services
  li->set_quantity(1);
  li->mutable_unit_price()->set_amount_minor(amount);
  li->mutable_unit_price()->set_currency(currency);
  // Consultations are supplied at the clinic: the place of supply is the seller's state.
  ComputeTotals(&inv, config_.gst_rate_bps, /*same_state=*/true);
  std::string id;
  s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
    std::string fy = FiscalYear(issued_at), kind = credit ? "credit_note" : "invoice";
    // Gapless: the counter row stays locked until this transaction ends.
    int seq =
        tx.exec_params(
              "INSERT INTO payment.document_counters (organization_id, kind, fiscal_year, "
              "last_number) "
              "VALUES ($1::uuid, $2, $3, 1) ON CONFLICT (organization_id, kind, fiscal_year) DO "
              "UPDATE "
              "SET last_number = payment.document_counters.last_number + 1 RETURNING last_number",
              org_id, kind, fy)[0][0]
            .as<int>();
    inv.set_number(DocumentNumber(credit, fy, seq));
    id = tx.exec("SELECT gen_random_uuid()::text")[0][0].as<std::string>();
    inv.set_id(id);
    // Issued documents are immutable: written once, complete.
    auto r = tx.exec_params(
        "INSERT INTO payment.invoices (id, kind, organization_id, fiscal_year, seq, number, "
        "payment_id, refund_id, document) VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7::uuid, "
        "nullif($8, '')::uuid, $9) ON CONFLICT DO NOTHING RETURNING id::text",
        id, kind, org_id, fy, seq, inv.number(), payment_id, refund_id,
        pqxx::binarystring(inv.SerializeAsString()));
    if (r.empty()) {
      // Someone issued it concurrently: roll back our number, keep theirs.
      return st::Conflict("ALREADY_ISSUED", "issued concurrently");
    }
    nlohmann::json ev = {
        {"invoice_id", id},
        {"number", inv.number()},
        {"kind", kind},
        {"payment_id", payment_id},
        {"payer_id", payer_id},
        {"organization_id", org_id},
        {"total", {{"amount_minor", inv.total().amount_minor()}, {"currency", currency}}}};
    outbox::Enqueue(tx, "payment", "invoice.issued", id, ev.dump());
    return absl::OkStatus();
  });
  if (s.code() == absl::StatusCode::kAborted) {
    // Issued concurrently by another request: return that one (never loop).
    std::string found;
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      auto e =
          credit
              ? tx.exec_params("SELECT id::text FROM payment.invoices WHERE refund_id = $1::uuid",
                               refund_id)
              : tx.exec_params(
                    "SELECT id::text FROM payment.invoices WHERE payment_id = $1::uuid AND kind = "
                    "'invoice'",
                    payment_id);
      if (!e.empty()) found = e[0][0].as<std::string>();
      return absl::OkStatus();
    }).IgnoreError();
    if (found.empty()) return st::Internal("invoice could not be issued");
    return found;
  }
  if (!s.ok()) return s;
  return id;
}

absl::StatusOr<v1::Invoice> PaymentServiceImpl::LoadInvoice(const std::string& id,
                                                            const grpc::ServerContext& ctx) {
  const absl::Status not_found =
      st::NotFound("INVOICE_NOT_FOUND", "No invoice with this id is visible to you.");
  auto caller = authn_.Authenticate(ctx);
  if (!caller.ok()) return caller.status();
  if (!validate::ValidUuid(id)) return not_found;
  v1::Invoice inv;
  auto s =
      pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
        // Visible when its payment is (payer, seller's admins, platform admins: RLS).
        auto r = tx.exec_params(
            "SELECT i.document FROM payment.invoices i JOIN payment.payments p ON p.id = "
            "i.payment_id "
            "WHERE i.id = $1::uuid",
            id);
        if (r.empty()) return not_found;
        inv.ParseFromString(pqxx::binarystring(r[0][0]).str());
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return inv;
}

grpc::Status PaymentServiceImpl::GetInvoice(Ctx* ctx, const v1::GetInvoiceRequest* req,
                                            v1::Invoice* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto inv = LoadInvoice(req->id(), *ctx);
    if (!inv.ok()) return inv.status();
    *resp = *inv;
    return absl::OkStatus();
  });
}

grpc::Status PaymentServiceImpl::GetInvoicePdf(Ctx* ctx, const v1::GetInvoicePdfRequest* req,
                                               v1::GetInvoicePdfResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto inv = LoadInvoice(req->id(), *ctx);
    if (!inv.ok()) return inv.status();
    resp->set_pdf(RenderPdf(*inv));
    resp->set_content_type("application/pdf");
    std::string name = inv->number();
    for (auto& c : name)
      if (c == '/') c = '-';
    resp->set_filename(name + ".pdf");
    return absl::OkStatus();
  });
}

}  // namespace healthtech::payment
