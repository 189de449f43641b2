#pragma once
// The only code of payment-service that runs SQL. Every statement is a file of sql/,
// embedded at build time and prepared by name on each connection; results come back as
// structs with named fields, read from columns by name. Transactions are opened by the
// handlers (pg::WithTransaction); these functions run inside them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::payment::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// An event for the outbox (schema "payment"), in this transaction.
void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json);

// ------------------------------------------------------------------ payments

struct Payment {
  std::string id, appointment_id, payer_id, organization_id;
  int64_t amount_minor = 0;
  std::string currency, status, gateway;
  std::string gateway_order_id;  // "" before the order is made
  std::optional<std::string> gateway_payment_id, failure_reason;
  int64_t created_at = 0, updated_at = 0;  // epoch seconds
  std::optional<int64_t> captured_at;
  int64_t created_us = 0;  // lists only: created_at in microseconds (page tokens)
};

// A payment the caller may see (row-level security).
std::optional<Payment> FindPayment(Tx& tx, const std::string& id);

struct ListQuery {
  std::string statuses;        // a text[] literal: "{created,captured}"
  std::string appointment_id;  // "" for any
  bool after = false;          // keyset: only rows before (after_us, after_id)
  int64_t after_us = 0;
  std::string after_id;
  int limit = 20;
};
// Newest first.
std::vector<Payment> ListPayments(Tx& tx, const ListQuery& q);

// An earlier request under the same Idempotency-Key: its row id and request hash.
struct PriorRequest {
  std::string id, request_hash;
};
std::optional<PriorRequest> PaymentByKey(Tx& tx, const std::string& payer_id,
                                         const std::string& key);
// The appointment's open payment (creating, created, authorized or captured), if any.
std::optional<std::string> OpenPayment(Tx& tx, const std::string& appointment_id);

struct NewPayment {
  std::string appointment_id, payer_id, organization_id;
  int64_t amount_minor = 0;
  std::string currency, gateway, idempotency_key, request_hash;
  // The visit, for the invoice's line (empty: a generic line).
  std::string practitioner_name, practitioner_specialty, timezone, place;
  int64_t start_seconds = 0;
};
// Inserts the payment as 'creating' behind a savepoint and returns its id; nullopt when
// a unique index refused it (a concurrent request created it first): the savepoint is
// then rolled back and the transaction goes on. Other database errors are thrown.
std::optional<std::string> InsertPayment(Tx& tx, const NewPayment& p);

// creating -> created with the gateway's order; false if it was no longer 'creating'.
bool RecordOrder(Tx& tx, const std::string& payment_id, const std::string& order_id);
// Removes a payment still 'creating'.
void ForgetCreating(Tx& tx, const std::string& payment_id);
// Payments 'creating' for over `min_age_seconds` (at most 50, oldest first).
std::vector<std::string> StaleCreating(Tx& tx, int min_age_seconds);
// Captures never settled, captured over `min_age_seconds` ago (at most 50, oldest first).
std::vector<std::string> UnsettledCaptures(Tx& tx, int min_age_seconds);

// The payment of a gateway order, locked for the capture.
struct OrderPayment {
  std::string id, status;
  int64_t amount_minor = 0;
  std::string currency, payer_id, appointment_id, organization_id;
};
std::optional<OrderPayment> LockByOrder(Tx& tx, const std::string& order_id);
void MarkCaptured(Tx& tx, const std::string& payment_id, const std::string& gateway_payment_id);

struct Settlement {
  std::string appointment_id;
  bool settled = false;
};
std::optional<Settlement> SettlementOf(Tx& tx, const std::string& payment_id);
void MarkSettled(Tx& tx, const std::string& payment_id);

// The payment's gateway order id ("" before the order is made).
std::optional<std::string> OrderIdOf(Tx& tx, const std::string& payment_id);
// created/authorized -> failed; the payment's id, if one changed.
std::optional<std::string> MarkFailed(Tx& tx, const std::string& order_id,
                                      const std::string& reason);
// Orders still waiting for a capture, untouched for `min_age_seconds` (at most 50).
std::vector<std::string> PendingOrders(Tx& tx, int min_age_seconds);
void TouchOrder(Tx& tx, const std::string& order_id);
std::optional<std::string> OrganizationOf(Tx& tx, const std::string& payment_id);

// The payment locked for a refund.
struct RefundablePayment {
  std::string status;
  int64_t amount_minor = 0;
  std::string currency, gateway_payment_id;
};
std::optional<RefundablePayment> LockForRefund(Tx& tx, const std::string& payment_id);
// Sets refunded / partially_refunded from the processed refunds; returns the payer's id.
std::string UpdateRefundedStatus(Tx& tx, const std::string& payment_id);
// The appointment's captured (or partially refunded) payment, if any.
std::optional<std::string> CapturedPaymentOf(Tx& tx, const std::string& appointment_id);
std::optional<int64_t> AmountOf(Tx& tx, const std::string& payment_id);

// ------------------------------------------------------------------ ledger

void LedgerOrderCreated(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                        const std::string& currency, const std::string& order_id);
void LedgerCaptured(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                    const std::string& currency, const std::string& gateway_payment_id);
// `amount_minor` is stored as given (negative for money going back).
void LedgerRefunded(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                    const std::string& currency, const std::string& gateway_refund_id);

// ------------------------------------------------------------------ refunds

struct Refund {
  std::string id, payment_id;
  int64_t amount_minor = 0;
  std::string currency, status, reason, initiated_by;
  std::optional<std::string> gateway_refund_id;
  int64_t created_at = 0;
  std::optional<int64_t> processed_at;
};
// A payment's refunds, oldest first.
std::vector<Refund> RefundsOf(Tx& tx, const std::string& payment_id);
std::optional<Refund> FindRefund(Tx& tx, const std::string& id);
std::optional<PriorRequest> RefundByKey(Tx& tx, const std::string& payment_id,
                                        const std::string& key);
// The sum of the payment's refunds that have not failed.
int64_t RefundedTotal(Tx& tx, const std::string& payment_id);

struct NewRefund {
  std::string payment_id;
  int64_t amount_minor = 0;
  std::string currency, reason, initiated_by;
  std::string user_id;  // "" for none
  std::string idempotency_key, request_hash;
};
// Inserts it as 'pending'; returns its id.
std::string InsertRefund(Tx& tx, const NewRefund& r);
void MarkRefundFailed(Tx& tx, const std::string& id);
// The gateway's answer: its refund id, and 'processed' now or later.
void RecordGatewayRefund(Tx& tx, const std::string& id, const std::string& gateway_refund_id,
                         const std::string& gateway_status);

// A pending refund the gateway reports processed, now marked processed.
struct ProcessedRefund {
  std::string id, payment_id;
  int64_t amount_minor = 0;
  std::string currency, initiated_by;
};
std::optional<ProcessedRefund> ProcessByGatewayId(Tx& tx, const std::string& gateway_refund_id);

// ------------------------------------------------------------------ invoices

// What a document is issued from: the payment (and the refund, for a credit note).
struct PaymentForDocument {
  std::string appointment_id, payer_id, organization_id;
  int64_t amount_minor = 0;
  std::string currency;
  int64_t issued_at = 0;    // the capture (or now)
  std::string description;  // the visit in words ("" for payments made before it was kept)
};
std::optional<PaymentForDocument> PaymentForDocumentOf(Tx& tx, const std::string& payment_id);
struct RefundForDocument {
  int64_t amount_minor = 0;
  int64_t issued_at = 0;  // processed (or now)
};
std::optional<RefundForDocument> RefundForDocumentOf(Tx& tx, const std::string& refund_id);

// The payment's invoice, the refund's credit note.
std::optional<std::string> InvoiceOf(Tx& tx, const std::string& payment_id);
std::optional<std::string> CreditNoteOf(Tx& tx, const std::string& refund_id);
// The next gapless number; the counter row stays locked until the transaction ends.
int NextDocumentNumber(Tx& tx, const std::string& organization_id, const std::string& kind,
                       const std::string& fiscal_year);
std::string NewDocumentId(Tx& tx);

struct NewDocument {
  std::string id, kind, organization_id, fiscal_year;
  int seq = 0;
  std::string number, payment_id;
  std::string refund_id;  // "" for an invoice
  std::string document;   // the serialized v1::Invoice
};
// False when it exists already (issued concurrently).
bool InsertDocument(Tx& tx, const NewDocument& d);
// The serialized document, when its payment is visible to the caller (row-level security).
std::optional<std::string> VisibleDocument(Tx& tx, const std::string& id);

// ------------------------------------------------------------------ webhooks and events

void RecordWebhook(Tx& tx, const std::string& event_id, const std::string& gateway,
                   const std::string& event_type, const std::string& payment_ref);
bool WebhookProcessed(Tx& tx, const std::string& event_id);
void ForgetWebhook(Tx& tx, const std::string& event_id);
void WebhookDone(Tx& tx, const std::string& event_id, bool applied);

// Records an appointment event as consumed; false if it was already.
bool ConsumeEvent(Tx& tx, const std::string& event_id, const std::string& event_type);
void ForgetEvent(Tx& tx, const std::string& event_id);

// ------------------------------------------------------------------ reconciliation

struct LedgerTotals {
  std::string payment_id, order_id, currency;
  int64_t captured = 0, refunded = 0;
};
// Every payment with a gateway order, oldest first, with its ledger's totals.
std::vector<LedgerTotals> LedgerTotalsByPayment(Tx& tx);
struct StuckPayment {
  std::string id;
  std::string kind;  // "creating" or "unsettled"
  std::string appointment_id;
};
// Steps a crash left half done for over 30 s, oldest first.
std::vector<StuckPayment> StuckPayments(Tx& tx);

}  // namespace healthtech::payment::storage
