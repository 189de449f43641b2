#include "api/model.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace healthtech::app::api {

QString Str(const QJsonObject& o, const Field& f) {
  return o.value(QLatin1String(f.name)).toString();
}
qint64 Int(const QJsonObject& o, const Field& f) {
  const auto v = o.value(QLatin1String(f.name));
  // int64 fields may arrive as strings (proto3 JSON mapping).
  return v.isString() ? v.toString().toLongLong() : v.toInteger();
}
bool Bool(const QJsonObject& o, const Field& f) { return o.value(QLatin1String(f.name)).toBool(); }
QJsonObject Obj(const QJsonObject& o, const Field& f) {
  return o.value(QLatin1String(f.name)).toObject();
}
QJsonArray Arr(const QJsonObject& o, const Field& f) {
  return o.value(QLatin1String(f.name)).toArray();
}
QStringList Strings(const QJsonObject& o, const Field& f) {
  QStringList out;
  for (const auto& v : Arr(o, f)) out << v.toString();
  return out;
}
QDateTime Time(const QJsonObject& o, const Field& f) {
  const QString s = Str(o, f);
  if (s.isEmpty()) return {};
  return QDateTime::fromString(s, Qt::ISODateWithMs).toUTC();
}

std::optional<Money> Money::From(const QJsonObject& o) {
  if (o.isEmpty()) return std::nullopt;
  return Money{Int(o, f::money_amount_minor), Str(o, f::money_currency)};
}

QString FormatMoney(const Money& m) {
  // Indian grouping for rupees (1,00,000), as the web app's Intl.NumberFormat('en-IN') does.
  const QLocale loc(QLocale::English, QLocale::India);
  const bool whole = m.amount_minor % 100 == 0;
  const QString number =
      loc.toString(static_cast<double>(m.amount_minor) / 100.0, 'f', whole ? 0 : 2);
  if (m.currency == QLatin1String("INR") || m.currency.isEmpty())
    return QStringLiteral("₹") + number;
  return m.currency + QLatin1Char(' ') + number;
}

Problem Problem::From(int status, const QByteArray& body) {
  Problem p;
  p.status = status;
  const auto o = QJsonDocument::fromJson(body).object();
  p.code = Str(o, f::problem_code);
  p.detail = Str(o, f::problem_detail);
  p.request_id = Str(o, f::problem_request_id);
  // Field errors name what to fix: "The request has invalid fields. limit: must be …".
  QStringList fields;
  for (const auto& e : Arr(o, f::problem_errors)) {
    const auto eo = e.toObject();
    const QString field = eo.value(QLatin1String("field")).toString();
    const QString message = eo.value(QLatin1String("message")).toString();
    if (!message.isEmpty())
      fields << (field.isEmpty() ? message : field + QStringLiteral(": ") + message);
  }
  if (!fields.isEmpty()) p.detail += QLatin1Char(' ') + fields.join(QStringLiteral("; "));
  if (p.code.isEmpty()) p.code = QStringLiteral("ERROR");
  if (p.detail.isEmpty()) p.detail = QStringLiteral("Request failed (HTTP %1).").arg(status);
  return p;
}

Problem Problem::Network() {
  return Problem{0,
                 QStringLiteral("NETWORK"),
                 QStringLiteral("Cannot reach HealthTech. Check your connection and try again."),
                 {}};
}

LoginResult LoginResult::From(const QJsonObject& o) {
  return LoginResult{Str(o, f::login_access_token), Str(o, f::login_refresh_token),
                     Str(o, f::login_mfa_token), Int(o, f::login_expires_in),
                     Bool(o, f::login_mfa_required)};
}

User User::From(const QJsonObject& o) {
  return User{Str(o, f::user_id), Str(o, f::user_email), Str(o, f::user_full_name),
              Strings(o, f::user_roles)};
}

Practitioner Practitioner::From(const QJsonObject& o) {
  Practitioner p;
  p.id = Str(o, f::practitioner_id);
  p.display_name = Str(o, f::practitioner_display_name);
  p.next_free_day = Str(o, f::practitioner_next_free_day);
  p.specialties = Strings(o, f::practitioner_specialties);
  p.languages = Strings(o, f::practitioner_languages);
  p.modes = Strings(o, f::practitioner_modes);
  p.years = Int(o, f::practitioner_years);
  p.verified = Bool(o, f::practitioner_verified);
  const auto fees = Obj(o, f::practitioner_fees);
  p.first_visit = Money::From(Obj(fees, f::fees_first_visit));
  p.follow_up = Money::From(Obj(fees, f::fees_follow_up));
  for (const auto& v : Arr(o, f::practitioner_facilities)) {
    const auto fo = v.toObject();
    const auto addr = Obj(fo, f::pfacility_address);
    p.facilities << PractitionerFacility{
        Str(fo, f::pfacility_id),       Str(fo, f::pfacility_name), Str(fo, f::pfacility_org_name),
        Str(fo, f::pfacility_timezone), Str(addr, f::address_city), Str(addr, f::address_line1)};
  }
  return p;
}

Slot Slot::From(const QJsonObject& o) {
  return Slot{Time(o, f::slot_start), Time(o, f::slot_end), Str(o, f::slot_facility_id),
              Str(o, f::slot_mode)};
}

Appointment Appointment::From(const QJsonObject& o) {
  Appointment a;
  a.id = Str(o, f::appt_id);
  a.practitioner_id = Str(o, f::appt_practitioner_id);
  a.practitioner_name = Str(o, f::appt_practitioner_name);
  a.specialty = Str(o, f::appt_practitioner_specialty);
  a.organization_id = Str(o, f::appt_organization_id);
  a.organization_name = Str(o, f::appt_organization_name);
  a.facility_id = Str(o, f::appt_facility_id);
  a.facility_name = Str(o, f::appt_facility_name);
  a.timezone = Str(o, f::appt_timezone);
  a.mode = Str(o, f::appt_mode);
  a.status = Str(o, f::appt_status);
  a.payment_state = Str(o, f::appt_payment_state);
  a.payment_id = Str(o, f::appt_payment_id);
  a.video_url = Str(o, f::appt_video_url);
  a.patient_name = Str(Obj(o, f::appt_patient), f::contact_full_name);
  a.start = Time(o, f::appt_start);
  a.end = Time(o, f::appt_end);
  a.cancellable_until = Time(o, f::appt_cancellable_until);
  a.hold_expires_at = Time(o, f::appt_hold_expires_at);
  a.pay_at_clinic = Bool(o, f::appt_pay_at_clinic);
  a.fee = Money::From(Obj(o, f::appt_fee));
  return a;
}

Notification Notification::From(const QJsonObject& o) {
  return Notification{Str(o, f::notification_id), Str(o, f::notification_title),
                      Str(o, f::notification_body), Bool(o, f::notification_read),
                      Time(o, f::notification_created_at)};
}

}  // namespace healthtech::app::api
