#pragma once
// The REST client: JSON in and out, the access token on every call, one refresh at a time
// (shared by concurrent calls) when the token expired or is about to, the refresh token in
// the keychain, and the API's problem details as errors. Like web/src/api/client.ts, for a
// native client: tokens travel in bodies (no cookie session).
#include <functional>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include "api/model.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace healthtech::app {
class SecretStore;
}

namespace healthtech::app::api {

struct Response {
  int status = 0;
  QByteArray body;
  std::optional<Problem> problem;  // set when the call failed (HTTP >= 400 or not reached)
  bool ok() const { return !problem.has_value(); }
  QJsonObject json() const;
};

struct CallOptions {
  QString idempotency_key;  // sent as Idempotency-Key (the same on every retry)
  bool anonymous = false;   // without the access token, and no refresh on 401
};

class ApiClient : public QObject {
  Q_OBJECT
 public:
  using Callback = std::function<void(const Response&)>;

  ApiClient(QUrl base, SecretStore* secrets, QObject* parent = nullptr);

  QUrl base() const { return base_; }
  // The WebSocket URL of the same origin (http→ws, https→wss).
  QUrl liveUrl() const;

  void Send(const QByteArray& method, const QString& path, const QUrlQuery& query,
            const std::optional<QJsonObject>& body, Callback done, CallOptions opts);
  void Get(const QString& path, const QUrlQuery& query, Callback done) {
    Send("GET", path, query, std::nullopt, std::move(done), {});
  }
  void Post(const QString& path, const QJsonObject& body, Callback done, CallOptions opts = {}) {
    Send("POST", path, {}, body, std::move(done), std::move(opts));
  }

  // Sign-in: done(result, problem). On success without MFA the session is started (and the
  // refresh token written to the keychain).
  void SignIn(const QString& email, const QString& password,
              std::function<void(std::optional<LoginResult>, std::optional<Problem>)> done);
  // The second step: a TOTP code or a recovery code.
  void VerifyMfa(const QString& mfa_token, const QString& code, bool recovery,
                 std::function<void(std::optional<Problem>)> done);
  // A session from the keychain's refresh token, if there is one: done(signed_in, offline);
  // offline: the API could not be reached and the token is kept (try again when online).
  void Restore(std::function<void(bool, bool)> done);
  // Revokes the refresh token (best effort) and forgets the session.
  void SignOut(std::function<void()> done);

  bool signedIn() const { return !access_.isEmpty(); }
  QString accessToken() const { return access_; }
  QDateTime accessExpiry() const { return access_expiry_; }
  bool online() const { return online_; }
  // A fresh access token (refreshing if it expires within a minute, or always if `force`).
  // done(token, signed_out): an empty token with signed_out false is a passing failure
  // (offline, 5xx): try again later.
  void FreshToken(bool force, std::function<void(QString, bool)> done);

  // For tests: the stored refresh token's key, and replacing the access token.
  QString secretKey() const;
  void setAccessTokenForTest(const QString& t) { access_ = t; }

 Q_SIGNALS:
  void signedInChanged();
  void onlineChanged();
  // The server refused the refresh token: the person must sign in again.
  void sessionExpired();

 private:
  void StartSession(const LoginResult& r);
  enum class RefreshOutcome { kRefreshed, kRefused, kUnavailable };
  void Refresh(std::function<void(RefreshOutcome)> done);
  void EndSession();
  void CancelRefresh();
  void SetOnline(bool online);

  QUrl base_;
  SecretStore* secrets_;
  QNetworkAccessManager* nam_;
  QString access_, refresh_;
  QDateTime access_expiry_;
  bool online_ = true;
  bool refreshing_ = false;
  QList<std::function<void(RefreshOutcome)>> refresh_waiters_;
  int generation_ = 0;  // bumped when a session ends
};

}  // namespace healthtech::app::api
