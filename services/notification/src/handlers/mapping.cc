#include "handlers/mapping.h"

#include <cctype>

namespace healthtech::notification::handlers {
namespace {

v1::Channel ChannelOf(const std::string& c) {
  return c == "email"  ? v1::CHANNEL_EMAIL
         : c == "sms"  ? v1::CHANNEL_SMS
         : c == "push" ? v1::CHANNEL_PUSH
                       : v1::CHANNEL_UNSPECIFIED;
}

v1::DeliveryStatus StatusOf(const std::string& s) {
  if (s == "pending" || s == "standby") return v1::DELIVERY_STATUS_QUEUED;
  if (s == "deferred") return v1::DELIVERY_STATUS_DEFERRED;
  if (s == "sent") return v1::DELIVERY_STATUS_SENT;
  if (s == "failed") return v1::DELIVERY_STATUS_FAILED;
  if (s == "suppressed") return v1::DELIVERY_STATUS_SUPPRESSED;
  return v1::DELIVERY_STATUS_UNSPECIFIED;
}

}  // namespace

v1::NotificationCategory CategoryOf(const std::string& c) {
  if (c == "appointments") return v1::NOTIFICATION_CATEGORY_APPOINTMENTS;
  if (c == "payments") return v1::NOTIFICATION_CATEGORY_PAYMENTS;
  if (c == "forum") return v1::NOTIFICATION_CATEGORY_FORUM;
  if (c == "marketing") return v1::NOTIFICATION_CATEGORY_MARKETING;
  std::string n = "NOTIFICATION_CATEGORY_" + c;
  for (auto& ch : n) ch = static_cast<char>(std::toupper(ch));
  v1::NotificationCategory out = v1::NOTIFICATION_CATEGORY_UNSPECIFIED;
  v1::NotificationCategory_Parse(n, &out);
  return out;
}

void ToProto(const storage::Notification& n, v1::Notification* out) {
  out->set_id(n.id);
  out->set_category(CategoryOf(n.category));
  out->set_type(n.type);
  out->set_title(n.title);
  out->set_body(n.body);
  out->set_link(n.link);
  out->set_read(n.read);
  if (n.read_at) out->mutable_read_at()->set_seconds(*n.read_at);
  out->mutable_created_at()->set_seconds(n.created_at);
}

void ToProto(const storage::Delivery& d, const std::vector<storage::Attempt>& attempts,
             v1::OutboundMessage* m) {
  m->set_id(d.id);
  m->set_user_id(d.user_id);
  m->set_channel(ChannelOf(d.channel));
  m->set_recipient(d.recipient);
  m->set_template_name(d.event_type);
  m->set_locale(d.locale);
  m->set_event_id(d.event_id);
  m->set_event_type(d.event_type);
  m->set_status(StatusOf(d.status));
  m->mutable_next_attempt_at()->set_seconds(d.next_attempt_at);
  m->mutable_created_at()->set_seconds(d.created_at);
  m->mutable_updated_at()->set_seconds(d.updated_at);
  for (const auto& a : attempts) {
    auto* x = m->add_attempts();
    x->set_attempt(a.attempt);
    x->set_provider(a.provider);
    x->set_status(a.status == "sent"       ? v1::DELIVERY_STATUS_SENT
                  : a.status == "deferred" ? v1::DELIVERY_STATUS_DEFERRED
                                           : v1::DELIVERY_STATUS_FAILED);
    if (a.provider_message_id) x->set_provider_message_id(*a.provider_message_id);
    if (a.error) x->set_error(*a.error);
    x->mutable_at()->set_seconds(a.at);
  }
}

std::string ChannelText(v1::Channel channel) {
  return channel == v1::CHANNEL_EMAIL  ? "email"
         : channel == v1::CHANNEL_SMS  ? "sms"
         : channel == v1::CHANNEL_PUSH ? "push"
                                       : "";
}

}  // namespace healthtech::notification::handlers
