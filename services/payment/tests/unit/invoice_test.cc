#include "domain/invoice.h"

#include <gtest/gtest.h>

namespace healthtech::payment {
namespace {

TEST(FiscalYear, RunsAprilToMarchInIndia) {
  EXPECT_EQ(FiscalYear(1774981799), "2025-26");  // 2026-03-31 23:59:59 IST
  EXPECT_EQ(FiscalYear(1774981800), "2026-27");  // 2026-04-01 00:00:00 IST
  EXPECT_EQ(DocumentNumber(false, "2026-27", 123), "INV/2026-27/000123");
  EXPECT_EQ(DocumentNumber(true, "2026-27", 4), "CN/2026-27/000004");
}

v1::Invoice OneLine(int64_t minor) {
  v1::Invoice inv;
  auto* li = inv.add_line_items();
  li->set_quantity(1);
  li->mutable_unit_price()->set_amount_minor(minor);
  li->mutable_unit_price()->set_currency("INR");
  return inv;
}

TEST(ComputeTotals, ExemptHealthcareHasNoTax) {
  auto inv = OneLine(75000);
  ComputeTotals(&inv, 0, true);
  EXPECT_TRUE(inv.line_items(0).tax_exempt());
  EXPECT_EQ(inv.total().amount_minor(), 75000);
  EXPECT_EQ(inv.tax().total_tax().amount_minor(), 0);
}

TEST(ComputeTotals, SplitsCgstSgstWithinAStateAndIgstAcross) {
  auto inv = OneLine(100001);
  ComputeTotals(&inv, 1800, true);
  EXPECT_EQ(inv.tax().total_tax().amount_minor(), 18000);
  EXPECT_EQ(inv.tax().cgst().amount_minor() + inv.tax().sgst().amount_minor(), 18000);
  EXPECT_EQ(inv.tax().cgst_rate_bps(), 900);
  EXPECT_EQ(inv.total().amount_minor(), 118001);
  auto across = OneLine(100001);
  ComputeTotals(&across, 1800, false);
  EXPECT_EQ(across.tax().igst().amount_minor(), 18000);
  EXPECT_EQ(across.tax().cgst().amount_minor(), 0);
}

TEST(RenderPdf, ProducesAPdfWithTheNumber) {
  auto inv = OneLine(75000);
  inv.set_number("INV/2026-27/000001");
  inv.mutable_seller()->set_name("Sunrise Health Clinic Pvt Ltd");
  inv.mutable_buyer()->set_name("Priya Patient — 😀");
  ComputeTotals(&inv, 0, true);
  std::string pdf = RenderPdf(inv);
  ASSERT_GT(pdf.size(), 500u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
}

}  // namespace
}  // namespace healthtech::payment
