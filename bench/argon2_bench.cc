// Raw argon2id verification rate at IAM's parameters (the ceiling for POST /v1/auth/login).
//
// IAM hashes with crypto_pwhash_str_alg(ARGON2ID13, opslimit, memlimit) and checks a login
// with crypto_pwhash_str_verify (services/iam/src/domain/crypto.cc). The parameters come
// from IAM_ARGON2_OPSLIMIT / IAM_ARGON2_MEMLIMIT_KIB, defaults 2 and 19456 KiB, read here
// from the same variables so the figure matches the running service.
//
//   build/bin/argon2_bench                          # 1 and 2 threads, items_per_second =
//   verifications/s build/bin/argon2_bench --benchmark_format=json  # what bench/run.sh parses
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>
#include <sodium.h>

namespace {

long EnvLong(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (end != nullptr && *end == '\0' && n > 0) ? n : fallback;
}

const unsigned long long kOpsLimit =
    static_cast<unsigned long long>(EnvLong("IAM_ARGON2_OPSLIMIT", 2));
const size_t kMemLimitBytes = static_cast<size_t>(EnvLong("IAM_ARGON2_MEMLIMIT_KIB", 19456)) * 1024;
constexpr char kPassword[] = "correct horse battery staple 42";

// One stored hash, made once (like a user row); every iteration verifies against it.
const std::string& StoredHash() {
  static const std::string hash = [] {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, kPassword, sizeof kPassword - 1, kOpsLimit, kMemLimitBytes,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
      throw std::runtime_error("crypto_pwhash_str_alg: out of memory");
    }
    return std::string(out);
  }();
  return hash;
}

void BM_Argon2idVerify(benchmark::State& state) {
  const std::string& hash = StoredHash();  // thread-safe static init
  for (auto _ : state) {
    int rc = crypto_pwhash_str_verify(hash.c_str(), kPassword, sizeof kPassword - 1);
    if (rc != 0) {
      state.SkipWithError("crypto_pwhash_str_verify failed");
      break;
    }
    benchmark::DoNotOptimize(rc);
  }
  // Summed over threads and divided by wall time (UseRealTime): verifications/s of the process.
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("opslimit=" + std::to_string(kOpsLimit) +
                 " memlimit_kib=" + std::to_string(kMemLimitBytes / 1024));
}

BENCHMARK(BM_Argon2idVerify)->Unit(benchmark::kMillisecond)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
