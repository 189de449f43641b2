#include "domain/invoice.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <vector>

#include <hpdf.h>

namespace healthtech::payment {
namespace {

void OnError(HPDF_STATUS error, HPDF_STATUS detail, void*) {
  throw std::runtime_error("libharu error " + std::to_string(error) + "/" + std::to_string(detail));
}

std::string Latin1(const std::string& utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      unsigned char n = static_cast<unsigned char>(utf8[++i]);
      out.push_back(static_cast<char>(c == 0xC2 ? n : n + 0x40));
    } else {
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
      out.push_back('?');
    }
  }
  return out;
}

std::string Amount(const common::v1::Money& m) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %lld.%02lld",
                m.currency().empty() ? "INR" : m.currency().c_str(),
                static_cast<long long>(m.amount_minor() / 100),
                static_cast<long long>(std::llabs(m.amount_minor() % 100)));
  return buf;
}

common::v1::Money Money(int64_t minor, const std::string& currency) {
  common::v1::Money m;
  m.set_amount_minor(minor);
  m.set_currency(currency);
  return m;
}

}  // namespace

std::string FiscalYear(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds + 19800);  // IST = UTC+05:30
  std::tm tm{};
  gmtime_r(&t, &tm);
  int start = tm.tm_year + 1900 - (tm.tm_mon < 3 ? 1 : 0);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d-%02d", start, (start + 1) % 100);
  return buf;
}

std::string DocumentNumber(bool credit_note, const std::string& fiscal_year, int seq) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s/%s/%06d", credit_note ? "CN" : "INV", fiscal_year.c_str(),
                seq);
  return buf;
}

void ComputeTotals(v1::Invoice* inv, int rate_bps, bool same_state) {
  std::string currency = "INR";
  int64_t subtotal = 0, tax_total = 0;
  for (auto& li : *inv->mutable_line_items()) {
    currency = li.unit_price().currency().empty() ? currency : li.unit_price().currency();
    int64_t taxable = li.unit_price().amount_minor() * std::max(1, li.quantity());
    int64_t tax = (taxable * rate_bps + 5000) / 10000;
    *li.mutable_taxable_value() = Money(taxable, currency);
    li.set_tax_rate_bps(rate_bps);
    li.set_tax_exempt(rate_bps == 0);
    *li.mutable_total() = Money(taxable + tax, currency);
    subtotal += taxable;
    tax_total += tax;
  }
  auto* t = inv->mutable_tax();
  if (same_state) {
    int64_t cgst = tax_total / 2;
    *t->mutable_cgst() = Money(cgst, currency);
    *t->mutable_sgst() = Money(tax_total - cgst, currency);
    *t->mutable_igst() = Money(0, currency);
    t->set_cgst_rate_bps(rate_bps / 2);
    t->set_sgst_rate_bps(rate_bps - rate_bps / 2);
    t->set_igst_rate_bps(0);
  } else {
    *t->mutable_cgst() = Money(0, currency);
    *t->mutable_sgst() = Money(0, currency);
    *t->mutable_igst() = Money(tax_total, currency);
    t->set_igst_rate_bps(rate_bps);
  }
  *t->mutable_total_tax() = Money(tax_total, currency);
  *inv->mutable_subtotal() = Money(subtotal, currency);
  *inv->mutable_total() = Money(subtotal + tax_total, currency);
}

std::string RenderPdf(const v1::Invoice& inv) {
  HPDF_Doc pdf = HPDF_New(&OnError, nullptr);
  if (pdf == nullptr) throw std::runtime_error("HPDF_New failed");
  std::string out;
  try {
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    HPDF_Font font = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
    HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
    float y = HPDF_Page_GetHeight(page) - 60;
    auto text = [&](HPDF_Font f, float size, float x, const std::string& s) {
      HPDF_Page_BeginText(page);
      HPDF_Page_SetFontAndSize(page, f, size);
      HPDF_Page_TextOut(page, x, y, Latin1(s).c_str());
      HPDF_Page_EndText(page);
    };
    bool cn = inv.kind() == v1::INVOICE_KIND_CREDIT_NOTE;
    text(bold, 18, 50,
         cn ? "CREDIT NOTE"
            : (inv.tax().total_tax().amount_minor() == 0 ? "BILL OF SUPPLY" : "TAX INVOICE"));
    y -= 24;
    char issued[32];
    // GST documents are dated in India's time (the seller's): IST, UTC+05:30 all year.
    std::time_t t = static_cast<std::time_t>(inv.issued_at().seconds() + 19800);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(issued, sizeof issued, "%d %b %Y %H:%M IST", &tm);
    text(font, 11, 50, "Number: " + inv.number());
    text(font, 11, 330, std::string("Date: ") + issued);
    y -= 30;
    auto party = [&](const char* label, const v1::InvoiceParty& p, float x, float top) {
      float saved = y;
      y = top;
      text(bold, 11, x, label);
      y -= 15;
      text(font, 10, x, p.name());
      y -= 13;
      if (p.has_gstin()) {
        text(font, 10, x, "GSTIN: " + p.gstin());
        y -= 13;
      }
      if (!p.address().line1().empty()) {
        text(font, 10, x, p.address().line1());
        y -= 13;
        text(font, 10, x,
             p.address().city() + ", " + p.address().state() + " " + p.address().pincode());
        y -= 13;
      }
      if (!p.email().empty()) {
        text(font, 10, x, p.email());
        y -= 13;
      }
      float end = y;
      y = saved;
      return end;
    };
    float top = y;
    float a = party("Seller", inv.seller(), 50, top);
    float b = party("Buyer", inv.buyer(), 330, top);
    y = std::min(a, b) - 20;
    text(font, 10, 50, "Place of supply: " + inv.place_of_supply());
    y -= 25;
    text(bold, 10, 50, "Description");
    text(bold, 10, 360, "SAC");
    text(bold, 10, 430, "Amount");
    y -= 16;
    for (const auto& li : inv.line_items()) {
      text(font, 10, 50, li.description().substr(0, 70));
      text(font, 10, 360, li.sac_code());
      text(font, 10, 430, Amount(li.taxable_value()));
      y -= 14;
      if (li.tax_exempt()) {
        text(font, 9, 60, "Exempt healthcare service (GST nil)");
        y -= 13;
      }
    }
    y -= 10;
    text(font, 10, 330, "Subtotal");
    text(font, 10, 430, Amount(inv.subtotal()));
    y -= 14;
    if (inv.tax().igst().amount_minor() > 0) {
      text(font, 10, 330, "IGST");
      text(font, 10, 430, Amount(inv.tax().igst()));
      y -= 14;
    } else {
      text(font, 10, 330, "CGST");
      text(font, 10, 430, Amount(inv.tax().cgst()));
      y -= 14;
      text(font, 10, 330, "SGST");
      text(font, 10, 430, Amount(inv.tax().sgst()));
      y -= 14;
    }
    text(bold, 11, 330, "Total");
    text(bold, 11, 430, Amount(inv.total()));
    y -= 30;
    text(font, 8, 50,
         "Payment " + inv.payment_id() + " for appointment " + inv.appointment_id() + ".");
    HPDF_SaveToStream(pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    out.resize(size);
    HPDF_UINT32 n = size;
    HPDF_ReadFromStream(pdf, reinterpret_cast<HPDF_BYTE*>(out.data()), &n);
    out.resize(n);
  } catch (...) {
    HPDF_Free(pdf);
    throw;
  }
  HPDF_Free(pdf);
  return out;
}

}  // namespace healthtech::payment
