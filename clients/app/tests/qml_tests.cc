// Qt Quick Test runner for tests/qml/tst_*.qml, with the app's QML module (HealthTech).
#include <QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(HealthTechPlugin)

class Setup : public QObject {
  Q_OBJECT
 public Q_SLOTS:
  void qmlEngineAvailable(QQmlEngine* engine) { engine->addImportPath(QStringLiteral("qrc:/")); }
};

QUICK_TEST_MAIN_WITH_SETUP(app_qml, Setup)
#include "qml_tests.moc"
