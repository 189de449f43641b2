#include "session/secret_store.h"

#if __has_include(<qt6keychain/keychain.h>)
#include <qt6keychain/keychain.h>  // Debian's package
#else
#include <keychain.h>  // built from its release (HEALTHTECH_APP_FETCH_KEYCHAIN)
#endif
#include <QDebug>

namespace healthtech::app {

void MemorySecretStore::Read(const QString& key, std::function<void(std::optional<QString>)> done) {
  const auto it = values_.constFind(key);
  done(it == values_.cend() ? std::nullopt : std::optional<QString>(*it));
}
void MemorySecretStore::Write(const QString& key, const QString& value,
                              std::function<void(bool)> done) {
  values_.insert(key, value);
  done(true);
}
void MemorySecretStore::Remove(const QString& key, std::function<void()> done) {
  values_.remove(key);
  done();
}

void KeychainSecretStore::Read(const QString& key,
                               std::function<void(std::optional<QString>)> done) {
  auto* job = new QKeychain::ReadPasswordJob(service_);
  job->setAutoDelete(true);
  job->setKey(key);
  QObject::connect(job, &QKeychain::Job::finished, [done = std::move(done)](QKeychain::Job* j) {
    auto* r = static_cast<QKeychain::ReadPasswordJob*>(j);
    if (r->error() == QKeychain::NoError) return done(r->textData());
    if (r->error() != QKeychain::EntryNotFound)
      qWarning().noquote() << "keychain read failed:" << r->errorString();
    done(std::nullopt);
  });
  job->start();
}

void KeychainSecretStore::Write(const QString& key, const QString& value,
                                std::function<void(bool)> done) {
  auto* job = new QKeychain::WritePasswordJob(service_);
  job->setAutoDelete(true);
  job->setKey(key);
  job->setTextData(value);
  QObject::connect(job, &QKeychain::Job::finished, [done = std::move(done)](QKeychain::Job* j) {
    if (j->error() != QKeychain::NoError)
      qWarning().noquote() << "keychain write failed (signed in for this run only):"
                           << j->errorString();
    done(j->error() == QKeychain::NoError);
  });
  job->start();
}

void KeychainSecretStore::Remove(const QString& key, std::function<void()> done) {
  auto* job = new QKeychain::DeletePasswordJob(service_);
  job->setAutoDelete(true);
  job->setKey(key);
  QObject::connect(job, &QKeychain::Job::finished,
                   [done = std::move(done)](QKeychain::Job*) { done(); });
  job->start();
}

}  // namespace healthtech::app
