#include "healthtech/iam/domain/crypto.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <liboath/oath.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "healthtech/auth/jwt.h"

namespace healthtech::iam {
namespace {

[[maybe_unused]] const bool kInit = [] {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  oath_init();
  return true;
}();

// argon2id is memory-hard (19 MiB a hash): more hashes at once than cores only share the
// memory bandwidth and caches and make each one slower (login under 8 connections on 2 cores
// ran at 0.5x the raw rate). At most one hash per core; the other callers wait their turn.
class HashSlots {
 public:
  HashSlots() : free_(std::max(1u, std::thread::hardware_concurrency())) {}
  void Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned free_;
};
HashSlots& Slots() {
  static HashSlots slots;
  return slots;
}
struct HashSlot {
  HashSlot() { Slots().Acquire(); }
  ~HashSlot() { Slots().Release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;
};

}  // namespace

std::string HashPassword(std::string_view password, const Argon2Params& p) {
  char out[crypto_pwhash_STRBYTES];
  HashSlot slot;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), p.opslimit, p.memlimit_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::string h(hash);  // needs NUL termination
  HashSlot slot;
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, const Argon2Params& p) {
  std::string h(hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), p.opslimit, p.memlimit_bytes) != 0;
}

std::string NewUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

std::string Encrypt(std::string_view plaintext, std::string_view key) {
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::invalid_argument("key must be 32 bytes");
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key.data()));
  return out;
}

std::optional<std::string> Decrypt(std::string_view ct, std::string_view key) {
  if (key.size() != crypto_secretbox_KEYBYTES ||
      ct.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::nullopt;
  std::string out(ct.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  const auto* nonce = reinterpret_cast<const unsigned char*>(ct.data());
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 nonce + crypto_secretbox_NONCEBYTES,
                                 ct.size() - crypto_secretbox_NONCEBYTES, nonce,
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  return out;
}

std::string NewTotpSecret() {
  unsigned char b[20];
  randombytes_buf(b, sizeof b);
  return std::string(reinterpret_cast<char*>(b), sizeof b);
}

std::string Base32Encode(std::string_view raw) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string TotpCode(std::string_view secret, int64_t unix_seconds) {
  char out[10] = {0};
  oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(unix_seconds), 30, 0, 6,
                     out);
  return out;
}

std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code,
                                 int64_t unix_seconds) {
  if (code.size() != 6) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::string otp(code);
  int pos = 0;
  int rc = oath_totp_validate2(secret.data(), secret.size(), static_cast<time_t>(unix_seconds), 30,
                               0, 1, &pos, otp.c_str());
  if (rc < 0) return std::nullopt;
  return unix_seconds / 30 + pos;
}

std::string NewRecoveryCode() {
  unsigned char b[7];
  randombytes_buf(b, sizeof b);
  std::string s =
      Base32Encode(std::string_view(reinterpret_cast<char*>(b), sizeof b)).substr(0, 10);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s.substr(0, 5) + "-" + s.substr(5, 5);
}

std::string NormalizeRecoveryCode(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (out.size() == 10) out.insert(5, "-");
  return out;
}

}  // namespace healthtech::iam
