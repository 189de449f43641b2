#pragma once
// PostgreSQL text[] literals, for passing lists as one parameter ($1::text[]) and reading
// them back without a round trip through pqxx's array parser.
#include <string>
#include <vector>

namespace healthtech::pg {

// {"a","b"}: every element quoted, quotes and backslashes escaped.
std::string TextArray(const std::vector<std::string>& values);

// The elements of a text[] value as PostgreSQL prints it ({a,"b c",""}).
std::vector<std::string> ParseTextArray(const std::string& literal);

}  // namespace healthtech::pg
