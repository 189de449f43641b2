#pragma once
// Rows of storage/ as the API's messages.
#include <string>

#include "healthtech/payment/v1/payment_service.pb.h"
#include "storage/store.h"

namespace healthtech::payment::handlers {

// The API's status of a stored one ("creating" shows as created).
v1::PaymentStatus StatusOf(const std::string& s);
v1::RefundStatus RefundStatusOf(const std::string& s);
// The stored statuses a list filter selects, as a text[] literal ("created" also covers a
// payment still being created, which lists leave out).
std::string StoredStatuses(v1::PaymentStatus filter);

// The payment's row; amount_refunded is 0 here (LoadDetails in handlers/payments.cc adds it).
void ToProto(const storage::Payment& p, v1::Payment* out);
void ToProto(const storage::Refund& r, v1::Refund* out);

}  // namespace healthtech::payment::handlers
