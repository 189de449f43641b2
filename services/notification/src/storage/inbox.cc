// The in-app inbox, and the statement table every connection prepares.
#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::notification {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::notification

namespace healthtech::notification::storage {
namespace {

constexpr const char* kNoId = "00000000-0000-0000-0000-000000000000";

Notification Read(const pqxx::row& r) {
  Notification n;
  n.id = r["id"].as<std::string>();
  n.category = r["category"].as<std::string>();
  n.type = r["type"].as<std::string>();
  n.title = r["title"].as<std::string>();
  n.body = r["body"].as<std::string>();
  n.link = r["link"].as<std::string>();
  n.read = r["is_read"].as<bool>();
  if (!r["read_s"].is_null()) n.read_at = r["read_s"].as<int64_t>();
  n.created_at = r["created_s"].as<int64_t>();
  return n;
}

}  // namespace

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    std::string name = path.substr(0, path.size() - 4);  // "inbox/list.sql" -> "inbox/list"
    pool.Prepare(name, sql);
  }
}

std::vector<Notification> ListNotifications(Tx& tx, const std::string& user_id, bool unread_only,
                                            const std::optional<Position>& after, int limit) {
  std::vector<Notification> out;
  for (const auto& r : pg::Exec(tx, "inbox/list", user_id, unread_only, after.has_value(),
                                after ? after->first : 0, after ? after->second : kNoId, limit)) {
    out.push_back(Read(r));
    out.back().created_us = r["created_us"].as<int64_t>();
  }
  return out;
}

int UnreadCount(Tx& tx, const std::string& user_id) {
  return pg::Exec(tx, "inbox/unread_count", user_id)[0]["unread"].as<int>();
}

std::optional<Notification> MarkRead(Tx& tx, const std::string& id, const std::string& user_id) {
  auto rows = pg::Exec(tx, "inbox/mark_read", id, user_id);
  if (rows.empty()) return std::nullopt;
  return Read(rows[0]);
}

int MarkAllRead(Tx& tx, const std::string& user_id) {
  return static_cast<int>(pg::Exec(tx, "inbox/mark_all_read", user_id).size());
}

std::optional<CreatedNotification> InsertNotification(Tx& tx, const NewNotification& n) {
  auto rows = pg::Exec(tx, "inbox/insert", n.user_id, n.category, n.type, n.title, n.body, n.link,
                       n.event_id);
  if (rows.empty()) return std::nullopt;
  CreatedNotification c;
  c.id = rows[0]["id"].as<std::string>();
  c.created_at = rows[0]["at"].as<std::string>();
  c.unread_count = rows[0]["unread_count"].as<int>();
  return c;
}

// ------------------------------------------------------------------ preferences

std::optional<StoredPreferences> GetPreferences(Tx& tx, const std::string& user_id) {
  auto rows = pg::Exec(tx, "preferences/get", user_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  StoredPreferences p;
  p.channels_json = r["channels"].as<std::string>();
  p.locale = r["locale"].as<std::string>();
  if (!r["quiet_start"].is_null()) {
    p.quiet_hours = QuietHours{r["quiet_start"].as<std::string>(), r["quiet_end"].as<std::string>(),
                               r["quiet_timezone"].as<std::string>()};
  }
  p.updated_at = r["updated_s"].as<int64_t>();
  return p;
}

std::map<std::string, ChannelsAndLocale> PreferencesOf(Tx& tx,
                                                       const std::vector<std::string>& user_ids) {
  std::map<std::string, ChannelsAndLocale> out;
  for (const auto& r : pg::Exec(tx, "preferences/of_users", pg::TextArray(user_ids))) {
    out[r["user_id"].as<std::string>()] = {r["channels"].as<std::string>(),
                                           r["locale"].as<std::string>()};
  }
  return out;
}

void UpsertPreferences(Tx& tx, const PreferencesUpdate& u) {
  pg::Exec(tx, "preferences/upsert", u.user_id, u.channels_patch_json, u.set_quiet_hours,
           u.quiet_start, u.quiet_end, u.quiet_timezone, u.clear_quiet_hours, u.locale);
}

void WakeDeferred(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "preferences/wake_deferred", user_id);
}

bool TimeZones::Known(Tx& tx, const std::string& name) {
  std::lock_guard lock(mu_);
  if (names_.empty()) {
    for (const auto& r : pg::Exec(tx, "preferences/time_zones"))
      names_.insert(r["name"].as<std::string>());
  }
  return names_.count(name) > 0;
}

}  // namespace healthtech::notification::storage
