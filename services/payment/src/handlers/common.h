#pragma once
// What every handler of payment-service shares: the caller as a database subject, and the
// one way a processed refund is recorded.
#include <cstdint>
#include <string>

#include "domain/payment.h"
#include "healthtech/auth/jwt.h"
#include "healthtech/pg/pool.h"
#include "healthtech/status/status.h"
#include "storage/store.h"

namespace healthtech::payment::handlers {

inline pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

// A refund the gateway has processed, in the caller's transaction: its ledger row, the
// payment's refunded state and the refund.processed event. Both ways a refund completes
// (the gateway's answer and its later webhook) come through here. (handlers/refunds.cc)
void RecordRefundProcessed(storage::Tx& tx, const std::string& refund_id,
                           const std::string& payment_id, int64_t amount,
                           const std::string& currency, const std::string& gateway_refund_id,
                           const std::string& initiated_by);

}  // namespace healthtech::payment::handlers
