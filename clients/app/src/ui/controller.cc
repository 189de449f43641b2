#include "ui/controller.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextDocument>
#include <QUrlQuery>
#include <QUuid>

#include "api/client.h"
#include "domain/week.h"
#include "domain/words.h"
#include "i18n/i18n.h"
#include "live/live.h"

namespace healthtech::app {

using api::f::appts_items;
using api::f::appts_next_page_token;

namespace {

QString Iso(const QDateTime& t) { return t.toUTC().toString(Qt::ISODate); }

// The API's statuses whose next step the front desk or the practitioner takes.
// A no-show only once the start time has passed (the API answers TOO_EARLY before).
QList<std::pair<QString, QString>> NextActions(const QString& status, bool started) {
  QList<std::pair<QString, QString>> out;
  if (status == QLatin1String("booked")) out = {{"check-in", "checkIn"}};
  if (status == QLatin1String("checked_in")) out = {{"start", "start"}};
  if (!out.isEmpty() && started) out.append(std::pair<QString, QString>{"no-show", "noShow"});
  if (!out.isEmpty()) return out;
  if (status == QLatin1String("in_progress")) return {{"complete", "complete"}};
  return {};
}

}  // namespace

Controller::Controller(api::ApiClient* api, I18n* i18n, QTimeZone zone, bool dark, QObject* parent)
    : QObject(parent), api_(api), i18n_(i18n), zone_(std::move(zone)), dark_(dark) {
  connect(api_, &api::ApiClient::onlineChanged, this, [this] {
    if (api_->online() && restore_when_online_ && !signedIn() && busy_ == 0) restore();
    Q_EMIT changed();
  });
  connect(api_, &api::ApiClient::sessionExpired, this, [this] {
    ResetUserState();
    notice_ = T(QStringLiteral("auth:signIn.expired"));
    Q_EMIT changed();
  });
  week_start_ = QDateTime::currentDateTimeUtc().toTimeZone(zone_).date();
  schedule_refresh_.setInterval(15000);
  connect(&schedule_refresh_, &QTimer::timeout, this, [this] {
    if (page_ == QLatin1String("schedule") && busy_ == 0) loadSchedule();
  });
}

bool Controller::online() const { return api_->online(); }
bool Controller::signedIn() const { return api_->signedIn(); }

QString Controller::T(const QString& key, const QVariantMap& args) const {
  return i18n_->t(key, args);
}

void Controller::Begin() {
  ++busy_;
  error_.clear();
  error_code_.clear();
  Q_EMIT changed();
}
void Controller::End() {
  busy_ = std::max(0, busy_ - 1);
  Q_EMIT changed();
}
void Controller::Fail(const api::Problem& p) {
  error_ = p.status == 0 ? T(QStringLiteral("common:offline")) : p.detail;
  error_code_ = p.status == 0 ? QString() : p.code;
  Q_EMIT changed();
}
void Controller::clearMessages() {
  error_.clear();
  notice_.clear();
  Q_EMIT changed();
}

QString Controller::DayLabel(const QDateTime& utc) const {
  const QLocale loc(i18n_->language() == QLatin1String("hi") ? QStringLiteral("hi_IN")
                                                             : QStringLiteral("en_IN"));
  return loc.toString(utc.toTimeZone(zone_).date(), QStringLiteral("ddd d MMM"));
}
QString Controller::TimeLabel(const QDateTime& utc) const {
  const QLocale loc(i18n_->language() == QLatin1String("hi") ? QStringLiteral("hi_IN")
                                                             : QStringLiteral("en_IN"));
  return loc.toString(utc.toTimeZone(zone_).time(), QStringLiteral("h:mm AP"));
}
QString Controller::DateTimeLabel(const QDateTime& utc) const {
  return DayLabel(utc) + QStringLiteral(", ") + TimeLabel(utc);
}

QString Controller::StatusWords(const QString& status) const {
  return T(QStringLiteral("lib:appointment.status.") + status);
}
QString Controller::PaymentWords(const QString& state) const {
  return T(QStringLiteral("lib:appointment.payment.") + state);
}

// ---------------------------------------------------------------- session
void Controller::restore() {
  Begin();
  api_->Restore([this](bool ok, bool offline) {
    End();
    restore_when_online_ = offline;  // the kept session is tried again when the API answers
    if (ok) return AfterSignIn();
    if (offline) Fail(api::Problem::Network());
  });
}

void Controller::signIn(const QString& email, const QString& password) {
  restore_when_online_ = false;
  if (email.trimmed().isEmpty())
    return Fail({400, "INVALID", T(QStringLiteral("lib:validation.emailRequired")), {}});
  if (password.isEmpty())
    return Fail({400, "INVALID", T(QStringLiteral("auth:signIn.enterPassword")), {}});
  Begin();
  notice_.clear();
  api_->SignIn(email.trimmed(), password,
               [this](std::optional<api::LoginResult> r, std::optional<api::Problem> p) {
                 End();
                 if (p) return Fail(*p);
                 if (r->mfa_required) {
                   mfa_token_ = r->mfa_token;
                   page_ = QStringLiteral("mfa");
                   Q_EMIT changed();
                   return;
                 }
                 AfterSignIn();
               });
}

void Controller::verifyMfa(const QString& code, bool recovery) {
  Begin();
  api_->VerifyMfa(mfa_token_, code, recovery, [this](std::optional<api::Problem> p) {
    End();
    if (p) return Fail(*p);
    AfterSignIn();
  });
}

QString Controller::staffOrganization() const {
  for (const auto& role : user_.roles)
    for (const char* kind : {"org_staff:", "org_admin:"})
      if (role.startsWith(QLatin1String(kind))) return role.mid(static_cast<int>(qstrlen(kind)));
  return {};
}

void Controller::AfterSignIn() {
  Begin();
  api_->Get(
      QStringLiteral("/v1/me"), {}, Guard([this](const api::Response& r) {
        End();
        if (!r.ok()) return Fail(*r.problem);
        user_ = api::User::From(r.json());
        if (!live_socket_) {
          live_socket_ = new live::LiveSocket(
              api_->liveUrl(),
              [this](bool force, std::function<void(QString, bool)> done) {
                api_->FreshToken(force, std::move(done));
              },
              this);
          connect(live_socket_, &live::LiveSocket::liveChanged, this, [this](bool l) {
            live_ = l;
            Q_EMIT changed();
          });
          connect(live_socket_, &live::LiveSocket::poll, this, [this] {
            api_->Get(QStringLiteral("/v1/notifications"),
                      QUrlQuery{{"unread_only", "true"}, {"limit", "1"}},
                      Guard(
                          [this](const api::Response& r) {
                            if (!r.ok()) return;
                            unread_ =
                                static_cast<int>(api::Int(r.json(), api::f::notifications_unread));
                            Q_EMIT changed();
                          },
                          false));
          });
          connect(live_socket_, &live::LiveSocket::resync, live_socket_, &live::LiveSocket::poll);
          connect(live_socket_, &live::LiveSocket::unreadCount, this, [this](int n) {
            unread_ = n;
            Q_EMIT changed();
          });
          connect(live_socket_, &live::LiveSocket::notification, this,
                  [this](const QJsonObject& o, int n) {
                    if (n >= 0) unread_ = n;
                    const auto note = api::Notification::From(o);
                    Q_EMIT notify(note.title, note.body);
                    if (page_ == QLatin1String("notifications")) loadNotifications();
                    if (page_ == QLatin1String("schedule")) loadSchedule();
                    Q_EMIT changed();
                  });
        }
        live_socket_->Start();
        if (practitioner() || frontDesk()) {
          showPage(QStringLiteral("schedule"));
        } else {
          showPage(QStringLiteral("search"));
        }
        if (!pending_link_.isEmpty()) openLink(std::exchange(pending_link_, QUrl()));
      }));
}

void Controller::signOut() {
  ResetUserState();
  Begin();
  api_->SignOut([this] { End(); });
}

// Nothing of the last person stays on screen, in the tray or in a poll once they are gone.
void Controller::ResetUserState() {
  ++user_generation_;  // answers still on their way for this person are dropped (Guard)
  ++week_seq_;
  ++search_seq_;
  ++consultation_seq_;
  if (live_socket_) live_socket_->Stop();
  schedule_refresh_.stop();
  user_ = {};
  unread_ = 0;
  mfa_token_.clear();
  practitioners_.clear();
  practitioner_ = {};
  practitioner_view_.clear();
  slots_.clear();
  week_.clear();
  booking_.clear();
  booking_key_.clear();
  reschedule_ = {};
  appointment_list_.clear();
  appointments_.clear();
  notifications_.clear();
  schedule_.clear();
  next_appointment_.clear();
  consultations_.clear();
  consultation_.clear();
  pay_keys_.clear();
  payment_appointment_.clear();
  restore_when_online_ = false;
  last_query_.clear();
  page_ = QStringLiteral("signin");
  error_.clear();
  notice_.clear();
  Q_EMIT changed();
}

void Controller::showPage(const QString& page) {
  if (page != QLatin1String("practitioner") && page != QLatin1String("book")) reschedule_ = {};
  page_ = page;
  error_.clear();
  notice_.clear();
  schedule_refresh_.stop();
  Q_EMIT changed();
  if (page == QLatin1String("search") && practitioners_.isEmpty())
    search(last_query_, {}, {}, {}, {}, {});
  if (page == QLatin1String("appointments")) loadAppointments(past_);
  if (page == QLatin1String("notifications")) loadNotifications();
  if (page == QLatin1String("consultations")) loadConsultations();
  if (page == QLatin1String("schedule")) {
    loadSchedule();
    schedule_refresh_.start();
  }
}

// ---------------------------------------------------------------- search
QVariantMap Controller::PractitionerCard(const api::Practitioner& p) const {
  QStringList modes;
  for (const auto& m : p.modes) modes << T(QStringLiteral("practice:modes.") + m);
  QStringList places;
  for (const auto& fac : p.facilities)
    places << (fac.city.isEmpty() ? fac.name : fac.name + QStringLiteral(", ") + fac.city);
  const bool free = !p.first_visit || p.first_visit->amount_minor == 0;
  QString initials;
  for (const auto& w : QString(p.display_name)
                           .remove(QStringLiteral("Dr. "))
                           .split(QLatin1Char(' '), Qt::SkipEmptyParts))
    if (initials.size() < 2) initials += w.left(1).toUpper();
  QString next;
  if (!p.next_free_day.isEmpty()) {
    const QLocale loc(i18n_->language() == QLatin1String("hi") ? QStringLiteral("hi_IN")
                                                               : QStringLiteral("en_IN"));
    next = T(QStringLiteral("patient:search.nextFree"),
             {{"day", loc.toString(QDate::fromString(p.next_free_day, Qt::ISODate),
                                   QStringLiteral("ddd d MMM"))}});
  } else {
    next = T(QStringLiteral("patient:search.noFreeTimes"));
  }
  return {
      {"id", p.id},
      {"name", p.display_name},
      {"initials", initials},
      {"specialties", domain::TitleCase(p.specialties.join(QStringLiteral(", ")))},
      {"experience", T(QStringLiteral("patient:search.experience"), {{"years", p.years}})},
      {"speaks", T(QStringLiteral("patient:search.speaks"),
                   {{"languages", domain::LanguageNames(p.languages, i18n_->language())},
                    {"modes", modes.join(QStringLiteral(", "))}})},
      {"places", places.join(QStringLiteral(" · "))},
      {"fee", free ? T(QStringLiteral("common:free")) : api::FormatMoney(*p.first_visit)},
      {"firstVisit",
       T(QStringLiteral("patient:search.firstVisit"),
         {{"fee", free ? T(QStringLiteral("common:free")) : api::FormatMoney(*p.first_visit)}})},
      {"free", free},
      {"nextFree", next},
      {"verified", p.verified}};
}

// The card's words plus both fees (the practitioner's page).
QVariantMap Controller::PractitionerPage(const api::Practitioner& p) const {
  QVariantMap view = PractitionerCard(p);
  const QString first =
      p.first_visit ? api::FormatMoney(*p.first_visit) : T(QStringLiteral("common:free"));
  const QString follow = p.follow_up ? api::FormatMoney(*p.follow_up) : first;
  view[QStringLiteral("fees")] = T(QStringLiteral("patient:booking.feesSignedOut"),
                                   {{"firstVisit", first}, {"followUp", follow}});
  return view;
}

void Controller::search(const QString& q, const QString& specialty, const QString& city,
                        const QString& language, const QString& mode, const QString& date) {
  QUrlQuery query;
  auto add = [&](const char* k, const QString& v) {
    if (!v.trimmed().isEmpty()) query.addQueryItem(QLatin1String(k), v.trimmed());
  };
  add("q", q);
  last_query_ = q.trimmed();
  add("specialty", specialty);
  add("city", city);
  add("language", language);
  add("mode", mode);
  add("available_on", date);
  query.addQueryItem(QStringLiteral("limit"), QStringLiteral("20"));
  Begin();
  const int seq = ++search_seq_;
  api_->Get(QStringLiteral("/v1/practitioners"), query, Guard([this, seq](const api::Response& r) {
              End();
              if (seq != search_seq_) return;  // a newer search was asked
              if (!r.ok()) return Fail(*r.problem);
              practitioners_.clear();
              for (const auto& v : api::Arr(r.json(), api::f::search_items))
                practitioners_ << PractitionerCard(api::Practitioner::From(v.toObject()));
              Q_EMIT changed();
            }));
}

// ---------------------------------------------------------------- a practitioner's week
void Controller::openPractitioner(const QString& id) {
  page_ = QStringLiteral("practitioner");
  practitioner_ = {};
  practitioner_.id = id;  // answers for another practitioner are dropped from here on
  practitioner_view_.clear();
  week_.clear();
  slots_.clear();
  cutoff_minutes_ = 240;
  seen_before_ = false;
  week_start_ = QDateTime::currentDateTimeUtc().toTimeZone(zone_).date();
  Begin();
  api_->Get(QStringLiteral("/v1/practitioners/") + id, {},
            Guard([this, id](const api::Response& r) {
              End();
              if (id != practitioner_.id) return;
              if (!r.ok()) return Fail(*r.problem);
              practitioner_ = api::Practitioner::From(r.json());
              practitioner_view_ = PractitionerPage(practitioner_);
              Q_EMIT changed();
              LoadWeek();
            }));
  // The cancellation cut-off this practitioner publishes.
  Begin();
  api_->Get(QStringLiteral("/v1/practitioners/") + id + QStringLiteral("/availability"), {},
            Guard([this, id](const api::Response& r) {
              End();
              if (id != practitioner_.id) return;
              const int minutes =
                  r.ok() ? static_cast<int>(api::Int(r.json(), api::f::availability_cutoff)) : 0;
              cutoff_minutes_ = minutes > 0 ? minutes : 240;
              if (page_ == QLatin1String("book")) BuildBooking();
            }));
  // Whether the patient has seen them before decides the fee (as the server decides it: an
  // appointment booked, under way or completed).
  Begin();
  api_->Get(QStringLiteral("/v1/appointments"),
            QUrlQuery{{"role", "patient"}, {"limit", "100"}, {"newest_first", "true"}},
            Guard([this, id](const api::Response& r) {
              End();
              if (id != practitioner_.id || !r.ok()) return;
              static const QStringList counted{"booked", "checked_in", "in_progress", "completed"};
              for (const auto& v : api::Arr(r.json(), appts_items)) {
                const auto a = api::Appointment::From(v.toObject());
                if (a.practitioner_id == id && counted.contains(a.status)) seen_before_ = true;
              }
              if (page_ == QLatin1String("book")) BuildBooking();
            }));
}

void Controller::shiftWeek(int weeks) {
  const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(zone_).date();
  week_start_ = std::max(today, week_start_.addDays(7 * weeks));
  LoadWeek();
}

void Controller::LoadWeek() {
  slots_.clear();
  week_.clear();
  Q_EMIT changed();
  Begin();
  ++week_seq_;
  const auto [from, to] = domain::DaysRange(zone_, week_start_, 7);
  LoadSlotsPage({}, {}, std::max(from, QDateTime::currentDateTimeUtc()), to, week_seq_);
}

void Controller::LoadSlotsPage(const QString& token, QList<api::Slot> acc, const QDateTime& from,
                               const QDateTime& to, int seq) {
  QUrlQuery q{{"from", Iso(from)}, {"to", Iso(to)}, {"limit", "200"}};
  if (!token.isEmpty()) q.addQueryItem(QStringLiteral("page_token"), token);
  if (rescheduling())
    q.addQueryItem(QStringLiteral("mode"), reschedule_.mode);  // a move keeps the mode
  const QString pid = practitioner_.id;
  api_->Get(QStringLiteral("/v1/practitioners/") + pid + QStringLiteral("/slots"), q,
            Guard([this, acc = std::move(acc), pid, from, to, seq](const api::Response& r) mutable {
              if (pid != practitioner_.id || seq != week_seq_) return End();  // a newer week asked
              if (!r.ok()) {
                End();
                return Fail(*r.problem);
              }
              const auto j = r.json();
              for (const auto& v : api::Arr(j, api::f::slots_items))
                acc << api::Slot::From(v.toObject());
              const QString next = api::Str(j, api::f::slots_next_page_token);
              if (!next.isEmpty() && acc.size() < 2000)
                return LoadSlotsPage(next, std::move(acc), from, to, seq);
              slots_ = std::move(acc);
              BuildWeek();
              End();
            }));
}

void Controller::BuildWeek() {
  week_.clear();
  for (const auto& day : domain::GroupByDay(slots_, zone_, week_start_, 7)) {
    QVariantList times;
    for (int i : day.slots)
      times << QVariantMap{{"index", i},
                           {"time", TimeLabel(slots_[i].start)},
                           {"video", slots_[i].mode == QLatin1String("video")},
                           {"label", DateTimeLabel(slots_[i].start)}};
    const QLocale loc(i18n_->language() == QLatin1String("hi") ? QStringLiteral("hi_IN")
                                                               : QStringLiteral("en_IN"));
    week_ << QVariantMap{{"label", loc.toString(day.date, QStringLiteral("ddd d MMM"))},
                         {"slots", times}};
  }
  const QLocale loc(i18n_->language() == QLatin1String("hi") ? QStringLiteral("hi_IN")
                                                             : QStringLiteral("en_IN"));
  week_label_ = loc.toString(week_start_, QStringLiteral("d MMM")) + QStringLiteral(" – ") +
                loc.toString(week_start_.addDays(6), QStringLiteral("d MMM yyyy"));
  Q_EMIT changed();
}

int Controller::slotIndex(int nth) const {
  for (const auto& d : week_)
    for (const auto& s : d.toMap().value(QStringLiteral("slots")).toList())
      if (nth-- == 0) return s.toMap().value(QStringLiteral("index")).toInt();
  return -1;
}

// ---------------------------------------------------------------- booking
void Controller::pickSlot(int index) {
  if (index < 0 || index >= slots_.size()) return;
  picked_ = index;
  booking_key_ = QUuid::createUuid().toString(QUuid::WithoutBraces);
  BuildBooking();
  page_ = QStringLiteral("book");
  error_.clear();
  Q_EMIT changed();
}

// The confirmation's words for the picked time: built again when the patient's history or
// the practitioner's cut-off arrives after the pick, so the fee shown is the one charged.
void Controller::BuildBooking() {
  if (picked_ < 0 || picked_ >= slots_.size()) return;
  const auto& s = slots_[picked_];
  QString where;
  for (const auto& fac : practitioner_.facilities)
    if (fac.id == s.facility_id)
      where = fac.name + (fac.line1.isEmpty() ? QString() : QStringLiteral(", ") + fac.line1) +
              (fac.city.isEmpty() ? QString() : QStringLiteral(", ") + fac.city);
  if (s.mode == QLatin1String("video")) where = T(QStringLiteral("patient:booking.video"));
  const QDateTime cancel_until = s.start.addSecs(-60LL * cutoff_minutes_);
  // The fee this booking will cost: the follow-up fee when the patient has seen them before.
  const auto due =
      seen_before_ && practitioner_.follow_up ? practitioner_.follow_up : practitioner_.first_visit;
  const bool free = !due || due->amount_minor == 0;
  const QString amount = free ? T(QStringLiteral("common:free")) : api::FormatMoney(*due);
  const QString fee = amount + QLatin1Char(' ') +
                      (seen_before_ ? T(QStringLiteral("patient:booking.followUp"),
                                        {{"name", practitioner_.display_name}})
                                    : T(QStringLiteral("patient:booking.firstVisit")));
  booking_ = QVariantMap{
      {"title",
       rescheduling()
           ? T(QStringLiteral("patient:appointment.moveTo"), {{"when", DateTimeLabel(s.start)}})
           : T(QStringLiteral("patient:booking.title"), {{"when", DateTimeLabel(s.start)}})},
      {"with", practitioner_.display_name},
      {"where", where},
      {"fee",
       free ? fee : fee + QStringLiteral(" · ") + T(QStringLiteral("patient:booking.paidOnline"))},
      {"cancelling",
       cancel_until > QDateTime::currentDateTimeUtc()
           ? T(QStringLiteral("patient:booking.freeToCancel"),
               {{"when", DateTimeLabel(cancel_until)}})
           : T(QStringLiteral("patient:booking.tooLate"), {{"hours", cutoff_minutes_ / 60}})},
      {"submit", T(QStringLiteral("patient:booking.bookFor"), {{"fee", amount}})},
  };
  if (rescheduling()) {
    booking_[QStringLiteral("fee")] = reschedule_.fee && reschedule_.fee->amount_minor > 0
                                          ? api::FormatMoney(*reschedule_.fee)
                                          : T(QStringLiteral("common:free"));
    booking_[QStringLiteral("submit")] =
        T(QStringLiteral("patient:appointment.moveTo"), {{"when", DateTimeLabel(s.start)}});
  }
  Q_EMIT changed();
}

void Controller::confirmBooking(const QString& reason) {
  if (picked_ < 0 || picked_ >= slots_.size()) return;
  const auto& s = slots_[picked_];
  if (rescheduling()) {
    QJsonObject body{{api::f::reschedule_start.name, Iso(s.start)}};
    if (s.facility_id != reschedule_.facility_id)
      body.insert(QLatin1String(api::f::reschedule_facility_id.name), s.facility_id);
    Begin();
    const QString id = reschedule_.id;
    api_->Post(QStringLiteral("/v1/appointments/") + id + QStringLiteral("/reschedule"), body,
               Guard([this](const api::Response& r) {
                 End();
                 if (!r.ok()) return Fail(*r.problem);
                 Booked(api::Appointment::From(r.json()));
               }),
               api::CallOptions{booking_key_, false});
    return;
  }
  QJsonObject body{{api::f::create_practitioner_id.name, practitioner_.id},
                   {api::f::create_facility_id.name, s.facility_id},
                   {api::f::create_start.name, Iso(s.start)},
                   {api::f::create_mode.name, s.mode}};
  if (!reason.trimmed().isEmpty())
    body.insert(QLatin1String(api::f::create_reason.name), reason.trimmed());
  Begin();
  // The same key on every retry of this booking: a retry after a lost answer books once.
  api_->Post(QStringLiteral("/v1/appointments"), body, Guard([this](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               Booked(api::Appointment::From(r.json()));
             }),
             api::CallOptions{booking_key_, false});
}

// Booked or moved: the appointments, with what happened said on top.
void Controller::Booked(const api::Appointment& a) {
  last_booked_id_ = a.id;
  booking_key_.clear();
  picked_ = -1;
  past_ = false;
  showPage(QStringLiteral("appointments"));
  notice_ = a.status == QLatin1String("pending_payment")
                ? T(QStringLiteral("patient:appointment.payToConfirmTitle"))
                : T(QStringLiteral("patient:appointment.booked")) + QStringLiteral(": ") +
                      T(QStringLiteral("patient:appointment.bookedPlain"),
                        {{"name", a.practitioner_name}, {"when", DateTimeLabel(a.start)}});
  Q_EMIT changed();
}

// ---------------------------------------------------------------- payments
void Controller::pay(const QString& appointment_id) {
  // One Idempotency-Key per attempt, the same on its retries; a new one after a failure.
  QString& key = pay_keys_[appointment_id];
  if (key.isEmpty()) key = QUuid::createUuid().toString(QUuid::WithoutBraces);
  Begin();
  api_->Post(QStringLiteral("/v1/payments"),
             QJsonObject{{api::f::paymentreq_appointment_id.name, appointment_id}},
             Guard([this, appointment_id](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               const auto j = r.json();
               // The gateway's page in the system browser (https; http only when the API itself is
               // plain http, in development), never another scheme a server could name.
               const QUrl url(api::Str(j, api::f::paycreated_checkout_url));
               const bool safe = url.isValid() && !url.host().isEmpty() &&
                                 (url.scheme() == QLatin1String("https") ||
                                  (url.scheme() == QLatin1String("http") &&
                                   api_->base().scheme() == QLatin1String("http")));
               if (safe) QDesktopServices::openUrl(url);
               notice_ = T(QStringLiteral("patient:payment.finishPaying"));
               Q_EMIT changed();
               const QString payment_id = api::Str(j, api::f::paycreated_id);
               payment_appointment_.insert(payment_id, appointment_id);
               PollPayment(payment_id, appointment_id, 100, user_generation_);
             }),
             api::CallOptions{key, false});
}

void Controller::PollPayment(const QString& payment_id, const QString& appointment_id,
                             int attempts_left, int generation) {
  if (attempts_left <= 0 || QUuid::fromString(payment_id).isNull() ||
      generation != user_generation_)
    return;
  api_->Get(
      QStringLiteral("/v1/payments/") + payment_id, {},
      Guard(
          [this, payment_id, appointment_id, attempts_left, generation](const api::Response& r) {
            if (generation != user_generation_) return;  // signed out since
            const QString status = r.ok() ? api::Str(r.json(), api::f::payment_status) : QString();
            if (status == QLatin1String("captured")) {
              notice_ = T(QStringLiteral("patient:payment.paidTitle"));
              Q_EMIT changed();
              if (page_ == QLatin1String("appointments")) loadAppointments(past_);
              return;
            }
            if (status == QLatin1String("failed")) {
              pay_keys_.remove(appointment_id);  // paying again is a new attempt
              error_ = T(QStringLiteral("patient:paymentStatus.failed"));
              Q_EMIT changed();
              return;
            }
            QTimer::singleShot(
                3000, this, [this, payment_id, appointment_id, attempts_left, generation] {
                  PollPayment(payment_id, appointment_id, attempts_left - 1, generation);
                });
          },
          false));
}

void Controller::openLink(const QUrl& url) {
  // healthtech://payments/<id> (the gateway's return) or healthtech://appointments
  if (url.scheme() != QLatin1String("healthtech")) return;
  if (!signedIn()) {  // after the session is restored (or the person signs in)
    pending_link_ = url;
    return;
  }
  if (url.host() == QLatin1String("payments")) {
    const QString payment = url.path().mid(1);
    PollPayment(payment, payment_appointment_.value(payment), 1, user_generation_);
  }
  showPage(QStringLiteral("appointments"));
}

// ---------------------------------------------------------------- appointments
QVariantMap Controller::AppointmentView(const api::Appointment& a) const {
  const QString where =
      a.mode == QLatin1String("video")
          ? T(QStringLiteral("patient:appointments.video"))
          : QStringList{a.facility_name, a.organization_name}.join(QStringLiteral(", "));
  const bool active =
      a.status == QLatin1String("booked") || a.status == QLatin1String("pending_payment");
  const bool can_cancel = active && (!a.cancellable_until.isValid() ||
                                     a.cancellable_until > QDateTime::currentDateTimeUtc());
  const QString fee = a.fee && a.fee->amount_minor > 0 ? api::FormatMoney(*a.fee)
                                                       : T(QStringLiteral("common:free"));
  return {{"id", a.id},
          {"name", a.practitioner_name.isEmpty()
                       ? T(QStringLiteral("patient:appointment.yourPractitioner"))
                       : a.practitioner_name},
          {"specialty", domain::TitleCase(a.specialty)},
          {"when", DateTimeLabel(a.start)},
          {"time", TimeLabel(a.start)},
          {"where", where},
          {"patient",
           a.patient_name.isEmpty() ? T(QStringLiteral("practice:today.patient")) : a.patient_name},
          {"patientNamed", !a.patient_name.isEmpty()},
          {"status", a.status},
          {"statusLabel", StatusWords(a.status)},
          {"payment",
           a.payment_state == QLatin1String("free") ? QString() : PaymentWords(a.payment_state)},
          {"day", DayLabel(a.start)},
          {"fee", fee},
          {"canCancel", can_cancel},
          {"canPay", a.status == QLatin1String("pending_payment")},
          {"canMove", a.status == QLatin1String("booked") && can_cancel},
          {"paymentId", a.payment_id},
          {"hasInvoice", !a.payment_id.isEmpty() && a.payment_state == QLatin1String("paid")},
          {"payLabel", T(QStringLiteral("patient:appointment.pay"), {{"fee", fee}})}};
}

void Controller::loadAppointments(bool past) {
  past_ = past;
  const QString now = Iso(QDateTime::currentDateTimeUtc());
  QUrlQuery q{{"role", "patient"}, {"limit", "50"}};
  if (past) {
    q.addQueryItem(QStringLiteral("to"), now);
    q.addQueryItem(QStringLiteral("newest_first"), QStringLiteral("true"));
  } else {
    q.addQueryItem(QStringLiteral("from"), now);
  }
  Begin();
  api_->Get(QStringLiteral("/v1/appointments"), q, Guard([this, past](const api::Response& r) {
              End();
              if (!r.ok()) return Fail(*r.problem);
              if (past != past_) return;
              appointment_list_.clear();
              appointments_.clear();
              for (const auto& v : api::Arr(r.json(), appts_items)) {
                appointment_list_ << api::Appointment::From(v.toObject());
                appointments_ << AppointmentView(appointment_list_.back());
              }
              Q_EMIT changed();
            }));
}

void Controller::cancelAppointment(const QString& id) {
  Begin();
  api_->Post(QStringLiteral("/v1/appointments/") + id + QStringLiteral("/cancel"), QJsonObject{},
             Guard([this](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               notice_ = T(QStringLiteral("patient:appointment.cancelled"));
               loadAppointments(past_);
             }));
}

void Controller::startReschedule(const QString& id) {
  for (const auto& a : appointment_list_)
    if (a.id == id) reschedule_ = a;
  if (reschedule_.id != id) return;
  const auto moving = reschedule_;
  openPractitioner(moving.practitioner_id);
  reschedule_ = moving;  // openPractitioner → the practitioner page keeps it
  notice_ = T(QStringLiteral("patient:appointment.pickTime"));
  Q_EMIT changed();
}

void Controller::openInvoice(const QString& payment_id) {
  if (QUuid::fromString(payment_id).isNull()) return;
  Begin();
  api_->Get(QStringLiteral("/v1/payments/") + payment_id, {}, Guard([this](const api::Response& r) {
              if (!r.ok()) {
                End();
                return Fail(*r.problem);
              }
              // An id, never a path: it names the file written below.
              const QUuid invoice_uuid =
                  QUuid::fromString(api::Str(r.json(), api::f::payment_invoice_id));
              const QString invoice =
                  invoice_uuid.isNull() ? QString() : invoice_uuid.toString(QUuid::WithoutBraces);
              if (invoice.isEmpty()) {
                End();
                return Fail({404, "NOT_FOUND", T(QStringLiteral("patient:invoices.none")), {}});
              }
              api_->Get(QStringLiteral("/v1/invoices/") + invoice + QStringLiteral(".pdf"), {},
                        Guard([this, invoice](const api::Response& pdf) {
                          End();
                          if (!pdf.ok()) return Fail(*pdf.problem);
                          QString dir =
                              QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
                          if (dir.isEmpty() || !QDir().mkpath(dir))
                            dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation);
                          // Written whole or not at all (QSaveFile: a temporary file renamed into
                          // place, so a link planted under that name is replaced, not followed).
                          QSaveFile f(QDir(dir).filePath(
                              QStringLiteral("healthtech-invoice-%1.pdf").arg(invoice)));
                          if (!pdf.body.startsWith("%PDF-") || !f.open(QIODevice::WriteOnly) ||
                              f.write(pdf.body) != pdf.body.size() || !f.commit())
                            return Fail({0, "FILE", f.errorString(), {}});
                          last_invoice_file_ = f.fileName();
                          QDesktopServices::openUrl(QUrl::fromLocalFile(last_invoice_file_));
                          Q_EMIT changed();
                        }));
            }));
}

// ---------------------------------------------------------------- private consultations
void Controller::loadConsultations() {
  Begin();
  api_->Get(QStringLiteral("/v1/forum/private-threads"), QUrlQuery{{"limit", "50"}},
            Guard([this](const api::Response& r) {
              End();
              if (!r.ok()) return Fail(*r.problem);
              consultations_.clear();
              for (const auto& v : api::Arr(r.json(), api::f::pthreads_items)) {
                const auto t = v.toObject();
                QDateTime last = api::Time(t, api::f::pthread_last_post_at);
                if (!last.isValid()) last = api::Time(t, api::f::pthread_created_at);
                consultations_ << QVariantMap{
                    {"id", api::Str(t, api::f::pthread_id)},
                    {"subject", api::Str(t, api::f::pthread_subject)},
                    {"meta", T(QStringLiteral("forum:private.meta"),
                               {{"name", api::Str(t, api::f::pthread_practitioner_name)},
                                {"n", api::Int(t, api::f::pthread_post_count)},
                                {"when", DateTimeLabel(last)}})}};
              }
              Q_EMIT changed();
            }));
}

void Controller::openConsultation(const QString& id) {
  page_ = QStringLiteral("consultation");
  if (consultation_.value(QStringLiteral("id")).toString() != id)
    consultation_.clear();  // no reply to the old one
  const int seq = ++consultation_seq_;
  Begin();
  api_->Get(QStringLiteral("/v1/forum/private-threads/") + id, QUrlQuery{{"limit", "100"}},
            Guard([this, seq](const api::Response& r) {
              End();
              if (seq != consultation_seq_) return;  // another was opened since
              if (!r.ok()) return Fail(*r.problem);
              const auto j = r.json();
              const auto t = api::Obj(j, api::f::pthread_get_thread);
              QVariantList posts;
              for (const auto& v : api::Arr(j, api::f::pthread_get_items)) {
                const auto p = v.toObject();
                // The author's own words as plain text (never the server's HTML as markup here).
                QString text = api::Str(p, api::f::ppost_body_markdown);
                if (text.isEmpty()) {
                  QTextDocument doc;
                  doc.setHtml(api::Str(p, api::f::ppost_body_html));
                  text = doc.toPlainText();
                }
                posts << QVariantMap{
                    {"author", api::Str(p, api::f::ppost_author_name)},
                    {"mine", api::Str(p, api::f::ppost_author_id) == user_.id},
                    {"text", text},
                    {"when", DateTimeLabel(api::Time(p, api::f::ppost_created_at))}};
              }
              consultation_ = QVariantMap{{"id", api::Str(t, api::f::pthread_id)},
                                          {"subject", api::Str(t, api::f::pthread_subject)},
                                          {"with", api::Str(t, api::f::pthread_practitioner_name)},
                                          {"posts", posts}};
              Q_EMIT changed();
            }));
}

void Controller::askPrivately(const QString& subject, const QString& message) {
  if (practitioner_.id.isEmpty()) return;
  if (subject.trimmed().isEmpty() || message.trimmed().isEmpty())
    return Fail({400, "INVALID", T(QStringLiteral("lib:forum.writeSomething")), {}});
  Begin();
  api_->Post(QStringLiteral("/v1/forum/private-threads"),
             QJsonObject{{api::f::pthreadreq_practitioner_id.name, practitioner_.id},
                         {api::f::pthreadreq_subject.name, subject.trimmed()},
                         {api::f::pthreadreq_body.name, message.trimmed()}},
             Guard([this](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               openConsultation(api::Str(r.json(), api::f::pthread_id));
             }));
}

void Controller::reply(const QString& message) {
  const QString id = consultation_.value(QStringLiteral("id")).toString();
  if (id.isEmpty()) return;
  if (message.trimmed().isEmpty())
    return Fail({400, "INVALID", T(QStringLiteral("lib:forum.writeSomething")), {}});
  Begin();
  api_->Post(QStringLiteral("/v1/forum/private-threads/") + id + QStringLiteral("/posts"),
             QJsonObject{{api::f::ppostreq_body.name, message.trimmed()}},
             Guard([this, id](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               openConsultation(id);
             }));
}

// ---------------------------------------------------------------- notifications
void Controller::loadNotifications() {
  Begin();
  api_->Get(QStringLiteral("/v1/notifications"), QUrlQuery{{"limit", "50"}},
            Guard([this](const api::Response& r) {
              End();
              if (!r.ok()) return Fail(*r.problem);
              const auto j = r.json();
              unread_ = static_cast<int>(api::Int(j, api::f::notifications_unread));
              notifications_.clear();
              for (const auto& v : api::Arr(j, api::f::notifications_items)) {
                const auto n = api::Notification::From(v.toObject());
                notifications_ << QVariantMap{{"id", n.id},
                                              {"title", n.title},
                                              {"body", n.body},
                                              {"read", n.read},
                                              {"when", DateTimeLabel(n.created_at)}};
              }
              Q_EMIT changed();
            }));
}

void Controller::markAllRead() {
  Begin();
  api_->Post(QStringLiteral("/v1/notifications/read-all"), QJsonObject{},
             Guard([this](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               loadNotifications();
             }));
}

// ---------------------------------------------------------------- the practitioner's day
void Controller::loadSchedule() {
  Begin();
  LoadSchedulePage({}, {});
}

// Today and the next 7 days, every page of them (a busy clinic has more than one).
void Controller::LoadSchedulePage(const QString& token, QList<api::Appointment> acc) {
  const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(zone_).date();
  const auto [from, to] = domain::DaysRange(zone_, today, 8);
  QUrlQuery q{{"from", Iso(from)}, {"to", Iso(to)}, {"limit", "100"}};
  if (practitioner()) {
    q.addQueryItem(QStringLiteral("role"), QStringLiteral("practitioner"));
  } else {  // the front desk: everyone's appointments at the organization
    q.addQueryItem(QStringLiteral("role"), QStringLiteral("org"));
    q.addQueryItem(QStringLiteral("organization_id"), staffOrganization());
  }
  if (!token.isEmpty()) q.addQueryItem(QStringLiteral("page_token"), token);
  api_->Get(
      QStringLiteral("/v1/appointments"), q,
      Guard([this, today, acc = std::move(acc)](const api::Response& r) mutable {
        if (!r.ok()) {
          End();
          return Fail(*r.problem);
        }
        const auto j = r.json();
        for (const auto& v : api::Arr(j, appts_items)) acc << api::Appointment::From(v.toObject());
        const QString next = api::Str(j, appts_next_page_token);
        if (!next.isEmpty() && acc.size() < 1000) return LoadSchedulePage(next, std::move(acc));
        schedule_.clear();
        next_appointment_.clear();
        const auto now = QDateTime::currentDateTimeUtc();
        for (const auto& a : acc) {
          auto view = AppointmentView(a);
          QVariantList actions;
          for (const auto& [action, key] : NextActions(a.status, a.start <= now))
            actions << QVariantMap{{"action", action},
                                   {"label", T(QStringLiteral("practice:today.actions.") + key)}};
          view[QStringLiteral("actions")] = actions;
          view[QStringLiteral("today")] = a.start.toTimeZone(zone_).date() == today;
          schedule_ << view;
          if (next_appointment_.isEmpty() && a.start > now && a.status == QLatin1String("booked") &&
              view.value(QStringLiteral("today")).toBool())
            next_appointment_ = TimeLabel(a.start) + QStringLiteral(" · ") +
                                view.value(QStringLiteral("patient")).toString();
        }
        End();
      }));
}

void Controller::act(const QString& id, const QString& action) {
  static const QStringList allowed{"check-in", "start", "complete", "no-show"};
  if (!allowed.contains(action)) return;
  Begin();
  api_->Post(QStringLiteral("/v1/appointments/") + id + QLatin1Char('/') + action, QJsonObject{},
             Guard([this](const api::Response& r) {
               End();
               if (!r.ok()) return Fail(*r.problem);
               loadSchedule();
             }));
}

void Controller::setLanguage(const QString& lang) {
  if (!i18n_->setLanguage(lang)) return;
  // Rebuild what holds words, then ask for the screens to be loaded again in it.
  practitioners_.clear();  // worded in the old language: searched again
  if (!practitioner_.display_name.isEmpty()) practitioner_view_ = PractitionerPage(practitioner_);
  if (!slots_.isEmpty()) BuildWeek();
  Q_EMIT languageRequested(lang);
  showPage(page_ == QLatin1String("book") ? QStringLiteral("practitioner") : page_);
}

}  // namespace healthtech::app
