// `payment-service reconcile`: the ledger against the gateway, and steps a crash left half
// done.
#include <cstdio>

#include "handlers/common.h"
#include "service.h"

namespace healthtech::payment {

int PaymentService::Reconcile(std::FILE* out) {
  std::vector<storage::LedgerTotals> rows;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    for (auto& r : storage::LedgerTotalsByPayment(tx)) rows.push_back(std::move(r));
    return absl::OkStatus();
  });
  if (!s.ok()) {
    std::fprintf(out, "cannot read the ledger: %s\n", std::string(s.message()).c_str());
    return -1;
  }
  int differences = 0;
  for (const auto& row : rows) {
    auto payments = gateway_->OrderPayments(row.order_id);
    if (!payments.ok()) {
      std::fprintf(out, "cannot read order %s from the gateway\n", row.order_id.c_str());
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
                   row.payment_id.c_str(), row.order_id.c_str(), static_cast<long long>(captured),
                   static_cast<long long>(refunded), static_cast<long long>(row.captured),
                   static_cast<long long>(row.refunded), row.currency.c_str());
    }
  }
  // Steps a crash left half done, older than any request still working on them.
  std::vector<storage::StuckPayment> stuck;
  auto st = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    for (auto& r : storage::StuckPayments(tx)) stuck.push_back(std::move(r));
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
                   s.id.c_str(), s.appointment_id.c_str());
    }
  }
  std::fprintf(out,
               "reconciled %zu payment(s) with the gateway: %d difference(s) (%zu stuck or "
               "unsettled)\n",
               rows.size(), differences, stuck.size());
  return differences;
}

}  // namespace healthtech::payment
