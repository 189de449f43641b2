#include "appointment_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <tuple>

#include <grpcpp/grpcpp.h>
#include <openssl/sha.h>
#include <nlohmann/json.hpp>

#include "healthtech/auth/jwt.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"

namespace healthtech::appointment {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using pqxx::transaction_base;

// Whether the patient may still cancel or move the appointment online (the practitioner's
// cancellation_cutoff_minutes, 240 when unset).
bool BeforeCancellationCutoff(transaction_base& tx, const std::string& appointment_id) {
  return tx
      .exec_params(
          "SELECT now() <= a.start_at - make_interval(mins => coalesce(av."
          "cancellation_cutoff_minutes, 240)) FROM appointment.appointments a "
          "LEFT JOIN appointment.availability av ON av.practitioner_id = "
          "a.practitioner_id WHERE a.id = $1::uuid",
          appointment_id)[0][0]
      .as<bool>();
}

const absl::Status kNotFound =
    st::NotFound("APPOINTMENT_NOT_FOUND", "No appointment with this id is visible to you.");

std::string ModeText(int m) {
  return m == v1::CONSULTATION_MODE_IN_PERSON ? "in_person"
         : m == v1::CONSULTATION_MODE_VIDEO   ? "video"
                                              : "";
}
v1::ConsultationMode ModeOf(const std::string& s) {
  return s == "in_person" ? v1::CONSULTATION_MODE_IN_PERSON
         : s == "video"   ? v1::CONSULTATION_MODE_VIDEO
                          : v1::CONSULTATION_MODE_UNSPECIFIED;
}
v1::AppointmentStatus StatusOf(const std::string& s) {
  std::string u = "APPOINTMENT_STATUS_" + s;
  std::transform(u.begin(), u.end(), u.begin(), ::toupper);
  v1::AppointmentStatus out = v1::APPOINTMENT_STATUS_UNSPECIFIED;
  v1::AppointmentStatus_Parse(u, &out);
  return out;
}
std::string StatusText(v1::AppointmentStatus s) {
  std::string n = v1::AppointmentStatus_Name(s);
  if (n.rfind("APPOINTMENT_STATUS_", 0) != 0 || s == v1::APPOINTMENT_STATUS_UNSPECIFIED) return "";
  n = n.substr(19);
  std::transform(n.begin(), n.end(), n.begin(), ::tolower);
  return n;
}

double Seconds(const google::protobuf::Timestamp& t) { return t.seconds() + t.nanos() / 1e9; }
// An instant as whole microseconds since the epoch (PostgreSQL's resolution), exact for
// every RFC 3339 instant; and the SQL that turns such a bigint parameter back into one.
int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}
google::protobuf::Timestamp FromMicros(int64_t us) {
  google::protobuf::Timestamp t;
  int64_t s = us / 1000000, rem = us % 1000000;
  if (rem < 0) {
    --s;
    rem += 1000000;
  }
  t.set_seconds(s);
  t.set_nanos(static_cast<int32_t>(rem * 1000));
  return t;
}
std::string FromMicrosSql(const std::string& param) {
  return "(timestamptz 'epoch' + " + param + "::bigint * interval '1 microsecond')";
}
void SetTs(google::protobuf::Timestamp* t, double seconds) {
  t->set_seconds(static_cast<int64_t>(std::floor(seconds)));
  t->set_nanos(static_cast<int32_t>((seconds - std::floor(seconds)) * 1e9));
}
int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "HH:MM" (00:00–24:00).
bool ValidLocalTime(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(s[0]) || !std::isdigit(s[1]) ||
      !std::isdigit(s[3]) || !std::isdigit(s[4]))
    return false;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return (h < 24 && m < 60) || (h == 24 && m == 0);
}

// "YYYY-MM-DD" with a real calendar date.
bool ValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 1 : 0);
  return d <= max && y >= 2000 && y <= 2200;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

int Limit(int requested) { return requested <= 0 ? 20 : std::min(requested, 100); }

constexpr const char* kCols =
    "a.id::text, a.patient_id::text, a.practitioner_id::text, a.organization_id::text, "
    "a.facility_id::text, extract(epoch from a.start_at)::float8, extract(epoch from "
    "a.end_at)::float8, "
    "a.timezone, a.mode, a.status, a.reason, a.fee_minor, a.currency, a.pay_at_clinic, "
    "extract(epoch from a.hold_expires_at)::float8, a.is_first_visit, a.cancellation_reason, "
    "a.payment_id, extract(epoch from a.created_at)::float8, extract(epoch from "
    "a.updated_at)::float8, "
    "a.practitioner_user_id::text";

void ReadAppointment(transaction_base& tx, const pqxx::row& r, v1::Appointment* a) {
  a->set_id(r[0].as<std::string>());
  a->set_patient_id(r[1].as<std::string>());
  a->set_practitioner_id(r[2].as<std::string>());
  a->set_organization_id(r[3].as<std::string>());
  a->set_facility_id(r[4].as<std::string>());
  SetTs(a->mutable_start(), r[5].as<double>());
  SetTs(a->mutable_end(), r[6].as<double>());
  a->set_timezone(r[7].as<std::string>());
  a->set_mode(ModeOf(r[8].as<std::string>()));
  a->set_status(StatusOf(r[9].as<std::string>()));
  a->set_reason(r[10].as<std::string>());
  a->mutable_fee()->set_amount_minor(r[11].as<int64_t>());
  a->mutable_fee()->set_currency(r[12].as<std::string>());
  a->set_pay_at_clinic(r[13].as<bool>());
  if (!r[14].is_null()) SetTs(a->mutable_hold_expires_at(), r[14].as<double>());
  a->set_is_first_visit(r[15].as<bool>());
  if (!r[16].is_null()) a->set_cancellation_reason(r[16].as<std::string>());
  if (!r[17].is_null()) a->set_payment_id(r[17].as<std::string>());
  SetTs(a->mutable_created_at(), r[18].as<double>());
  SetTs(a->mutable_updated_at(), r[19].as<double>());
  for (const auto& h :
       tx.exec_params("SELECT coalesce(actor_id::text, ''), coalesce(from_status, ''), to_status, "
                      "extract(epoch from at)::float8, note FROM appointment.status_history WHERE "
                      "appointment_id = $1::uuid ORDER BY id",
                      a->id())) {
    auto* c = a->add_status_history();
    c->set_actor_id(h[0].as<std::string>());
    if (!h[1].as<std::string>().empty()) c->set_from(StatusOf(h[1].as<std::string>()));
    c->set_to(StatusOf(h[2].as<std::string>()));
    SetTs(c->mutable_at(), h[3].as<double>());
    if (!h[4].is_null()) c->set_note(h[4].as<std::string>());
  }
}

absl::Status Load(transaction_base& tx, const std::string& id, v1::Appointment* out,
                  std::string* practitioner_user_id = nullptr, bool lock = false) {
  if (!validate::ValidUuid(id)) return kNotFound;
  auto rows = tx.exec_params(std::string("SELECT ") + kCols +
                                 " FROM appointment.appointments a WHERE a.id = $1::uuid" +
                                 (lock ? " FOR UPDATE" : ""),
                             id);
  if (rows.empty()) return kNotFound;  // not found, or not visible (RLS): the same answer
  ReadAppointment(tx, rows[0], out);
  if (practitioner_user_id != nullptr) *practitioner_user_id = rows[0][20].as<std::string>();
  return absl::OkStatus();
}

void History(transaction_base& tx, const std::string& id, const std::string& from,
             const std::string& to, const std::string& actor, const std::string& note) {
  tx.exec_params(
      "INSERT INTO appointment.status_history (appointment_id, from_status, to_status, "
      "actor_id, note) VALUES ($1::uuid, nullif($2, ''), $3, nullif($4, '')::uuid, "
      "nullif($5, ''))",
      id, from, to, actor, note);
}

void Audit(transaction_base& tx, const std::string& actor, const std::string& action,
           const std::string& id, const RpcScope& scope) {
  tx.exec_params(
      "INSERT INTO appointment.audit_log (actor_id, action, appointment_id, client_ip, "
      "request_id) VALUES (nullif($1, '')::uuid, $2, nullif($3, '')::uuid, nullif($4, ''), "
      "nullif($5, ''))",
      actor, action, id, scope.client_ip(), scope.request_id());
}

// Event payloads carry identifiers and times, never the reason (PHI).
void Emit(transaction_base& tx, const std::string& type, const std::string& id,
          nlohmann::json extra = nlohmann::json::object()) {
  auto r = tx.exec_params(
      "SELECT a.patient_id::text, a.practitioner_id::text, a.practitioner_user_id::text, "
      "a.organization_id::text, a.facility_id::text, to_char(a.start_at AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(a.end_at AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.timezone, a.mode, a.status, a.fee_minor, a.currency, "
      "a.is_first_visit, a.pay_at_clinic FROM appointment.appointments a WHERE a.id = $1::uuid",
      id);
  if (r.empty()) return;
  nlohmann::json p = {
      {"appointment_id", id},
      {"patient_id", r[0][0].as<std::string>()},
      {"practitioner_id", r[0][1].as<std::string>()},
      {"practitioner_user_id", r[0][2].as<std::string>()},
      {"organization_id", r[0][3].as<std::string>()},
      {"facility_id", r[0][4].as<std::string>()},
      {"start", r[0][5].as<std::string>()},
      {"end", r[0][6].as<std::string>()},
      {"timezone", r[0][7].as<std::string>()},
      {"mode", r[0][8].as<std::string>()},
      {"status", r[0][9].as<std::string>()},
      {"fee", {{"amount_minor", r[0][10].as<int64_t>()}, {"currency", r[0][11].as<std::string>()}}},
      {"is_first_visit", r[0][12].as<bool>()},
      {"pay_at_clinic", r[0][13].as<bool>()}};
  for (auto it = extra.begin(); it != extra.end(); ++it) p[it.key()] = it.value();
  outbox::Enqueue(tx, "appointment", type, id, p.dump());
}

// Reminders 24 h and 1 h before, for the ones still ahead.
void ScheduleReminders(transaction_base& tx, const std::string& id) {
  tx.exec_params(
      "DELETE FROM appointment.reminders WHERE appointment_id = $1::uuid AND sent_at IS NULL", id);
  tx.exec_params(
      "INSERT INTO appointment.reminders (appointment_id, kind, due_at) SELECT a.id, k.kind, "
      "a.start_at - k.before FROM appointment.appointments a, (VALUES ('24h', interval "
      "'24 hours'), ('1h', interval '1 hour')) AS k(kind, before) WHERE a.id = $1::uuid AND "
      "a.start_at - k.before > now() ON CONFLICT (appointment_id, kind) DO UPDATE SET due_at = "
      "EXCLUDED.due_at, sent_at = NULL",
      id);
}

bool IsOrgStaff(const auth::Claims& c, const std::string& org_id) {
  return c.HasRole("org_staff:" + org_id) || c.HasRole("org_admin:" + org_id);
}

pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

// The free-slot query: candidate slots minus notice/horizon, bookings and daily caps.
// $1 practitioner, $2 from, $3 to (epoch s), $4 mode, $5 facility, $6 count taken slots too.
constexpr const char* kSlotsSql =
    "SELECT extract(epoch from c.slot_start)::float8, extract(epoch from c.slot_end)::float8, "
    "c.facility_id::text, c.mode, c.timezone, extract(epoch from c.block_start)::float8, "
    "extract(epoch from c.block_end)::float8, c.organization_id::text, "
    "EXISTS (SELECT 1 FROM appointment.busy_blocks b WHERE b.practitioner_id = $1::uuid AND "
    "b.block && tstzrange(c.block_start, c.block_end)) OR "
    "(av.max_bookings_per_day IS NOT NULL AND (SELECT count(*) FROM appointment.busy_blocks b "
    "WHERE b.practitioner_id = $1::uuid AND b.local_day = c.local_day) >= av.max_bookings_per_day) "
    "AS taken "
    "FROM appointment.availability av, appointment.candidate_slots($1::uuid, to_timestamp($2), "
    "to_timestamp($3)) c WHERE av.practitioner_id = $1::uuid AND c.slot_start >= now() + "
    "make_interval(mins => av.min_notice_minutes) AND c.slot_start < now() + make_interval(days "
    "=> av.horizon_days) AND ($4 = '' OR c.mode = $4) AND ($5 = '' OR c.facility_id = $5::uuid) "
    "ORDER BY c.slot_start, c.facility_id, c.mode";

}  // namespace

AppointmentServiceImpl::AppointmentServiceImpl(const Config& config, pg::Pool* pool,
                                               std::shared_ptr<grpc::Channel> iam,
                                               std::shared_ptr<grpc::Channel> org)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      org_(org::v1::OrgService::NewStub(org)),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience) {
  pool_->Prepare("appointment_slots", kSlotsSql);
}

AppointmentServiceImpl::~AppointmentServiceImpl() { StopSweeper(); }

absl::StatusOr<auth::Claims> AppointmentServiceImpl::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::Status AppointmentServiceImpl::CheckInternal(const grpc::ServerContext& ctx) {
  return grpc_server::CheckInternalToken(ctx, config_.internal_token);
}

void AppointmentServiceImpl::ForgetSlots(const std::string& practitioner_id) {
  std::lock_guard lock(cache_mu_);
  for (auto it = slot_cache_.begin(); it != slot_cache_.end();) {
    it = it->first.rfind(practitioner_id, 0) == 0 ? slot_cache_.erase(it) : std::next(it);
  }
}

absl::StatusOr<org::v1::PractitionerBookingInfo> AppointmentServiceImpl::BookingInfo(
    const std::string& practitioner_id, const std::string& request_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mu_);
    auto it = info_cache_.find(practitioner_id);
    if (it != info_cache_.end() && it->second.expires > now) return it->second.info;
  }
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
  org::v1::GetPractitionerBookingInfoRequest req;
  req.set_practitioner_id(practitioner_id);
  org::v1::PractitionerBookingInfo info;
  grpc::Status s = org_->GetPractitionerBookingInfo(&ctx, req, &info);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
    return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
  }
  if (!s.ok()) {
    log::Error("org_booking_info_failed", {{"code", static_cast<int>(s.error_code())}});
    return st::Unavailable("ORG_UNAVAILABLE", "Practitioner data is temporarily unavailable.");
  }
  std::lock_guard lock(cache_mu_);
  if (info_cache_.size() > 10000) info_cache_.clear();
  info_cache_[practitioner_id] = {now + std::chrono::seconds(5), info};
  return info;
}

// ------------------------------------------------------------------ availability

grpc::Status AppointmentServiceImpl::PutAvailability(Ctx* ctx,
                                                     const v1::PutAvailabilityRequest* req,
                                                     v1::Availability* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    auto info = BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    // The practitioner, or an admin of every organization they consult at: availability
    // is replaced as a whole, so one clinic's admin must not rewrite another clinic's hours.
    bool admin_of_all = info->facilities_size() > 0;
    std::map<std::string, std::pair<std::string, std::string>> facilities;  // id -> (org, tz)
    for (const auto& f : info->facilities()) {
      facilities[f.facility_id()] = {f.organization_id(), f.timezone()};
      admin_of_all = admin_of_all && caller->HasRole("org_admin:" + f.organization_id());
    }
    bool allowed = caller->sub == info->user_id() || admin_of_all;
    if (!allowed) {
      return st::PermissionDenied(
          "FORBIDDEN", "Only the practitioner or their organization's admins set availability.");
    }
    std::vector<st::Violation> v;
    auto check_window = [&](const std::string& field, const std::string& facility, int mode,
                            const std::string& start, const std::string& end, int slot, int bb,
                            int ba) {
      if (facilities.count(facility) == 0)
        v.push_back({field + ".facility_id", "must be one of the practitioner's facilities"});
      if (ModeText(mode).empty()) v.push_back({field + ".mode", "must be in_person or video"});
      if (!ValidLocalTime(start)) v.push_back({field + ".start_local", "must be HH:MM"});
      if (!ValidLocalTime(end)) v.push_back({field + ".end_local", "must be HH:MM"});
      if (ValidLocalTime(start) && ValidLocalTime(end) && end <= start)
        v.push_back({field + ".end_local", "must be after start_local"});
      if (slot < 5 || slot > 480)
        v.push_back({field + ".slot_minutes", "must be between 5 and 480"});
      if (bb < 0 || bb > 120)
        v.push_back({field + ".buffer_before_minutes", "must be between 0 and 120"});
      if (ba < 0 || ba > 120)
        v.push_back({field + ".buffer_after_minutes", "must be between 0 and 120"});
    };
    for (int i = 0; i < req->rules_size(); ++i) {
      const auto& r = req->rules(i);
      std::string f = "rules[" + std::to_string(i) + "]";
      check_window(f, r.facility_id(), r.mode(), r.start_local(), r.end_local(), r.slot_minutes(),
                   r.buffer_before_minutes(), r.buffer_after_minutes());
      if (r.weekday() < 1 || r.weekday() > 7)
        v.push_back({f + ".weekday", "must be monday … sunday"});
    }
    for (int i = 0; i < req->extra_hours_size(); ++i) {
      const auto& e = req->extra_hours(i);
      std::string f = "extra_hours[" + std::to_string(i) + "]";
      check_window(f, e.facility_id(), e.mode(), e.start_local(), e.end_local(), e.slot_minutes(),
                   e.buffer_before_minutes(), e.buffer_after_minutes());
      if (!ValidDate(e.date())) v.push_back({f + ".date", "must be a date YYYY-MM-DD"});
    }
    for (int i = 0; i < req->time_off_size(); ++i) {
      const auto& t = req->time_off(i);
      std::string f = "time_off[" + std::to_string(i) + "]";
      if (!ValidDate(t.start_date())) v.push_back({f + ".start_date", "must be a date YYYY-MM-DD"});
      if (!ValidDate(t.end_date())) v.push_back({f + ".end_date", "must be a date YYYY-MM-DD"});
      if (ValidDate(t.start_date()) && ValidDate(t.end_date()) && t.end_date() < t.start_date())
        v.push_back({f + ".end_date", "must not be before start_date"});
      if (!t.facility_id().empty() && facilities.count(t.facility_id()) == 0)
        v.push_back({f + ".facility_id", "must be one of the practitioner's facilities"});
    }
    if (req->rules_size() + req->extra_hours_size() > 200)
      v.push_back({"rules", "at most 200 rules"});
    if (req->min_notice_minutes() < 0 || req->min_notice_minutes() > 43200)
      v.push_back({"min_notice_minutes", "must be between 0 and 43200"});
    if (req->horizon_days() < 0 || req->horizon_days() > 366)
      v.push_back({"horizon_days", "must be between 1 and 366"});
    if (req->has_max_bookings_per_day() && req->max_bookings_per_day() <= 0)
      v.push_back({"max_bookings_per_day", "must be positive"});
    if (req->cancellation_cutoff_minutes() < 0 || req->cancellation_cutoff_minutes() > 43200)
      v.push_back({"cancellation_cutoff_minutes", "must be between 0 and 43200"});
    std::string tz = req->timezone();
    if (tz.empty() && !facilities.empty()) {
      tz = req->rules_size() > 0 && facilities.count(req->rules(0).facility_id())
               ? facilities[req->rules(0).facility_id()].second
               : facilities.begin()->second.second;
    }
    absl::Status stored = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          if (tz.empty() || tz.size() > 64 ||
              tx.exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", tz).empty()) {
            v.push_back({"timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
          }
          if (!v.empty()) return st::ValidationFailed(std::move(v));
          tx.exec_params(
              "INSERT INTO appointment.availability (practitioner_id, practitioner_user_id, "
              "timezone, "
              "min_notice_minutes, horizon_days, max_bookings_per_day, "
              "cancellation_cutoff_minutes, "
              "updated_by) VALUES ($1::uuid, $2::uuid, $3, $4, $5, CASE WHEN $6 THEN $7::int END, "
              "$8, "
              "$9::uuid) ON CONFLICT (practitioner_id) DO UPDATE SET timezone = EXCLUDED.timezone, "
              "min_notice_minutes = EXCLUDED.min_notice_minutes, horizon_days = "
              "EXCLUDED.horizon_days, "
              "max_bookings_per_day = EXCLUDED.max_bookings_per_day, cancellation_cutoff_minutes = "
              "EXCLUDED.cancellation_cutoff_minutes, updated_by = EXCLUDED.updated_by, updated_at "
              "= now()",
              req->practitioner_id(), info->user_id(), tz, req->min_notice_minutes(),
              req->horizon_days() == 0 ? 60 : req->horizon_days(), req->has_max_bookings_per_day(),
              req->max_bookings_per_day(), req->cancellation_cutoff_minutes(), caller->sub);
          for (const char* t : {"weekly_rules", "extra_hours", "time_off"}) {
            tx.exec_params(
                std::string("DELETE FROM appointment.") + t + " WHERE practitioner_id = $1::uuid",
                req->practitioner_id());
          }
          for (const auto& r : req->rules()) {
            const auto& [org_id, ftz] = facilities[r.facility_id()];
            tx.exec_params(
                "INSERT INTO appointment.weekly_rules (practitioner_id, facility_id, "
                "organization_id, "
                "timezone, mode, weekday, start_local, end_local, slot_minutes, "
                "buffer_before_minutes, "
                "buffer_after_minutes) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::time, "
                "$8::time, $9, $10, $11)",
                req->practitioner_id(), r.facility_id(), org_id, ftz, ModeText(r.mode()),
                static_cast<int>(r.weekday()), r.start_local(),
                r.end_local() == "24:00" ? "23:59:59" : r.end_local(), r.slot_minutes(),
                r.buffer_before_minutes(), r.buffer_after_minutes());
          }
          for (const auto& e : req->extra_hours()) {
            const auto& [org_id, ftz] = facilities[e.facility_id()];
            tx.exec_params(
                "INSERT INTO appointment.extra_hours (practitioner_id, day, facility_id, "
                "organization_id, "
                "timezone, mode, start_local, end_local, slot_minutes, buffer_before_minutes, "
                "buffer_after_minutes) VALUES ($1::uuid, $2::date, $3::uuid, $4::uuid, $5, $6, "
                "$7::time, "
                "$8::time, $9, $10, $11)",
                req->practitioner_id(), e.date(), e.facility_id(), org_id, ftz, ModeText(e.mode()),
                e.start_local(), e.end_local() == "24:00" ? "23:59:59" : e.end_local(),
                e.slot_minutes(), e.buffer_before_minutes(), e.buffer_after_minutes());
          }
          for (const auto& t : req->time_off()) {
            tx.exec_params(
                "INSERT INTO appointment.time_off (practitioner_id, start_date, end_date, "
                "facility_id, note) VALUES ($1::uuid, $2::date, $3::date, nullif($4, '')::uuid, "
                "$5)",
                req->practitioner_id(), t.start_date(), t.end_date(), t.facility_id(), t.note());
          }
          *resp->mutable_rules() = req->rules();
          *resp->mutable_extra_hours() = req->extra_hours();
          *resp->mutable_time_off() = req->time_off();
          resp->set_practitioner_id(req->practitioner_id());
          resp->set_timezone(tz);
          resp->set_min_notice_minutes(req->min_notice_minutes());
          resp->set_horizon_days(req->horizon_days() == 0 ? 60 : req->horizon_days());
          if (req->has_max_bookings_per_day())
            resp->set_max_bookings_per_day(req->max_bookings_per_day());
          resp->set_cancellation_cutoff_minutes(req->cancellation_cutoff_minutes());
          resp->mutable_updated_at()->set_seconds(Now());
          return absl::OkStatus();
        });
    ForgetSlots(req->practitioner_id());
    {
      std::lock_guard lock(cache_mu_);
      info_cache_.erase(req->practitioner_id());
    }
    return stored;
  });
}

grpc::Status AppointmentServiceImpl::GetAvailability(Ctx* ctx,
                                                     const v1::GetAvailabilityRequest* req,
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
      auto info = BookingInfo(req->practitioner_id(), scope.request_id());
      if (info.ok()) {
        insider = caller->sub == info->user_id();
        for (const auto& f : info->facilities())
          insider = insider || IsOrgStaff(*caller, f.organization_id());
      }
    }
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto av = tx.exec_params(
              "SELECT timezone, min_notice_minutes, horizon_days, max_bookings_per_day, "
              "cancellation_cutoff_minutes, extract(epoch from updated_at)::bigint FROM "
              "appointment.availability WHERE practitioner_id = $1::uuid",
              req->practitioner_id());
          if (av.empty()) return none;
          resp->set_practitioner_id(req->practitioner_id());
          resp->set_timezone(av[0][0].as<std::string>());
          resp->set_min_notice_minutes(av[0][1].as<int>());
          resp->set_horizon_days(av[0][2].as<int>());
          if (!av[0][3].is_null()) resp->set_max_bookings_per_day(av[0][3].as<int>());
          resp->set_cancellation_cutoff_minutes(av[0][4].as<int>());
          resp->mutable_updated_at()->set_seconds(av[0][5].as<int64_t>());
          for (const auto& r : tx.exec_params(
                   "SELECT facility_id::text, mode, weekday, to_char(start_local, 'HH24:MI'), "
                   "to_char(end_local, 'HH24:MI'), slot_minutes, buffer_before_minutes, "
                   "buffer_after_minutes "
                   "FROM appointment.weekly_rules WHERE practitioner_id = $1::uuid ORDER BY "
                   "weekday, start_local, id",
                   req->practitioner_id())) {
            auto* w = resp->add_rules();
            w->set_facility_id(r[0].as<std::string>());
            w->set_mode(ModeOf(r[1].as<std::string>()));
            w->set_weekday(static_cast<v1::Weekday>(r[2].as<int>()));
            w->set_start_local(r[3].as<std::string>());
            w->set_end_local(r[4].as<std::string>() == "23:59" ? "24:00" : r[4].as<std::string>());
            w->set_slot_minutes(r[5].as<int>());
            w->set_buffer_before_minutes(r[6].as<int>());
            w->set_buffer_after_minutes(r[7].as<int>());
          }
          for (const auto& r :
               tx.exec_params("SELECT to_char(day, 'YYYY-MM-DD'), facility_id::text, mode, "
                              "to_char(start_local, 'HH24:MI'), "
                              "to_char(end_local, 'HH24:MI'), slot_minutes, buffer_before_minutes, "
                              "buffer_after_minutes "
                              "FROM appointment.extra_hours WHERE practitioner_id = $1::uuid ORDER "
                              "BY day, start_local",
                              req->practitioner_id())) {
            auto* e = resp->add_extra_hours();
            e->set_date(r[0].as<std::string>());
            e->set_facility_id(r[1].as<std::string>());
            e->set_mode(ModeOf(r[2].as<std::string>()));
            e->set_start_local(r[3].as<std::string>());
            e->set_end_local(r[4].as<std::string>());
            e->set_slot_minutes(r[5].as<int>());
            e->set_buffer_before_minutes(r[6].as<int>());
            e->set_buffer_after_minutes(r[7].as<int>());
          }
          for (const auto& r : tx.exec_params(
                   "SELECT to_char(start_date, 'YYYY-MM-DD'), to_char(end_date, 'YYYY-MM-DD'), "
                   "coalesce(facility_id::text, ''), note FROM appointment.time_off WHERE "
                   "practitioner_id = "
                   "$1::uuid ORDER BY start_date",
                   req->practitioner_id())) {
            auto* t = resp->add_time_off();
            t->set_start_date(r[0].as<std::string>());
            t->set_end_date(r[1].as<std::string>());
            t->set_facility_id(r[2].as<std::string>());
            if (insider) t->set_note(r[3].as<std::string>());
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status AppointmentServiceImpl::ListSlots(Ctx* ctx, const v1::ListSlotsRequest* req,
                                               v1::ListSlotsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    // Pages by time: the token holds the window asked for first and the last slot given
    // (start µs, facility, mode); the next page starts after it, in the same window.
    int limit = req->limit() <= 0 ? 100 : std::min(req->limit(), 500);
    int64_t after_us = std::numeric_limits<int64_t>::min();
    std::string after_facility, after_mode = "-1";
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
      after_mode = (*pos)[4];
    }
    v1::ListSlotsResponse all;
    auto s = AllSlots(window, &all);
    if (!s.ok()) return s;

    auto key = [](const v1::Slot& x) {
      return std::make_tuple(Micros(x.start()), x.facility_id(), static_cast<int>(x.mode()));
    };
    auto cursor = std::make_tuple(after_us, after_facility, std::stoi(after_mode));
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

absl::Status AppointmentServiceImpl::AllSlots(const v1::ListSlotsRequest& request,
                                              v1::ListSlotsResponse* out) {
  const auto* req = &request;
  auto* resp = out;
  {
    std::vector<st::Violation> v;
    double from = req->has_from() ? Seconds(req->from()) : static_cast<double>(Now());
    double to = req->has_to() ? Seconds(req->to()) : from + 7 * 86400;
    if (to <= from) v.push_back({"to", "must be after from"});
    if (to - from > 31 * 86400) v.push_back({"to", "the range may span at most 31 days"});
    if (!req->facility_id().empty() && !validate::ValidUuid(req->facility_id()))
      v.push_back({"facility_id", "must be a facility id"});
    if (!validate::ValidUuid(req->practitioner_id())) {
      return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    // A default window ("from now") is cached per minute of its start.
    std::string key =
        req->practitioner_id() + "|" +
        (req->has_from() ? std::to_string(from) : std::to_string(static_cast<int64_t>(from) / 60)) +
        "|" + std::to_string(static_cast<int64_t>(to - from)) + "|" + std::to_string(req->mode()) +
        "|" + req->facility_id();
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(cache_mu_);
      auto it = slot_cache_.find(key);
      if (it != slot_cache_.end() && it->second.expires > now) {
        *resp = it->second.slots;
        return absl::OkStatus();
      }
    }
    auto info = BookingInfo(req->practitioner_id(), "");
    if (!info.ok()) return info.status();
    if (!info->verified()) return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    std::set<std::string> verified_facilities;
    for (const auto& f : info->facilities()) {
      if (f.organization_verified()) verified_facilities.insert(f.facility_id());
    }
    auto rows = pg::ReadOnce(*pool_, pg::Subject::System(), [&](pqxx::connection& conn) {
      return "EXECUTE appointment_slots(" + conn.quote(req->practitioner_id()) + ", " +
             conn.quote(std::to_string(from)) + ", " + conn.quote(std::to_string(to)) + ", " +
             conn.quote(ModeText(req->mode())) + ", " + conn.quote(req->facility_id()) + ")";
    });
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      if (r[8].as<bool>() || verified_facilities.count(r[2].as<std::string>()) == 0) continue;
      auto* s = resp->add_items();
      SetTs(s->mutable_start(), r[0].as<double>());
      SetTs(s->mutable_end(), r[1].as<double>());
      s->set_facility_id(r[2].as<std::string>());
      s->set_mode(ModeOf(r[3].as<std::string>()));
      s->set_timezone(r[4].as<std::string>());
    }
    std::sort(
        resp->mutable_items()->begin(), resp->mutable_items()->end(),
        [](const v1::Slot& x, const v1::Slot& y) {
          return std::make_tuple(Micros(x.start()), x.facility_id(), static_cast<int>(x.mode())) <
                 std::make_tuple(Micros(y.start()), y.facility_id(), static_cast<int>(y.mode()));
        });
    std::lock_guard lock(cache_mu_);
    if (slot_cache_.size() > 10000) slot_cache_.clear();
    slot_cache_[key] = {now + std::chrono::seconds(1), *resp};
    return absl::OkStatus();
  }
}

// ------------------------------------------------------------------ booking

namespace {

struct SlotRow {
  double start, end, block_start, block_end;
  std::string facility_id, mode, timezone, organization_id;
  bool taken;
};

// Is `start` (facility, mode) one of the practitioner's slots right now?
absl::StatusOr<SlotRow> FindSlot(transaction_base& tx, const std::string& practitioner_id,
                                 double start, const std::string& facility_id,
                                 const std::string& mode) {
  auto rows = tx.exec_prepared("appointment_slots", practitioner_id, std::to_string(start - 1),
                               std::to_string(start + 1), mode, facility_id);
  for (const auto& r : rows) {
    if (std::fabs(r[0].as<double>() - start) < 0.5) {
      return SlotRow{r[0].as<double>(),      r[1].as<double>(),      r[5].as<double>(),
                     r[6].as<double>(),      r[2].as<std::string>(), r[3].as<std::string>(),
                     r[4].as<std::string>(), r[7].as<std::string>(), r[8].as<bool>()};
    }
  }
  return st::InvalidArgument(
      "NOT_A_SLOT",
      "This time is not one of the practitioner's bookable slots (outside their "
      "hours, inside the minimum notice, or beyond the booking horizon).",
      {{"start", "is not a bookable slot"}});
}

// Bookings of one slot are serialized: the second sees the first's row and answers 409 at
// once. Without it, two inserts racing through the exclusion constraint (e.g. the same time
// in two modes) each wait for the other's new index entry until PostgreSQL's deadlock
// detector (1 s) rolls one back. Overlaps of different start times are rarer and end in the
// transaction helper's retry. With a daily cap, every booking of the practitioner is
// serialized so the count in the slot query cannot be passed twice.
void LockForBooking(transaction_base& tx, const std::string& practitioner_id, double start) {
  tx.exec_params(
      "SELECT pg_advisory_xact_lock(hashtext($1 || '@' || $2::text)), (SELECT "
      "pg_advisory_xact_lock(hashtext($1)) FROM appointment.availability WHERE practitioner_id "
      "= $1::uuid AND max_bookings_per_day IS NOT NULL)",
      practitioner_id, static_cast<int64_t>(start));
}

absl::Status ConstraintError(const pqxx::sql_error& e) {
  std::string what = e.what();
  if (what.find("appointments_no_patient_overlap") != std::string::npos) {
    return st::Conflict("PATIENT_OVERLAP", "You already have an appointment at this time.");
  }
  return st::Conflict("SLOT_UNAVAILABLE", "This slot has just been taken. Choose another one.");
}

}  // namespace

grpc::Status AppointmentServiceImpl::CreateAppointment(Ctx* ctx,
                                                       const v1::CreateAppointmentRequest* req,
                                                       v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->practitioner_id()))
      v.push_back({"practitioner_id", "must be a practitioner id"});
    if (!validate::ValidUuid(req->facility_id()))
      v.push_back({"facility_id", "must be a facility id"});
    if (!req->has_start()) v.push_back({"start", "is required"});
    std::string mode = ModeText(req->mode());
    if (mode.empty()) v.push_back({"mode", "must be in_person or video"});
    if (validate::CodePoints(req->reason()) > 1000)
      v.push_back({"reason", "must be at most 1000 characters"});
    if (key.size() > 255) v.push_back({"Idempotency-Key", "must be at most 255 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    // What the request means, for Idempotency-Key replays: same key + same body only.
    std::string request_hash = Sha256Hex(req->practitioner_id() + "|" + req->facility_id() + "|" +
                                         std::to_string(Seconds(req->start())) + "|" + mode + "|" +
                                         req->reason() + "|" + (req->pay_at_clinic() ? "1" : "0"));
    auto info = BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    bool facility_ok = false;
    for (const auto& f : info->facilities()) {
      facility_ok =
          facility_ok || (f.facility_id() == req->facility_id() && f.organization_verified());
    }
    if (!info->verified() || !facility_ok) {
      return st::NotFound("PRACTITIONER_NOT_FOUND",
                          "This practitioner cannot be booked at this facility.");
    }
    if (caller->sub == info->user_id()) {
      return st::PermissionDenied("SELF_BOOKING", "Practitioners cannot book themselves.");
    }
    bool replay = false;
    absl::Status s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          if (!key.empty()) {
            auto prior = tx.exec_params(
                "SELECT id::text, request_hash FROM appointment.appointments WHERE "
                "patient_id = $1::uuid AND idempotency_key = $2",
                caller->sub, key);
            if (!prior.empty()) {
              if (prior[0][1].as<std::string>() != request_hash) {
                return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                                    "This Idempotency-Key was used for a different request.");
              }
              replay = true;
              return Load(tx, prior[0][0].as<std::string>(), resp);
            }
          }
          LockForBooking(tx, req->practitioner_id(), Seconds(req->start()));
          auto slot =
              FindSlot(tx, req->practitioner_id(), Seconds(req->start()), req->facility_id(), mode);
          if (!slot.ok()) return slot.status();
          if (slot->taken)
            return st::Conflict("SLOT_UNAVAILABLE", "This slot is taken. Choose another one.");
          bool first_visit = tx.exec_params(
                                   "SELECT 1 FROM appointment.appointments WHERE patient_id = "
                                   "$1::uuid AND practitioner_id = "
                                   "$2::uuid AND status IN ('booked', 'checked_in', 'in_progress', "
                                   "'completed') LIMIT 1",
                                   caller->sub, req->practitioner_id())
                                 .empty();
          int64_t fee = 0;
          std::string currency = "INR";
          if (info->has_fees()) {
            const auto& m = first_visit ? info->fees().first_visit() : info->fees().follow_up();
            fee = m.amount_minor();
            if (!m.currency().empty()) currency = m.currency();
          }
          bool hold = fee > 0 && !req->pay_at_clinic();
          std::string status = hold ? "pending_payment" : "booked";
          pqxx::result rows;
          try {
            tx.exec("SAVEPOINT booking");
            rows = tx.exec_params(
                "INSERT INTO appointment.appointments (patient_id, practitioner_id, "
                "practitioner_user_id, "
                "organization_id, facility_id, mode, start_at, end_at, block_start, block_end, "
                "timezone, "
                "status, reason, fee_minor, currency, pay_at_clinic, is_first_visit, "
                "hold_expires_at, "
                "idempotency_key, request_hash) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, "
                "$5::uuid, "
                "$6, to_timestamp($7), to_timestamp($8), to_timestamp($9), to_timestamp($10), $11, "
                "$12, "
                "$13, $14, $15, $16, $17, CASE WHEN $18 THEN now() + make_interval(mins => $19) "
                "END, "
                "nullif($20, ''), $21) RETURNING id::text",
                caller->sub, req->practitioner_id(), info->user_id(), slot->organization_id,
                req->facility_id(), mode, slot->start, slot->end, slot->block_start,
                slot->block_end, slot->timezone, status, req->reason(), fee, currency,
                req->pay_at_clinic(), first_visit, hold, config_.hold_minutes, key, request_hash);
            tx.exec("RELEASE SAVEPOINT booking");
          } catch (const pqxx::sql_error& e) {
            std::string state = e.sqlstate();
            if (state == "23P01") return ConstraintError(e);  // exclusion: slot or patient overlap
            if (state == "23505" && !key.empty()) {
              // The same key raced us: answer like a replay.
              tx.exec("ROLLBACK TO SAVEPOINT booking");
              auto prior = tx.exec_params(
                  "SELECT id::text, request_hash FROM appointment.appointments "
                  "WHERE patient_id = $1::uuid AND idempotency_key = $2",
                  caller->sub, key);
              if (prior.empty() || prior[0][1].as<std::string>() != request_hash) {
                return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                                    "This Idempotency-Key was used for a different request.");
              }
              replay = true;
              return Load(tx, prior[0][0].as<std::string>(), resp);
            }
            throw;
          }
          std::string id = rows[0][0].as<std::string>();
          History(tx, id, "", status, caller->sub, "");
          Audit(tx, caller->sub, "appointment.create", id, scope);
          if (!hold) {
            ScheduleReminders(tx, id);
            Emit(tx, "appointment.booked", id);
          } else {
            Emit(tx, "appointment.pending_payment", id);
          }
          return Load(tx, id, resp);
        });
    if (s.ok() && !replay) ForgetSlots(req->practitioner_id());
    return s;
  });
}

grpc::Status AppointmentServiceImpl::GetAppointment(Ctx* ctx, const v1::GetAppointmentRequest* req,
                                                    v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, SubjectOf(*caller),
                               [&](transaction_base& tx) -> absl::Status {
                                 if (auto s = Load(tx, req->id(), resp); !s.ok()) return s;
                                 Audit(tx, caller->sub, "appointment.read", req->id(), scope);
                                 return absl::OkStatus();
                               });
  });
}

grpc::Status AppointmentServiceImpl::ListAppointments(Ctx* ctx,
                                                      const v1::ListAppointmentsRequest* req,
                                                      v1::ListAppointmentsResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string where;
    v1::ListRole role =
        req->role() == v1::LIST_ROLE_UNSPECIFIED ? v1::LIST_ROLE_PATIENT : req->role();
    std::string org_id = req->organization_id();
    if (role == v1::LIST_ROLE_ORG) {
      if (!validate::ValidUuid(org_id))
        v.push_back({"organization_id", "is required with role=org"});
      else if (!IsOrgStaff(*caller, org_id) && !caller->HasRole("practitioner:" + org_id))
        return st::PermissionDenied("FORBIDDEN",
                                    "Only this organization's staff see its appointments.");
    }
    std::string status = StatusText(req->status());
    if (req->has_from() && req->has_to() && !(Micros(req->from()) < Micros(req->to())))
      v.push_back({"to", "must be after from"});
    // Page token: the last item's start (microseconds since the epoch) and id.
    bool after = false;
    int64_t after_us = 0;
    std::string after_id;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode(req->newest_first() ? "appointments.desc" : "appointments",
                                     req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      after = true;
      after_us = *us;
      after_id = (*pos)[1];
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = Limit(req->limit());
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          // Every parameter is referenced in every variant (PostgreSQL must type them all).
          // Instants travel as microseconds since the epoch (bigint): exact, and any RFC 3339
          // instant (years 0001–9999) fits; a bound is applied only when given.
          const bool desc = req->newest_first();
          std::string who = role == v1::LIST_ROLE_PATIENT
                                ? "a.patient_id = $1::uuid AND $2::uuid IS NOT NULL"
                            : role == v1::LIST_ROLE_PRACTITIONER
                                ? "a.practitioner_user_id = $1::uuid AND $2::uuid IS NOT NULL"
                                : "a.organization_id = $2::uuid AND $1::uuid IS NOT NULL";
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols +
                  ", (extract(epoch from a.start_at) * 1000000)::bigint"
                  " FROM appointment.appointments a WHERE " +
                  who +
                  " AND ($3::text = '' OR a.status = $3::text)"
                  " AND (NOT $4::bool OR a.start_at >= " +
                  FromMicrosSql("$5") + ") AND (NOT $6::bool OR a.start_at < " +
                  FromMicrosSql("$7") + ") AND (NOT $8::bool OR (a.start_at, a.id) " +
                  (desc ? "<" : ">") + " (" + FromMicrosSql("$9") +
                  ", $10::uuid)) ORDER BY a.start_at " + (desc ? "DESC" : "") + ", a.id " +
                  (desc ? "DESC" : "") + " LIMIT $11",
              caller->sub,
              validate::ValidUuid(org_id) ? org_id : "00000000-0000-0000-0000-000000000000", status,
              req->has_from(), Micros(req->from()), req->has_to(), Micros(req->to()), after,
              after_us, after ? after_id : "00000000-0000-0000-0000-000000000000", limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            ReadAppointment(tx, rows[i], resp->add_items());
            Audit(tx, caller->sub, "appointment.list", rows[i][0].as<std::string>(), scope);
          }
          if (static_cast<int>(rows.size()) > limit) {
            const auto& last = rows[limit - 1];
            resp->set_next_page_token(page_tokens_.Encode(
                desc ? "appointments.desc" : "appointments",
                {std::to_string(last[21].as<int64_t>()), last[0].as<std::string>()}));
          }
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ status machine

namespace {

void OfferFreedSlot(transaction_base& tx, const std::string& practitioner_id, double start,
                    double end, const std::string& facility_id, const std::string& mode,
                    const std::string& tz, int offer_minutes);

}  // namespace

grpc::Status AppointmentServiceImpl::Transition(grpc::ServerContext* ctx, const std::string& id,
                                                const std::vector<std::string>& from,
                                                const std::string& to, const std::string& note,
                                                v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (validate::CodePoints(note) > 1000)
      return st::ValidationFailed({{"note", "must be at most 1000 characters"}});
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Appointment current;
          std::string practitioner_user;
          if (auto s = Load(tx, id, &current, &practitioner_user, /*lock=*/true); !s.ok()) return s;
          if (caller->sub != practitioner_user && !IsOrgStaff(*caller, current.organization_id())) {
            return st::PermissionDenied(
                "FORBIDDEN", "Only the practitioner or their organization's staff do this.");
          }
          std::string now_status = StatusText(current.status());
          if (std::find(from.begin(), from.end(), now_status) == from.end()) {
            return st::Conflict("INVALID_TRANSITION", "An appointment that is " + now_status +
                                                          " cannot become " + to + ".");
          }
          if (to == "no_show" && Seconds(current.start()) > static_cast<double>(Now())) {
            return st::Conflict("TOO_EARLY",
                                "A no-show can be marked once the start time has passed.");
          }
          tx.exec_params(
              "UPDATE appointment.appointments SET status = $2, updated_at = now() WHERE id = "
              "$1::uuid",
              id, to);
          History(tx, id, now_status, to, caller->sub, note);
          Audit(tx, caller->sub, "appointment." + to, id, scope);
          if (to == "completed" || to == "no_show") {
            tx.exec_params(
                "DELETE FROM appointment.reminders WHERE appointment_id = $1::uuid AND sent_at IS "
                "NULL",
                id);
            Emit(tx, "appointment." + to, id,
                 {{to == "completed" ? "completed_at" : "marked_at",
                   tx.exec("SELECT to_char(now() AT TIME ZONE 'UTC', "
                           "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")[0][0]
                       .as<std::string>()}});
          }
          return Load(tx, id, resp);
        });
  });
}

grpc::Status AppointmentServiceImpl::CheckIn(Ctx* ctx, const v1::CheckInRequest* req,
                                             v1::Appointment* resp) {
  return Transition(ctx, req->id(), {"booked"}, "checked_in", req->note(), resp);
}
grpc::Status AppointmentServiceImpl::Start(Ctx* ctx, const v1::StartRequest* req,
                                           v1::Appointment* resp) {
  return Transition(ctx, req->id(), {"checked_in"}, "in_progress", req->note(), resp);
}
grpc::Status AppointmentServiceImpl::Complete(Ctx* ctx, const v1::CompleteRequest* req,
                                              v1::Appointment* resp) {
  return Transition(ctx, req->id(), {"in_progress"}, "completed", req->note(), resp);
}
grpc::Status AppointmentServiceImpl::MarkNoShow(Ctx* ctx, const v1::MarkNoShowRequest* req,
                                                v1::Appointment* resp) {
  return Transition(ctx, req->id(), {"booked", "checked_in"}, "no_show", req->note(), resp);
}

grpc::Status AppointmentServiceImpl::CancelAppointment(Ctx* ctx,
                                                       const v1::CancelAppointmentRequest* req,
                                                       v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string reason = validate::Trim(req->reason());
    if (validate::CodePoints(reason) > 1000)
      return st::ValidationFailed({{"reason", "must be at most 1000 characters"}});
    std::string practitioner_for_cache;
    absl::Status result =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Appointment a;
          std::string practitioner_user;
          if (auto s = Load(tx, req->id(), &a, &practitioner_user, /*lock=*/true); !s.ok())
            return s;
          practitioner_for_cache = a.practitioner_id();
          std::string from = StatusText(a.status());
          if (from != "pending_payment" && from != "booked") {
            return st::Conflict("INVALID_TRANSITION",
                                "An appointment that is " + from + " cannot be cancelled.");
          }
          bool by_patient = caller->sub == a.patient_id();
          bool by_provider =
              caller->sub == practitioner_user || IsOrgStaff(*caller, a.organization_id());
          if (!by_patient && !by_provider) {
            return st::PermissionDenied("FORBIDDEN", "You cannot cancel this appointment.");
          }
          bool before_cutoff = true;
          if (by_patient && !by_provider) {
            before_cutoff = BeforeCancellationCutoff(tx, req->id());
            if (!before_cutoff && from == "booked") {
              return st::Conflict(
                  "CANCELLATION_CUTOFF_PASSED",
                  "It is too late to cancel this appointment online; contact the clinic.");
            }
          }
          tx.exec_params(
              "UPDATE appointment.appointments SET status = 'cancelled', cancellation_reason = "
              "nullif($2, ''), hold_expires_at = NULL, updated_at = now() WHERE id = $1::uuid",
              req->id(), reason);
          History(tx, req->id(), from, "cancelled", caller->sub, reason);
          Audit(tx, caller->sub, "appointment.cancel", req->id(), scope);
          tx.exec_params(
              "DELETE FROM appointment.reminders WHERE appointment_id = $1::uuid AND sent_at IS "
              "NULL",
              req->id());
          std::string role = by_patient && !by_provider         ? "patient"
                             : caller->sub == practitioner_user ? "practitioner"
                                                                : "org_staff";
          Emit(tx, "appointment.cancelled", req->id(),
               {{"cancelled_by", caller->sub},
                {"cancelled_by_role", role},
                {"before_cutoff", before_cutoff},
                {"was_status", from}});
          OfferFreedSlot(tx, a.practitioner_id(), Seconds(a.start()), Seconds(a.end()),
                         a.facility_id(),
                         a.mode() == v1::CONSULTATION_MODE_VIDEO ? "video" : "in_person",
                         a.timezone(), config_.waitlist_offer_minutes);
          return Load(tx, req->id(), resp);
        });
    if (result.ok()) ForgetSlots(practitioner_for_cache);
    return result;
  });
}

grpc::Status AppointmentServiceImpl::RescheduleAppointment(
    Ctx* ctx, const v1::RescheduleAppointmentRequest* req, v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!req->has_start()) return st::ValidationFailed({{"start", "is required"}});
    if (!req->facility_id().empty() && !validate::ValidUuid(req->facility_id()))
      return st::ValidationFailed({{"facility_id", "must be a facility id"}});
    // Atomic: the old slot is freed and the new one taken in one transaction, or nothing changes.
    std::string practitioner_for_cache;
    absl::Status result =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Appointment a;
          std::string practitioner_user;
          if (auto s = Load(tx, req->id(), &a, &practitioner_user, /*lock=*/true); !s.ok())
            return s;
          practitioner_for_cache = a.practitioner_id();
          std::string from = StatusText(a.status());
          if (from != "booked" && from != "pending_payment") {
            return st::Conflict("INVALID_TRANSITION",
                                "An appointment that is " + from + " cannot be rescheduled.");
          }
          bool by_patient = caller->sub == a.patient_id();
          bool by_provider =
              caller->sub == practitioner_user || IsOrgStaff(*caller, a.organization_id());
          if (!by_patient && !by_provider)
            return st::PermissionDenied("FORBIDDEN", "You cannot reschedule this appointment.");
          std::string facility = req->facility_id().empty() ? a.facility_id() : req->facility_id();
          if (by_patient && !by_provider && from == "booked") {
            if (!BeforeCancellationCutoff(tx, req->id())) {
              return st::Conflict(
                  "CANCELLATION_CUTOFF_PASSED",
                  "It is too late to move this appointment online; contact the clinic.");
            }
          }
          auto info = BookingInfo(a.practitioner_id(), scope.request_id());
          if (!info.ok()) return info.status();
          bool facility_ok = false;
          for (const auto& f : info->facilities()) {
            facility_ok = facility_ok || (f.facility_id() == facility && f.organization_verified());
          }
          if (!info->verified() || !facility_ok) {
            return st::Conflict("NOT_BOOKABLE",
                                "The practitioner cannot be booked at this facility now.");
          }
          std::string mode = a.mode() == v1::CONSULTATION_MODE_VIDEO ? "video" : "in_person";
          double old_start = Seconds(a.start()), old_end = Seconds(a.end());
          // Free the old slot inside this transaction, so that it does not block the search.
          tx.exec("SAVEPOINT reschedule");
          tx.exec_params(
              "UPDATE appointment.appointments SET status = 'cancelled' WHERE id = $1::uuid",
              req->id());
          LockForBooking(tx, a.practitioner_id(), Seconds(req->start()));
          auto slot = FindSlot(tx, a.practitioner_id(), Seconds(req->start()), facility, mode);
          if (!slot.ok()) return slot.status();
          if (slot->taken)
            return st::Conflict("SLOT_UNAVAILABLE", "This slot is taken. Choose another one.");
          try {
            tx.exec_params(
                "UPDATE appointment.appointments SET status = $2, facility_id = $3::uuid, "
                "organization_id = $4::uuid, start_at = to_timestamp($5), end_at = "
                "to_timestamp($6), "
                "block_start = to_timestamp($7), block_end = to_timestamp($8), timezone = $9, "
                "updated_at = now() WHERE id = $1::uuid",
                req->id(), from, facility, slot->organization_id, slot->start, slot->end,
                slot->block_start, slot->block_end, slot->timezone);
          } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() == "23P01") return ConstraintError(e);
            throw;
          }
          History(tx, req->id(), from, from, caller->sub, "rescheduled");
          Audit(tx, caller->sub, "appointment.reschedule", req->id(), scope);
          if (from == "booked") ScheduleReminders(tx, req->id());
          char old_start_text[32];
          {
            std::time_t t = static_cast<std::time_t>(old_start);
            std::tm tm{};
            gmtime_r(&t, &tm);
            std::strftime(old_start_text, sizeof old_start_text, "%Y-%m-%dT%H:%M:%SZ", &tm);
          }
          Emit(tx, "appointment.rescheduled", req->id(),
               {{"old_start", old_start_text}, {"rescheduled_by", caller->sub}});
          OfferFreedSlot(tx, a.practitioner_id(), old_start, old_end, a.facility_id(), mode,
                         a.timezone(), config_.waitlist_offer_minutes);
          return Load(tx, req->id(), resp);
        });
    if (result.ok()) ForgetSlots(practitioner_for_cache);
    return result;
  });
}

grpc::Status AppointmentServiceImpl::ConfirmPayment(Ctx* ctx, const v1::ConfirmPaymentRequest* req,
                                                    v1::ConfirmPaymentResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          v1::Appointment a;
          if (auto s = Load(tx, req->appointment_id(), &a, nullptr, /*lock=*/true); !s.ok())
            return s;
          std::string status = StatusText(a.status());
          if (status == "pending_payment") {
            // Exactly once: only the first confirmation moves it.
            tx.exec_params(
                "UPDATE appointment.appointments SET status = 'booked', payment_id = $2, "
                "hold_expires_at = NULL, updated_at = now() WHERE id = $1::uuid",
                req->appointment_id(), req->payment_id());
            History(tx, req->appointment_id(), status, "booked", "",
                    "payment " + req->payment_id());
            Audit(tx, "", "appointment.confirm_payment", req->appointment_id(), scope);
            ScheduleReminders(tx, req->appointment_id());
            Emit(tx, "appointment.booked", req->appointment_id(),
                 {{"payment_id", req->payment_id()}});
            resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_CONFIRMED);
          } else if (a.payment_id() == req->payment_id() && status != "expired" &&
                     status != "cancelled") {
            resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_ALREADY_CONFIRMED);
          } else {
            // Expired hold or cancelled: the payment service refunds.
            resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_NOT_CONFIRMABLE);
          }
          return Load(tx, req->appointment_id(), resp->mutable_appointment());
        });
  });
}

// ------------------------------------------------------------------ waitlist

namespace {

// A slot came free: offer it to the first patient waiting for that practitioner and
// local date (who has no pending offer), for a limited time.
void OfferFreedSlot(transaction_base& tx, const std::string& practitioner_id, double start,
                    double end, const std::string& facility_id, const std::string& mode,
                    const std::string& tz, int offer_minutes) {
  if (start < static_cast<double>(Now())) return;
  // Other patients' waitlist rows are not the caller's to see: act as the system for
  // this step only, then restore the caller's identity.
  std::string previous =
      tx.exec("SELECT coalesce(current_setting('app.roles', true), '')")[0][0].as<std::string>();
  tx.exec("SELECT set_config('app.roles', 'system', true)");
  struct Restore {
    transaction_base& tx;
    std::string roles;
    ~Restore() {
      try {
        tx.exec_params("SELECT set_config('app.roles', $1, true)", roles);
      } catch (...) {
      }
    }
  } restore{tx, previous};
  auto next = tx.exec_params(
      "SELECT id::text FROM appointment.waitlist WHERE practitioner_id = $1::uuid AND status = "
      "'waiting' AND (to_timestamp($2) AT TIME ZONE $3)::date BETWEEN date_from AND date_to AND "
      "(mode IS NULL OR mode = $4) AND (facility_id IS NULL OR facility_id = $5::uuid) ORDER BY "
      "created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
      practitioner_id, start, tz, mode, facility_id);
  if (next.empty()) return;
  std::string id = next[0][0].as<std::string>();
  auto r = tx.exec_params(
      "UPDATE appointment.waitlist SET status = 'offered', offered_start = to_timestamp($2), "
      "offered_end = to_timestamp($3), offered_facility_id = $4::uuid, offered_mode = $5, "
      "offered_timezone = $6, offer_expires_at = now() + make_interval(mins => $7) WHERE id = "
      "$1::uuid "
      "RETURNING patient_id::text, to_char(offer_expires_at AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "to_char(offered_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "to_char(offered_end AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
      id, start, end, facility_id, mode, tz, offer_minutes);
  nlohmann::json ev = {{"waitlist_entry_id", id},
                       {"patient_id", r[0][0].as<std::string>()},
                       {"practitioner_id", practitioner_id},
                       {"facility_id", facility_id},
                       {"mode", mode},
                       {"slot_start", r[0][2].as<std::string>()},
                       {"slot_end", r[0][3].as<std::string>()},
                       {"timezone", tz},
                       {"offer_expires_at", r[0][1].as<std::string>()}};
  outbox::Enqueue(tx, "appointment", "waitlist.offered", id, ev.dump());
}

void ReadWaitlist(const pqxx::row& r, v1::WaitlistEntry* w) {
  w->set_id(r[0].as<std::string>());
  w->set_practitioner_id(r[1].as<std::string>());
  w->set_patient_id(r[2].as<std::string>());
  w->set_date_from(r[3].as<std::string>());
  w->set_date_to(r[4].as<std::string>());
  if (!r[5].is_null()) w->set_mode(ModeOf(r[5].as<std::string>()));
  if (!r[6].is_null()) w->set_facility_id(r[6].as<std::string>());
  std::string s = "WAITLIST_STATUS_" + r[7].as<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  v1::WaitlistStatus ws = v1::WAITLIST_STATUS_UNSPECIFIED;
  v1::WaitlistStatus_Parse(s, &ws);
  w->set_status(ws);
  w->mutable_created_at()->set_seconds(r[8].as<int64_t>());
}

}  // namespace

grpc::Status AppointmentServiceImpl::JoinWaitlist(Ctx* ctx, const v1::JoinWaitlistRequest* req,
                                                  v1::WaitlistEntry* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (!ValidDate(req->date_from())) v.push_back({"date_from", "must be a date YYYY-MM-DD"});
    if (!ValidDate(req->date_to())) v.push_back({"date_to", "must be a date YYYY-MM-DD"});
    if (v.empty() && req->date_to() < req->date_from())
      v.push_back({"date_to", "must not be before date_from"});
    if (!req->facility_id().empty() && !validate::ValidUuid(req->facility_id()))
      v.push_back({"facility_id", "must be a facility id"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    auto info = BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    if (!info->verified()) return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto r = tx.exec_params(
              "INSERT INTO appointment.waitlist (practitioner_id, patient_id, date_from, date_to, "
              "mode, "
              "facility_id) VALUES ($1::uuid, $2::uuid, $3::date, $4::date, nullif($5, ''), "
              "nullif($6, "
              "'')::uuid) RETURNING id::text, practitioner_id::text, patient_id::text, "
              "to_char(date_from, "
              "'YYYY-MM-DD'), to_char(date_to, 'YYYY-MM-DD'), mode, facility_id::text, status, "
              "extract(epoch from created_at)::bigint",
              req->practitioner_id(), caller->sub, req->date_from(), req->date_to(),
              ModeText(req->mode()), req->facility_id());
          ReadWaitlist(r[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status AppointmentServiceImpl::FilterAvailablePractitioners(
    Ctx* ctx, const v1::FilterAvailablePractitionersRequest* req,
    v1::FilterAvailablePractitionersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (!ValidDate(req->date()))
      return st::ValidationFailed({{"date", "must be a date YYYY-MM-DD"}});
    if (req->practitioner_ids_size() > 500)
      return st::ValidationFailed({{"practitioner_ids", "at most 500"}});
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          for (const auto& id : req->practitioner_ids()) {
            if (!validate::ValidUuid(id)) continue;
            // Free slots whose local date is `date`, searched over the surrounding UTC days.
            auto rows = tx.exec_params(
                "SELECT 1 FROM appointment.availability av, appointment.candidate_slots($1::uuid, "
                "($2::date - 1)::timestamptz, ($2::date + 2)::timestamptz) c WHERE "
                "av.practitioner_id = "
                "$1::uuid AND c.local_day = $2::date AND c.slot_start >= now() + "
                "make_interval(mins => "
                "av.min_notice_minutes) AND c.slot_start < now() + make_interval(days => "
                "av.horizon_days) "
                "AND ($3 = '' OR c.mode = $3) AND NOT EXISTS (SELECT 1 FROM "
                "appointment.busy_blocks b WHERE "
                "b.practitioner_id = $1::uuid AND b.block && tstzrange(c.block_start, "
                "c.block_end)) AND "
                "(av.max_bookings_per_day IS NULL OR (SELECT count(*) FROM appointment.busy_blocks "
                "b WHERE "
                "b.practitioner_id = $1::uuid AND b.local_day = c.local_day) < "
                "av.max_bookings_per_day) LIMIT 1",
                id, req->date(), ModeText(req->mode()));
            if (!rows.empty()) resp->add_practitioner_ids(id);
          }
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ background sweeps

int AppointmentServiceImpl::SweepOnce() {
  int done = 0;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        // 1. Payment holds that ran out free their slot.
        for (const auto& r : tx.exec(
                 "SELECT id::text, practitioner_id::text, extract(epoch from start_at)::float8, "
                 "extract(epoch from end_at)::float8, facility_id::text, mode, timezone FROM "
                 "appointment.appointments WHERE status = 'pending_payment' AND hold_expires_at <= "
                 "now() "
                 "ORDER BY hold_expires_at LIMIT 100 FOR UPDATE SKIP LOCKED")) {
          std::string id = r[0].as<std::string>();
          tx.exec_params(
              "UPDATE appointment.appointments SET status = 'expired', updated_at = now() WHERE id "
              "= $1::uuid",
              id);
          History(tx, id, "pending_payment", "expired", "", "payment hold expired");
          Emit(tx, "appointment.expired", id);
          OfferFreedSlot(tx, r[1].as<std::string>(), r[2].as<double>(), r[3].as<double>(),
                         r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(),
                         config_.waitlist_offer_minutes);
          ++done;
        }
        // 2. Reminders that are due, for appointments still booked.
        for (const auto& r :
             tx.exec("SELECT m.appointment_id::text, m.kind FROM appointment.reminders m JOIN "
                     "appointment.appointments a ON a.id = m.appointment_id WHERE m.sent_at IS "
                     "NULL AND "
                     "m.due_at <= now() AND a.status IN ('booked', 'checked_in') ORDER BY m.due_at "
                     "LIMIT 100 "
                     "FOR UPDATE OF m SKIP LOCKED")) {
          tx.exec_params(
              "UPDATE appointment.reminders SET sent_at = now() WHERE appointment_id = $1::uuid "
              "AND kind = $2",
              r[0].as<std::string>(), r[1].as<std::string>());
          Emit(tx, "appointment.reminder_due", r[0].as<std::string>(),
               {{"lead", r[1].as<std::string>()}});
          ++done;
        }
        // 3. Waitlist offers that were not taken pass to the next patient.
        for (const auto& r : tx.exec("SELECT id::text, practitioner_id::text, extract(epoch from "
                                     "offered_start)::float8, "
                                     "extract(epoch from offered_end)::float8, "
                                     "offered_facility_id::text, offered_mode, "
                                     "offered_timezone FROM appointment.waitlist WHERE status = "
                                     "'offered' AND offer_expires_at "
                                     "<= now() LIMIT 100 FOR UPDATE SKIP LOCKED")) {
          tx.exec_params("UPDATE appointment.waitlist SET status = 'expired' WHERE id = $1::uuid",
                         r[0].as<std::string>());
          bool still_free = tx.exec_params(
                                  "SELECT 1 FROM appointment.busy_blocks WHERE practitioner_id = "
                                  "$1::uuid AND block && "
                                  "tstzrange(to_timestamp($2), to_timestamp($3))",
                                  r[1].as<std::string>(), r[2].as<double>(), r[3].as<double>())
                                .empty();
          if (still_free) {
            OfferFreedSlot(tx, r[1].as<std::string>(), r[2].as<double>(), r[3].as<double>(),
                           r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(),
                           config_.waitlist_offer_minutes);
          }
          ++done;
        }
        // 4. A waitlisted patient who booked that practitioner since is no longer waiting.
        tx.exec(
            "UPDATE appointment.waitlist w SET status = 'booked' WHERE w.status IN ('waiting', "
            "'offered') "
            "AND EXISTS (SELECT 1 FROM appointment.appointments a WHERE a.patient_id = "
            "w.patient_id AND "
            "a.practitioner_id = w.practitioner_id AND a.status IN ('pending_payment', 'booked') "
            "AND "
            "a.created_at >= w.created_at)");
        return absl::OkStatus();
      });
  if (!s.ok()) log::Warn("sweep_failed", {{"error", std::string(s.message())}});
  if (done > 0) {
    std::lock_guard lock(cache_mu_);
    slot_cache_.clear();
  }
  return done;
}

void AppointmentServiceImpl::StartSweeper() {
  sweeper_ = std::thread([this] {
    while (!stop_) {
      SweepOnce();
      for (int i = 0; i < config_.sweep_interval_ms / 50 && !stop_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

void AppointmentServiceImpl::StopSweeper() {
  stop_ = true;
  if (sweeper_.joinable()) sweeper_.join();
}

}  // namespace healthtech::appointment
