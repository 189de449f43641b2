#include "healthtech/org/domain/search_terms.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace healthtech::org {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Cities renamed since (or spelt two ways): every name, the official one first.
constexpr std::array<std::string_view, 22> kCities = {
    "bengaluru|bangalore",
    "mumbai|bombay",
    "gurugram|gurgaon",
    "kolkata|calcutta",
    "chennai|madras",
    "pune|poona",
    "mysuru|mysore",
    "thiruvananthapuram|trivandrum",
    "kochi|cochin",
    "vadodara|baroda",
    "varanasi|banaras|benares",
    "mangaluru|mangalore",
    "belagavi|belgaum",
    "prayagraj|allahabad",
    "puducherry|pondicherry",
    "kozhikode|calicut",
    "hubballi|hubli",
    "kalaburagi|gulbarga",
    "shivamogga|shimoga",
    "tiruchirappalli|trichy",
    "new delhi|delhi",
    "visakhapatnam|vizag",
};

// Specialists and the specialty profiles list.
constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kSpecialists = {{
    {"cardiologist", "cardiology"},
    {"cardiologists", "cardiology"},
    {"dermatologist", "dermatology"},
    {"dermatologists", "dermatology"},
    {"pediatrician", "pediatrics"},
    {"paediatrician", "pediatrics"},
    {"paediatrics", "pediatrics"},
    {"gynecologist", "gynecology"},
    {"gynaecologist", "gynecology"},
    {"gynaecology", "gynecology"},
    {"orthopedist", "orthopedics"},
    {"orthopaedic", "orthopedics"},
    {"orthopaedics", "orthopedics"},
    {"orthopedic", "orthopedics"},
    {"neurologist", "neurology"},
    {"psychiatrist", "psychiatry"},
    {"ophthalmologist", "ophthalmology"},
    {"dentist", "dentistry"},
    {"endocrinologist", "endocrinology"},
    {"diabetologist", "diabetology"},
    {"gastroenterologist", "gastroenterology"},
    {"nephrologist", "nephrology"},
    {"oncologist", "oncology"},
    {"pulmonologist", "pulmonology"},
    {"urologist", "urology"},
    {"physician", "general medicine"},
    {"gp", "general medicine"},
    {"psychologist", "psychology"},
}};

// ISO 639-1 codes of India's scheduled languages and English, with their names in English
// and in their own script.
struct Language {
  std::string_view code, english, native, native2;
};
constexpr std::array<Language, 16> kLanguages = {{
    {"en", "english", "english", ""},
    {"hi", "hindi", "हिन्दी", "हिंदी"},
    {"bn", "bengali", "বাংলা", "bangla"},
    {"te", "telugu", "తెలుగు", ""},
    {"mr", "marathi", "मराठी", ""},
    {"ta", "tamil", "தமிழ்", ""},
    {"ur", "urdu", "اردو", ""},
    {"gu", "gujarati", "ગુજરાતી", ""},
    {"kn", "kannada", "ಕನ್ನಡ", ""},
    {"ml", "malayalam", "മലയാളം", ""},
    {"or", "odia", "ଓଡ଼ିଆ", "oriya"},
    {"pa", "punjabi", "ਪੰਜਾਬੀ", ""},
    {"as", "assamese", "অসমীয়া", ""},
    {"sa", "sanskrit", "संस्कृतम्", ""},
    {"ne", "nepali", "नेपाली", ""},
    {"ks", "kashmiri", "कॉशुर", ""},
}};

}  // namespace

std::string CityNames(std::string_view city) {
  std::string c = Lower(Trimmed(city));
  std::erase(c, '|');
  if (c.empty()) return "";
  for (std::string_view names : kCities) {
    size_t start = 0;
    while (start <= names.size()) {
      size_t end = names.find('|', start);
      if (end == std::string_view::npos) end = names.size();
      if (names.substr(start, end - start) == c) return std::string(names);
      start = end + 1;
    }
  }
  return c;
}

std::string SpecialtyOf(std::string_view specialty) {
  std::string s = Lower(Trimmed(specialty));
  for (const auto& [word, canonical] : kSpecialists)
    if (s == word) return std::string(canonical);
  return s;
}

std::string SpecialtyQuery(std::string_view query) {
  std::string words;
  for (char c : query) {
    auto u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      if (!words.empty() && words.back() != ' ') words += ' ';
    } else if (std::isalpha(u)) {
      words += static_cast<char>(std::tolower(u));
    } else {
      return "";
    }
  }
  if (!words.empty() && words.back() == ' ') words.pop_back();
  if (words.size() < 2 || words.size() > 60) return "";
  return SpecialtyOf(words);
}

std::string SpecialtyTerms(std::string_view query) {
  std::string out;
  size_t i = 0;
  while (i < query.size()) {
    if (!std::isalpha(static_cast<unsigned char>(query[i]))) {
      out += query[i++];
      continue;
    }
    size_t j = i;
    while (j < query.size() && std::isalpha(static_cast<unsigned char>(query[j]))) ++j;
    std::string word(query.substr(i, j - i));
    std::string canonical = SpecialtyOf(word);
    out += canonical == Lower(word) ? word : canonical;
    i = j;
  }
  return out;
}

std::string LanguageCode(std::string_view language) {
  std::string l = Lower(Trimmed(language));
  if (l.empty()) return "";
  for (const auto& lang : kLanguages) {
    if (l == lang.code || l == lang.english || l == lang.native ||
        (!lang.native2.empty() && l == lang.native2))
      return std::string(lang.code);
  }
  // Any other two-letter code is taken as given (the profile may list it).
  if (l.size() == 2 && std::isalpha(static_cast<unsigned char>(l[0])) &&
      std::isalpha(static_cast<unsigned char>(l[1])))
    return l;
  return "";
}

}  // namespace healthtech::org
