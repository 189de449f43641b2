#pragma once
// What the screens show and do: one object the QML binds to (`app`). It calls the REST API
// through ApiClient, keeps the results as plain lists and maps the screens read, and words
// everything through I18n. The screens hold no logic beyond layout.
#include <QDate>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>
#include <QVariantList>
#include <QVariantMap>

#include "api/client.h"
#include "api/model.h"

namespace healthtech::app {
namespace live {
class LiveSocket;
}
class I18n;

class Controller : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString page READ page NOTIFY changed)
  Q_PROPERTY(int busy READ busy NOTIFY changed)
  Q_PROPERTY(QString error READ error NOTIFY changed)
  Q_PROPERTY(QString notice READ notice NOTIFY changed)
  Q_PROPERTY(bool online READ online NOTIFY changed)
  Q_PROPERTY(bool live READ live NOTIFY changed)
  Q_PROPERTY(bool signedIn READ signedIn NOTIFY changed)
  Q_PROPERTY(bool practitioner READ practitioner NOTIFY changed)
  Q_PROPERTY(QString userName READ userName NOTIFY changed)
  Q_PROPERTY(int unreadCount READ unreadCount NOTIFY changed)
  Q_PROPERTY(bool dark READ dark NOTIFY changed)
  Q_PROPERTY(QVariantList practitioners READ practitioners NOTIFY changed)
  Q_PROPERTY(QString lastQuery READ lastQuery NOTIFY changed)
  Q_PROPERTY(QVariantMap practitionerView READ practitionerView NOTIFY changed)
  Q_PROPERTY(QVariantList week READ week NOTIFY changed)
  Q_PROPERTY(QString weekLabel READ weekLabel NOTIFY changed)
  Q_PROPERTY(QString zoneName READ zoneName CONSTANT)
  Q_PROPERTY(QVariantMap booking READ booking NOTIFY changed)
  Q_PROPERTY(QVariantList appointments READ appointments NOTIFY changed)
  Q_PROPERTY(bool pastAppointments READ pastAppointments NOTIFY changed)
  Q_PROPERTY(QVariantList notifications READ notifications NOTIFY changed)
  Q_PROPERTY(QVariantList schedule READ schedule NOTIFY changed)
  Q_PROPERTY(QString nextAppointment READ nextAppointment NOTIFY changed)
  Q_PROPERTY(QString lastBookedId READ lastBookedId NOTIFY changed)
  Q_PROPERTY(bool rescheduling READ rescheduling NOTIFY changed)
  Q_PROPERTY(QVariantList consultations READ consultations NOTIFY changed)
  Q_PROPERTY(QVariantMap consultation READ consultation NOTIFY changed)
  Q_PROPERTY(bool frontDesk READ frontDesk NOTIFY changed)

 public:
  Controller(api::ApiClient* api, I18n* i18n, QTimeZone zone, bool dark, QObject* parent = nullptr);

  QString page() const { return page_; }
  int busy() const { return busy_; }
  QString error() const { return error_; }
  QString notice() const { return notice_; }
  bool online() const;
  bool live() const { return live_; }
  bool signedIn() const;
  bool practitioner() const {
    return user_.roles.filter(QStringLiteral("practitioner")).size() > 0;
  }
  QString userName() const { return user_.full_name; }
  int unreadCount() const { return unread_; }
  bool dark() const { return dark_; }
  QVariantList practitioners() const { return practitioners_; }
  QString lastQuery() const { return last_query_; }
  QVariantMap practitionerView() const { return practitioner_view_; }
  QVariantList week() const { return week_; }
  QString weekLabel() const { return week_label_; }
  QString zoneName() const { return zone_.id(); }
  QVariantMap booking() const { return booking_; }
  QVariantList appointments() const { return appointments_; }
  bool pastAppointments() const { return past_; }
  QVariantList notifications() const { return notifications_; }
  QVariantList schedule() const { return schedule_; }
  QString nextAppointment() const { return next_appointment_; }
  QString lastBookedId() const { return last_booked_id_; }
  bool rescheduling() const { return !reschedule_.id.isEmpty(); }
  QVariantList consultations() const { return consultations_; }
  QVariantMap consultation() const { return consultation_; }
  // Staff of an organization (not a practitioner): the organization's day instead.
  bool frontDesk() const { return !practitioner() && !staffOrganization().isEmpty(); }
  QString staffOrganization() const;
  // The file the last invoice was saved to (tests).
  QString lastInvoiceFile() const { return last_invoice_file_; }

  Q_INVOKABLE void restore();
  Q_INVOKABLE void signIn(const QString& email, const QString& password);
  Q_INVOKABLE void verifyMfa(const QString& code, bool recovery);
  Q_INVOKABLE void signOut();
  Q_INVOKABLE void showPage(const QString& page);
  Q_INVOKABLE void search(const QString& q, const QString& specialty, const QString& city,
                          const QString& language, const QString& mode, const QString& date);
  Q_INVOKABLE void openPractitioner(const QString& id);
  Q_INVOKABLE void shiftWeek(int weeks);
  Q_INVOKABLE void pickSlot(int index);
  Q_INVOKABLE void confirmBooking(const QString& reason);
  Q_INVOKABLE void pay(const QString& appointment_id);
  Q_INVOKABLE void loadAppointments(bool past);
  Q_INVOKABLE void cancelAppointment(const QString& id);
  // Another time for an appointment: the practitioner's week (same mode), then "Move to …".
  Q_INVOKABLE void startReschedule(const QString& id);
  // The invoice of a paid appointment as a PDF, opened with the system's viewer.
  Q_INVOKABLE void openInvoice(const QString& payment_id);
  // Private consultations: only the patient and the practitioner read them.
  Q_INVOKABLE void loadConsultations();
  Q_INVOKABLE void openConsultation(const QString& id);
  Q_INVOKABLE void askPrivately(const QString& subject,
                                const QString& message);  // the open practitioner
  Q_INVOKABLE void reply(const QString& message);
  Q_INVOKABLE void loadNotifications();
  Q_INVOKABLE void markAllRead();
  Q_INVOKABLE void loadSchedule();
  Q_INVOKABLE void act(const QString& id, const QString& action);
  Q_INVOKABLE void setLanguage(const QString& lang);
  Q_INVOKABLE void clearMessages();
  // A healthtech:// link (the payment gateway's return, or one the system hands the app).
  Q_INVOKABLE void openLink(const QUrl& url);

  // For the smoke mode: the index of the first (nth) free slot in the week, or -1.
  int firstSlotIndex() const { return slotIndex(0); }
  int slotIndex(int nth) const;
  // The API's code of the error shown (SLOT_UNAVAILABLE, …), empty when none or offline.
  QString errorCode() const { return error_code_; }
  // Words for the slot grouping's days (tests).
  const QList<api::Slot>& slots() const { return slots_; }

 Q_SIGNALS:
  void changed();
  void languageRequested(const QString& lang);
  // A new notification arrived live (the app shows a system notification).
  void notify(const QString& title, const QString& body);

 private:
  QString T(const QString& key, const QVariantMap& args = {}) const;
  // An API answer for the person signed in when it was asked: dropped when they have signed
  // out since (its End() still counted when `counted`, so the busy count stays right).
  template <class F>
  std::function<void(const api::Response&)> Guard(F f, bool counted = true) {
    return [this, generation = user_generation_, f = std::move(f),
            counted](const api::Response& r) mutable {
      if (generation != user_generation_) {
        if (counted) End();
        return;
      }
      f(r);
    };
  }
  void Begin();
  void End();
  void Fail(const api::Problem& p);
  void AfterSignIn();
  void LoadWeek();
  void LoadSlotsPage(const QString& token, QList<api::Slot> acc, const QDateTime& from,
                     const QDateTime& to, int seq);
  void BuildWeek();
  void LoadSchedulePage(const QString& token, QList<api::Appointment> acc);
  void PollPayment(const QString& payment_id, const QString& appointment_id, int attempts_left,
                   int generation);
  void ResetUserState();
  void BuildBooking();
  void Booked(const api::Appointment& a);
  QString DayLabel(const QDateTime& utc) const;
  QString TimeLabel(const QDateTime& utc) const;
  QString DateTimeLabel(const QDateTime& utc) const;
  QVariantMap AppointmentView(const api::Appointment& a) const;
  QVariantMap PractitionerCard(const api::Practitioner& p) const;
  QVariantMap PractitionerPage(const api::Practitioner& p) const;
  QString StatusWords(const QString& status) const;
  QString PaymentWords(const QString& state) const;

  api::ApiClient* api_;
  I18n* i18n_;
  QTimeZone zone_;
  bool dark_;
  live::LiveSocket* live_socket_ = nullptr;
  bool live_ = false;
  QString page_ = QStringLiteral("signin");
  int busy_ = 0;
  QString error_, notice_, error_code_;
  api::User user_;
  QString mfa_token_;
  int unread_ = 0;
  QVariantList practitioners_;
  QString last_query_;
  api::Practitioner practitioner_;
  int cutoff_minutes_ = 240;
  bool seen_before_ = false;  // the patient has seen the open practitioner (follow-up fee)
  int week_seq_ = 0, search_seq_ = 0, consultation_seq_ = 0;  // the latest answer wins
  QVariantMap practitioner_view_;
  QDate week_start_;
  QList<api::Slot> slots_;
  QVariantList week_;
  QString week_label_;
  int picked_ = -1;
  QString booking_key_;  // the Idempotency-Key of the booking being made (kept across retries)
  QVariantMap booking_;
  QList<api::Appointment> appointment_list_;
  QVariantList appointments_;
  bool past_ = false;
  QVariantList notifications_;
  QVariantList schedule_;
  QString next_appointment_;
  QString last_booked_id_;
  api::Appointment reschedule_;  // the appointment being moved (empty id: booking a new one)
  QString last_invoice_file_;
  QHash<QString, QString> pay_keys_;  // appointment → the Idempotency-Key of its payment attempt
  int user_generation_ = 0;  // bumped on sign-out: late answers for the last person dropped
  QUrl pending_link_;        // a healthtech:// link that waits for the session
  QHash<QString, QString> payment_appointment_;  // payment → appointment (its pay key)
  bool restore_when_online_ = false;             // the kept session could not be tried: offline
  QVariantList consultations_;
  QVariantMap consultation_;
  QTimer schedule_refresh_;
};

}  // namespace healthtech::app
