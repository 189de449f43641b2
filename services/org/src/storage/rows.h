#pragma once
// Reading helpers shared by the storage files (not for callers of storage).
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "storage/store.h"

namespace healthtech::org::storage {

// The address columns line1 … longitude of a row, by name.
inline Address ReadAddress(const pqxx::row& r) {
  Address a;
  a.line1 = r["line1"].as<std::string>();
  a.line2 = r["line2"].as<std::string>();
  a.city = r["city"].as<std::string>();
  a.state = r["state"].as<std::string>();
  a.pincode = r["pincode"].as<std::string>();
  a.country = r["country"].as<std::string>();
  if (!r["latitude"].is_null()) a.latitude = r["latitude"].as<double>();
  if (!r["longitude"].is_null()) a.longitude = r["longitude"].as<double>();
  return a;
}

inline std::optional<std::string> OptionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace healthtech::org::storage
