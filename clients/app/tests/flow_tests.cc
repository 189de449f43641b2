// The screens' controller against a running stack, for what the smoke run does not walk:
// a paid booking paid through the gateway's checkout (opened "in the system browser", the
// payment then polled), its invoice PDF, a reschedule, a cancellation, the live socket
// delivering the payment's notification, and the front desk's day. Environment:
// HEALTHTECH_API_URL, GATEWAY_URL (the payment gateway simulator); the seed's accounts.
#include <QDesktopServices>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "api/client.h"
#include "i18n/i18n.h"
#include "session/secret_store.h"
#include "ui/controller.h"

using namespace healthtech::app;

namespace {
const char* kPassword = "healthtech-demo-2026";
}

// One person signed in (asked for; the caller waits) through the screens' controller.
struct Person {
  MemorySecretStore keychain;
  api::ApiClient client;
  I18n i18n{QStringLiteral(":/locales")};
  Controller app;
  Person(const QUrl& base, const QString& email)
      : client(base, &keychain), app(&client, &i18n, QTimeZone("Asia/Kolkata"), false) {
    app.signIn(email, QString::fromLatin1(kPassword));
  }
};

// Stands in for the system browser and PDF viewer: records what the app asked to open.
class Opener : public QObject {
  Q_OBJECT
 public:
  QList<QUrl> opened;
 public Q_SLOTS:
  void open(const QUrl& url) { opened << url; }
};

class AppFlowTests : public QObject {
  Q_OBJECT
  QUrl base_;
  Opener opener_;
  QString booked_for_desk_;

  static void Idle(Controller& app) {
    QTest::qWait(50);
    QTRY_VERIFY_WITH_TIMEOUT(app.busy() == 0, 30000);
  }
  // The practitioner profile of a seeded account (names repeat in a database that tests share).
  QString PractitionerIdOf(const QString& email) {
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    bool done = false;
    client.SignIn(email, kPassword, [&](auto, auto) { done = true; });
    if (!QTest::qWaitFor([&] { return done; }, 20000)) return {};
    QString id;
    done = false;
    client.Get("/v1/practitioners/me", {}, [&](const api::Response& r) {
      id = r.json().value("id").toString();
      done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000)) return {};
    return id;
  }
  // The week's last free time (the smoke runs take the first ones), or -1.
  static int LastSlot(const Controller& app) {
    int last = -1;
    for (const auto& d : app.week())
      for (const auto& slot : d.toMap().value("slots").toList())
        last = slot.toMap().value("index").toInt();
    return last;
  }
  static QVariantMap Find(const QVariantList& list, const QString& id) {
    for (const auto& v : list)
      if (v.toMap().value("id").toString() == id) return v.toMap();
    return {};
  }

 private Q_SLOTS:
  void cleanupTestCase() {
    for (const char* scheme : {"http", "https", "file"}) QDesktopServices::unsetUrlHandler(scheme);
  }
  void initTestCase() {
    base_ = QUrl(qEnvironmentVariable("HEALTHTECH_API_URL"));
    QVERIFY2(!base_.isEmpty(), "set HEALTHTECH_API_URL");
    QVERIFY2(qEnvironmentVariableIsSet("GATEWAY_URL"), "set GATEWAY_URL");
    for (const char* scheme : {"http", "https", "file"})
      QDesktopServices::setUrlHandler(scheme, &opener_, "open");
  }

  void payInvoiceRescheduleCancel() {
    Person priya(base_, "priya.patient@demo.healthtech.dev");
    Controller& app = priya.app;
    const I18n& i18n = priya.i18n;
    QSignalSpy notified(&app, &Controller::notify);  // before any answer is handled
    Idle(app);
    QVERIFY2(app.signedIn(), qPrintable(app.error()));
    QCOMPARE(app.page(), QStringLiteral("search"));
    QTRY_VERIFY_WITH_TIMEOUT(app.live(), 15000);  // the live socket authenticated

    // A practitioner with a fee: the seed's cardiologist, found as a patient would.
    const QString meera_id = PractitionerIdOf("dr.meera@demo.healthtech.dev");
    QVERIFY(!meera_id.isEmpty());
    app.search("Dr. Meera Iyer", {}, {}, {}, {}, {});
    Idle(app);
    QVariantMap meera;
    for (const auto& v : app.practitioners())
      if (v.toMap().value("id").toString() == meera_id) meera = v.toMap();
    QVERIFY2(!meera.isEmpty(), "the search does not find the seed's Dr. Meera Iyer");
    QVERIFY(!meera.value("free").toBool());
    app.openPractitioner(meera.value("id").toString());
    Idle(app);
    for (int i = 0; i < 3 && app.firstSlotIndex() < 0; ++i) {
      app.shiftWeek(1);
      Idle(app);
    }
    const int last = LastSlot(app);
    QVERIFY(last >= 0);
    app.pickSlot(last);
    QCOMPARE(app.page(), QStringLiteral("book"));
    QVERIFY2(app.booking().value("fee").toString().contains(QStringLiteral("₹800")),
             qPrintable(app.booking().value("fee").toString()));
    app.confirmBooking("Chest pain when climbing stairs");
    Idle(app);
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    const QString id = app.lastBookedId();
    QVERIFY(!id.isEmpty());
    auto row = Find(app.appointments(), id);
    QCOMPARE(row.value("status").toString(), QStringLiteral("pending_payment"));
    QVERIFY(row.value("canPay").toBool());

    // Pay: the checkout opens in the "browser", the patient approves there, the app polls.
    opener_.opened.clear();
    app.pay(id);
    Idle(app);
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    QCOMPARE(opener_.opened.size(), 1);
    const QUrl checkout = opener_.opened.first();
    const QString order = checkout.path().split('/').last();
    QVERIFY2(order.startsWith("order_"), qPrintable(checkout.toString()));
    QNetworkAccessManager nam;
    QNetworkRequest approve(
        QUrl(qEnvironmentVariable("GATEWAY_URL") + "/checkout/" + order + "/approve"));
    QNetworkReply* reply = nam.post(approve, QByteArray());
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    reply->deleteLater();
    QTRY_COMPARE_WITH_TIMEOUT(app.notice(), i18n.t("patient:payment.paidTitle"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(notified.count() > 0, 15000);  // a notification arrived over /ws

    // The invoice: fetched with the session, saved, handed to the PDF viewer.
    app.loadAppointments(false);
    Idle(app);
    row = Find(app.appointments(), id);
    QCOMPARE(row.value("status").toString(), QStringLiteral("booked"));
    QTRY_VERIFY_WITH_TIMEOUT((app.loadAppointments(false), Idle(app),
                              Find(app.appointments(), id).value("hasInvoice").toBool()),
                             20000);
    row = Find(app.appointments(), id);
    opener_.opened.clear();
    app.openInvoice(row.value("paymentId").toString());
    Idle(app);
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    QFile pdf(app.lastInvoiceFile());
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    QCOMPARE(opener_.opened.value(0), QUrl::fromLocalFile(app.lastInvoiceFile()));

    // Now a follow-up: the fee shown before booking again is the follow-up fee (₹500).
    app.openPractitioner(meera_id);
    Idle(app);
    QVERIFY(app.firstSlotIndex() >= 0);
    app.pickSlot(app.firstSlotIndex());
    QVERIFY2(app.booking().value("fee").toString().contains(QStringLiteral("₹500")),
             qPrintable(app.booking().value("fee").toString()));
    QVERIFY(app.booking().value("submit").toString().contains(QStringLiteral("₹500")));
    app.loadAppointments(false);
    Idle(app);
    row = Find(app.appointments(), id);

    // Reschedule: the week again (same mode), another time, "Move to …".
    QVERIFY(row.value("canMove").toBool());
    const QString before = row.value("when").toString();
    app.startReschedule(id);
    Idle(app);
    QVERIFY(app.rescheduling());
    const int other = LastSlot(app);  // the latest again (the patient's other bookings are early)
    QVERIFY(other >= 0);
    app.pickSlot(other);
    QVERIFY(app.booking().value("title").toString().startsWith(
        i18n.t("patient:appointment.moveTo", {{"when", ""}}).trimmed()));
    app.confirmBooking({});
    Idle(app);
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    QVERIFY(!app.rescheduling());
    row = Find(app.appointments(), id);
    QVERIFY2(!row.isEmpty() && row.value("when").toString() != before,
             qPrintable(row.value("when").toString()));

    // Cancel it.
    app.cancelAppointment(id);
    Idle(app);
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    app.loadAppointments(false);
    Idle(app);
    const auto gone = Find(app.appointments(), id);
    QVERIFY(gone.isEmpty() || gone.value("status").toString() == QStringLiteral("cancelled"));
  }

  // A private consultation: the patient asks from the practitioner's page, the practitioner
  // reads it in their list and answers, the patient sees the answer.
  void privateConsultation() {
    Person patient_(base_, "rahul.patient@demo.healthtech.dev");
    Controller& patient = patient_.app;
    Idle(patient);
    patient.openPractitioner(PractitionerIdOf("dr.meera@demo.healthtech.dev"));
    Idle(patient);
    const QString subject =
        QStringLiteral("Follow-up on my ECG %1").arg(QDateTime::currentMSecsSinceEpoch());
    patient.askPrivately(subject, "Is the **T-wave** change something to worry about?");
    Idle(patient);
    QVERIFY2(patient.error().isEmpty(), qPrintable(patient.error()));
    QCOMPARE(patient.page(), QStringLiteral("consultation"));
    QCOMPARE(patient.consultation().value("subject").toString(), subject);
    const QString thread = patient.consultation().value("id").toString();
    auto posts = patient.consultation().value("posts").toList();
    QCOMPARE(posts.size(), 1);
    QVERIFY(posts[0].toMap().value("mine").toBool());
    QVERIFY(posts[0].toMap().value("text").toString().contains("T-wave"));

    Person doctor_(base_, "dr.meera@demo.healthtech.dev");
    Controller& doctor = doctor_.app;
    Idle(doctor);
    doctor.showPage("consultations");
    Idle(doctor);
    bool listed = false;
    for (const auto& t : doctor.consultations())
      listed |= t.toMap().value("id").toString() == thread;
    QVERIFY2(listed, "the practitioner's list lacks the new consultation");
    doctor.openConsultation(thread);
    Idle(doctor);
    QVERIFY(!doctor.consultation().value("posts").toList().first().toMap().value("mine").toBool());
    doctor.reply("Not from this trace alone; let us look at it together on Tuesday.");
    Idle(doctor);
    QVERIFY2(doctor.error().isEmpty(), qPrintable(doctor.error()));

    patient.openConsultation(thread);
    Idle(patient);
    posts = patient.consultation().value("posts").toList();
    QCOMPARE(posts.size(), 2);
    QVERIFY(!posts[1].toMap().value("mine").toBool());
    QVERIFY(posts[1].toMap().value("text").toString().contains("Tuesday"));
  }

  // Switching to Hindi on a practitioner's page words everything again, fees included.
  void languageSwitch() {
    Person app_(base_, "rahul.patient@demo.healthtech.dev");
    Controller& app = app_.app;
    Idle(app);
    app.openPractitioner(PractitionerIdOf("dr.meera@demo.healthtech.dev"));
    Idle(app);
    QVERIFY(app.practitionerView().value("fees").toString().contains(
        QStringLiteral("for a first visit")));
    app.setLanguage("hi");
    Idle(app);
    QCOMPARE(app.page(), QStringLiteral("practitioner"));
    const QString fees = app.practitionerView().value("fees").toString();
    QVERIFY2(fees.contains(QStringLiteral("पहली मुलाक़ात")) && fees.contains(QStringLiteral("₹800")),
             qPrintable(fees));
    QVERIFY(!app.week().isEmpty());
    QVERIFY2(app.week().first().toMap().value("label").toString().contains(QStringLiteral("दिस")),
             qPrintable(app.week().first().toMap().value("label").toString()));
  }

  void frontDeskDay() {
    // A booking at the clinic first (the week's last free time of its free doctor).
    {
      Person patient_(base_, "sara.patient@demo.healthtech.dev");
      Controller& patient = patient_.app;
      Idle(patient);
      patient.openPractitioner(PractitionerIdOf("dr.rohan@demo.healthtech.dev"));
      Idle(patient);
      const int last = LastSlot(patient);
      QVERIFY(last >= 0);
      patient.pickSlot(last);
      patient.confirmBooking("Front desk test");
      Idle(patient);
      QVERIFY2(patient.error().isEmpty(), qPrintable(patient.error()));
      booked_for_desk_ = patient.lastBookedId();
    }
    Person app_(base_, "owner.lotus@demo.healthtech.dev");  // the organization's admin
    Controller& app = app_.app;
    Idle(app);
    QVERIFY2(app.signedIn(), qPrintable(app.error()));
    QVERIFY(app.frontDesk());
    QCOMPARE(app.page(), QStringLiteral("schedule"));
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    // The desk sees the booking (today or in the next 7 days), with the patient's name.
    bool named = false;
    for (const auto& a : app.schedule())
      if (a.toMap().value("id").toString() == booked_for_desk_)
        named = a.toMap().value("patient").toString() == QStringLiteral("Sara Patient");
    QVERIFY2(named,
             qPrintable(QStringLiteral("the front desk's day names no patient (%1 appointments)")
                            .arg(app.schedule().size())));
  }
};

QTEST_GUILESS_MAIN(AppFlowTests)
#include "flow_tests.moc"
