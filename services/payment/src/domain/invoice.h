#pragma once
// Invoice arithmetic and rendering (no I/O): GST split and the PDF, unit-tested.
#include <string>

#include "healthtech/payment/v1/payment_service.pb.h"

namespace healthtech::payment {

// "2026-27" for an instant in India (financial year April–March, IST).
std::string FiscalYear(int64_t unix_seconds);
// "INV/2026-27/000123" / "CN/2026-27/000004".
std::string DocumentNumber(bool credit_note, const std::string& fiscal_year, int seq);
// Fills line totals, subtotal, tax breakup (CGST+SGST within a state, IGST across
// states; 0 bps = exempt healthcare service) and total.
void ComputeTotals(v1::Invoice* invoice, int tax_rate_bps, bool same_state);
// A PDF of the invoice (libharu, A4, built-in Helvetica; text outside Latin-1 is
// replaced by '?').
std::string RenderPdf(const v1::Invoice& invoice);

}  // namespace healthtech::payment
