#pragma once
// The app's words are the web app's: web/src/locales/<lang>/<namespace>.json (i18next
// format) compiled into the app's resources, so both clients say the same thing in English
// and Hindi. Keys are "namespace:path.to.key"; {{name}} interpolates; `count` picks the
// _one/_other plural; a key missing in Hindi falls back to English.
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QVariantMap>

namespace healthtech::app {

class I18n : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString language READ language NOTIFY languageChanged)

 public:
  // `root`: the folder holding <lang>/<ns>.json (":/locales" in the app).
  explicit I18n(QString root, QObject* parent = nullptr);

  QString language() const { return language_; }
  bool setLanguage(const QString& lang);  // "en" or "hi"; false for any other
  Q_INVOKABLE QString t(const QString& key, const QVariantMap& args = {}) const;
  // Whether `key` exists in `lang` (tests: every key the screens use is translated).
  bool has(const QString& lang, const QString& key) const;

 Q_SIGNALS:
  void languageChanged();

 private:
  const QJsonObject& ns(const QString& lang, const QString& name) const;
  QString lookup(const QString& lang, const QString& key) const;

  QString root_, language_ = QStringLiteral("en");
  mutable QHash<QString, QJsonObject> loaded_;
};

}  // namespace healthtech::app
