#include <nlohmann/json.hpp>

#include "healthtech/outbox/relay.h"
#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::appointment {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::appointment

namespace healthtech::appointment::storage {
namespace {

std::string Text(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }
std::optional<std::string> MaybeText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

Appointment Read(const pqxx::row& r) {
  Appointment a;
  a.id = r["id"].as<std::string>();
  a.patient_id = r["patient_id"].as<std::string>();
  a.practitioner_id = r["practitioner_id"].as<std::string>();
  a.practitioner_user_id = r["practitioner_user_id"].as<std::string>();
  a.organization_id = r["organization_id"].as<std::string>();
  a.facility_id = r["facility_id"].as<std::string>();
  a.start = r["start_s"].as<double>();
  a.end = r["end_s"].as<double>();
  a.start_us = r["start_us"].as<int64_t>();
  a.timezone = r["timezone"].as<std::string>();
  a.mode = r["mode"].as<std::string>();
  a.status = r["status"].as<std::string>();
  a.reason = r["reason"].as<std::string>();
  a.fee_minor = r["fee_minor"].as<int64_t>();
  a.currency = r["currency"].as<std::string>();
  a.pay_at_clinic = r["pay_at_clinic"].as<bool>();
  if (!r["hold_expires_s"].is_null()) a.hold_expires_at = r["hold_expires_s"].as<double>();
  a.is_first_visit = r["is_first_visit"].as<bool>();
  a.cancellation_reason = MaybeText(r["cancellation_reason"]);
  a.payment_id = MaybeText(r["payment_id"]);
  a.created_at = r["created_s"].as<double>();
  a.updated_at = r["updated_s"].as<double>();
  a.details_json = r["details"].as<std::string>();
  if (!r["cancellable_until_s"].is_null())
    a.cancellable_until = r["cancellable_until_s"].as<double>();
  for (const auto& h : nlohmann::json::parse(r["history"].as<std::string>())) {
    HistoryEntry e;
    if (h["actor_id"].is_string()) e.actor_id = h["actor_id"];
    if (h["from"].is_string()) e.from = h["from"];
    e.to = h["to"];
    e.at = h["at"].get<double>();
    if (h["note"].is_string()) e.note = h["note"].get<std::string>();
    a.history.push_back(std::move(e));
  }
  return a;
}

std::optional<Appointment> One(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;  // not found, or not visible (RLS): the same answer
  return Read(r[0]);
}

const char* ListStatement(ListBy by, bool newest_first) {
  switch (by) {
    case ListBy::kPatient:
      return newest_first ? "appointments/list_by_patient_desc"
                          : "appointments/list_by_patient_asc";
    case ListBy::kPractitioner:
      return newest_first ? "appointments/list_by_practitioner_desc"
                          : "appointments/list_by_practitioner_asc";
    case ListBy::kOrganization:
      break;
  }
  return newest_first ? "appointments/list_by_organization_desc"
                      : "appointments/list_by_organization_asc";
}

constexpr const char* kNoId = "00000000-0000-0000-0000-000000000000";

}  // namespace

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    std::string name = path.substr(0, path.size() - 4);  // "booking/insert.sql" -> "booking/insert"
    pool.Prepare(name, sql);
  }
}

std::optional<Appointment> Find(Tx& tx, const std::string& id) {
  return One(pg::Exec(tx, "appointments/find", id));
}

std::optional<Appointment> FindForUpdate(Tx& tx, const std::string& id) {
  if (pg::Exec(tx, "appointments/lock", id).empty()) return std::nullopt;
  return Find(tx, id);
}

std::vector<Appointment> List(Tx& tx, const ListQuery& q) {
  std::vector<Appointment> out;
  for (const auto& r : pg::Exec(
           tx, ListStatement(q.by, q.newest_first), q.subject, q.status, q.from_us.has_value(),
           q.from_us.value_or(0), q.to_us.has_value(), q.to_us.value_or(0), q.after.has_value(),
           q.after ? q.after->first : 0, q.after ? q.after->second : kNoId, q.limit)) {
    out.push_back(Read(r));
  }
  return out;
}

void Audit(Tx& tx, const std::string& actor, const std::string& action,
           const std::vector<std::string>& ids, const std::string& client_ip,
           const std::string& request_id) {
  if (ids.empty()) return;
  pg::Exec(tx, "lifecycle/audit", actor, action, pg::TextArray(ids), client_ip, request_id);
}

void AddHistory(Tx& tx, const std::string& id, const std::string& from, const std::string& to,
                const std::string& actor, const std::string& note) {
  pg::Exec(tx, "lifecycle/history", id, from, to, actor, note);
}

void SetStatus(Tx& tx, const std::string& id, const std::string& from, const std::string& to,
               const std::string& actor, const std::string& note) {
  pg::Exec(tx, "lifecycle/set_status", id, to, from, actor, note);
}

void Cancel(Tx& tx, const std::string& id, const std::string& reason) {
  pg::Exec(tx, "lifecycle/cancel", id, reason);
}

void DropReminders(Tx& tx, const std::string& id) { pg::Exec(tx, "lifecycle/drop_reminders", id); }

void ScheduleReminders(Tx& tx, const std::string& id) {
  pg::Exec(tx, "lifecycle/schedule_reminders", id);
}

bool BeforeCancellationCutoff(Tx& tx, const std::string& id) {
  auto r = pg::Exec(tx, "availability/before_cutoff", id);
  return !r.empty() && r[0]["before_cutoff"].as<bool>();
}

void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json) {
  outbox::Enqueue(tx, "appointment", type, aggregate_id, payload_json);
}

// ------------------------------------------------------------------ slots and booking

namespace {

Slot ReadSlot(const pqxx::row& r) {
  return Slot{r["start_s"].as<double>(),
              r["end_s"].as<double>(),
              r["block_start_s"].as<double>(),
              r["block_end_s"].as<double>(),
              r["facility_id"].as<std::string>(),
              r["mode"].as<std::string>(),
              r["timezone"].as<std::string>(),
              r["organization_id"].as<std::string>(),
              r["taken"].as<bool>()};
}

}  // namespace

std::vector<Slot> Slots(Tx& tx, const SlotQuery& q) {
  std::vector<Slot> out;
  for (const auto& r : pg::Exec(tx, "slots/list", q.practitioner_id, std::to_string(q.from),
                                std::to_string(q.to), q.mode, q.facility_id)) {
    out.push_back(ReadSlot(r));
  }
  return out;
}

absl::StatusOr<std::vector<Slot>> SlotsOnce(pg::Pool& pool, const SlotQuery& q) {
  auto rows = pg::ReadOnce(pool, pg::Subject::System(), [&](pqxx::connection& conn) {
    return "EXECUTE " + conn.quote_name("slots/list") + "(" + conn.quote(q.practitioner_id) + ", " +
           conn.quote(std::to_string(q.from)) + ", " + conn.quote(std::to_string(q.to)) + ", " +
           conn.quote(q.mode) + ", " + conn.quote(q.facility_id) + ")";
  });
  if (!rows.ok()) return rows.status();
  std::vector<Slot> out;
  for (const auto& r : *rows) out.push_back(ReadSlot(r));
  return out;
}

BookingStart StartBooking(Tx& tx, const std::string& practitioner_id, int64_t start_seconds,
                          const std::string& patient_id, const std::string& idempotency_key) {
  auto r = pg::Exec(tx, "booking/prepare", practitioner_id, start_seconds, patient_id,
                    idempotency_key)[0];
  BookingStart s;
  s.prior_id = MaybeText(r["prior_id"]);
  s.prior_fingerprint = MaybeText(r["prior_hash"]);
  s.first_visit = r["first_visit"].as<bool>();
  return s;
}

Booked InsertBooking(Tx& tx, const NewBooking& b) {
  auto r = pg::Exec(tx, "booking/insert", b.patient_id, b.practitioner_id, b.practitioner_user_id,
                    b.slot.organization_id, b.slot.facility_id, b.slot.mode, b.slot.start,
                    b.slot.end, b.slot.block_start, b.slot.block_end, b.slot.timezone, b.status,
                    b.reason, b.fee_minor, b.currency, b.pay_at_clinic, b.first_visit, b.hold,
                    b.hold_minutes, b.idempotency_key, b.fingerprint, b.event_type,
                    b.event_payload_json, b.schedule_reminders, b.client_ip, b.request_id,
                    b.details_json, outbox::TraceEvent("appointment", b.event_type))[0];
  Booked out;
  out.id = r["id"].as<std::string>();
  out.start_us = r["start_us"].as<int64_t>();
  out.created_at = r["created_s"].as<double>();
  out.updated_at = r["updated_s"].as<double>();
  if (!r["hold_expires_s"].is_null()) out.hold_expires_at = r["hold_expires_s"].as<double>();
  out.cancellable_until = r["cancellable_until_s"].as<double>();
  return out;
}

std::optional<std::pair<std::string, std::string>> FindByKey(Tx& tx, const std::string& patient_id,
                                                             const std::string& key) {
  auto r = pg::Exec(tx, "booking/find_by_key", patient_id, key);
  if (r.empty()) return std::nullopt;
  return std::make_pair(r[0]["id"].as<std::string>(), Text(r[0]["request_hash"]));
}

void Vacate(Tx& tx, const std::string& id) { pg::Exec(tx, "booking/vacate", id); }

void Move(Tx& tx, const std::string& id, const std::string& status, const Slot& slot,
          const std::string& details_json) {
  pg::Exec(tx, "booking/move", id, status, slot.facility_id, slot.organization_id, slot.start,
           slot.end, slot.block_start, slot.block_end, slot.timezone, details_json);
}

void ConfirmPayment(Tx& tx, const std::string& id, const std::string& payment_id) {
  pg::Exec(tx, "booking/confirm_payment", id, payment_id);
}

void ConfirmAtClinic(Tx& tx, const std::string& id) {
  pg::Exec(tx, "booking/confirm_at_clinic", id);
}

}  // namespace healthtech::appointment::storage
