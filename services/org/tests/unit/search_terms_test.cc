#include "healthtech/org/domain/search_terms.h"

#include <gtest/gtest.h>

namespace healthtech::org {
namespace {

TEST(SearchTerms, CitiesAnswerToEveryName) {
  EXPECT_EQ(CityNames("Bangalore"), "bengaluru|bangalore");
  EXPECT_EQ(CityNames(" Bengaluru "), "bengaluru|bangalore");
  EXPECT_EQ(CityNames("BOMBAY"), "mumbai|bombay");
  EXPECT_EQ(CityNames("Gurgaon"), "gurugram|gurgaon");
  EXPECT_EQ(CityNames("Nashik"), "nashik");
  EXPECT_EQ(CityNames("a|b"), "ab");  // the separator cannot be smuggled in
  EXPECT_EQ(CityNames(""), "");
}

TEST(SearchTerms, SpecialistsMeanTheirSpecialty) {
  EXPECT_EQ(SpecialtyTerms("cardiologist"), "cardiology");
  EXPECT_EQ(SpecialtyTerms("Paediatrician near MG Road"), "pediatrics near MG Road");
  EXPECT_EQ(SpecialtyTerms("Dr. Meera Iyer"), "Dr. Meera Iyer");
  EXPECT_EQ(SpecialtyOf("Cardiologist"), "cardiology");
  EXPECT_EQ(SpecialtyOf("Cardiology"), "cardiology");
  EXPECT_EQ(SpecialtyOf(""), "");
}

TEST(SearchTerms, AQueryMayNameASpecialty) {
  EXPECT_EQ(SpecialtyQuery("Cardiologist"), "cardiology");
  EXPECT_EQ(SpecialtyQuery(" General   Medicine "), "general medicine");
  EXPECT_EQ(SpecialtyQuery("dermatology"), "dermatology");
  EXPECT_EQ(SpecialtyQuery("Dr. Meera Iyer"), "");  // not only letters and spaces
  EXPECT_EQ(SpecialtyQuery("cardiology 24x7"), "");
  EXPECT_EQ(SpecialtyQuery("x"), "");
  EXPECT_EQ(SpecialtyQuery(std::string(61, 'a')), "");
  EXPECT_EQ(SpecialtyQuery("हृदय"), "");  // bytes outside ASCII letters: left to the text search
}

TEST(SearchTerms, LanguagesByNameOrCode) {
  EXPECT_EQ(LanguageCode("Hindi"), "hi");
  EXPECT_EQ(LanguageCode("हिन्दी"), "hi");
  EXPECT_EQ(LanguageCode("हिंदी"), "hi");
  EXPECT_EQ(LanguageCode("hi"), "hi");
  EXPECT_EQ(LanguageCode(" Kannada "), "kn");
  EXPECT_EQ(LanguageCode("fr"), "fr");
  EXPECT_EQ(LanguageCode("Klingon"), "");
  EXPECT_EQ(LanguageCode("h1"), "");
}

}  // namespace
}  // namespace healthtech::org
