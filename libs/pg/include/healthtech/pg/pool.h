#pragma once
// A fixed-size libpqxx connection pool, and the one way services run SQL:
// WithTransaction() opens a transaction, sets the caller for row-level security
// (app.subject_id, app.roles; transaction-local, safe with pooling), runs the body and
// commits. Exceptions from libpqxx never escape: they become absl::Status here.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <pqxx/pqxx>

#include "healthtech/metrics/metrics.h"

namespace healthtech::trace {
class Span;
}

namespace healthtech::pg {

// Who the transaction acts for. System() marks flows with no signed-in user yet
// (sign-in, registration, relays): policies check app.roles = 'system'.
struct Subject {
  std::string user_id;
  std::string roles;  // comma-separated roles, for role-based policies
  static Subject System() { return {"", "system"}; }
};

class Pool {
 public:
  Pool(std::string conninfo, int size, metrics::Registry* registry, std::string service);
  ~Pool();

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn);
    Lease(Lease&&) noexcept = default;
    ~Lease();
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }
    // Drops the connection instead of returning it (after a broken connection).
    void Discard() { discard_ = true; }

   private:
    Pool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool discard_ = false;
  };

  // Registers a named statement that every connection prepares (call before serving).
  // Hot queries use pg::Exec(tx, name, ...): parsed and planned once per connection.
  void Prepare(std::string name, std::string sql);

  // Waits up to `timeout` for a free connection.
  absl::StatusOr<Lease> Acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True if a connection can run `SELECT 1`.
  bool Ping();
  int open_connections() const;
  int in_use() const;

 private:
  friend class Lease;
  void Release(std::unique_ptr<pqxx::connection> conn, bool discard);

  std::string conninfo_;
  int size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::vector<std::pair<std::string, std::string>> prepared_;
  int open_ = 0;
  int leased_ = 0;
};

using TxBody = std::function<absl::Status(pqxx::transaction_base&)>;

// A client span for one statement of a traced request, named after the prepared statement
// (never its values); nothing outside a trace.
class StatementSpan {
 public:
  explicit StatementSpan(const std::string& name);
  ~StatementSpan();
  StatementSpan(const StatementSpan&) = delete;
  StatementSpan& operator=(const StatementSpan&) = delete;
  void Failed(const std::exception& e);

 private:
  std::unique_ptr<trace::Span> span_;
};

// Runs the prepared statement `name` (registered with Pool::Prepare) in `tx`: what
// tx.exec_prepared(name, args...) does, plus its span.
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& name, Args&&... args) {
  StatementSpan span(name);
  try {
    return tx.exec_prepared(name, std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    span.Failed(e);
    throw;
  }
}

// Rolls back an open transaction block, or discards the connection if that fails.
void Rollback(Pool::Lease& lease);

// Runs `body(tx)` in a read-write transaction as `subject`. `body` returns absl::Status;
// a non-OK status rolls back. SQLSTATE 40001/40P01 (serialization, deadlock) are retried
// up to 3 times; other database errors become INTERNAL (logged, not shown to clients).
absl::Status WithTransaction(Pool& pool, const Subject& subject, const TxBody& body);

// One read in one round trip: the caller's RLS settings and `sql` go as a single
// simple-protocol message, which PostgreSQL runs as one implicit transaction, so the
// transaction-local settings apply to `sql` and end with it. `sql` must embed its values
// with conn.quote() (no bind parameters in this protocol); statements registered with
// Prepare() are reachable as `EXECUTE name(args)`, so nothing is re-planned. For hot reads.
absl::StatusOr<pqxx::result> ReadOnce(Pool& pool, const Subject& subject,
                                      const std::function<std::string(pqxx::connection&)>& sql);

}  // namespace healthtech::pg
