#pragma once
// How people write what they look for, mapped to how profiles store it (no I/O,
// unit-tested): old and new city names, specialists for specialties, language names for
// ISO 639-1 codes.
#include <string>
#include <string_view>

namespace healthtech::org {

// Every name of the city, lower-case, joined by '|' ("bengaluru|bangalore" for "Bangalore"
// or "Bengaluru"); the city itself, lower-case, when it has no other name; "" for "".
std::string CityNames(std::string_view city);
// The query with words for specialists replaced by their specialty ("cardiologist in
// Pune" -> "cardiology in Pune"); other words unchanged.
std::string SpecialtyTerms(std::string_view query);
// The specialty a filter names ("Cardiologist" -> "cardiology"), lower-case.
std::string SpecialtyOf(std::string_view specialty);
// The specialty a whole query may name: the query's specialty ("Cardiologists" ->
// "cardiology", " General  Medicine " -> "general medicine") when it is only letters and
// spaces (2 to 60 characters), else "". Whether it is a specialty is search's to check.
std::string SpecialtyQuery(std::string_view query);
// An ISO 639-1 code for a code or a language's name in English or in its own script
// ("Hindi", "हिन्दी" -> "hi"); "" when unknown.
std::string LanguageCode(std::string_view language);

}  // namespace healthtech::org
