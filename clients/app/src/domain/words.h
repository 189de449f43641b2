#pragma once
// Words the web app makes with Intl and regular expressions (web/src/lib/appointment.ts),
// made the same way here: language names, title case.
#include <QString>
#include <QStringList>

namespace healthtech::app::domain {

// "English, Hindi" for {"en","hi"} in English; "अंग्रेज़ी, हिन्दी" in Hindi; an unknown code as is.
QString LanguageNames(const QStringList& codes, const QString& ui_language);
// "General Medicine" for "general medicine" (the first letter of each word, after a space or -).
QString TitleCase(const QString& text);

}  // namespace healthtech::app::domain
