// The BFF finds request and response types by name in the generated descriptor pool.
// A static library member is linked only when referenced, so touch one descriptor of
// every proto file here (App's constructor calls this).
#include "healthtech/appointment/v1/appointment_service.pb.h"
#include "healthtech/forum/v1/forum_service.pb.h"
#include "healthtech/iam/v1/iam_service.pb.h"
#include "healthtech/notification/v1/notification_service.pb.h"
#include "healthtech/org/v1/org_service.pb.h"
#include "healthtech/payment/v1/payment_service.pb.h"
#include "healthtech/uhi/v1/uhi_service.pb.h"
#include "router.h"

namespace healthtech::bff {

void LinkAllProtos() {
  (void)iam::v1::User::descriptor();
  (void)org::v1::Organization::descriptor();
  (void)appointment::v1::CreateAppointmentRequest::descriptor();
  (void)payment::v1::CreatePaymentRequest::descriptor();
  (void)notification::v1::ListNotificationsRequest::descriptor();
  (void)forum::v1::CreateThreadRequest::descriptor();
  (void)uhi::v1::ReceiveRequest::descriptor();
}

}  // namespace healthtech::bff
