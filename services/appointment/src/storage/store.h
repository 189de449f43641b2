#pragma once
// The only code of appointment-service that runs SQL. Every statement is a file of sql/,
// embedded at build time and prepared by name on each connection; results come back as
// structs with named fields, read from columns by name.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::appointment::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// ------------------------------------------------------------------ appointments

struct HistoryEntry {
  std::string actor_id;  // "" for the system
  std::string from;      // "" for the first entry
  std::string to;
  double at = 0;
  std::optional<std::string> note;
};

struct Appointment {
  std::string id, patient_id, practitioner_id, practitioner_user_id, organization_id, facility_id;
  double start = 0, end = 0;  // epoch seconds
  int64_t start_us = 0;       // the start in microseconds (page tokens)
  std::string timezone, mode, status, reason;
  int64_t fee_minor = 0;
  std::string currency;
  bool pay_at_clinic = false, is_first_visit = false;
  std::optional<double> hold_expires_at;
  std::optional<std::string> cancellation_reason, payment_id;
  double created_at = 0, updated_at = 0;
  std::vector<HistoryEntry> history;
  // Who and where, as agreed (a JSON object; see handlers::DetailsOf).
  std::string details_json = "{}";
  std::optional<double> cancellable_until;
};

// An appointment the caller may see (row-level security), optionally locked for a change
// first (then read after the lock is granted, so it is what the previous holder committed).
std::optional<Appointment> Find(Tx& tx, const std::string& id);
std::optional<Appointment> FindForUpdate(Tx& tx, const std::string& id);

enum class ListBy { kPatient, kPractitioner, kOrganization };
struct ListQuery {
  ListBy by = ListBy::kPatient;
  std::string subject;  // the patient's or practitioner's user id, or the organization id
  std::string status;   // "" for any
  std::optional<int64_t> from_us, to_us;
  std::optional<std::pair<int64_t, std::string>> after;  // (start µs, id) of the last row seen
  bool newest_first = false;
  int limit = 20;
};
std::vector<Appointment> List(Tx& tx, const ListQuery& q);

// Who did what to which appointments, from where (one audit row per id).
void Audit(Tx& tx, const std::string& actor, const std::string& action,
           const std::vector<std::string>& ids, const std::string& client_ip,
           const std::string& request_id);
void AddHistory(Tx& tx, const std::string& id, const std::string& from, const std::string& to,
                const std::string& actor, const std::string& note);
// Moves to `to` and records it in the history.
void SetStatus(Tx& tx, const std::string& id, const std::string& from, const std::string& to,
               const std::string& actor, const std::string& note);
void Cancel(Tx& tx, const std::string& id, const std::string& reason);
void DropReminders(Tx& tx, const std::string& id);
void ScheduleReminders(Tx& tx, const std::string& id);
// Whether the patient may still cancel or move it online (the practitioner's cutoff).
bool BeforeCancellationCutoff(Tx& tx, const std::string& id);
// An event for the outbox, in this transaction.
void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json);

// ------------------------------------------------------------------ slots and booking

struct Slot {
  double start = 0, end = 0, block_start = 0, block_end = 0;
  std::string facility_id, mode, timezone, organization_id;
  bool taken = false;
};
struct SlotQuery {
  std::string practitioner_id;
  double from = 0, to = 0;        // epoch seconds
  std::string mode, facility_id;  // "" for any
};
// Candidate slots of a window, taken ones flagged: in the caller's transaction, or as one
// read in one round trip (listing).
std::vector<Slot> Slots(Tx& tx, const SlotQuery& q);
absl::StatusOr<std::vector<Slot>> SlotsOnce(pg::Pool& pool, const SlotQuery& q);

// The first statement of a booking: the slot's lock, an earlier booking under the same
// Idempotency-Key, and whether this is the patient's first visit.
struct BookingStart {
  std::optional<std::string> prior_id, prior_fingerprint;
  bool first_visit = true;
};
BookingStart StartBooking(Tx& tx, const std::string& practitioner_id, int64_t start_seconds,
                          const std::string& patient_id, const std::string& idempotency_key);

struct NewBooking {
  std::string patient_id, practitioner_id, practitioner_user_id;
  Slot slot;
  std::string status, reason;
  int64_t fee_minor = 0;
  std::string currency;
  bool pay_at_clinic = false, first_visit = false, hold = false;
  int hold_minutes = 15;
  std::string idempotency_key, fingerprint;
  std::string event_type, event_payload_json;  // the id is added to the payload
  std::string details_json = "{}";
  bool schedule_reminders = false;
  std::string client_ip, request_id;
};
struct Booked {
  std::string id;
  int64_t start_us = 0;
  double created_at = 0, updated_at = 0;
  std::optional<double> hold_expires_at;
  double cancellable_until = 0;
};
// Everything a booking writes, in one statement. Throws pqxx::sql_error 23P01 on an
// overlap and 23505 on a racing Idempotency-Key replay.
Booked InsertBooking(Tx& tx, const NewBooking& b);
// The patient's booking under `key`: (id, fingerprint).
std::optional<std::pair<std::string, std::string>> FindByKey(Tx& tx, const std::string& patient_id,
                                                             const std::string& key);
void Vacate(Tx& tx, const std::string& id);
void Move(Tx& tx, const std::string& id, const std::string& status, const Slot& slot,
          const std::string& details_json);
void ConfirmPayment(Tx& tx, const std::string& id, const std::string& payment_id);
// A held appointment (a UHI order) booked, to be paid at the facility.
void ConfirmAtClinic(Tx& tx, const std::string& id);

// ------------------------------------------------------------------ availability

struct Settings {
  std::string timezone;
  int min_notice_minutes = 0, horizon_days = 60, cancellation_cutoff_minutes = 0;
  std::optional<int> max_bookings_per_day;
  int64_t updated_at = 0;
};
struct Window {  // a weekly rule (weekday 1–7) or extra hours (date)
  std::string facility_id, organization_id, timezone, mode;
  int weekday = 0;
  std::string date;
  std::string start_local, end_local;
  int slot_minutes = 0, buffer_before_minutes = 0, buffer_after_minutes = 0;
};
struct TimeOff {
  std::string start_date, end_date, facility_id, note;
};
bool KnownTimeZone(Tx& tx, const std::string& tz);
// Replaces the practitioner's availability as a whole.
void PutAvailability(Tx& tx, const std::string& practitioner_id,
                     const std::string& practitioner_user_id, const Settings& s,
                     const std::string& updated_by, const std::vector<Window>& rules,
                     const std::vector<Window>& extra_hours, const std::vector<TimeOff>& time_off);
std::optional<Settings> GetSettings(Tx& tx, const std::string& practitioner_id);
std::vector<Window> WeeklyRules(Tx& tx, const std::string& practitioner_id);
std::vector<Window> ExtraHours(Tx& tx, const std::string& practitioner_id);
std::vector<TimeOff> TimeOffs(Tx& tx, const std::string& practitioner_id);

// ------------------------------------------------------------------ waitlist and sweeps

struct WaitlistEntry {
  std::string id, practitioner_id, patient_id, date_from, date_to, status;
  std::optional<std::string> mode, facility_id;
  int64_t created_at = 0;
};
WaitlistEntry JoinWaitlist(Tx& tx, const std::string& practitioner_id,
                           const std::string& patient_id, const std::string& date_from,
                           const std::string& date_to, const std::string& mode,
                           const std::string& facility_id);

// A slot that came free (cancelled, expired, moved, offer lapsed).
struct FreedSlot {
  std::string practitioner_id;
  double start = 0, end = 0;
  std::string facility_id, mode, timezone;
};
// Offers it to the first patient waiting for that practitioner and local date, for
// `offer_minutes`, emitting waitlist.offered. Acts as the system for this step only (other
// patients' waitlist rows are not the caller's to see).
void OfferFreedSlot(Tx& tx, const FreedSlot& slot, int offer_minutes);

struct ExpiredHold {
  std::string id;
  FreedSlot slot;
};
std::vector<ExpiredHold> ExpiredHolds(Tx& tx);
struct DueReminder {
  std::string appointment_id, kind;
};
std::vector<DueReminder> DueReminders(Tx& tx);
void ReminderSent(Tx& tx, const DueReminder& r);
struct LapsedOffer {
  FreedSlot slot;
  bool still_free = false;
};
// Expires offers not taken in time and returns them.
std::vector<LapsedOffer> ExpireLapsedOffers(Tx& tx);
void CloseBookedWaits(Tx& tx);

// Free days (migration V0006): appointment.free_days events for the changed days of up to
// `max_practitioners` practitioners (0 while another replica publishes), and marks for the
// days that entered the horizon since they were last published.
int PublishFreeDays(Tx& tx, int max_practitioners);
int ExtendFreeDays(Tx& tx);

}  // namespace healthtech::appointment::storage
