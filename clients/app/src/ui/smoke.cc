#include "ui/smoke.h"

#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQmlProperty>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSet>
#include <QTimer>

#include "ui/controller.h"

namespace healthtech::app {

namespace {
constexpr int kStepTimeoutMs = 30000;
QStringList g_qml_warnings;
QtMessageHandler g_previous = nullptr;

void Handler(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
  const bool qml = msg.contains(QLatin1String("qrc:/")) ||
                   QLatin1String(ctx.category ? ctx.category : "").startsWith(QLatin1String("qml"));
  if (type >= QtWarningMsg && qml) g_qml_warnings << msg;
  if (g_previous) g_previous(type, ctx, msg);
}
}  // namespace

void Smoke::CatchQmlWarnings() { g_previous = qInstallMessageHandler(Handler); }

Smoke::Smoke(Controller* app, QQmlApplicationEngine* engine, QString outdir, QObject* parent)
    : QObject(parent), app_(app), engine_(engine), outdir_(std::move(outdir)) {}

QQuickWindow* Smoke::Window() const {
  const auto roots = engine_->rootObjects();
  return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.constFirst());
}

void Smoke::Fail(const QString& why) {
  std::fprintf(stderr, "smoke: FAILED: %s\n", qUtf8Printable(why));
  QCoreApplication::exit(1);
}

// Waits for every call in flight to finish, then for the screen to settle (two frames).
void Smoke::WhenIdle(const QString& what, Step next, int waited_ms, bool error_ok) {
  if (app_->busy() > 0) {
    if (waited_ms > kStepTimeoutMs)
      return Fail(what + QStringLiteral(": still waiting for the API after 30 s"));
    QTimer::singleShot(50, this, [=, this] { WhenIdle(what, next, waited_ms + 50, error_ok); });
    return;
  }
  if (!error_ok && !app_->error().isEmpty())
    return Fail(what + QStringLiteral(": the screen shows an error: ") + app_->error());
  QTimer::singleShot(300, this, [this, next] { next(); });
}

bool Smoke::Shot(const QString& name) {
  auto* w = Window();
  if (!w) {
    Fail(QStringLiteral("no window to capture"));
    return false;
  }
  // Every control the keyboard reaches carries a name for screen readers.
  QStringList unnamed;
  std::function<void(QQuickItem*)> walk = [&](QQuickItem* item) {
    if (!item->isVisible()) return;
    // Text from the server is never markup (a name like <img src=…> must not fetch anything).
    if (item->inherits("QQuickLabel") &&
        item->property("textFormat").toInt() != 0 /* Text.PlainText */)
      unnamed << QStringLiteral("a Label not in plain text: ") +
                     item->property("text").toString().left(40);
    if (item->activeFocusOnTab() && item->isEnabled()) {
      const QString name =
          QQmlProperty(item, QStringLiteral("Accessible.name"), qmlContext(item)).read().toString();
      if (name.trimmed().isEmpty()) unnamed << QString::fromLatin1(item->metaObject()->className());
    }
    for (auto* child : item->childItems()) walk(child);
  };
  walk(w->contentItem());
  if (!unnamed.isEmpty()) {
    Fail(name +
         QStringLiteral(": %1 control(s) without an accessible name, or text shown as markup: %2")
             .arg(unnamed.size())
             .arg(unnamed.join(", ")));
    return false;
  }
  const QImage img = w->grabWindow();
  // A screen that rendered: real size and more than a handful of colours (text, borders).
  QSet<QRgb> colours;
  for (int y = 0; y < img.height() && colours.size() < 64; y += 7)
    for (int x = 0; x < img.width() && colours.size() < 64; x += 7) colours.insert(img.pixel(x, y));
  const QString path = QDir(outdir_).filePath(name);
  if (img.isNull() || img.width() < 200 || colours.size() < 8) {
    Fail(name + QStringLiteral(": the screen is empty (%1 colours)").arg(colours.size()));
    return false;
  }
  if (!img.save(path)) {
    Fail(QStringLiteral("cannot write ") + path);
    return false;
  }
  std::printf("screenshot %s (%dx%d)\n", qUtf8Printable(path), img.width(), img.height());
  std::fflush(stdout);
  return true;
}

void Smoke::Run() {
  const QString email = qEnvironmentVariable("HEALTHTECH_SMOKE_EMAIL");
  const QString password = qEnvironmentVariable("HEALTHTECH_SMOKE_PASSWORD");
  if (email.isEmpty() || password.isEmpty())
    return Fail(QStringLiteral(
        "set HEALTHTECH_SMOKE_EMAIL and HEALTHTECH_SMOKE_PASSWORD (a patient's account)"));
  if (!QDir().mkpath(outdir_)) return Fail(QStringLiteral("cannot create ") + outdir_);
  app_->signIn(email, password);
  WhenIdle(QStringLiteral("sign in"), [this] {
    if (!app_->signedIn())
      return Fail(QStringLiteral("sign in: not signed in (page %1)").arg(app_->page()));
    if (app_->page() != QLatin1String("search")) app_->showPage(QStringLiteral("search"));
    // A practitioner named: the patient searches for them (as a person told of a doctor would).
    const QString name = qEnvironmentVariable("HEALTHTECH_SMOKE_PRACTITIONER_NAME");
    if (!name.isEmpty()) app_->search(name, {}, {}, {}, {}, {});
    WhenIdle(QStringLiteral("search"), [this] {
      if (app_->practitioners().isEmpty())
        return Fail(QStringLiteral("search: no practitioner listed"));
      if (Shot(QStringLiteral("01-search.png"))) PickPractitioner();
    });
  });
}

void Smoke::PickPractitioner() {
  // The first practitioner without a fee (or, with HEALTHTECH_SMOKE_PRACTITIONER_NAME, the
  // first of that name: the one whose account checks the patient in afterwards).
  const QString name = qEnvironmentVariable("HEALTHTECH_SMOKE_PRACTITIONER_NAME");
  QString id;
  for (const auto& v : app_->practitioners()) {
    const auto p = v.toMap();
    if (!name.isEmpty() && p.value(QStringLiteral("name")).toString() != name) continue;
    if (p.value(QStringLiteral("free")).toBool()) {
      id = p.value(QStringLiteral("id")).toString();
      break;
    }
  }
  if (id.isEmpty())
    return Fail(QStringLiteral("search: no practitioner without a fee is listed") +
                (name.isEmpty() ? QString() : QStringLiteral(" named ") + name));
  app_->openPractitioner(id);
  WhenIdle(QStringLiteral("practitioner"), [this] { WeekLoaded(0); });
}

void Smoke::WeekLoaded(int shifted) {
  if (app_->firstSlotIndex() < 0) {
    if (shifted >= 3)
      return Fail(QStringLiteral("practitioner: no free time in the next four weeks"));
    app_->shiftWeek(1);
    return WhenIdle(QStringLiteral("next week"), [this, shifted] { WeekLoaded(shifted + 1); });
  }
  if (!Shot(QStringLiteral("02-practitioner.png"))) return;
  app_->pickSlot(app_->firstSlotIndex());
  WhenIdle(QStringLiteral("booking"), [this] {
    if (app_->page() != QLatin1String("book"))
      return Fail(QStringLiteral("booking: the confirmation did not open"));
    if (!Shot(QStringLiteral("03-booking.png"))) return;
    Book(0);
  });
}

// Books the nth free time. The first is the one to take; a time that stopped being bookable
// between the list and the booking (taken, inside the minimum notice, the patient busy then)
// is passed over for the next, twice at most.
void Smoke::Book(int nth) {
  app_->pickSlot(app_->slotIndex(nth));
  app_->confirmBooking(QStringLiteral("Smoke test of the desktop app"));
  WhenIdle(
      QStringLiteral("book"),
      [this, nth] {
        static const QStringList passing{"SLOT_UNAVAILABLE", "NOT_BOOKABLE", "PATIENT_OVERLAP",
                                         "NOT_A_SLOT"};
        if (!app_->error().isEmpty()) {
          if (nth < 2 && passing.contains(app_->errorCode()) && app_->slotIndex(nth + 1) >= 0) {
            std::fprintf(stderr, "smoke: %s (%s): the next free time\n",
                         qUtf8Printable(app_->error()), qUtf8Printable(app_->errorCode()));
            app_->clearMessages();
            return Book(nth + 1);
          }
          return Fail(QStringLiteral("book: the screen shows an error: ") + app_->error());
        }
        Booked();
      },
      0, true);
}

void Smoke::Booked() {
  const QString id = app_->lastBookedId();
  if (id.isEmpty()) return Fail(QStringLiteral("book: no appointment was created"));
  bool listed = false;
  for (const auto& a : app_->appointments())
    listed |= a.toMap().value(QStringLiteral("id")).toString() == id;
  if (!listed)
    return Fail(QStringLiteral("appointments: the new appointment %1 is not listed").arg(id));
  if (!Shot(QStringLiteral("04-appointments.png"))) return;
  app_->showPage(QStringLiteral("notifications"));
  WhenIdle(QStringLiteral("notifications"), [this, id] {
    if (!Shot(QStringLiteral("05-notifications.png"))) return;
    std::printf("booked appointment %s\n", qUtf8Printable(id));
    std::fflush(stdout);
    if (qEnvironmentVariableIsSet("HEALTHTECH_SMOKE_PRACTITIONER_EMAIL")) return Practitioner(id);
    Finish(id);
  });
}

void Smoke::Practitioner(const QString& id) {
  app_->signOut();
  WhenIdle(QStringLiteral("sign out"), [this, id] {
    if (app_->signedIn()) return Fail(QStringLiteral("sign out: still signed in"));
    app_->signIn(qEnvironmentVariable("HEALTHTECH_SMOKE_PRACTITIONER_EMAIL"),
                 qEnvironmentVariable("HEALTHTECH_SMOKE_PRACTITIONER_PASSWORD"));
    WhenIdle(QStringLiteral("practitioner sign in"), [this, id] {
      if (app_->page() != QLatin1String("schedule"))
        return Fail(QStringLiteral("practitioner sign in: landed on '%1', not the schedule")
                        .arg(app_->page()));
      QVariantMap row;
      for (const auto& a : app_->schedule())
        if (a.toMap().value(QStringLiteral("id")).toString() == id) row = a.toMap();
      if (row.isEmpty())
        return Fail(QStringLiteral("schedule: the booked appointment %1 is not on it").arg(id));
      const QString patient = row.value(QStringLiteral("patient")).toString();
      if (!row.value(QStringLiteral("patientNamed")).toBool())
        return Fail(QStringLiteral("schedule: the appointment does not name the patient"));
      app_->act(id, QStringLiteral("check-in"));
      WhenIdle(QStringLiteral("check in"), [this, id, patient] {
        QString status;
        for (const auto& a : app_->schedule())
          if (a.toMap().value(QStringLiteral("id")).toString() == id)
            status = a.toMap().value(QStringLiteral("status")).toString();
        if (status != QLatin1String("checked_in"))
          return Fail(
              QStringLiteral("check in: the appointment is '%1', not checked_in").arg(status));
        if (!Shot(QStringLiteral("06-schedule.png"))) return;
        std::printf("checked in %s (%s)\n", qUtf8Printable(id), qUtf8Printable(patient));
        Finish(id);
      });
    });
  });
}

void Smoke::Finish(const QString&) {
  if (!g_qml_warnings.isEmpty())
    return Fail(QStringLiteral("%1 QML warning(s), the first: %2")
                    .arg(g_qml_warnings.size())
                    .arg(g_qml_warnings.first()));
  std::fflush(stdout);
  QCoreApplication::exit(0);
}

}  // namespace healthtech::app
