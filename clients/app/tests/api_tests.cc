// The app's client against a running stack (./healthtech test runs it after the REST suite):
//   - the contract: every field the app reads or sends, and every operation it calls, is in
//     /v1/openapi.json with the type and presence the app relies on (OPENAPI_FILE);
//   - the session: sign in, an expired access token refreshed once and the call repeated,
//     the rotated refresh token written to the keychain, a session restored from it, a
//     refused refresh signing out (and clearing the keychain), sign out revoking;
//   - problems and the offline state as a person sees them.
// Environment: HEALTHTECH_API_URL, OPENAPI_FILE, HEALTHTECH_SMOKE_EMAIL/PASSWORD (a patient).
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "api/client.h"
#include "api/contract.h"
#include "session/secret_store.h"

using namespace healthtech::app;

namespace {

// Runs `start(done)` and waits (at most 20 s) for done() to be called.
bool Await(const std::function<void(std::function<void()>)>& start) {
  QEventLoop loop;
  bool finished = false;
  QTimer::singleShot(20000, &loop, &QEventLoop::quit);
  start([&] {
    finished = true;
    loop.quit();
  });
  if (!finished) loop.exec();
  return finished;
}

// GET `path` and wait for the answer (an empty response if none came in 20 s).
api::Response Get(api::ApiClient& client, const QString& path) {
  api::Response out;
  Await([&](auto done) {
    client.Get(path, {}, [&, done](const api::Response& r) {
      out = r;
      done();
    });
  });
  return out;
}

QString KindName(api::Kind k) {
  switch (k) {
    case api::Kind::String:
      return "string";
    case api::Kind::Integer:
      return "integer";
    case api::Kind::Boolean:
      return "boolean";
    case api::Kind::Array:
      return "array";
    case api::Kind::Object:
      return "object";
  }
  return {};
}

}  // namespace

// A keychain that answers a moment later, as the operating systems' do.
class SlowSecretStore final : public SecretStore {
 public:
  void Read(const QString& key, std::function<void(std::optional<QString>)> done) override {
    QTimer::singleShot(150, [this, key, done] { memory_.Read(key, done); });
  }
  void Write(const QString& key, const QString& value, std::function<void(bool)> done) override {
    QTimer::singleShot(150, [this, key, value, done] { memory_.Write(key, value, done); });
  }
  void Remove(const QString& key, std::function<void()> done) override {
    QTimer::singleShot(150, [this, key, done] { memory_.Remove(key, done); });
  }

 private:
  MemorySecretStore memory_;
};

class AppApiTests : public QObject {
  Q_OBJECT
  QUrl base_;
  QString email_, password_;

  // Signs `client` in as the test's patient; false when that failed.
  bool SignIn(api::ApiClient& client) {
    bool ok = false;
    Await([&](auto done) {
      client.SignIn(email_, password_, [&, done](auto r, auto p) {
        ok = r && !p && !r->mfa_required;
        done();
      });
    });
    return ok;
  }

 private Q_SLOTS:
  void initTestCase() {
    base_ = QUrl(qEnvironmentVariable("HEALTHTECH_API_URL"));
    email_ = qEnvironmentVariable("HEALTHTECH_SMOKE_EMAIL");
    password_ = qEnvironmentVariable("HEALTHTECH_SMOKE_PASSWORD");
    QVERIFY2(base_.isValid() && !base_.isEmpty(), "set HEALTHTECH_API_URL");
    QVERIFY2(!email_.isEmpty() && !password_.isEmpty(),
             "set HEALTHTECH_SMOKE_EMAIL and HEALTHTECH_SMOKE_PASSWORD");
  }

  void contract() {
    QFile f(qEnvironmentVariable("OPENAPI_FILE"));
    QVERIFY2(f.open(QIODevice::ReadOnly), "set OPENAPI_FILE to the stack's /v1/openapi.json");
    const auto doc = QJsonDocument::fromJson(f.readAll()).object();
    const auto schemas = doc.value("components").toObject().value("schemas").toObject();
    const auto paths = doc.value("paths").toObject();
    QStringList drift;
    for (const auto& field : api::kFields) {
      const QString where =
          QStringLiteral("%1.%2").arg(QLatin1String(field.schema), QLatin1String(field.name));
      const auto schema = schemas.value(QLatin1String(field.schema)).toObject();
      if (schema.isEmpty()) {
        drift << where + QStringLiteral(": no such schema");
        continue;
      }
      const auto prop =
          schema.value("properties").toObject().value(QLatin1String(field.name)).toObject();
      if (prop.isEmpty()) {
        drift << where + QStringLiteral(": no such property");
        continue;
      }
      // A reference (or allOf of one) is an object; otherwise the declared type.
      QString type = prop.value("type").toString();
      if (prop.contains("$ref") || prop.contains("allOf")) type = QStringLiteral("object");
      if (type != KindName(field.kind))
        drift << where + QStringLiteral(": the app expects %1, the document says %2")
                             .arg(KindName(field.kind), type);
      if (field.required && !schema.value("required").toArray().contains(QLatin1String(field.name)))
        drift << where + QStringLiteral(": the app relies on it, the document does not require it");
    }
    for (const auto& op : api::kOperations) {
      const QString name = QStringLiteral("%1 %2").arg(QString::fromLatin1(op.method).toUpper(),
                                                       QLatin1String(op.path));
      const auto operation =
          paths.value(QLatin1String(op.path)).toObject().value(QLatin1String(op.method)).toObject();
      if (operation.isEmpty()) {
        drift << name + QStringLiteral(": not in the document");
        continue;
      }
      // Operations that take an Idempotency-Key get one from the app (the same on retries).
      bool key_required = false;
      for (const auto& param : operation.value("parameters").toArray())
        key_required |= param.toObject().value("$ref").toString().endsWith(
            QLatin1String("/IdempotencyKeyRequired"));
      if (key_required != op.idempotency_key)
        drift << name +
                     (key_required
                          ? QStringLiteral(": requires an Idempotency-Key the app does not send")
                          : QStringLiteral(
                                ": the app sends an Idempotency-Key the document does not take"));
    }
    QVERIFY2(drift.isEmpty(), qPrintable(drift.join("\n")));
    QVERIFY(std::size(api::kFields) > 80);
  }

  void sessionRefreshRotationRestore() {
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    bool signed_in = false;
    QVERIFY(Await([&](auto done) {
      client.SignIn(email_, password_, [&, done](auto r, auto p) {
        signed_in = r && !p && !r->mfa_required;
        done();
      });
    }));
    QVERIFY(signed_in);
    QVERIFY(client.signedIn());
    std::optional<QString> stored;
    keychain.Read(client.secretKey(), [&](auto v) { stored = v; });
    QVERIFY(stored && stored->size() > 20);
    const QString first_refresh = *stored;

    // An access token the server no longer accepts: one refresh, then the call again.
    client.setAccessTokenForTest(QStringLiteral("expired.token.value"));
    const api::Response me = Get(client, "/v1/me");
    QVERIFY(me.status != 0 || me.problem);
    QVERIFY2(me.ok(), qPrintable(me.problem ? me.problem->detail : QString()));
    QCOMPARE(me.json().value("email").toString(), email_);
    keychain.Read(client.secretKey(), [&](auto v) { stored = v; });
    QVERIFY(stored);
    QVERIFY2(*stored != first_refresh, "the rotated refresh token was not written to the keychain");

    // Concurrent calls with a dead token share one refresh.
    client.setAccessTokenForTest(QStringLiteral("expired.again"));
    int ok = 0, finished = 0;
    QVERIFY(Await([&](auto done) {
      for (int i = 0; i < 3; ++i)
        client.Get("/v1/me", {}, [&, done](const api::Response& r) {
          ok += r.ok();
          if (++finished == 3) done();
        });
    }));
    QCOMPARE(ok, 3);

    // Another run of the app: the session comes back from the keychain alone.
    api::ApiClient next(base_, &keychain);
    bool restored = false;
    QVERIFY(Await([&](auto done) {
      next.Restore([&, done](bool r, bool) {
        restored = r;
        done();
      });
    }));
    QVERIFY(restored);
    QVERIFY(!next.accessToken().isEmpty());

    // Signing out revokes: the stored token is gone and the old one is refused.
    keychain.Read(next.secretKey(), [&](auto v) { stored = v; });
    const QString revoked = stored.value_or(QString());
    QVERIFY(Await([&](auto done) { next.SignOut([done] { done(); }); }));
    QVERIFY(!next.signedIn());
    keychain.Read(next.secretKey(), [&](auto v) { stored = v; });
    QVERIFY(!stored);
    MemorySecretStore other;
    other.Write(next.secretKey(), revoked, [](bool) {});
    api::ApiClient third(base_, &other);
    QSignalSpy expired(&third, &api::ApiClient::sessionExpired);
    QVERIFY(Await([&](auto done) {
      third.Restore([&, done](bool r, bool) {
        restored = r;
        done();
      });
    }));
    QVERIFY(!restored);
    QCOMPARE(expired.count(), 1);
    other.Read(third.secretKey(), [&](auto v) { stored = v; });
    QVERIFY2(!stored, "a refused refresh token must leave the keychain");
  }

  void wrongPasswordShowsTheApisWords() {
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    std::optional<api::Problem> problem;
    QVERIFY(Await([&](auto done) {
      client.SignIn(email_, QStringLiteral("not-the-password-1"), [&, done](auto, auto p) {
        problem = p;
        done();
      });
    }));
    QVERIFY(problem);
    QCOMPARE(problem->status, 401);
    QVERIFY(!problem->detail.isEmpty());
    QVERIFY(!problem->detail.contains(QStringLiteral("HTTP")));  // the API's detail, not a fallback
    QVERIFY(!client.signedIn());
    QCOMPARE(keychain.size(), 0);
  }

  // Offline is not signed out: the keychain keeps the token and the live socket retries.
  void offlineKeepsTheSession() {
    MemorySecretStore keychain;
    api::ApiClient client(QUrl(QStringLiteral("http://127.0.0.1:9")), &keychain);
    keychain.Write(client.secretKey(), QStringLiteral("a-refresh-token"), [](bool) {});
    QSignalSpy expired(&client, &api::ApiClient::sessionExpired);
    bool restored = true, offline = false;
    QVERIFY(Await([&](auto done) {
      client.Restore([&, done](bool r, bool o) {
        offline = o;
        restored = r;
        done();
      });
    }));
    QVERIFY(!restored);
    QVERIFY(offline);  // said as offline, so the app tries again when the API answers
    QCOMPARE(expired.count(), 0);
    std::optional<QString> stored;
    keychain.Read(client.secretKey(), [&](auto v) { stored = v; });
    QCOMPARE(stored.value_or(QString()), QStringLiteral("a-refresh-token"));
    QString token = QStringLiteral("unset");
    bool signed_out = true;
    QVERIFY(Await([&](auto done) {
      client.FreshToken(true, [&, done](QString t, bool out) {
        token = t;
        signed_out = out;
        done();
      });
    }));
    QVERIFY(token.isEmpty());
    QVERIFY(!signed_out);
  }

  // Signing out while a refresh is on its way: the refresh's answer does not bring the
  // session back, and the keychain stays empty.
  void signOutDuringRefresh() {
    MemorySecretStore keychain;
    api::ApiClient client(base_, &keychain);
    QVERIFY(SignIn(client));
    bool refreshed = false, out_done = false;
    client.FreshToken(true, [&](QString, bool) { refreshed = true; });
    client.SignOut([&] { out_done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(refreshed && out_done, 20000);
    QTest::qWait(200);
    QVERIFY(!client.signedIn());
    QVERIFY(client.accessToken().isEmpty());
    std::optional<QString> stored;
    keychain.Read(client.secretKey(), [&](auto v) { stored = v; });
    QVERIFY2(!stored, "a refresh that answered after sign-out wrote its token back");
  }

  // Sign out and in again while a refresh waits on a slow keychain: the refresh of the old
  // session must not post the old (revoked) token, which would end the new session too.
  void newSessionWhileRefreshWaitsOnTheKeychain() {
    SlowSecretStore keychain;
    api::ApiClient client(base_, &keychain);
    auto sign_in = [&] {
      bool ok = false;
      Await([&](auto done) {
        client.SignIn(email_, password_, [&, done](auto r, auto p) {
          ok = r && !p;
          done();
        });
      });
      return ok;
    };
    QVERIFY(sign_in());
    QTest::qWait(300);  // the token is in the keychain
    bool old_answered = false, old_signed_out = false;
    client.FreshToken(true, [&](QString, bool out) {
      old_answered = true;
      old_signed_out = out;
    });
    bool out_done = false;
    client.SignOut([&] { out_done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(out_done, 20000);
    QVERIFY(sign_in());
    // The new session refreshes at once: its own refresh, not the old one's outcome.
    QString fresh;
    bool fresh_answered = false, fresh_signed_out = true;
    client.FreshToken(true, [&](QString t, bool out) {
      fresh = t;
      fresh_signed_out = out;
      fresh_answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(fresh_answered, 20000);
    QVERIFY2(!fresh.isEmpty() && !fresh_signed_out,
             "the new session's refresh got the old one's ending");
    QTRY_VERIFY_WITH_TIMEOUT(old_answered, 5000);
    QVERIFY(old_signed_out);  // the old session's waiter hears it ended
    QTest::qWait(800);        // anything late has arrived by now
    QVERIFY(client.signedIn());
    const api::Response me = Get(client, "/v1/me");
    QVERIFY(me.status != 0 || me.problem);
    QVERIFY2(me.ok(), qPrintable(me.problem ? me.problem->detail : QString()));
    QCOMPARE(me.json().value("email").toString(), email_);
  }

  // Two copies of the app sharing the keychain (one started before the single-instance
  // guard, or on another system that shares it): each refreshes with the latest token it
  // finds there, so neither presents a rotated one and both stay signed in.
  void twoClientsShareTheKeychain() {
    MemorySecretStore keychain;
    api::ApiClient a(base_, &keychain), b(base_, &keychain);
    QVERIFY(SignIn(a));
    bool restored = false;
    QVERIFY(Await([&](auto done) {
      b.Restore([&, done](bool r, bool) {
        restored = r;
        done();
      });
    }));
    QVERIFY(restored);  // b rotated the token a holds in memory
    for (auto* client : {&a, &b, &a}) {
      client->setAccessTokenForTest(QStringLiteral("expired"));
      const api::Response me = Get(*client, "/v1/me");
      QVERIFY(me.status != 0 || me.problem);
      QVERIFY2(me.ok(), qPrintable(me.problem ? me.problem->detail : QString()));
    }
    QVERIFY(a.signedIn() && b.signedIn());
  }

  void offline() {
    MemorySecretStore keychain;
    api::ApiClient client(QUrl(QStringLiteral("http://127.0.0.1:9")),
                          &keychain);  // discard: nothing listens
    QSignalSpy online(&client, &api::ApiClient::onlineChanged);
    api::Response r;
    QVERIFY(Await([&](auto done) {
      client.Get("/v1/practitioners", {}, [&, done](const api::Response& x) {
        r = x;
        done();
      });
    }));
    QVERIFY(r.problem);
    QCOMPARE(r.problem->code, QStringLiteral("NETWORK"));
    QVERIFY(!client.online());
    QCOMPARE(online.count(), 1);
  }
};

QTEST_GUILESS_MAIN(AppApiTests)
#include "api_tests.moc"
