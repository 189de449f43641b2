// Events turned into messages, the delivery queue and its attempts.
#include "storage/store.h"

namespace healthtech::notification::storage {
namespace {

constexpr const char* kNoId = "00000000-0000-0000-0000-000000000000";

Delivery ReadDelivery(const pqxx::row& r) {
  Delivery d;
  d.id = r["id"].as<std::string>();
  d.user_id = r["user_id"].as<std::string>();
  d.channel = r["channel"].as<std::string>();
  d.recipient = r["recipient"].as<std::string>();
  d.event_type = r["event_type"].as<std::string>();
  d.locale = r["locale"].as<std::string>();
  d.event_id = r["event_id"].as<std::string>();
  d.status = r["status"].as<std::string>();
  d.next_attempt_at = r["next_attempt_s"].as<int64_t>();
  d.created_at = r["created_s"].as<int64_t>();
  d.updated_at = r["updated_s"].as<int64_t>();
  return d;
}

}  // namespace

// ------------------------------------------------------------------ events

bool MarkEventProcessed(Tx& tx, const std::string& event_id, const std::string& event_type) {
  return !pg::Exec(tx, "events/mark_processed", event_id, event_type).empty();
}

std::string LocalTime(Tx& tx, const std::string& instant, const std::string& zone) {
  return pg::Exec(tx, "events/local_time", instant, zone)[0]["local"].as<std::string>();
}

void QueueDelivery(Tx& tx, const NewDelivery& d) {
  pg::Exec(tx, "deliveries/queue", d.event_id, d.user_id, d.channel, d.recipient, d.subject, d.body,
           d.html_body, d.status, d.event_type, d.category, d.locale, d.security, d.urgent,
           d.dlt_template_id, d.traceparent);
}

// ------------------------------------------------------------------ delivery

std::vector<DueDelivery> LeaseDue(Tx& tx) {
  std::vector<DueDelivery> out;
  for (const auto& r : pg::Exec(tx, "deliveries/lease_due")) {
    DueDelivery d;
    d.id = r["id"].as<std::string>();
    d.channel = r["channel"].as<std::string>();
    d.to = r["recipient"].as<std::string>();
    d.subject = r["subject"].as<std::string>();
    d.body = r["body"].as<std::string>();
    d.html = r["html_body"].as<std::string>();
    d.user_id = r["user_id"].as<std::string>();
    d.event_id = r["event_id"].as<std::string>();
    d.dlt = r["dlt_template_id"].as<std::string>();
    d.attempts = r["attempts"].as<int>();
    d.security = r["security"].as<bool>();
    d.urgent = r["urgent"].as<bool>();
    d.traceparent = r["traceparent"].as<std::string>();
    if (!r["quiet_until"].is_null()) d.quiet_until = r["quiet_until"].as<double>();
    out.push_back(std::move(d));
  }
  return out;
}

void Defer(Tx& tx, const std::string& id, double until) {
  pg::Exec(tx, "deliveries/defer", id, until);
}

void SetStatus(Tx& tx, const std::string& id, const std::string& status, const std::string& error,
               double retry_in_seconds) {
  pg::Exec(tx, "deliveries/set_status", id, status, error, retry_in_seconds);
}

void ReleaseStandbyEmail(Tx& tx, const std::string& event_id, const std::string& user_id) {
  pg::Exec(tx, "deliveries/release_standby_email", event_id, user_id);
}

void SuppressStandbyEmail(Tx& tx, const std::string& event_id, const std::string& user_id) {
  pg::Exec(tx, "deliveries/suppress_standby_email", event_id, user_id);
}

void LockSmsCap(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "deliveries/lock_sms_cap", user_id);
}

int SmsSentLastHour(Tx& tx, const std::string& user_id, const std::string& delivery_id) {
  return pg::Exec(tx, "deliveries/sms_sent_last_hour", user_id, delivery_id)[0]["sent"].as<int>();
}

void ReserveSms(Tx& tx, const std::string& delivery_id) {
  pg::Exec(tx, "deliveries/reserve_sms", delivery_id);
}

void RecordAttempt(Tx& tx, const AttemptOutcome& a) {
  pg::Exec(tx, "deliveries/record_attempt", a.delivery_id, a.attempts, a.status, a.error,
           a.provider, a.provider_message_id, a.retry_in_seconds);
  pg::Exec(tx, "deliveries/insert_attempt", a.delivery_id, a.provider, a.sent ? "sent" : "failed",
           a.provider_message_id, a.error);
}

// ------------------------------------------------------------------ failed deliveries (admins)

std::vector<Delivery> ListFailed(Tx& tx, const std::string& channel,
                                 const std::optional<Position>& after, int limit) {
  std::vector<Delivery> out;
  for (const auto& r : pg::Exec(tx, "deliveries/list_failed", channel, after.has_value(),
                                after ? after->first : 0, after ? after->second : kNoId, limit)) {
    out.push_back(ReadDelivery(r));
    out.back().updated_us = r["updated_us"].as<int64_t>();
  }
  return out;
}

std::optional<Delivery> Retry(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "deliveries/retry", id);
  if (rows.empty()) return std::nullopt;
  return ReadDelivery(rows[0]);
}

std::optional<std::string> StatusOf(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "deliveries/status", id);
  if (rows.empty()) return std::nullopt;
  return rows[0]["status"].as<std::string>();
}

std::vector<Attempt> Attempts(Tx& tx, const std::string& delivery_id) {
  std::vector<Attempt> out;
  for (const auto& r : pg::Exec(tx, "deliveries/attempts", delivery_id)) {
    Attempt a;
    a.attempt = r["attempt"].as<int>();
    a.provider = r["provider"].as<std::string>();
    a.status = r["status"].as<std::string>();
    if (!r["provider_message_id"].is_null())
      a.provider_message_id = r["provider_message_id"].as<std::string>();
    if (!r["error"].is_null()) a.error = r["error"].as<std::string>();
    a.at = r["at_s"].as<int64_t>();
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace healthtech::notification::storage
