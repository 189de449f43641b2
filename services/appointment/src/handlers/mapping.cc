#include "handlers/mapping.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "domain/booking.h"

namespace healthtech::appointment::handlers {

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

void SetTs(google::protobuf::Timestamp* t, double seconds) {
  t->set_seconds(static_cast<int64_t>(std::floor(seconds)));
  t->set_nanos(static_cast<int32_t>((seconds - std::floor(seconds)) * 1e9));
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json DetailsOf(const org::v1::PractitionerBookingInfo& info,
                         const std::string& facility_id, const std::string& video_url) {
  nlohmann::json d = {
      {"practitioner_name", info.display_name()},
      {"practitioner_specialty", info.specialties().empty() ? "" : info.specialties(0)}};
  for (const auto& f : info.facilities()) {
    if (f.facility_id() != facility_id) continue;
    const auto& ad = f.address();
    nlohmann::json address = {{"line1", ad.line1()},     {"line2", ad.line2()},
                              {"city", ad.city()},       {"state", ad.state()},
                              {"pincode", ad.pincode()}, {"country", ad.country()}};
    if (ad.has_latitude()) address["latitude"] = ad.latitude();
    if (ad.has_longitude()) address["longitude"] = ad.longitude();
    d["facility_name"] = f.name();
    d["facility_address"] = std::move(address);
    d["facility_phone"] = f.phone();
    d["organization_name"] = f.organization_name();
  }
  if (!video_url.empty()) d["video_url"] = video_url;
  return d;
}

namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string AddressLine(const nlohmann::json& d) {
  auto it = d.find("facility_address");
  if (it == d.end() || !it->is_object()) return "";
  std::string out;
  auto add = [&](const std::string& part, const char* sep) {
    if (part.empty()) return;
    if (!out.empty()) out += sep;
    out += part;
  };
  add(Str(*it, "line1"), ", ");
  add(Str(*it, "line2"), ", ");
  add(Str(*it, "city"), ", ");
  add(Str(*it, "state"), ", ");
  add(Str(*it, "pincode"), " ");
  return out;
}

void ToProto(const storage::Appointment& a, v1::Appointment* out) {
  out->set_id(a.id);
  out->set_patient_id(a.patient_id);
  out->set_practitioner_id(a.practitioner_id);
  out->set_organization_id(a.organization_id);
  out->set_facility_id(a.facility_id);
  SetTs(out->mutable_start(), a.start);
  SetTs(out->mutable_end(), a.end);
  out->set_timezone(a.timezone);
  out->set_mode(ModeOf(a.mode));
  out->set_status(StatusOf(a.status));
  out->set_reason(a.reason);
  out->mutable_fee()->set_amount_minor(a.fee_minor);
  out->mutable_fee()->set_currency(a.currency);
  out->set_pay_at_clinic(a.pay_at_clinic);
  if (a.hold_expires_at) SetTs(out->mutable_hold_expires_at(), *a.hold_expires_at);
  out->set_is_first_visit(a.is_first_visit);
  if (a.cancellation_reason) out->set_cancellation_reason(*a.cancellation_reason);
  if (a.payment_id) out->set_payment_id(*a.payment_id);
  SetTs(out->mutable_created_at(), a.created_at);
  SetTs(out->mutable_updated_at(), a.updated_at);
  for (const auto& h : a.history) {
    auto* c = out->add_status_history();
    c->set_actor_id(h.actor_id);
    if (!h.from.empty()) c->set_from(StatusOf(h.from));
    c->set_to(StatusOf(h.to));
    SetTs(c->mutable_at(), h.at);
    if (h.note) c->set_note(*h.note);
  }
  auto status = domain::ParseStatus(a.status);
  switch (domain::PaymentStateOf(status ? *status : domain::Status::kBooked, a.fee_minor,
                                 a.pay_at_clinic, a.payment_id.has_value())) {
    case domain::PaymentState::kFree:
      out->set_payment_state(v1::PAYMENT_STATE_FREE);
      break;
    case domain::PaymentState::kAtClinic:
      out->set_payment_state(v1::PAYMENT_STATE_AT_CLINIC);
      break;
    case domain::PaymentState::kAwaiting:
      out->set_payment_state(v1::PAYMENT_STATE_AWAITING);
      break;
    case domain::PaymentState::kPaid:
      out->set_payment_state(v1::PAYMENT_STATE_PAID);
      break;
    case domain::PaymentState::kUnpaid:
      out->set_payment_state(v1::PAYMENT_STATE_UNPAID);
      break;
  }
  if (a.cancellable_until) SetTs(out->mutable_cancellable_until(), *a.cancellable_until);
  auto d = nlohmann::json::parse(a.details_json, nullptr, /*allow_exceptions=*/false);
  if (!d.is_object()) return;
  out->set_practitioner_name(Str(d, "practitioner_name"));
  out->set_practitioner_specialty(Str(d, "practitioner_specialty"));
  out->set_facility_name(Str(d, "facility_name"));
  out->set_facility_phone(Str(d, "facility_phone"));
  out->set_organization_name(Str(d, "organization_name"));
  out->set_video_url(Str(d, "video_url"));
  auto it = d.find("facility_address");
  if (it != d.end() && it->is_object()) {
    auto* ad = out->mutable_facility_address();
    ad->set_line1(Str(*it, "line1"));
    ad->set_line2(Str(*it, "line2"));
    ad->set_city(Str(*it, "city"));
    ad->set_state(Str(*it, "state"));
    ad->set_pincode(Str(*it, "pincode"));
    ad->set_country(Str(*it, "country"));
    double lat = 0, lng = 0;
    bool has_lat = it->contains("latitude") && (*it)["latitude"].is_number();
    bool has_lng = it->contains("longitude") && (*it)["longitude"].is_number();
    if (has_lat) ad->set_latitude(lat = (*it)["latitude"].get<double>());
    if (has_lng) ad->set_longitude(lng = (*it)["longitude"].get<double>());
    std::string where = out->facility_name();
    std::string line = AddressLine(d);
    if (!line.empty()) where += (where.empty() ? "" : ", ") + line;
    out->set_map_url(domain::MapUrl(where, has_lat && has_lng ? &lat : nullptr,
                                    has_lat && has_lng ? &lng : nullptr));
  }
}

nlohmann::json EventPayload(const storage::Appointment& a, const nlohmann::json& extra) {
  nlohmann::json p = {{"appointment_id", a.id},
                      {"patient_id", a.patient_id},
                      {"practitioner_id", a.practitioner_id},
                      {"practitioner_user_id", a.practitioner_user_id},
                      {"organization_id", a.organization_id},
                      {"facility_id", a.facility_id},
                      {"start", domain::EventTime(a.start)},
                      {"end", domain::EventTime(a.end)},
                      {"timezone", a.timezone},
                      {"mode", a.mode},
                      {"status", a.status},
                      {"fee", {{"amount_minor", a.fee_minor}, {"currency", a.currency}}},
                      {"is_first_visit", a.is_first_visit},
                      {"pay_at_clinic", a.pay_at_clinic}};
  // Who and where, so that a message can name them without asking anyone.
  auto d = nlohmann::json::parse(a.details_json, nullptr, /*allow_exceptions=*/false);
  if (d.is_object()) {
    p["practitioner_name"] = Str(d, "practitioner_name");
    p["facility_name"] = Str(d, "facility_name");
    p["facility_address"] = AddressLine(d);
    p["facility_phone"] = Str(d, "facility_phone");
    if (a.mode == "video") p["video_url"] = Str(d, "video_url");
  }
  for (auto it = extra.begin(); it != extra.end(); ++it) p[it.key()] = it.value();
  return p;
}

}  // namespace healthtech::appointment::handlers
