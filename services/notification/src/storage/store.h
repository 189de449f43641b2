#pragma once
// The only code of notification-service that runs SQL. Every statement is a file of sql/,
// embedded at build time and prepared by name on each connection; results come back as
// structs with named fields, read from columns by name.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::notification::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// (created_at or updated_at in microseconds since the epoch, id) of the last row of a page.
using Position = std::pair<int64_t, std::string>;

// ------------------------------------------------------------------ inbox

struct Notification {
  std::string id, category, type, title, body, link;
  bool read = false;
  std::optional<int64_t> read_at;  // epoch seconds
  int64_t created_at = 0;          // epoch seconds
  int64_t created_us = 0;          // microseconds (page tokens; lists only)
};
// The user's notifications, newest first, after `after`; at most `limit` rows.
std::vector<Notification> ListNotifications(Tx& tx, const std::string& user_id, bool unread_only,
                                            const std::optional<Position>& after, int limit);
int UnreadCount(Tx& tx, const std::string& user_id);
// Marks one of the user's notifications read; nullopt if the user has no such notification.
std::optional<Notification> MarkRead(Tx& tx, const std::string& id, const std::string& user_id);
// Marks every unread notification of the user read; returns how many.
int MarkAllRead(Tx& tx, const std::string& user_id);

struct NewNotification {
  std::string user_id, category, type, title, body, link, event_id;
};
struct CreatedNotification {
  std::string id;
  std::string created_at;  // RFC 3339, UTC
  int unread_count = 0;    // including this one
};
// Nothing when the event already put this notification in the inbox.
std::optional<CreatedNotification> InsertNotification(Tx& tx, const NewNotification& n);

// ------------------------------------------------------------------ preferences

struct QuietHours {
  std::string start_local, end_local, timezone;  // "HH:MM", IANA zone
};
struct StoredPreferences {
  std::string channels_json;  // {"<category>": {"<channel>": bool}}
  std::optional<QuietHours> quiet_hours;
  std::string locale;
  int64_t updated_at = 0;  // epoch seconds
};
// Nothing when the user never stored preferences (the defaults apply).
std::optional<StoredPreferences> GetPreferences(Tx& tx, const std::string& user_id);

struct ChannelsAndLocale {
  std::string channels_json, locale;
};
// Of every user in `user_ids` who stored preferences, by user id.
std::map<std::string, ChannelsAndLocale> PreferencesOf(Tx& tx,
                                                       const std::vector<std::string>& user_ids);

struct PreferencesUpdate {
  std::string user_id;
  std::string channels_patch_json;  // merged per category into what is stored
  bool set_quiet_hours = false;     // then start_local, end_local, timezone
  std::string quiet_start, quiet_end, quiet_timezone;
  bool clear_quiet_hours = false;
  std::string locale;  // "" keeps the stored one ("en" for a new row)
};
void UpsertPreferences(Tx& tx, const PreferencesUpdate& u);
// The user's deferred messages are looked at again now (their quiet hours changed).
void WakeDeferred(Tx& tx, const std::string& user_id);

// The IANA zone names PostgreSQL knows. pg_timezone_names reads the zone files on every
// call (tens of milliseconds), so the names are read once and kept.
class TimeZones {
 public:
  bool Known(Tx& tx, const std::string& name);

 private:
  std::mutex mu_;
  std::set<std::string> names_;
};

// ------------------------------------------------------------------ events

// Records the event as handled; false if it was handled before.
bool MarkEventProcessed(Tx& tx, const std::string& event_id, const std::string& event_type);
// `instant` (RFC 3339) as wall-clock time in `zone`: "Mon 07 Dec 2026, 09:00".
std::string LocalTime(Tx& tx, const std::string& instant, const std::string& zone);

struct NewDelivery {
  std::string event_id, user_id;  // user_id "" for an address that is not a user
  std::string channel, recipient, subject, body, html_body, status;
  std::string event_type, category, locale;
  bool security = false, urgent = false;
  std::string dlt_template_id;
  std::optional<std::string> traceparent;  // of the span that queued it (the event's processing)
};
// Once per event, recipient and channel.
void QueueDelivery(Tx& tx, const NewDelivery& d);

// ------------------------------------------------------------------ delivery

struct DueDelivery {
  std::string id, channel, to, subject, body, html, user_id, event_id, dlt;
  std::string traceparent;  // of the span that queued it, or ""
  int attempts = 0;
  bool security = false, urgent = false;
  std::optional<double> quiet_until;  // epoch seconds, when the user is in quiet hours now
};
// Leases up to 20 due messages for two minutes (other workers skip them meanwhile).
std::vector<DueDelivery> LeaseDue(Tx& tx);
void Defer(Tx& tx, const std::string& id, double until);
// A decision without an attempt: `status`, `error` ("" for none), next look in `retry_in_seconds`.
void SetStatus(Tx& tx, const std::string& id, const std::string& status, const std::string& error,
               double retry_in_seconds);
// The urgent message's email kept on standby goes out instead of the SMS, or is not needed.
void ReleaseStandbyEmail(Tx& tx, const std::string& event_id, const std::string& user_id);
void SuppressStandbyEmail(Tx& tx, const std::string& event_id, const std::string& user_id);
// The hourly SMS cap of a user: a lock held until the transaction ends, the SMS sent (or
// reserved) in the last hour other than `delivery_id`, and this one's reservation.
void LockSmsCap(Tx& tx, const std::string& user_id);
int SmsSentLastHour(Tx& tx, const std::string& user_id, const std::string& delivery_id);
void ReserveSms(Tx& tx, const std::string& delivery_id);

struct AttemptOutcome {
  std::string delivery_id;
  int attempts = 0;
  std::string status;               // sent | failed | pending
  std::string error;                // "" for none
  std::string provider;             // channel provider name
  std::string provider_message_id;  // "" for none
  double retry_in_seconds = 0;
  bool sent = false;
};
// The delivery's new state and the attempt's row.
void RecordAttempt(Tx& tx, const AttemptOutcome& a);

// ------------------------------------------------------------------ failed deliveries (admins)

struct Attempt {
  int attempt = 0;
  std::string provider, status;
  std::optional<std::string> provider_message_id, error;
  int64_t at = 0;  // epoch seconds
};
struct Delivery {
  std::string id, user_id, channel, recipient, event_type, locale, event_id, status;
  int64_t next_attempt_at = 0, created_at = 0, updated_at = 0;  // epoch seconds
  int64_t updated_us = 0;  // microseconds (page tokens; lists only)
};
// Failed deliveries, latest change first, of `channel` ("" for any), after `after`.
std::vector<Delivery> ListFailed(Tx& tx, const std::string& channel,
                                 const std::optional<Position>& after, int limit);
// Queues a failed delivery again from its first attempt; nullopt if it is not failed.
std::optional<Delivery> Retry(Tx& tx, const std::string& id);
// A delivery's status; nullopt if there is no such delivery.
std::optional<std::string> StatusOf(Tx& tx, const std::string& id);
std::vector<Attempt> Attempts(Tx& tx, const std::string& delivery_id);

}  // namespace healthtech::notification::storage
