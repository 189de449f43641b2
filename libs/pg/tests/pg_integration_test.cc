// Needs TEST_DATABASE_URL (a superuser connection to a throwaway cluster), set by
// ./healthtech test. A missing variable is a failure, never a silent skip.
#include <atomic>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"

namespace healthtech::pg {
namespace {

std::string Url() {
  const char* url = std::getenv("TEST_DATABASE_URL");
  if (url == nullptr) ADD_FAILURE() << "TEST_DATABASE_URL is not set";
  return url ? url : "";
}

class PgTest : public testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection c(Url());
    pqxx::nontransaction tx(c);
    tx.exec("DROP SCHEMA IF EXISTS libpg_test CASCADE");
    tx.exec(
        "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='libpg_test_owner')"
        " THEN CREATE ROLE libpg_test_owner NOLOGIN; END IF; END$$");
    tx.exec("GRANT CREATE ON DATABASE " + c.quote_name(c.dbname()) + " TO libpg_test_owner");
  }
};

const std::vector<Migration> kMigrations = {
    {1, "V0001__t", "CREATE TABLE items (id int PRIMARY KEY, owner text);"},
    {2, "V0002__t", "INSERT INTO items VALUES (1, 'a'), (2, 'b');"},
};

TEST_F(PgTest, MigratesOnceAndRecordsVersions) {
  MigrateResult r;
  ASSERT_TRUE(Migrate(Url(), "libpg_test", "libpg_test_owner", kMigrations, &r).ok());
  EXPECT_EQ(r.applied, 2);
  EXPECT_EQ(r.current_version, 2);
  ASSERT_TRUE(Migrate(Url(), "libpg_test", "libpg_test_owner", kMigrations, &r).ok());
  EXPECT_EQ(r.applied, 0);
  EXPECT_EQ(AppliedVersion(Url(), "libpg_test"), 2);
  pqxx::connection c(Url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM libpg_test.items")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT tableowner FROM pg_tables WHERE schemaname='libpg_test' AND "
                     "tablename='items'")[0]
                .as<std::string>(),
            "libpg_test_owner");
}

TEST_F(PgTest, RefusesAnEditedMigration) {
  ASSERT_TRUE(Migrate(Url(), "libpg_test", "libpg_test_owner", kMigrations).ok());
  auto edited = kMigrations;
  edited[1].sql = "INSERT INTO items VALUES (3, 'c');";
  absl::Status s = Migrate(Url(), "libpg_test", "libpg_test_owner", edited);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PgTest, TransactionSetsSubjectAndRollsBackOnError) {
  ASSERT_TRUE(Migrate(Url(), "libpg_test", "libpg_test_owner", kMigrations).ok());
  Pool pool(Url(), 2, nullptr, "test");
  std::string seen;
  ASSERT_TRUE(WithTransaction(
                  pool, Subject{"11111111-1111-1111-1111-111111111111", "patient"},
                  [&](pqxx::transaction_base& tx) {
                    seen =
                        tx.exec1("SELECT current_setting('app.subject_id')")[0].as<std::string>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(seen, "11111111-1111-1111-1111-111111111111");
  absl::Status s = WithTransaction(pool, Subject::System(), [&](pqxx::transaction_base& tx) {
    tx.exec("DELETE FROM libpg_test.items");
    return absl::InvalidArgumentError("stop");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  pqxx::connection c(Url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM libpg_test.items")[0].as<int>(), 2);
  // A SQL error becomes INTERNAL with no SQL text for the client.
  absl::Status bad = WithTransaction(pool, Subject::System(), [&](pqxx::transaction_base& tx) {
    tx.exec("SELECT * FROM no_such_table");
    return absl::OkStatus();
  });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(std::string(bad.message()).find("no_such_table"), std::string::npos);
}

// Two transactions that each wait for the other: PostgreSQL rolls one back (40P01), and the
// helper runs it again instead of answering INTERNAL (issue 12: racing bookings got 500).
TEST_F(PgTest, RetriesATransactionChosenAsDeadlockVictim) {
  ASSERT_TRUE(Migrate(Url(), "libpg_test", "libpg_test_owner", kMigrations).ok());
  Pool pool(Url(), 4, nullptr, "test");
  std::atomic<int> arrived{0};
  std::atomic<int> runs{0};
  auto lock_both = [&](int first, int second) {
    return WithTransaction(pool, Subject::System(), [&, first, second](pqxx::transaction_base& tx) {
      ++runs;
      tx.exec("SELECT 1 FROM libpg_test.items WHERE id = " + std::to_string(first) + " FOR UPDATE");
      if (arrived.fetch_add(1) < 2) {
        while (arrived.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      tx.exec("SELECT 1 FROM libpg_test.items WHERE id = " + std::to_string(second) +
              " FOR UPDATE");
      return absl::OkStatus();
    });
  };
  absl::Status a, b;
  std::thread t1([&] { a = lock_both(1, 2); });
  std::thread t2([&] { b = lock_both(2, 1); });
  t1.join();
  t2.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_EQ(runs.load(), 3);  // the victim ran twice
}

TEST_F(PgTest, PoolTimesOutWhenExhausted) {
  Pool pool(Url(), 1, nullptr, "test");
  auto a = pool.Acquire();
  ASSERT_TRUE(a.ok());
  auto b = pool.Acquire(std::chrono::milliseconds(50));
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace healthtech::pg
