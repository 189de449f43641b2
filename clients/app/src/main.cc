// healthtech-app: the HealthTech desktop (and, built with Qt for Android/iOS, phone) client.
//   healthtech-app [--api URL] [--lang en|hi] [--tz ZONE] [--theme light|dark] [--size WxH]
//                  [--no-keychain] [--smoke OUTDIR] [healthtech://…]
#include <cstdio>
#include <memory>

#include <QApplication>
#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QDir>
#include <QFileOpenEvent>
#include <QIcon>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QMenu>
#include <QPalette>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTimeZone>
#include <QTimer>
#include <QtQml/QQmlExtensionPlugin>

#include "api/client.h"
#include "i18n/i18n.h"
#include "session/secret_store.h"
#include "ui/controller.h"
#include "ui/smoke.h"

Q_IMPORT_QML_PLUGIN(HealthTechPlugin)

using namespace healthtech::app;

namespace {

void Load(QQmlApplicationEngine& engine, QSize size) {
  for (auto* o : engine.rootObjects()) o->deleteLater();
  engine.clearComponentCache();
  engine.load(QUrl(QStringLiteral("qrc:/HealthTech/Main.qml")));
  if (!size.isEmpty())
    for (auto* o : engine.rootObjects())
      if (auto* w = qobject_cast<QQuickWindow*>(o)) w->resize(size);
}

}  // namespace

int main(int argc, char** argv) {
  QApplication qapp(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("HealthTech"));
  QApplication::setApplicationName(QStringLiteral("healthtech-app"));
  QApplication::setApplicationDisplayName(QStringLiteral("HealthTech"));
  QApplication::setApplicationVersion(QStringLiteral(HEALTHTECH_APP_VERSION));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/HealthTech/healthtech-app.svg")));
  QQuickStyle::setStyle(QStringLiteral("Basic"));

  QCommandLineParser cli;
  cli.setApplicationDescription(
      QStringLiteral("HealthTech: find a verified doctor, book, pay, and run your day."));
  cli.addHelpOption();
  cli.addVersionOption();
  const QCommandLineOption api_opt(
      QStringLiteral("api"),
      QStringLiteral("The HealthTech API (default $HEALTHTECH_API_URL or http://localhost:8080)."),
      QStringLiteral("URL"));
  const QCommandLineOption lang_opt(QStringLiteral("lang"),
                                    QStringLiteral("en or hi (default: the system's)."),
                                    QStringLiteral("LANG"));
  const QCommandLineOption tz_opt(
      QStringLiteral("tz"), QStringLiteral("Show times in this IANA zone (default: the system's)."),
      QStringLiteral("ZONE"));
  const QCommandLineOption theme_opt(QStringLiteral("theme"),
                                     QStringLiteral("light or dark (default: the system's)."),
                                     QStringLiteral("THEME"));
  const QCommandLineOption size_opt(QStringLiteral("size"),
                                    QStringLiteral("Window size, e.g. 390x844 (a phone)."),
                                    QStringLiteral("WxH"));
  const QCommandLineOption nokey_opt(
      QStringLiteral("no-keychain"),
      QStringLiteral("Keep the session in memory only (no keychain)."));
  const QCommandLineOption smoke_opt(
      QStringLiteral("smoke"),
      QStringLiteral("Walk the patient's journey, screenshot each screen into OUTDIR, exit."),
      QStringLiteral("OUTDIR"));
  cli.addOptions({api_opt, lang_opt, tz_opt, theme_opt, size_opt, nokey_opt, smoke_opt});
  cli.addPositionalArgument(QStringLiteral("link"),
                            QStringLiteral("A healthtech:// link to open."));
  cli.process(qapp);

  QString base = cli.value(api_opt);
  if (base.isEmpty())
    base = qEnvironmentVariable("HEALTHTECH_API_URL", QStringLiteral("http://localhost:8080"));
  const QUrl api_url(base);
  if (!api_url.isValid() ||
      (api_url.scheme() != QLatin1String("http") && api_url.scheme() != QLatin1String("https"))) {
    std::fprintf(stderr, "healthtech-app: --api must be an http(s) URL, not '%s'\n",
                 qUtf8Printable(base));
    return 2;
  }
  const bool smoke = cli.isSet(smoke_opt);

  QTimeZone zone = QTimeZone::systemTimeZone();
  if (cli.isSet(tz_opt)) {
    zone = QTimeZone(cli.value(tz_opt).toUtf8());
    if (!zone.isValid()) {
      std::fprintf(stderr, "healthtech-app: unknown time zone '%s'\n",
                   qUtf8Printable(cli.value(tz_opt)));
      return 2;
    }
  }
  bool dark = QApplication::palette().color(QPalette::Window).lightness() < 128;
  if (cli.value(theme_opt) == QLatin1String("dark")) dark = true;
  if (cli.value(theme_opt) == QLatin1String("light")) dark = false;
  QSize size;
  if (cli.isSet(size_opt)) {
    const auto parts = cli.value(size_opt).split(QLatin1Char('x'));
    if (parts.size() == 2) size = QSize(parts[0].toInt(), parts[1].toInt());
    if (size.width() < 320 || size.height() < 480) {
      std::fprintf(stderr, "healthtech-app: --size must be WxH, at least 320x480\n");
      return 2;
    }
  } else if (smoke) {
    size = QSize(1280, 860);
  }

  // One app per person, API and keychain: a second start hands its healthtech:// links to the
  // first and leaves (two would each rotate the one refresh token in the keychain, and IAM
  // takes a rotated token presented again for theft and ends the session everywhere). The
  // lock file decides who runs (stale locks of a crashed run are taken over); the local
  // socket, in the user's own runtime folder, only carries the links.
  const QString who = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
  const QString key = QString::fromLatin1(
      QCryptographicHash::hash(
          (api_url.toString() + QLatin1Char('|') + who + QLatin1Char('|') +
           (cli.isSet(nokey_opt) ? QStringLiteral("memory") : QStringLiteral("keychain")))
              .toUtf8(),
          QCryptographicHash::Sha256)
          .toHex()
          .left(16));
  QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
  if (runtime.isEmpty())
    runtime = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
  QDir().mkpath(runtime);
#ifdef Q_OS_WIN
  const QString socket_name = QStringLiteral("healthtech-app-") + key;  // a named pipe
#else
  const QString socket_name =
      QDir(runtime).filePath(QStringLiteral("healthtech-app-") + key + QStringLiteral(".sock"));
#endif
  QLockFile lock(
      QDir(runtime).filePath(QStringLiteral("healthtech-app-") + key + QStringLiteral(".lock")));
  QLocalServer single;
  if (!smoke) {
    if (!lock.tryLock(0)) {
      QLocalSocket first;
      first.connectToServer(socket_name);
      if (first.waitForConnected(2000)) {
        first.write(
            (cli.positionalArguments().join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
        first.waitForBytesWritten(1000);
        first.disconnectFromServer();
      } else {
        std::fprintf(stderr, "healthtech-app: already running (%s)\n",
                     qUtf8Printable(lock.fileName()));
      }
      return 0;
    }
    QLocalServer::removeServer(socket_name);  // ours to replace: we hold the lock
    single.setSocketOptions(QLocalServer::UserAccessOption);
    if (!single.listen(socket_name))
      std::fprintf(stderr, "healthtech-app: links from other starts will not arrive (%s)\n",
                   qUtf8Printable(single.errorString()));
  }

  std::unique_ptr<SecretStore> secrets;
  if (smoke || cli.isSet(nokey_opt))
    secrets = std::make_unique<MemorySecretStore>();
  else
    secrets = std::make_unique<KeychainSecretStore>(QStringLiteral("HealthTech"));

  I18n i18n(QStringLiteral(":/locales"));
  QString lang = cli.value(lang_opt);
  if (lang.isEmpty())
    lang = QLocale::system().name().startsWith(QLatin1String("hi")) ? QStringLiteral("hi")
                                                                    : QStringLiteral("en");
  if (!i18n.setLanguage(lang)) {
    std::fprintf(stderr, "healthtech-app: --lang must be en or hi\n");
    return 2;
  }

  api::ApiClient client(api_url, secrets.get());
  Controller app(&client, &i18n, zone, dark);

  if (smoke) Smoke::CatchQmlWarnings();
  QQmlApplicationEngine engine;
  engine.rootContext()->setContextProperty(QStringLiteral("app"), &app);
  engine.rootContext()->setContextProperty(QStringLiteral("i18n"), &i18n);
  QObject::connect(&app, &Controller::languageRequested, &engine, [&engine, size] {
    QTimer::singleShot(0, &engine, [&engine, size] { Load(engine, size); });
  });
  Load(engine, size);
  if (engine.rootObjects().isEmpty()) {
    std::fprintf(stderr, "healthtech-app: the screens did not load\n");
    return 1;
  }

  // Desktop: a tray icon with the day's next appointment, and system notifications.
  std::unique_ptr<QSystemTrayIcon> tray;
  if (!smoke && QSystemTrayIcon::isSystemTrayAvailable()) {
    tray = std::make_unique<QSystemTrayIcon>(QApplication::windowIcon());
    tray->setToolTip(QStringLiteral("HealthTech"));
    tray->show();
    QObject::connect(&app, &Controller::changed, tray.get(), [&app, &tray] {
      const QString next = app.nextAppointment();
      tray->setToolTip(next.isEmpty() ? QStringLiteral("HealthTech")
                                      : QStringLiteral("HealthTech — ") + next);
    });
    QObject::connect(
        &app, &Controller::notify, tray.get(),
        [&tray](const QString& title, const QString& body) { tray->showMessage(title, body); });
  }

  // macOS hands healthtech:// links to the running app as an event, not a new process.
  struct LinkEvents : QObject {
    Controller* app;
    explicit LinkEvents(Controller* a) : app(a) {}
    bool eventFilter(QObject* o, QEvent* e) override {
      if (e->type() == QEvent::FileOpen) {
        const QUrl url = static_cast<QFileOpenEvent*>(e)->url();
        if (url.scheme() == QLatin1String("healthtech")) {
          app->openLink(url);
          return true;
        }
      }
      return QObject::eventFilter(o, e);
    }
  } link_events(&app);
  qapp.installEventFilter(&link_events);

  QObject::connect(&single, &QLocalServer::newConnection, &app, [&single, &app, &engine] {
    while (QLocalSocket* peer = single.nextPendingConnection()) {
      QObject::connect(peer, &QLocalSocket::readyRead, peer, [peer, &app, &engine] {
        while (peer->canReadLine()) {
          const QUrl link(QString::fromUtf8(peer->readLine()).trimmed());
          if (link.scheme() != QLatin1String("healthtech")) continue;
          std::fprintf(stderr, "healthtech-app: link %s\n", qUtf8Printable(link.toString()));
          app.openLink(link);
        }
        for (auto* o : engine.rootObjects())
          if (auto* w = qobject_cast<QQuickWindow*>(o)) {
            w->show();
            w->raise();
            w->requestActivate();
          }
      });
      QObject::connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
    }
  });

  if (smoke) {
    auto* s = new Smoke(&app, &engine, cli.value(smoke_opt), &app);
    QTimer::singleShot(0, s, &Smoke::Run);
  } else {
    app.restore();
    for (const auto& link : cli.positionalArguments()) app.openLink(QUrl(link));
  }
  return QApplication::exec();
}
