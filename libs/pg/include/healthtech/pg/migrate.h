#pragma once
// Migration runner: applies numbered SQL migrations of one service schema in order,
// under a PostgreSQL advisory lock, as the schema's owner role, recording each in
// <schema>.schema_migrations with a checksum. An applied migration whose text changed
// stops the run (migrations are append-only).
#include <string>
#include <vector>

#include <absl/status/status.h>

namespace healthtech::pg {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

struct MigrateResult {
  int applied = 0;
  int current_version = 0;
};

// `conninfo` connects as a role that may `SET ROLE owner_role` (e.g. healthtech_migrator).
absl::Status Migrate(const std::string& conninfo, const std::string& schema,
                     const std::string& owner_role, const std::vector<Migration>& migrations,
                     MigrateResult* result = nullptr);

// The `migrate` subcommand of every service: applies `migrations` to `schema` as
// `<schema>_owner`, connecting with MIGRATION_DATABASE_URL, and prints what it did.
// Returns the process's exit status (0 done, 1 failed, 2 configuration error).
int RunMigrateCommand(const std::string& service, const std::string& schema,
                      const std::vector<Migration>& migrations);

// Highest applied version (0 if none), read with the app role.
int AppliedVersion(const std::string& conninfo, const std::string& schema);

}  // namespace healthtech::pg
