#include "live/live.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonDocument>
#include <QWebSocket>

namespace healthtech::app::live {

std::optional<Frame> ParseFrame(const QString& text) {
  QJsonParseError err{};
  const auto doc = QJsonDocument::fromJson(text.toUtf8(), &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject()) return std::nullopt;
  const auto o = doc.object();
  if (!o.value(QLatin1String("type")).isString()) return std::nullopt;
  Frame f;
  f.type = o.value(QLatin1String("type")).toString();
  if (o.contains(QLatin1String("unread_count")))
    f.unread_count = o.value(QLatin1String("unread_count")).toInt(-1);
  f.expires_at = o.value(QLatin1String("expires_at")).toInteger();
  f.notification = o.value(QLatin1String("notification")).toObject();
  return f;
}

int BackoffMs(int attempt) { return std::min(60000, 1000 << std::clamp(attempt, 0, 6)); }

qint64 RenewDelayMs(qint64 expires_at_ms, qint64 now_ms, qint64 before_ms) {
  return std::max<qint64>(1000, expires_at_ms - now_ms - before_ms);
}

LiveSocket::LiveSocket(QUrl url, TokenSource token, QObject* parent)
    : QObject(parent), url_(std::move(url)), token_(std::move(token)) {
  poll_.setInterval(15000);
  retry_.setSingleShot(true);
  renew_.setSingleShot(true);
  connect(&poll_, &QTimer::timeout, this, &LiveSocket::poll);
  connect(&retry_, &QTimer::timeout, this, &LiveSocket::Connect);
  connect(&renew_, &QTimer::timeout, this, [this] { Authenticate(true); });
}

LiveSocket::~LiveSocket() { Stop(); }

void LiveSocket::Start() {
  if (!stopped_) return;
  stopped_ = false;
  attempt_ = 0;
  poll_.start();
  Q_EMIT poll();
  Connect();
}

void LiveSocket::Stop() {
  stopped_ = true;
  poll_.stop();
  retry_.stop();
  renew_.stop();
  if (ws_) {
    ws_->disconnect(this);
    ws_->close();
    ws_->deleteLater();
    ws_ = nullptr;
  }
  SetLive(false);
}

void LiveSocket::SetLive(bool live) {
  if (live_ == live) return;
  live_ = live;
  if (live)
    poll_.stop();
  else if (!stopped_)
    poll_.start();
  Q_EMIT liveChanged(live);
}

void LiveSocket::Connect() {
  if (stopped_) return;
  if (ws_) ws_->deleteLater();
  ws_ = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
  connect(ws_, &QWebSocket::connected, this, [this] { Authenticate(false); });
  connect(ws_, &QWebSocket::textMessageReceived, this, &LiveSocket::OnText);
  connect(ws_, &QWebSocket::disconnected, this, &LiveSocket::OnClosed);
  ws_->open(url_);
}

void LiveSocket::Authenticate(bool force) {
  token_(force, [this, socket = ws_](QString token) {
    if (socket != ws_ || !ws_) return;
    if (token.isEmpty()) return Stop();  // signed out
    const QJsonObject auth{{QStringLiteral("type"), QStringLiteral("auth")},
                           {QStringLiteral("access_token"), token}};
    ws_->sendTextMessage(QString::fromUtf8(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
  });
}

void LiveSocket::OnText(const QString& text) {
  const auto frame = ParseFrame(text);
  if (!frame) return;
  if (frame->type == QLatin1String("ready")) {
    attempt_ = 0;
    SetLive(true);
    Q_EMIT resync();  // (re)connected: refetch what may have been missed
    if (frame->expires_at > 0)
      renew_.start(static_cast<int>(std::min<qint64>(
          RenewDelayMs(frame->expires_at * 1000, QDateTime::currentMSecsSinceEpoch(), 60000),
          24 * 3600 * 1000)));
  } else if (frame->type == QLatin1String("notification")) {
    Q_EMIT notification(frame->notification, frame->unread_count);
  } else if (frame->type == QLatin1String("unread_count") && frame->unread_count >= 0) {
    Q_EMIT unreadCount(frame->unread_count);
  } else if (frame->type == QLatin1String("resync")) {
    Q_EMIT resync();
  }
}

void LiveSocket::OnClosed() {
  const int code = ws_ ? ws_->closeCode() : 0;
  SetLive(false);
  renew_.stop();
  if (stopped_) return;
  if (code == 4001) {
    // The token expired or was revoked: a fresh one decides (none → signed out, stop).
    token_(true, [this](QString token) {
      if (token.isEmpty()) return Stop();
      retry_.start(0);
    });
    return;
  }
  retry_.start(BackoffMs(attempt_++));
}

}  // namespace healthtech::app::live
