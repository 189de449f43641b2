#pragma once
// SQL of org-service that lives in sql/ (embedded at build time, prepared by name on each
// connection). The rest of the service's SQL still sits in org_service.cc, until the
// service takes the shape of appointment-service.
#include <string>

#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::org::storage {

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// Applies one appointment.free_days event (its JSON payload) to the search read model;
// an event older than what a day holds changes nothing. Returns the days it changed.
int ApplyFreeDays(pqxx::transaction_base& tx, const std::string& payload_json);

}  // namespace healthtech::org::storage
