#include <map>

#include "storage/store.h"

namespace healthtech::org {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::org

namespace healthtech::org::storage {

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    pool.Prepare(path.substr(0, path.size() - 4),
                 sql);  // "free_days/apply.sql" -> "free_days/apply"
  }
}

int ApplyFreeDays(Tx& tx, const std::string& payload_json) {
  return pg::Exec(tx, "free_days/apply", payload_json)[0]["days"].as<int>();
}

int RefreshStaleNextFree(Tx& tx, int batch) {
  return pg::Exec(tx, "free_days/refresh_stale", batch)[0]["refreshed"].as<int>();
}

}  // namespace healthtech::org::storage
