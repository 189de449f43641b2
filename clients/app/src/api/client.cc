#include "api/client.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSysInfo>
#include <QTimer>

#include "session/secret_store.h"

namespace healthtech::app::api {

QJsonObject Response::json() const { return QJsonDocument::fromJson(body).object(); }

ApiClient::ApiClient(QUrl base, SecretStore* secrets, QObject* parent)
    : QObject(parent),
      base_(std::move(base)),
      secrets_(secrets),
      nam_(new QNetworkAccessManager(this)) {
  nam_->setTransferTimeout(30000);
}

QUrl ApiClient::liveUrl() const {
  QUrl u = base_;
  u.setScheme(base_.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                       : QStringLiteral("ws"));
  u.setPath(QStringLiteral("/ws"));
  return u;
}

QString ApiClient::secretKey() const {
  return QStringLiteral("refresh_token@") + base_.host() + QLatin1Char(':') +
         QString::number(base_.port(base_.scheme() == QLatin1String("https") ? 443 : 80));
}

void ApiClient::SetOnline(bool online) {
  if (online_ == online) return;
  online_ = online;
  Q_EMIT onlineChanged();
}

void ApiClient::Send(const QByteArray& method, const QString& path, const QUrlQuery& query,
                     const std::optional<QJsonObject>& body, Callback done, CallOptions opts) {
  auto send = [this, method, path, query, body, opts](Callback cb, bool retried,
                                                      auto&& self) -> void {
    QUrl url = base_;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest req(url);
    req.setRawHeader("Accept", "application/json");
    // Named in "new sign-in" emails: "HealthTech-App on Linux", not "a web browser".
    static const QByteArray agent =
        QByteArrayLiteral("HealthTech-App/" HEALTHTECH_APP_VERSION " (") +
        QSysInfo::prettyProductName().toUtf8() + QByteArrayLiteral("; Qt ") + qVersion() + ')';
    req.setHeader(QNetworkRequest::UserAgentHeader, agent);
    const QString token = access_;
    const int generation = generation_;
    if (!token.isEmpty() && !opts.anonymous)
      req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    if (!opts.idempotency_key.isEmpty())
      req.setRawHeader("Idempotency-Key", opts.idempotency_key.toUtf8());
    QByteArray payload;
    if (body) {
      payload = QJsonDocument(*body).toJson(QJsonDocument::Compact);
      req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    }
    QNetworkReply* reply = nam_->sendCustomRequest(req, method, payload);
    connect(
        reply, &QNetworkReply::finished, this,
        [this, reply, cb = std::move(cb), retried, token, generation, opts, self]() mutable {
          reply->deleteLater();
          Response r;
          r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
          r.body = reply->readAll();
          if (r.status == 0) {  // not reached: offline, refused, timed out
            SetOnline(false);
            r.problem = Problem::Network();
            return cb(r);
          }
          SetOnline(true);
          // Sent in a session that has ended since: never replayed in another person's.
          if (r.status == 401 && !retried && !opts.anonymous && !refresh_.isEmpty() &&
              generation == generation_) {
            // Sent with a token another call has replaced meanwhile: send it again.
            if (!access_.isEmpty() && access_ != token) return self(std::move(cb), true, self);
            return Refresh([cb = std::move(cb), self, r](RefreshOutcome o) mutable {
              if (o == RefreshOutcome::kRefreshed) return self(std::move(cb), true, self);
              Response failed;
              if (o ==
                  RefreshOutcome::kUnavailable) {  // the session stands; the API is not reachable
                failed.problem = Problem::Network();
              } else {
                failed.status = 401;
                failed.problem = Problem{401,
                                         QStringLiteral("UNAUTHENTICATED"),
                                         QStringLiteral("Your session has ended. Sign in again."),
                                         {}};
              }
              cb(failed);
            });
          }
          if (r.status >= 400) r.problem = Problem::From(r.status, r.body);
          cb(r);
        });
  };
  send(std::move(done), false, send);
}

void ApiClient::SignIn(
    const QString& email, const QString& password,
    std::function<void(std::optional<LoginResult>, std::optional<Problem>)> done) {
  QJsonObject body{{f::loginreq_email.name, email}, {f::loginreq_password.name, password}};
  Post(
      QStringLiteral("/v1/auth/login"), body,
      [this, done = std::move(done)](const Response& r) {
        if (!r.ok()) return done(std::nullopt, r.problem);
        const auto result = LoginResult::From(r.json());
        if (!result.mfa_required) {
          CancelRefresh();  // a new session: nothing of an earlier one's refresh applies
          StartSession(result);
        }
        done(result, std::nullopt);
      },
      CallOptions{{}, true});
}

void ApiClient::VerifyMfa(const QString& mfa_token, const QString& code, bool recovery,
                          std::function<void(std::optional<Problem>)> done) {
  QJsonObject body{{f::mfareq_token.name, mfa_token},
                   {recovery ? f::mfareq_recovery_code.name : f::mfareq_code.name, code.trimmed()}};
  Post(
      QStringLiteral("/v1/auth/mfa/verify"), body,
      [this, done = std::move(done)](const Response& r) {
        if (!r.ok()) return done(r.problem);
        CancelRefresh();
        StartSession(LoginResult::From(r.json()));
        done(std::nullopt);
      },
      CallOptions{{}, true});
}

void ApiClient::StartSession(const LoginResult& r) {
  access_ = r.access_token;
  refresh_ = r.refresh_token;
  access_expiry_ = QDateTime::currentDateTimeUtc().addSecs(r.expires_in > 0 ? r.expires_in : 300);
  secrets_->Write(secretKey(), refresh_, [](bool) {});
  Q_EMIT signedInChanged();
}

// A refresh on its way belongs to a session that is over: its waiters hear "refused" now
// (queued, never re-entrantly) and its answer, when it comes, changes nothing.
void ApiClient::CancelRefresh() {
  ++generation_;
  if (!refreshing_) return;
  refreshing_ = false;
  const auto waiters = std::exchange(refresh_waiters_, {});
  QTimer::singleShot(0, this, [waiters] {
    for (const auto& w : waiters) w(RefreshOutcome::kRefused);
  });
}

void ApiClient::EndSession() {
  const bool was = signedIn();
  CancelRefresh();
  access_.clear();
  refresh_.clear();
  access_expiry_ = {};
  secrets_->Remove(secretKey(), [] {});
  if (was) Q_EMIT signedInChanged();
}

void ApiClient::Restore(std::function<void(bool, bool)> done) {
  secrets_->Read(secretKey(), [this, done = std::move(done)](std::optional<QString> token) {
    if (!token || token->isEmpty()) return done(false, false);
    refresh_ = *token;
    Refresh([this, done](RefreshOutcome o) {
      done(o == RefreshOutcome::kRefreshed && signedIn(), o == RefreshOutcome::kUnavailable);
    });
  });
}

void ApiClient::Refresh(std::function<void(RefreshOutcome)> done) {
  refresh_waiters_ << std::move(done);
  if (refreshing_) return;
  refreshing_ = true;
  const int generation = generation_;
  auto finish = [this](RefreshOutcome o) {
    refreshing_ = false;
    const auto waiters = std::exchange(refresh_waiters_, {});
    for (const auto& w : waiters) w(o);
  };
  // Another instance of the app may have rotated the token since: the keychain has the latest
  // (presenting a rotated one would look like theft to IAM and end every session).
  secrets_->Read(secretKey(), [this, generation, finish](std::optional<QString> stored) {
    if (generation != generation_) return;  // cancelled: its waiters were answered
    if (stored && !stored->isEmpty()) refresh_ = *stored;
    if (refresh_.isEmpty()) return finish(RefreshOutcome::kRefused);
    const QJsonObject body{{f::refreshreq_token.name, refresh_}};
    Post(
        QStringLiteral("/v1/auth/refresh"), body,
        [this, generation, finish](const Response& r) {
          if (generation != generation_) return;  // cancelled (signed out, or a new session)
          if (r.ok()) {
            const auto result = LoginResult::From(r.json());
            if (!result.access_token.isEmpty()) {
              StartSession(result);
              return finish(RefreshOutcome::kRefreshed);
            }
          }
          if (r.status == 400 || r.status == 401) {
            // Only a definite refusal ends the session; a network error or a 5xx keeps it.
            EndSession();
            Q_EMIT sessionExpired();
            return finish(RefreshOutcome::kRefused);
          }
          finish(RefreshOutcome::kUnavailable);
        },
        CallOptions{{}, true});
  });
}

void ApiClient::FreshToken(bool force, std::function<void(QString, bool)> done) {
  const bool soon =
      !access_expiry_.isValid() || QDateTime::currentDateTimeUtc().secsTo(access_expiry_) < 60;
  if (!force && !soon && !access_.isEmpty()) return done(access_, false);
  if (refresh_.isEmpty()) return done(access_, access_.isEmpty());
  Refresh([this, done = std::move(done)](RefreshOutcome o) {
    done(o == RefreshOutcome::kRefreshed ? access_ : QString(), o == RefreshOutcome::kRefused);
  });
}

void ApiClient::SignOut(std::function<void()> done) {
  const QString token = refresh_;
  EndSession();  // at once: nothing in flight brings it back
  if (token.isEmpty()) return done();
  // Revoke it (the route is public: no access token, which may have expired).
  const QJsonObject body{{f::logoutreq_token.name, token}};
  Post(
      QStringLiteral("/v1/auth/logout"), body,
      [done = std::move(done)](const Response&) { done(); }, CallOptions{{}, true});
}

}  // namespace healthtech::app::api
