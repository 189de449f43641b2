#pragma once
// Where the refresh token lives between runs: the operating system's keychain (QtKeychain:
// Secret Service on Linux, Keychain on macOS/iOS, Credential Manager on Windows, Keystore on
// Android), never a plain file. Tests and the smoke mode use the in-memory store.
#include <functional>
#include <optional>

#include <QHash>
#include <QString>

namespace healthtech::app {

class SecretStore {
 public:
  virtual ~SecretStore() = default;
  virtual void Read(const QString& key, std::function<void(std::optional<QString>)> done) = 0;
  // done(false) when the secret could not be stored (no keychain): the caller keeps it in
  // memory for this run only.
  virtual void Write(const QString& key, const QString& value, std::function<void(bool)> done) = 0;
  virtual void Remove(const QString& key, std::function<void()> done) = 0;
};

class MemorySecretStore final : public SecretStore {
 public:
  void Read(const QString& key, std::function<void(std::optional<QString>)> done) override;
  void Write(const QString& key, const QString& value, std::function<void(bool)> done) override;
  void Remove(const QString& key, std::function<void()> done) override;
  int size() const { return static_cast<int>(values_.size()); }

 private:
  QHash<QString, QString> values_;
};

class KeychainSecretStore final : public SecretStore {
 public:
  explicit KeychainSecretStore(QString service) : service_(std::move(service)) {}
  void Read(const QString& key, std::function<void(std::optional<QString>)> done) override;
  void Write(const QString& key, const QString& value, std::function<void(bool)> done) override;
  void Remove(const QString& key, std::function<void()> done) override;

 private:
  QString service_;
};

}  // namespace healthtech::app
