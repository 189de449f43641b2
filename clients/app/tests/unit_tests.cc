// Unit tests of the app's logic (no network, no display): parsing through the checked field
// table, money, a week of free times across DST, the live socket's protocol, and the words.
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include "api/model.h"
#include "domain/week.h"
#include "domain/words.h"
#include "i18n/i18n.h"
#include "live/live.h"
#include "session/secret_store.h"

using namespace healthtech::app;

namespace {
api::Slot At(const char* iso) {
  return api::Slot{
      QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate), {}, "f", "in_person"};
}
QJsonObject Json(const char* s) { return QJsonDocument::fromJson(QByteArray(s)).object(); }
}  // namespace

class AppUnitTests : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void money() {
    QCOMPARE(api::FormatMoney({80000, "INR"}), QStringLiteral("₹800"));
    QCOMPARE(api::FormatMoney({125050, "INR"}), QStringLiteral("₹1,250.50"));
    QCOMPARE(api::FormatMoney({10000000, "INR"}), QStringLiteral("₹1,00,000"));
    QCOMPARE(api::FormatMoney({500, "USD"}), QStringLiteral("USD 5"));
  }

  void practitionerParsing() {
    const auto p = api::Practitioner::From(
        Json(R"({"id":"p1","display_name":"Dr. Meera Iyer","specialties":["Cardiology"],
      "languages":["en","hi"],"years_of_experience":12,"consultation_modes":["in_person","video"],"verified":true,
      "fees":{"first_visit":{"amount_minor":"80000","currency":"INR"}},
      "facilities":[{"facility_id":"f1","facility_name":"Sunrise MG Road","organization_id":"o","organization_name":"Sunrise Clinic",
        "timezone":"Asia/Kolkata","address":{"line1":"12 MG Road","city":"Bengaluru","state":"KA","pincode":"560001"}}]})"));
    QCOMPARE(p.display_name, QStringLiteral("Dr. Meera Iyer"));
    QCOMPARE(p.years, 12);
    QVERIFY(p.first_visit.has_value());
    QCOMPARE(p.first_visit->amount_minor, 80000);  // int64 as a string (proto3 JSON)
    QVERIFY(!p.follow_up.has_value());
    QCOMPARE(p.facilities.size(), 1);
    QCOMPARE(p.facilities[0].city, QStringLiteral("Bengaluru"));
    QCOMPARE(p.modes, (QStringList{"in_person", "video"}));
  }

  void appointmentParsing() {
    const auto a = api::Appointment::From(
        Json(R"({"id":"a1","practitioner_id":"p","practitioner_name":"Dr. Rao",
      "start":"2026-12-08T04:30:00Z","end":"2026-12-08T04:45:00Z","timezone":"Asia/Kolkata","mode":"in_person",
      "status":"pending_payment","payment_state":"awaiting","pay_at_clinic":false,"fee":{"amount_minor":60000,"currency":"INR"},
      "patient":{"full_name":"Priya Sharma","age":34},"hold_expires_at":"2026-12-07T10:00:00.123Z"})"));
    QCOMPARE(a.start, QDateTime(QDate(2026, 12, 8), QTime(4, 30), Qt::UTC));
    QCOMPARE(a.patient_name, QStringLiteral("Priya Sharma"));
    QCOMPARE(a.hold_expires_at.time().msec(), 123);
    QCOMPARE(a.fee->amount_minor, 60000);
    QVERIFY(!a.cancellable_until.isValid());
  }

  void problems() {
    const auto p = api::Problem::From(
        409,
        R"({"type":"about:blank","title":"Conflict","status":409,"detail":"That time was just taken.","code":"SLOT_TAKEN","request_id":"r1"})");
    QCOMPARE(p.detail, QStringLiteral("That time was just taken."));
    QCOMPARE(p.code, QStringLiteral("SLOT_TAKEN"));
    const auto html = api::Problem::From(502, "<html>bad gateway</html>");
    QCOMPARE(html.code, QStringLiteral("ERROR"));
    QVERIFY(html.detail.contains(QStringLiteral("502")));
    QCOMPARE(api::Problem::Network().status, 0);
  }

  // Kolkata: a slot at 01:30 local belongs to the next UTC day's column.
  void weekInKolkata() {
    const QTimeZone ist("Asia/Kolkata");
    const QList<api::Slot> slots{At("2026-12-07T20:00:00Z"), At("2026-12-07T04:00:00Z"),
                                 At("2026-12-06T18:29:00Z")};
    const auto days = domain::GroupByDay(slots, ist, QDate(2026, 12, 7), 7);
    QCOMPARE(days.size(), 7);
    QCOMPARE(days[0].date, QDate(2026, 12, 7));
    QCOMPARE(days[0].slots, (QList<int>{1}));  // 09:30 IST on the 7th
    QCOMPARE(days[1].slots, (QList<int>{0}));  // 01:30 IST on the 8th
    // 23:59 IST on the 6th: before the week, left out.
    int total = 0;
    for (const auto& d : days) total += static_cast<int>(d.slots.size());
    QCOMPARE(total, 2);
  }

  // New York leaves DST on 1 Nov 2026: 01:30 happens twice, the day has 25 hours, and the
  // week is still seven calendar days (not seven 24-hour steps).
  void weekAcrossDstEnd() {
    const QTimeZone ny("America/New_York");
    const QList<api::Slot> slots{At("2026-11-02T05:30:00Z"), At("2026-11-01T05:30:00Z"),
                                 At("2026-11-01T06:30:00Z"), At("2026-11-02T04:30:00Z")};
    const auto days = domain::GroupByDay(slots, ny, QDate(2026, 10, 29), 7);
    QCOMPARE(days[3].date, QDate(2026, 11, 1));
    QCOMPARE(days[3].slots, (QList<int>{1, 2, 3}));  // 01:30 EDT, 01:30 EST, 23:30 EST, in order
    QCOMPARE(days[4].slots, (QList<int>{0}));        // 00:30 on the 2nd
    const auto [from, to] = domain::DaysRange(ny, QDate(2026, 11, 1), 1);
    QCOMPARE(from.secsTo(to), 25 * 3600);
    const auto [wf, wt] = domain::DaysRange(ny, QDate(2026, 10, 29), 7);
    QCOMPARE(wf, QDateTime(QDate(2026, 10, 29), QTime(4, 0), Qt::UTC));
    QCOMPARE(wt, QDateTime(QDate(2026, 11, 5), QTime(5, 0), Qt::UTC));
  }

  // …and enters it on 8 Mar 2026: a 23-hour day; 23:30 local is 03:30 UTC the next day.
  void weekAcrossDstStart() {
    const QTimeZone ny("America/New_York");
    const auto [from, to] = domain::DaysRange(ny, QDate(2026, 3, 8), 1);
    QCOMPARE(from.secsTo(to), 23 * 3600);
    const auto days = domain::GroupByDay({At("2026-03-09T03:30:00Z")}, ny, QDate(2026, 3, 8), 2);
    QCOMPARE(days[0].slots, (QList<int>{0}));
    QCOMPARE(domain::WeekStart(QDate(2026, 3, 8)), QDate(2026, 3, 2));
  }

  void liveProtocol() {
    QVERIFY(!live::ParseFrame("not json"));
    QVERIFY(!live::ParseFrame("[1,2]"));
    QVERIFY(!live::ParseFrame(R"({"type":3})"));
    const auto ready =
        live::ParseFrame(R"({"type":"ready","user_id":"u","expires_at":1800000000})");
    QVERIFY(ready);
    QCOMPARE(ready->type, QStringLiteral("ready"));
    QCOMPARE(ready->expires_at, 1800000000);
    QCOMPARE(ready->unread_count, -1);
    const auto n = live::ParseFrame(
        R"({"type":"notification","notification":{"id":"n","title":"Booked"},"unread_count":3})");
    QCOMPARE(n->unread_count, 3);
    QCOMPARE(n->notification.value("title").toString(), QStringLiteral("Booked"));
    QCOMPARE(live::BackoffMs(0), 1000);
    QCOMPARE(live::BackoffMs(3), 8000);
    QCOMPARE(live::BackoffMs(50), 60000);
    QCOMPARE(live::RenewDelayMs(1'000'000, 0, 60'000), 940'000);
    QCOMPARE(live::RenewDelayMs(1'000, 900, 60'000), 1000);  // at least a second
  }

  void words() {
    I18n i18n(QStringLiteral(":/locales"));
    QCOMPARE(i18n.t("patient:search.found", {{"count", 1}}),
             QStringLiteral("1 practitioner found"));
    QCOMPARE(i18n.t("patient:search.found", {{"count", 5}}),
             QStringLiteral("5 practitioners found"));
    QCOMPARE(i18n.t("patient:search.experience", {{"years", 12}}),
             QStringLiteral("12 years of experience"));
    QCOMPARE(i18n.t("patient:nope.missing"), QStringLiteral("patient:nope.missing"));
    QVERIFY(!i18n.t("patient:appointments.noneUpcoming")
                 .contains(QLatin1Char('<')));  // web markup dropped
    QVERIFY(i18n.setLanguage("hi"));
    QVERIFY(!i18n.setLanguage("fr"));
    QCOMPARE(i18n.t("patient:search.title"), QStringLiteral("डॉक्टर खोजें"));
    QVERIFY(i18n.t("patient:search.found", {{"count", 0}}).startsWith(QStringLiteral("0 ")));
  }

  // Every key the screens and the controller name exists in English and in Hindi.
  void everyWordTranslated() {
    I18n i18n(QStringLiteral(":/locales"));
    static const QRegularExpression key(QStringLiteral(
        "\"((?:common|auth|patient|practice|lib|notify|forum):[A-Za-z0-9_.]+[A-Za-z0-9_])\""));
    QStringList missing;
    int keys = 0;
    for (const char* dir : {"/src", "/qml"}) {
      QDirIterator it(QStringLiteral(APP_SOURCE_DIR) + QLatin1String(dir), {"*.qml", "*.cc"},
                      QDir::Files, QDirIterator::Subdirectories);
      while (it.hasNext()) {
        QFile f(it.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        for (auto m = key.globalMatch(text); m.hasNext();) {
          const QString k = m.next().captured(1);
          ++keys;
          for (const char* lang : {"en", "hi"})
            if (!i18n.has(lang, k))
              missing << QStringLiteral("%1 (%2, %3)").arg(k, lang, it.fileName());
        }
      }
    }
    QVERIFY2(keys > 60, qPrintable(QStringLiteral("only %1 keys found").arg(keys)));
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral("; "))));
    // The words picked by value: statuses, payment states, modes, actions.
    for (const char* s : {"pending_payment", "booked", "checked_in", "in_progress", "completed",
                          "cancelled", "no_show"})
      QVERIFY2(i18n.has("hi", QStringLiteral("lib:appointment.status.") + s), s);
    for (const char* s : {"free", "at_clinic", "awaiting", "paid"})
      QVERIFY(i18n.has("hi", QStringLiteral("lib:appointment.payment.") + s));
    for (const char* s : {"checkIn", "noShow", "start", "complete"})
      QVERIFY(i18n.has("hi", QStringLiteral("practice:today.actions.") + s));
  }

  void languageNamesAndTitleCase() {
    QCOMPARE(domain::LanguageNames({"en", "hi", "mr"}, "en"),
             QStringLiteral("English, Hindi, Marathi"));
    QCOMPARE(domain::LanguageNames({"en", "kn"}, "hi"), QStringLiteral("अंग्रेज़ी, कन्नड़"));
    QCOMPARE(domain::LanguageNames({"xx-unknown"}, "en"), QStringLiteral("xx-unknown"));
    QCOMPARE(domain::TitleCase("general medicine, ear-nose-throat"),
             QStringLiteral("General Medicine, Ear-Nose-Throat"));
  }

  void memorySecrets() {
    MemorySecretStore s;
    bool wrote = false;
    s.Write("k", "v", [&](bool ok) { wrote = ok; });
    QVERIFY(wrote);
    std::optional<QString> got;
    s.Read("k", [&](std::optional<QString> v) { got = v; });
    QCOMPARE(got.value_or(QString()), QStringLiteral("v"));
    s.Remove("k", [] {});
    s.Read("k", [&](std::optional<QString> v) { got = v; });
    QVERIFY(!got);
  }
};

QTEST_GUILESS_MAIN(AppUnitTests)
#include "unit_tests.moc"
