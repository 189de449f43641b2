#include "i18n/i18n.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>

namespace healthtech::app {

I18n::I18n(QString root, QObject* parent) : QObject(parent), root_(std::move(root)) {}

bool I18n::setLanguage(const QString& lang) {
  if (lang != QLatin1String("en") && lang != QLatin1String("hi")) return false;
  if (lang != language_) {
    language_ = lang;
    Q_EMIT languageChanged();
  }
  return true;
}

const QJsonObject& I18n::ns(const QString& lang, const QString& name) const {
  const QString id = lang + QLatin1Char('/') + name;
  auto it = loaded_.find(id);
  if (it == loaded_.end()) {
    QFile f(root_ + QLatin1Char('/') + id + QStringLiteral(".json"));
    QJsonObject o;
    if (f.open(QIODevice::ReadOnly)) o = QJsonDocument::fromJson(f.readAll()).object();
    it = loaded_.insert(id, o);
  }
  return *it;
}

QString I18n::lookup(const QString& lang, const QString& key) const {
  const qsizetype colon = key.indexOf(QLatin1Char(':'));
  if (colon <= 0) return {};
  QJsonValue v = ns(lang, key.left(colon));
  for (const auto& part : key.mid(colon + 1).split(QLatin1Char('.'))) v = v.toObject().value(part);
  return v.isString() ? v.toString() : QString();
}

bool I18n::has(const QString& lang, const QString& key) const {
  return !lookup(lang, key).isEmpty() || !lookup(lang, key + QStringLiteral("_other")).isEmpty();
}

QString I18n::t(const QString& key, const QVariantMap& args) const {
  QString k = key;
  if (args.contains(QStringLiteral("count"))) {
    const qint64 n = args.value(QStringLiteral("count")).toLongLong();
    // CLDR: English "one" is 1; Hindi "one" is 0 and 1.
    const bool one = language_ == QLatin1String("hi") ? (n == 0 || n == 1) : n == 1;
    k = key + (one ? QStringLiteral("_one") : QStringLiteral("_other"));
  }
  QString s = lookup(language_, k);
  if (s.isEmpty()) s = lookup(QStringLiteral("en"), k);
  if (s.isEmpty() && k != key) s = lookup(language_, key);
  if (s.isEmpty()) return key;
  static const QRegularExpression var(QStringLiteral("\\{\\{\\s*(\\w+)\\s*\\}\\}"));
  QString out;
  qsizetype last = 0;
  for (auto it = var.globalMatch(s); it.hasNext();) {
    const auto m = it.next();
    out += s.mid(last, m.capturedStart() - last);
    out += args.value(m.captured(1)).toString();
    last = m.capturedEnd();
  }
  out += s.mid(last);
  // The web's rich-text markers (<strong>, <doctors>…</doctors>) are not markup here.
  static const QRegularExpression tag(QStringLiteral("</?[a-z]+>"));
  out.remove(tag);
  return out;
}

}  // namespace healthtech::app
