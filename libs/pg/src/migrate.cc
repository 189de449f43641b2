#include "healthtech/pg/migrate.h"

#include <cstdio>
#include <cstdlib>

#include <map>

#include <pqxx/pqxx>

#include "healthtech/crypto/hash.h"
#include "healthtech/log/log.h"

namespace healthtech::pg {
namespace {

using crypto::Sha256Hex;

}  // namespace

absl::Status Migrate(const std::string& conninfo, const std::string& schema,
                     const std::string& owner_role, const std::vector<Migration>& migrations,
                     MigrateResult* result) {
  MigrateResult r;
  try {
    pqxx::connection conn(conninfo);
    const std::string lock_key = "healthtech.migrate." + schema;
    const std::string table = conn.quote_name(schema) + ".schema_migrations";
    std::map<int, std::string> applied;
    {
      pqxx::nontransaction tx(conn);
      // One migrator per schema at a time, across every replica and job (session lock).
      tx.exec_params("SELECT pg_advisory_lock(hashtext($1))", lock_key);
      tx.exec("SET ROLE " + conn.quote_name(owner_role));
      tx.exec("CREATE SCHEMA IF NOT EXISTS " + conn.quote_name(schema) + " AUTHORIZATION " +
              conn.quote_name(owner_role));
      tx.exec("CREATE TABLE IF NOT EXISTS " + table +
              " (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now())");
      for (const auto& row : tx.exec("SELECT version, checksum FROM " + table)) {
        applied[row[0].as<int>()] = row[1].as<std::string>();
      }
    }
    absl::Status outcome = absl::OkStatus();
    for (const auto& m : migrations) {
      std::string sum = Sha256Hex(m.sql);
      auto it = applied.find(m.version);
      if (it != applied.end()) {
        if (it->second != sum) {
          outcome = absl::FailedPreconditionError(std::string("migration ") + m.name +
                                                  " was edited after it was applied");
          break;
        }
        r.current_version = std::max(r.current_version, m.version);
        continue;
      }
      pqxx::work tx(conn);
      tx.exec("SET LOCAL search_path = " + conn.quote_name(schema) + ", public");
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO " + table + " (version, name, checksum) VALUES ($1, $2, $3)",
                     m.version, std::string(m.name), sum);
      tx.commit();
      log::Info("migration_applied",
                {{"schema", schema}, {"version", m.version}, {"name", m.name}});
      ++r.applied;
      r.current_version = std::max(r.current_version, m.version);
    }
    {
      pqxx::nontransaction tx(conn);
      tx.exec_params("SELECT pg_advisory_unlock(hashtext($1))", lock_key);
    }
    if (!outcome.ok()) return outcome;
  } catch (const std::exception& e) {
    return absl::UnavailableError(std::string("migration failed: ") + e.what());
  }
  if (result != nullptr) *result = r;
  return absl::OkStatus();
}

int AppliedVersion(const std::string& conninfo, const std::string& schema) {
  try {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction tx(conn);
    auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM " + conn.quote_name(schema) +
                        ".schema_migrations");
    return row[0].as<int>();
  } catch (const std::exception&) {
    return 0;
  }
}

int RunMigrateCommand(const std::string& service, const std::string& schema,
                      const std::vector<Migration>& migrations) {
  log::Init(service, "info");
  const char* url = std::getenv("MIGRATION_DATABASE_URL");
  if (url == nullptr) {
    std::fprintf(stderr, "%s: configuration error: MIGRATION_DATABASE_URL: required but not set\n",
                 service.c_str());
    return 2;
  }
  MigrateResult r;
  auto s = Migrate(url, schema, schema + "_owner", migrations, &r);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", service.c_str(), std::string(s.message()).c_str());
    return 1;
  }
  std::printf("%s: %d migration(s) applied, at version %d\n", schema.c_str(), r.applied,
              r.current_version);
  return 0;
}

}  // namespace healthtech::pg
