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

  static void Idle(Controller& app) {
    QTest::qWait(50);
    QTRY_VERIFY_WITH_TIMEOUT(app.busy() == 0, 30000);
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
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    I18n i18n(":/locales");
    Controller app(&client, &i18n, QTimeZone("Asia/Kolkata"), false);
    QSignalSpy notified(&app, &Controller::notify);
    app.signIn("priya.patient@demo.healthtech.dev", kPassword);
    Idle(app);
    QVERIFY2(app.signedIn(), qPrintable(app.error()));
    QCOMPARE(app.page(), QStringLiteral("search"));
    QTRY_VERIFY_WITH_TIMEOUT(app.live(), 15000);  // the live socket authenticated

    // A practitioner with a fee: the seed's cardiologist.
    app.search("Dr. Meera Iyer", {}, {}, {}, {}, {});
    Idle(app);
    const auto found = app.practitioners();
    QVERIFY(!found.isEmpty());
    const auto meera = found.first().toMap();
    QCOMPARE(meera.value("name").toString(), QStringLiteral("Dr. Meera Iyer"));
    QVERIFY(!meera.value("free").toBool());
    app.openPractitioner(meera.value("id").toString());
    Idle(app);
    for (int i = 0; i < 3 && app.firstSlotIndex() < 0; ++i) {
      app.shiftWeek(1);
      Idle(app);
    }
    // The week's last free time (the smoke runs take the first ones).
    int last = -1;
    for (const auto& d : app.week())
      for (const auto& s : d.toMap().value("slots").toList())
        last = s.toMap().value("index").toInt();
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

    // Reschedule: the week again (same mode), another time, "Move to …".
    QVERIFY(row.value("canMove").toBool());
    const QString before = row.value("when").toString();
    app.startReschedule(id);
    Idle(app);
    QVERIFY(app.rescheduling());
    int other = -1;
    for (const auto& d : app.week())  // the latest again (the patient's other bookings are early)
      for (const auto& s : d.toMap().value("slots").toList())
        other = s.toMap().value("index").toInt();
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

  void frontDeskDay() {
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    I18n i18n(":/locales");
    Controller app(&client, &i18n, QTimeZone("Asia/Kolkata"), false);
    app.signIn("owner.lotus@demo.healthtech.dev", kPassword);  // the organization's admin
    Idle(app);
    QVERIFY2(app.signedIn(), qPrintable(app.error()));
    QVERIFY(app.frontDesk());
    QCOMPARE(app.page(), QStringLiteral("schedule"));
    QVERIFY2(app.error().isEmpty(), qPrintable(app.error()));
    // The smoke runs booked the clinic's free doctor today or later: the desk sees them, named.
    bool named = false;
    for (const auto& a : app.schedule()) named |= a.toMap().value("patientNamed").toBool();
    QVERIFY2(named,
             qPrintable(QStringLiteral("the front desk's day names no patient (%1 appointments)")
                            .arg(app.schedule().size())));
  }
};

QTEST_GUILESS_MAIN(AppFlowTests)
#include "flow_tests.moc"
