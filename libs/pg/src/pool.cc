#include "healthtech/pg/pool.h"

#include <optional>
#include <random>
#include <thread>

#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "healthtech/trace/trace.h"

namespace healthtech::pg {

Pool::Pool(std::string conninfo, int size, metrics::Registry* registry, std::string service)
    : conninfo_(std::move(conninfo)), size_(size) {
  if (registry != nullptr) {
    auto& open = registry->AddGauge("active_database_connections",
                                    "Open PostgreSQL connections of this process", {"service"});
    auto& busy = registry->AddGauge("database_connections_in_use",
                                    "PostgreSQL connections currently leased", {"service"});
    auto& max = registry->AddGauge("database_connections_max", "Pool size", {"service"});
    registry->OnCollect([this, &open, &busy, &max, service] {
      open.WithLabels({service}).Set(open_connections());
      busy.WithLabels({service}).Set(in_use());
      max.WithLabels({service}).Set(size_);
    });
  }
}

Pool::~Pool() = default;

void Rollback(Pool::Lease& lease) {
  try {
    pqxx::nontransaction tx(*lease);
    tx.exec("ROLLBACK");
  } catch (const std::exception&) {
    lease.Discard();  // cannot tell what state it is in: never reuse it
  }
}

void Pool::Prepare(std::string name, std::string sql) {
  std::lock_guard lock(mu_);
  prepared_.emplace_back(std::move(name), std::move(sql));
}

Pool::Lease::Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->Release(std::move(conn_), discard_);
}

absl::StatusOr<Pool::Lease> Pool::Acquire(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (idle_.empty() && open_ >= size_) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      return status::Unavailable("DATABASE_BUSY", "The database is busy; try again.");
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    ++leased_;
    return Lease(this, std::move(conn));
  }
  ++open_;
  ++leased_;
  auto prepared = prepared_;
  lock.unlock();
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    for (const auto& [name, sql] : prepared) {
      conn->prepare(name, sql);
      conn->prepare_now(name);  // also reachable as SQL `EXECUTE name(...)` (ReadOnce)
    }
    return Lease(this, std::move(conn));
  } catch (const std::exception& e) {
    lock.lock();
    --open_;
    --leased_;
    cv_.notify_one();
    log::Error("db_connect_failed", {{"error", e.what()}});
    return status::Unavailable("DATABASE_UNAVAILABLE", "The database is unavailable.");
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn, bool discard) {
  std::lock_guard lock(mu_);
  --leased_;
  if (discard || !conn->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

int Pool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

int Pool::in_use() const {
  std::lock_guard lock(mu_);
  return leased_;
}

bool Pool::Ping() {
  auto lease = Acquire(std::chrono::milliseconds(500));
  if (!lease.ok()) return false;
  try {
    pqxx::nontransaction tx(**lease);
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    lease->Discard();
    return false;
  }
}

namespace {

constexpr int kMaxRetries = 5;

// 5, 10, 20, 40, 80 ms, with jitter so that two losers do not collide again in step.
std::chrono::milliseconds RetryDelay(int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  int base = 5 << attempt;
  return std::chrono::milliseconds(base + std::uniform_int_distribution<int>(0, base)(rng));
}

}  // namespace

namespace {

// A client span for one database round of a traced request (none outside a trace: relays
// and sweepers poll, and their polls are not what anyone follows). Values never go in it.
std::optional<trace::Span> DbSpan(const char* name) {
  if (!trace::Current().valid()) return std::nullopt;
  std::optional<trace::Span> span(std::in_place, name, trace::Kind::kClient);
  span->Set("db.system", "postgresql");
  return span;
}

void EndDbSpan(std::optional<trace::Span>& span, const absl::Status& s, int attempts) {
  if (!span) return;
  if (attempts > 1) span->Set("db.attempts", attempts);
  // The database's failures only: a body that refused the request (not found, a conflict)
  // returns its own status through here, and that is the caller's outcome, not the DB's.
  if (absl::IsUnavailable(s) || absl::IsInternal(s)) span->Error(std::string(s.message()));
}

absl::Status RunTransaction(Pool& pool, const Subject& subject, const TxBody& body, int* attempts) {
  for (int attempt = 0;; ++attempt) {
    *attempts = attempt + 1;
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    bool in_block = false;
    bool committing = false;
    try {
      absl::Status s;
      {
        // BEGIN and the caller's identity travel in one round trip (simple protocol,
        // values quoted by libpq); the body then runs inside that transaction block.
        pqxx::nontransaction tx(**lease);
        in_block = true;
        tx.exec("BEGIN; SELECT set_config('app.subject_id', " + tx.quote(subject.user_id) +
                ", true), set_config('app.roles', " + tx.quote(subject.roles) + ", true)");
        s = body(tx);
        committing = s.ok();
        tx.exec(s.ok() ? "COMMIT" : "ROLLBACK");
        in_block = false;
      }
      return s;
    } catch (const pqxx::broken_connection& e) {
      lease->Discard();
      log::Error("db_connection_broken", {{"error", e.what()}, {"during_commit", committing}});
      // Lost before COMMIT went out: the server rolled it back, and running it again on a
      // new connection (after a failover: the new leader) is safe. Lost during COMMIT: it
      // may have committed (and, replicated synchronously, be on the new leader), so running
      // it again could do it twice; the caller hears that the outcome is unknown and retries
      // with its Idempotency-Key.
      if (attempt < 1 && !committing) continue;
      return status::Unavailable("DATABASE_UNAVAILABLE", "The database is unavailable.");
    } catch (const pqxx::transaction_rollback& e) {
      // 40001 serialization failure, 40P01 deadlock (e.g. two bookings racing through one
      // exclusion constraint, each waiting on the other's new index entry): PostgreSQL rolled
      // the transaction back, and running it again sees the winner's row. libpqxx 6 derives
      // these from pqxx::failure, not sql_error, so they need their own catch.
      if (in_block) Rollback(*lease);
      if (attempt < kMaxRetries) {
        log::Warn("db_transaction_retried", {{"attempt", attempt + 1}, {"error", e.what()}});
        std::this_thread::sleep_for(RetryDelay(attempt));
        continue;
      }
      log::Error("db_retries_exhausted", {{"error", e.what()}});
      return status::Unavailable("DATABASE_BUSY", "The database is busy; try again.");
    } catch (const pqxx::sql_error& e) {
      if (in_block) Rollback(*lease);
      std::string state = e.sqlstate();
      if ((state == "40001" || state == "40P01") && attempt < kMaxRetries) {
        std::this_thread::sleep_for(RetryDelay(attempt));
        continue;
      }
      if (state == "57014") {
        return status::Unavailable("DATABASE_TIMEOUT", "The database did not answer in time.");
      }
      log::Error("db_error", {{"sqlstate", state}, {"error", e.what()}});
      return status::Internal(std::string("database error ") + state);
    } catch (const std::exception& e) {
      if (in_block) Rollback(*lease);
      log::Error("db_error", {{"error", e.what()}});
      return status::Internal("database error");
    }
  }
}

absl::StatusOr<pqxx::result> RunReadOnce(Pool& pool, const Subject& subject,
                                         const std::function<std::string(pqxx::connection&)>& sql,
                                         std::optional<trace::Span>& span, int* attempts) {
  for (int attempt = 0;; ++attempt) {
    *attempts = attempt + 1;
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      pqxx::connection& conn = **lease;
      std::string query = sql(conn);
      if (span && attempt == 0 && query.rfind("EXECUTE ", 0) == 0) {
        // The prepared statement's name, when the read is one (EXECUTE name(...)).
        span->Set("db.statement.name", query.substr(8, query.find_first_of("( ;", 8) - 8));
      }
      std::string text = "SELECT set_config('app.subject_id', " + conn.quote(subject.user_id) +
                         ", true), set_config('app.roles', " + conn.quote(subject.roles) +
                         ", true); " + query;
      pqxx::nontransaction tx(conn);
      return tx.exec(text);  // the last statement's result
    } catch (const pqxx::broken_connection& e) {
      lease->Discard();
      log::Error("db_connection_broken", {{"error", e.what()}});
      if (attempt < 1) continue;
      return status::Unavailable("DATABASE_UNAVAILABLE", "The database is unavailable.");
    } catch (const pqxx::transaction_rollback& e) {
      if (attempt < kMaxRetries) {
        std::this_thread::sleep_for(RetryDelay(attempt));
        continue;
      }
      return status::Unavailable("DATABASE_BUSY", "The database is busy; try again.");
    } catch (const pqxx::sql_error& e) {
      std::string state = e.sqlstate();
      if (state == "57014") {
        return status::Unavailable("DATABASE_TIMEOUT", "The database did not answer in time.");
      }
      log::Error("db_error", {{"sqlstate", state}, {"error", e.what()}});
      return status::Internal(std::string("database error ") + state);
    } catch (const std::exception& e) {
      log::Error("db_error", {{"error", e.what()}});
      return status::Internal("database error");
    }
  }
}

}  // namespace

StatementSpan::StatementSpan(const std::string& name) {
  // Not in an unsampled trace either: a client span of one is never exported (only a failed
  // server span is), so it would cost an allocation per statement for nothing.
  if (!trace::Current().valid() || !trace::Current().sampled) return;
  span_ = std::make_unique<trace::Span>(name, trace::Kind::kClient);
  span_->Set("db.system", "postgresql");
  span_->Set("db.statement.name", name);
}

StatementSpan::~StatementSpan() = default;

void StatementSpan::Failed(const std::exception& e) {
  if (!span_) return;
  // The SQLSTATE only: a message can quote the values.
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  std::string state = sql != nullptr ? sql->sqlstate() : "";
  if (!state.empty()) span_->Set("db.response.status_code", state);
  span_->Error(state.empty() ? "statement failed" : "SQLSTATE " + state);
}

absl::Status WithTransaction(Pool& pool, const Subject& subject, const TxBody& body) {
  auto span = DbSpan("pg transaction");
  // The statements' spans go under the transaction's.
  std::optional<trace::Activate> current;
  if (span) current.emplace(span->context());
  int attempts = 0;
  absl::Status s = RunTransaction(pool, subject, body, &attempts);
  EndDbSpan(span, s, attempts);
  return s;
}

absl::StatusOr<pqxx::result> ReadOnce(Pool& pool, const Subject& subject,
                                      const std::function<std::string(pqxx::connection&)>& sql) {
  auto span = DbSpan("pg read");
  int attempts = 0;
  auto r = RunReadOnce(pool, subject, sql, span, &attempts);
  EndDbSpan(span, r.status(), attempts);
  return r;
}

}  // namespace healthtech::pg
