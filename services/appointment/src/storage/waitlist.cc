#include <nlohmann/json.hpp>

#include "storage/store.h"

namespace healthtech::appointment::storage {
namespace {

FreedSlot ReadFreed(const pqxx::row& r) {
  return FreedSlot{r["practitioner_id"].as<std::string>(),
                   r["start_s"].as<double>(),
                   r["end_s"].as<double>(),
                   r["facility_id"].as<std::string>(),
                   r["mode"].as<std::string>(),
                   r["timezone"].as<std::string>()};
}

}  // namespace

WaitlistEntry JoinWaitlist(Tx& tx, const std::string& practitioner_id,
                           const std::string& patient_id, const std::string& date_from,
                           const std::string& date_to, const std::string& mode,
                           const std::string& facility_id) {
  auto r = pg::Exec(tx, "waitlist/join", practitioner_id, patient_id, date_from, date_to, mode,
                    facility_id)[0];
  WaitlistEntry w;
  w.id = r["id"].as<std::string>();
  w.practitioner_id = r["practitioner_id"].as<std::string>();
  w.patient_id = r["patient_id"].as<std::string>();
  w.date_from = r["date_from"].as<std::string>();
  w.date_to = r["date_to"].as<std::string>();
  if (!r["mode"].is_null()) w.mode = r["mode"].as<std::string>();
  if (!r["facility_id"].is_null()) w.facility_id = r["facility_id"].as<std::string>();
  w.status = r["status"].as<std::string>();
  w.created_at = r["created_s"].as<int64_t>();
  return w;
}

void OfferFreedSlot(Tx& tx, const FreedSlot& slot, int offer_minutes) {
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
  if (slot.start < now.count()) return;
  std::string previous = pg::Exec(tx, "waitlist/caller_roles")[0]["roles"].as<std::string>();
  pg::Exec(tx, "waitlist/act_as", "system");
  struct Restore {
    Tx& tx;
    std::string roles;
    ~Restore() {
      try {
        pg::Exec(tx, "waitlist/act_as", roles);
      } catch (...) {
      }
    }
  } restore{tx, previous};
  auto next = pg::Exec(tx, "waitlist/next_waiting", slot.practitioner_id, slot.start, slot.timezone,
                       slot.mode, slot.facility_id);
  if (next.empty()) return;
  std::string id = next[0]["id"].as<std::string>();
  auto r = pg::Exec(tx, "waitlist/offer", id, slot.start, slot.end, slot.facility_id, slot.mode,
                    slot.timezone, offer_minutes)[0];
  nlohmann::json ev = {{"waitlist_entry_id", id},
                       {"patient_id", r["patient_id"].as<std::string>()},
                       {"practitioner_id", slot.practitioner_id},
                       {"facility_id", slot.facility_id},
                       {"mode", slot.mode},
                       {"slot_start", r["slot_start"].as<std::string>()},
                       {"slot_end", r["slot_end"].as<std::string>()},
                       {"timezone", slot.timezone},
                       {"offer_expires_at", r["expires"].as<std::string>()}};
  Emit(tx, "waitlist.offered", id, ev.dump());
}

std::vector<ExpiredHold> ExpiredHolds(Tx& tx) {
  std::vector<ExpiredHold> out;
  for (const auto& r : pg::Exec(tx, "sweeps/expired_holds"))
    out.push_back({r["id"].as<std::string>(), ReadFreed(r)});
  return out;
}

std::vector<DueReminder> DueReminders(Tx& tx) {
  std::vector<DueReminder> out;
  for (const auto& r : pg::Exec(tx, "sweeps/due_reminders"))
    out.push_back({r["appointment_id"].as<std::string>(), r["kind"].as<std::string>()});
  return out;
}

void ReminderSent(Tx& tx, const DueReminder& r) {
  pg::Exec(tx, "sweeps/reminder_sent", r.appointment_id, r.kind);
}

std::vector<LapsedOffer> ExpireLapsedOffers(Tx& tx) {
  std::vector<LapsedOffer> out;
  for (const auto& r : pg::Exec(tx, "sweeps/expired_offers"))
    out.push_back({ReadFreed(r), r["still_free"].as<bool>()});
  return out;
}

void CloseBookedWaits(Tx& tx) { pg::Exec(tx, "sweeps/close_booked_waits"); }

int PublishFreeDays(Tx& tx, int max_practitioners) {
  return pg::Exec(tx, "free_days/publish", max_practitioners)[0]["events"].as<int>();
}

int ExtendFreeDays(Tx& tx) { return pg::Exec(tx, "free_days/extend")[0]["marked"].as<int>(); }

}  // namespace healthtech::appointment::storage
