// Availability RPCs: publishing hours, reading them, free slots, and "who is free on day D".
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "domain/availability.h"
#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::appointment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

grpc::Status AppointmentService::PutAvailability(Ctx* ctx, const v1::PutAvailabilityRequest* req,
                                                 v1::Availability* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    auto info = org_.BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    // The practitioner, or an admin of every organization they consult at: availability
    // is replaced as a whole, so one clinic's admin must not rewrite another clinic's hours.
    bool admin_of_all = info->facilities_size() > 0;
    std::map<std::string, std::pair<std::string, std::string>> facilities;  // id -> (org, tz)
    std::set<std::string> facility_ids;
    for (const auto& f : info->facilities()) {
      facilities[f.facility_id()] = {f.organization_id(), f.timezone()};
      facility_ids.insert(f.facility_id());
      admin_of_all = admin_of_all && caller->HasRole("org_admin:" + f.organization_id());
    }
    if (caller->sub != info->user_id() && !admin_of_all) {
      return st::PermissionDenied(
          "FORBIDDEN", "Only the practitioner or their organization's admins set availability.");
    }
    domain::Schedule schedule;
    auto window = [](std::string field, const auto& w) {
      domain::Window d;
      d.field = std::move(field);
      d.facility_id = w.facility_id();
      d.mode = ModeText(w.mode());
      d.start_local = w.start_local();
      d.end_local = w.end_local();
      d.slot_minutes = w.slot_minutes();
      d.buffer_before_minutes = w.buffer_before_minutes();
      d.buffer_after_minutes = w.buffer_after_minutes();
      return d;
    };
    for (int i = 0; i < req->rules_size(); ++i) {
      auto w = window("rules[" + std::to_string(i) + "]", req->rules(i));
      w.weekday = static_cast<int>(req->rules(i).weekday());
      schedule.windows.push_back(std::move(w));
    }
    for (int i = 0; i < req->extra_hours_size(); ++i) {
      auto w = window("extra_hours[" + std::to_string(i) + "]", req->extra_hours(i));
      w.weekly = false;
      w.date = req->extra_hours(i).date();
      schedule.windows.push_back(std::move(w));
    }
    for (int i = 0; i < req->time_off_size(); ++i) {
      const auto& t = req->time_off(i);
      schedule.time_off.push_back(
          {"time_off[" + std::to_string(i) + "]", t.start_date(), t.end_date(), t.facility_id()});
    }
    schedule.min_notice_minutes = req->min_notice_minutes();
    schedule.horizon_days = req->horizon_days();
    schedule.cancellation_cutoff_minutes = req->cancellation_cutoff_minutes();
    schedule.has_max_bookings_per_day = req->has_max_bookings_per_day();
    schedule.max_bookings_per_day = req->max_bookings_per_day();
    std::vector<st::Violation> v = domain::ScheduleProblems(schedule, facility_ids);

    std::string tz = req->timezone();
    if (tz.empty() && !facilities.empty()) {
      tz = req->rules_size() > 0 && facilities.count(req->rules(0).facility_id())
               ? facilities[req->rules(0).facility_id()].second
               : facilities.begin()->second.second;
    }
    storage::Settings settings;
    settings.timezone = tz;
    settings.min_notice_minutes = req->min_notice_minutes();
    settings.horizon_days = req->horizon_days() == 0 ? 60 : req->horizon_days();
    settings.cancellation_cutoff_minutes = req->cancellation_cutoff_minutes();
    if (req->has_max_bookings_per_day())
      settings.max_bookings_per_day = req->max_bookings_per_day();
    auto stored_window = [&](const auto& w) {
      const auto& [org_id, ftz] = facilities[w.facility_id()];
      storage::Window out;
      out.facility_id = w.facility_id();
      out.organization_id = org_id;
      out.timezone = ftz;
      out.mode = ModeText(w.mode());
      out.start_local = w.start_local();
      out.end_local = domain::StoredEndTime(w.end_local());
      out.slot_minutes = w.slot_minutes();
      out.buffer_before_minutes = w.buffer_before_minutes();
      out.buffer_after_minutes = w.buffer_after_minutes();
      return out;
    };
    absl::Status stored =
        pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
          if (tz.empty() || tz.size() > 64 || !storage::KnownTimeZone(tx, tz)) {
            v.push_back({"timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
          }
          if (!v.empty()) return st::ValidationFailed(std::move(v));
          std::vector<storage::Window> rules, extra;
          for (const auto& r : req->rules()) {
            rules.push_back(stored_window(r));
            rules.back().weekday = static_cast<int>(r.weekday());
          }
          for (const auto& e : req->extra_hours()) {
            extra.push_back(stored_window(e));
            extra.back().date = e.date();
          }
          std::vector<storage::TimeOff> off;
          for (const auto& t : req->time_off())
            off.push_back({t.start_date(), t.end_date(), t.facility_id(), t.note()});
          storage::PutAvailability(tx, req->practitioner_id(), info->user_id(), settings,
                                   caller->sub, rules, extra, off);
          return absl::OkStatus();
        });
    ForgetSlots(req->practitioner_id());
    org_.Forget(req->practitioner_id());
    if (!stored.ok()) return stored;
    *resp->mutable_rules() = req->rules();
    *resp->mutable_extra_hours() = req->extra_hours();
    *resp->mutable_time_off() = req->time_off();
    resp->set_practitioner_id(req->practitioner_id());
    resp->set_timezone(tz);
    resp->set_min_notice_minutes(settings.min_notice_minutes);
    resp->set_horizon_days(settings.horizon_days);
    if (settings.max_bookings_per_day)
      resp->set_max_bookings_per_day(*settings.max_bookings_per_day);
    resp->set_cancellation_cutoff_minutes(settings.cancellation_cutoff_minutes);
    resp->mutable_updated_at()->set_seconds(static_cast<int64_t>(NowSeconds()));
    return absl::OkStatus();
  });
}

grpc::Status AppointmentService::GetAvailability(Ctx* ctx, const v1::GetAvailabilityRequest* req,
                                                 v1::Availability* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    const absl::Status none =
        st::NotFound("AVAILABILITY_NOT_FOUND", "This practitioner has not published availability.");
    if (!validate::ValidUuid(req->practitioner_id())) return none;
    // Time-off notes are for the practitioner and their organizations' staff only.
    bool insider = false;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      auto info = org_.BookingInfo(req->practitioner_id(), scope.request_id());
      if (info.ok()) {
        insider = caller->sub == info->user_id();
        for (const auto& f : info->facilities())
          insider = insider || IsOrgStaff(*caller, f.organization_id());
      }
    }
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto settings = storage::GetSettings(tx, req->practitioner_id());
      if (!settings) return none;
      resp->set_practitioner_id(req->practitioner_id());
      resp->set_timezone(settings->timezone);
      resp->set_min_notice_minutes(settings->min_notice_minutes);
      resp->set_horizon_days(settings->horizon_days);
      if (settings->max_bookings_per_day)
        resp->set_max_bookings_per_day(*settings->max_bookings_per_day);
      resp->set_cancellation_cutoff_minutes(settings->cancellation_cutoff_minutes);
      resp->mutable_updated_at()->set_seconds(settings->updated_at);
      auto fill = [](const storage::Window& w, auto* out) {
        out->set_facility_id(w.facility_id);
        out->set_mode(ModeOf(w.mode));
        out->set_start_local(w.start_local);
        out->set_end_local(w.end_local);
        out->set_slot_minutes(w.slot_minutes);
        out->set_buffer_before_minutes(w.buffer_before_minutes);
        out->set_buffer_after_minutes(w.buffer_after_minutes);
      };
      for (const auto& w : storage::WeeklyRules(tx, req->practitioner_id())) {
        auto* r = resp->add_rules();
        fill(w, r);
        r->set_weekday(static_cast<v1::Weekday>(w.weekday));
        if (w.end_local == "23:59") r->set_end_local("24:00");
      }
      for (const auto& w : storage::ExtraHours(tx, req->practitioner_id())) {
        auto* e = resp->add_extra_hours();
        fill(w, e);
        e->set_date(w.date);
      }
      for (const auto& t : storage::TimeOffs(tx, req->practitioner_id())) {
        auto* o = resp->add_time_off();
        o->set_start_date(t.start_date);
        o->set_end_date(t.end_date);
        o->set_facility_id(t.facility_id);
        if (insider) o->set_note(t.note);
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status AppointmentService::ListSlots(Ctx* ctx, const v1::ListSlotsRequest* req,
                                           v1::ListSlotsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    // Pages by time: the token holds the window asked for first and the last slot given
    // (start µs, facility, mode); the next page starts after it, in the same window.
    int limit = paging::Limit(req->limit(), 100, 500);
    int64_t after_us = std::numeric_limits<int64_t>::min();
    std::string after_facility;
    int64_t after_mode = -1;
    v1::ListSlotsRequest window = *req;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("slots", req->page_token(), 5);
      if (!pos.ok()) return pos.status();
      auto from_us = paging::Int64Field((*pos)[0]), to_us = paging::Int64Field((*pos)[1]);
      auto us = paging::Int64Field((*pos)[2]), mode = paging::Int64Field((*pos)[4]);
      if (!us.ok() || !from_us.ok() || !to_us.ok() || !mode.ok()) return paging::InvalidPageToken();
      if (*from_us != 0) *window.mutable_from() = FromMicros(*from_us);
      if (*to_us != 0) *window.mutable_to() = FromMicros(*to_us);
      after_us = *us;
      after_facility = (*pos)[3];
      after_mode = *mode;
    }
    v1::ListSlotsResponse all;
    auto s = AllSlots(window, &all);
    if (!s.ok()) return s;

    auto key = [](const v1::Slot& x) {
      return std::make_tuple(Micros(x.start()), x.facility_id(), static_cast<int64_t>(x.mode()));
    };
    auto cursor = std::make_tuple(after_us, after_facility, after_mode);
    for (const auto& slot : all.items()) {
      if (key(slot) <= cursor) continue;
      if (resp->items_size() == limit) {
        const auto& last = resp->items(limit - 1);
        resp->set_next_page_token(page_tokens_.Encode(
            "slots", {std::to_string(window.has_from() ? Micros(window.from()) : 0),
                      std::to_string(window.has_to() ? Micros(window.to()) : 0),
                      std::to_string(Micros(last.start())), last.facility_id(),
                      std::to_string(static_cast<int>(last.mode()))}));
        break;
      }
      *resp->add_items() = slot;
    }
    return absl::OkStatus();
  });
}

absl::Status AppointmentService::AllSlots(const v1::ListSlotsRequest& req,
                                          v1::ListSlotsResponse* resp) {
  std::vector<st::Violation> v;
  double from = req.has_from() ? Seconds(req.from())
                               : static_cast<double>(static_cast<int64_t>(NowSeconds()));
  double to = req.has_to() ? Seconds(req.to()) : from + 7 * 86400;
  if (to <= from) v.push_back({"to", "must be after from"});
  if (to - from > 31 * 86400) v.push_back({"to", "the range may span at most 31 days"});
  if (!req.facility_id().empty() && !validate::ValidUuid(req.facility_id()))
    v.push_back({"facility_id", "must be a facility id"});
  if (!validate::ValidUuid(req.practitioner_id())) {
    return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
  }
  if (!v.empty()) return st::ValidationFailed(std::move(v));
  // A default window ("from now") is cached per minute of its start.
  std::string key =
      req.practitioner_id() + "|" +
      (req.has_from() ? std::to_string(from) : std::to_string(static_cast<int64_t>(from) / 60)) +
      "|" + std::to_string(static_cast<int64_t>(to - from)) + "|" + std::to_string(req.mode()) +
      "|" + req.facility_id();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mu_);
    auto it = slot_cache_.find(key);
    if (it != slot_cache_.end() && it->second.expires > now) {
      *resp = it->second.slots;
      return absl::OkStatus();
    }
  }
  // One computation per key at a time: when a list expires under load, the callers that
  // miss together wait for the first one's answer instead of each running the slot query.
  std::shared_ptr<SlotFlight> flight;
  bool leader = false;
  {
    std::lock_guard lock(cache_mu_);
    auto& f = slot_flights_[key];
    if (!f) {
      f = std::make_shared<SlotFlight>();
      leader = true;
    }
    flight = f;
  }
  if (!leader) {
    std::unique_lock lock(flight->mu);
    flight->done_cv.wait(lock, [&] { return flight->done; });
    if (flight->status.ok()) *resp = flight->slots;
    return flight->status;
  }
  absl::Status s = ComputeSlots(req, from, to, resp);
  {
    std::lock_guard lock(cache_mu_);
    slot_flights_.erase(key);
    if (s.ok()) {
      if (slot_cache_.size() > 10000) slot_cache_.clear();
      slot_cache_[key] = {now + std::chrono::seconds(1), *resp};
    }
  }
  {
    std::lock_guard lock(flight->mu);
    flight->done = true;
    flight->status = s;
    if (s.ok()) flight->slots = *resp;
  }
  flight->done_cv.notify_all();
  return s;
}

absl::Status AppointmentService::ComputeSlots(const v1::ListSlotsRequest& req, double from,
                                              double to, v1::ListSlotsResponse* resp) {
  auto info = org_.BookingInfo(req.practitioner_id(), "");
  if (!info.ok()) return info.status();
  if (!info->verified()) return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
  std::set<std::string> verified_facilities;
  for (const auto& f : info->facilities()) {
    if (f.organization_verified()) verified_facilities.insert(f.facility_id());
  }
  auto slots = storage::SlotsOnce(
      *pool_, {req.practitioner_id(), from, to, ModeText(req.mode()), req.facility_id()});
  if (!slots.ok()) return slots.status();
  for (const auto& slot : *slots) {
    if (slot.taken || verified_facilities.count(slot.facility_id) == 0) continue;
    auto* s = resp->add_items();
    SetTs(s->mutable_start(), slot.start);
    SetTs(s->mutable_end(), slot.end);
    s->set_facility_id(slot.facility_id);
    s->set_mode(ModeOf(slot.mode));
    s->set_timezone(slot.timezone);
  }
  std::sort(
      resp->mutable_items()->begin(), resp->mutable_items()->end(),
      [](const v1::Slot& x, const v1::Slot& y) {
        return std::make_tuple(Micros(x.start()), x.facility_id(), static_cast<int>(x.mode())) <
               std::make_tuple(Micros(y.start()), y.facility_id(), static_cast<int>(y.mode()));
      });
  return absl::OkStatus();
}

}  // namespace healthtech::appointment
