#include "answers.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"
#include "stubs.h"

namespace healthtech::uhi {
namespace {

using nlohmann::json;
namespace d = domain;

json ErrorJson(const std::string& type, const std::string& code, const std::string& message) {
  return json{{"type", type}, {"code", code}, {"message", message}};
}

std::string GenderCode(org::v1::Gender g) {
  switch (g) {
    case org::v1::GENDER_FEMALE:
      return "F";
    case org::v1::GENDER_MALE:
      return "M";
    case org::v1::GENDER_OTHER:
      return "O";
    default:
      return "";
  }
}

// One catalog entry per facility the practitioner sees patients at.
std::vector<d::Doctor> DoctorsOf(const org::v1::Practitioner& p, d::Mode mode) {
  d::Doctor base;
  base.id = p.id();
  base.name = p.display_name();
  base.gender = GenderCode(p.gender());
  base.hpr_address = p.hpr_address();
  base.hpr_id = p.hpr_id();
  base.years_of_experience = p.years_of_experience();
  base.languages.assign(p.languages().begin(), p.languages().end());
  base.qualifications.assign(p.qualifications().begin(), p.qualifications().end());
  base.specialties.assign(p.specialties().begin(), p.specialties().end());
  for (int m : p.consultation_modes()) {
    if (m == org::v1::CONSULTATION_MODE_IN_PERSON) base.physical = true;
    if (m == org::v1::CONSULTATION_MODE_VIDEO) base.online = true;
  }
  if (mode == d::Mode::kPhysical) base.online = false;
  if (mode == d::Mode::kOnline) base.physical = false;
  base.first_visit_fee_minor = p.fees().first_visit().amount_minor();
  std::vector<d::Doctor> out;
  if (!base.physical && !base.online) return out;
  for (const auto& f : p.facilities()) {
    d::Doctor doc = base;
    doc.facility_id = f.facility_id();
    doc.facility_name = f.facility_name();
    doc.city = f.address().city();
    doc.facility_address = f.address().line1();
    if (!f.address().line2().empty()) doc.facility_address += ", " + f.address().line2();
    doc.facility_address += ", " + f.address().city() + " " + f.address().pincode();
    if (f.address().has_latitude() && f.address().has_longitude()) {
      doc.location = d::GeoCircle{f.address().latitude(), f.address().longitude(), 0};
    }
    out.push_back(std::move(doc));
  }
  return out;
}

// The same slot gets the same id in every answer: a UUID (version 8, RFC 9562) from a
// BLAKE2b hash of what the slot is.
std::string SlotId(const std::string& practitioner_id, const std::string& facility_id,
                   int64_t start, const std::string& mode) {
  std::string key = practitioner_id + "|" + facility_id + "|" + std::to_string(start) + "|" + mode;
  unsigned char h[16];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr, 0);
  h[6] = static_cast<unsigned char>((h[6] & 0x0f) | 0x80);
  h[8] = static_cast<unsigned char>((h[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1],
                h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
                h[15]);
  return out;
}

std::string IndiaDate(d::Seconds t) { return d::FormatIndiaTime(t).substr(0, 10); }

}  // namespace

Answers::Answers(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                 std::shared_ptr<grpc::Channel> org, std::shared_ptr<grpc::Channel> appointment,
                 std::shared_ptr<grpc::Channel> payment)
    : config_(config),
      pool_(pool),
      stubs_(new Stubs{iam::v1::IamService::NewStub(iam), org::v1::OrgService::NewStub(org),
                       appointment::v1::AppointmentService::NewStub(appointment),
                       payment::v1::PaymentService::NewStub(payment)}) {}

Answers::~Answers() = default;

absl::StatusOr<Outcome> Answers::Search(const d::SearchIntent& intent,
                                        const std::string& request_id) {
  Outcome out;
  std::vector<org::v1::Practitioner> found;
  if (!intent.doctor_id.empty()) {
    // A doctor named by the agent id we publish: an HPR address, or our id.
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
    org::v1::GetPractitionerRequest req;
    const std::string id = validate::Trim(intent.doctor_id);
    if (validate::ValidUuid(id))
      req.set_id(id);
    else
      req.set_hpr_address(id);
    org::v1::Practitioner p;
    grpc::Status s = stubs_->org->GetPractitioner(&ctx, req, &p);
    if (Transient(s)) return absl::UnavailableError("organization service: " + s.error_message());
    if (s.ok() && p.verified()) found.push_back(std::move(p));
    if (found.empty() && !intent.for_slots) {
      out.send = false;
      return out;
    }
  } else {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
    org::v1::SearchPractitionersRequest req;
    std::string q = intent.doctor_name;
    if (!intent.provider_name.empty()) q += (q.empty() ? "" : " ") + intent.provider_name;
    req.set_q(q.substr(0, 200));
    req.set_specialty(intent.specialty.substr(0, 60));
    if (intent.near) {
      req.set_latitude(intent.near->latitude);
      req.set_longitude(intent.near->longitude);
      req.set_radius_km(std::clamp(intent.near->radius_km, 0.1, 100.0));
    } else {
      req.set_city(intent.city);
    }
    if (intent.mode == d::Mode::kPhysical) req.set_mode(org::v1::CONSULTATION_MODE_IN_PERSON);
    if (intent.mode == d::Mode::kOnline) req.set_mode(org::v1::CONSULTATION_MODE_VIDEO);
    if (intent.start || intent.end) req.set_sort(org::v1::SEARCH_SORT_SOONEST);
    req.set_limit(config_.search_limit);
    org::v1::SearchPractitionersResponse resp;
    grpc::Status s = stubs_->org->SearchPractitioners(&ctx, req, &resp);
    if (Transient(s)) return absl::UnavailableError("organization service: " + s.error_message());
    if (!s.ok()) {
      // A search the platform refuses (e.g. a specialty it does not know): nobody matches.
      log::Info("uhi_search_refused",
                {{"code", static_cast<int>(s.error_code())}, {"error", s.error_message()}});
      out.send = false;
      return out;
    }
    for (auto& p : *resp.mutable_items()) {
      // Asked for a time window: only those with a free day before it ends.
      if (intent.end && (p.next_free_day().empty() || p.next_free_day() > IndiaDate(*intent.end)))
        continue;
      found.push_back(std::move(p));
    }
  }

  if (!intent.for_slots) {
    std::vector<d::Doctor> doctors;
    for (const auto& p : found) {
      auto ds = DoctorsOf(p, intent.mode);
      doctors.insert(doctors.end(), ds.begin(), ds.end());
    }
    if (doctors.empty()) {
      out.send = false;
      return out;
    }
    out.message = {{"catalog", d::Catalog(config_.provider_name, doctors)}};
    return out;
  }

  // The second search: that doctor's free slots in the window (from now, a week by default).
  if (found.empty()) {
    out.message = {{"catalog", d::Catalog(config_.provider_name, {})}};
    out.error = ErrorJson("DOMAIN-ERROR", "30004", "No doctor of this HSPA has this id.");
    return out;
  }
  const org::v1::Practitioner& p = found.front();
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  d::Seconds from = intent.start ? std::max(*intent.start, now) : now;
  d::Seconds to = intent.end ? *intent.end : from + std::chrono::hours(24 * config_.slot_days);
  to = std::min(to, from + std::chrono::hours(24 * 31));
  std::map<std::string, std::vector<d::Slot>> by_facility;
  if (to > from) {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
    appointment::v1::ListSlotsRequest req;
    req.set_practitioner_id(p.id());
    req.mutable_from()->set_seconds(from.time_since_epoch().count());
    req.mutable_to()->set_seconds(to.time_since_epoch().count());
    if (intent.mode == d::Mode::kPhysical)
      req.set_mode(appointment::v1::CONSULTATION_MODE_IN_PERSON);
    if (intent.mode == d::Mode::kOnline) req.set_mode(appointment::v1::CONSULTATION_MODE_VIDEO);
    req.set_limit(200);
    appointment::v1::ListSlotsResponse resp;
    grpc::Status s = stubs_->appointment->ListSlots(&ctx, req, &resp);
    if (Transient(s)) return absl::UnavailableError("appointment service: " + s.error_message());
    if (!s.ok()) {
      log::Warn("uhi_slots_refused",
                {{"code", static_cast<int>(s.error_code())}, {"error", s.error_message()}});
    }
    for (const auto& slot : resp.items()) {
      d::Slot out_slot;
      out_slot.start = d::Seconds(std::chrono::seconds(slot.start().seconds()));
      out_slot.end = d::Seconds(std::chrono::seconds(slot.end().seconds()));
      out_slot.mode = slot.mode() == appointment::v1::CONSULTATION_MODE_VIDEO ? d::Mode::kOnline
                                                                              : d::Mode::kPhysical;
      const std::string mode = out_slot.mode == d::Mode::kOnline ? "Online" : "Physical";
      out_slot.id = SlotId(p.id(), slot.facility_id(), slot.start().seconds(), mode);
      out.offered.push_back({out_slot.id, p.id(), slot.facility_id(), mode, slot.start().seconds(),
                             slot.end().seconds()});
      by_facility[slot.facility_id()].push_back(out_slot);
    }
  }
  // One provider (facility) per place with free slots, each with that doctor's slots there.
  json providers = json::array();
  for (const d::Doctor& doc : DoctorsOf(p, d::Mode::kAny)) {
    auto it = by_facility.find(doc.facility_id);
    if (it == by_facility.end()) continue;
    json c = d::Catalog(config_.provider_name, {doc}, it->second);
    for (auto& pr : c["providers"]) providers.push_back(std::move(pr));
  }
  out.message = {
      {"catalog", {{"descriptor", {{"name", config_.provider_name}}}, {"providers", providers}}}};
  if (providers.empty()) {
    out.error = ErrorJson("DOMAIN-ERROR", "30008", "No free time in the window asked for.");
  }
  return out;
}

}  // namespace healthtech::uhi
