#include "domain/words.h"

#include <QHash>
#include <QLocale>

namespace healthtech::app::domain {

QString LanguageNames(const QStringList& codes, const QString& ui_language) {
  // Hindi names of the languages Indian practitioners list (Qt 6.4 has no localized names).
  static const QHash<QString, QString> hindi{
      {"en", "अंग्रेज़ी"}, {"hi", "हिन्दी"}, {"mr", "मराठी"},  {"kn", "कन्नड़"},   {"ta", "तमिल"},
      {"te", "तेलुगु"},   {"bn", "बंगाली"}, {"gu", "गुजराती"}, {"ml", "मलयालम"}, {"pa", "पंजाबी"},
      {"ur", "उर्दू"},   {"or", "ओड़िया"}, {"as", "असमिया"}, {"sa", "संस्कृत"},   {"ne", "नेपाली"}};
  QStringList out;
  for (const auto& code : codes) {
    const QString c = code.trimmed().toLower();
    if (ui_language == QLatin1String("hi") && hindi.contains(c)) {
      out << hindi.value(c);
      continue;
    }
    const QLocale::Language lang = QLocale(c).language();
    out << (lang == QLocale::C || c.isEmpty() ? code : QLocale::languageToString(lang));
  }
  return out.join(QStringLiteral(", "));
}

QString TitleCase(const QString& text) {
  QString out = text;
  bool start = true;
  for (auto& ch : out) {
    if (start && ch.isLower()) ch = ch.toUpper();
    start = ch.isSpace() || ch == QLatin1Char('-');
  }
  return out;
}

}  // namespace healthtech::app::domain
