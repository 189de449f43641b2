#pragma once
// The REST API's resources as the app uses them, parsed from JSON through the checked field
// table (contract.h). Plain values: no Qt object machinery, no network.
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "api/contract.h"

namespace healthtech::app::api {

// Readers by field: a missing or mistyped value gives the default (the contract test
// guarantees required fields exist with the expected type).
QString Str(const QJsonObject& o, const Field& f);
qint64 Int(const QJsonObject& o, const Field& f);
bool Bool(const QJsonObject& o, const Field& f);
QJsonObject Obj(const QJsonObject& o, const Field& f);
QJsonArray Arr(const QJsonObject& o, const Field& f);
QStringList Strings(const QJsonObject& o, const Field& f);
QDateTime Time(const QJsonObject& o, const Field& f);  // RFC 3339 → UTC; invalid if absent

struct Money {
  qint64 amount_minor = 0;
  QString currency;
  static std::optional<Money> From(const QJsonObject& o);
};
// "₹800", "₹1,250.50", "Free" is the caller's business (amount 0).
QString FormatMoney(const Money& m);

struct Problem {
  int status = 0;  // 0: the server was not reached
  QString code;    // NETWORK when not reached
  QString detail;  // shown to the person
  QString request_id;
  static Problem From(int status, const QByteArray& body);
  static Problem Network();
};

struct LoginResult {
  QString access_token, refresh_token, mfa_token;
  qint64 expires_in = 0;
  bool mfa_required = false;
  static LoginResult From(const QJsonObject& o);
};

struct User {
  QString id, email, full_name;
  QStringList roles;
  static User From(const QJsonObject& o);
};

struct PractitionerFacility {
  QString id, name, organization_name, timezone, city, line1;
};

struct Practitioner {
  QString id, display_name, next_free_day;
  QStringList specialties, languages, modes;
  qint64 years = 0;
  bool verified = false;
  std::optional<Money> first_visit, follow_up;
  QList<PractitionerFacility> facilities;
  static Practitioner From(const QJsonObject& o);
};

struct Slot {
  QDateTime start, end;  // UTC
  QString facility_id, mode;
  static Slot From(const QJsonObject& o);
};

struct Appointment {
  QString id, practitioner_id, practitioner_name, specialty, organization_id, organization_name,
      facility_id, facility_name;
  QString timezone, mode, status, payment_state, payment_id, video_url, patient_name;
  QDateTime start, end, cancellable_until, hold_expires_at;
  bool pay_at_clinic = false;
  std::optional<Money> fee;
  static Appointment From(const QJsonObject& o);
};

struct Notification {
  QString id, title, body;
  bool read = false;
  QDateTime created_at;
  static Notification From(const QJsonObject& o);
};

}  // namespace healthtech::app::api
