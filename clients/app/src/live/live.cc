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
  heartbeat_.setInterval(30000);
  connect(&poll_, &QTimer::timeout, this, &LiveSocket::poll);
  connect(&retry_, &QTimer::timeout, this, &LiveSocket::Connect);
  connect(&renew_, &QTimer::timeout, this, [this] { Authenticate(true); });
  // A connection that died without a close (a laptop asleep, a dropped network) answers no
  // ping: it is aborted, which reconnects, instead of staying "live" with polling off.
  connect(&heartbeat_, &QTimer::timeout, this, [this] {
    if (!ws_) return;
    if (pong_due_) return ws_->abort();
    pong_due_ = true;
    ws_->ping();
  });
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

void LiveSocket::DropSocket() {
  ++generation_;
  if (!ws_) return;
  ws_->disconnect(this);  // its close must not schedule anything now
  ws_->abort();
  ws_->deleteLater();
  ws_ = nullptr;
}

void LiveSocket::Stop() {
  stopped_ = true;
  poll_.stop();
  retry_.stop();
  renew_.stop();
  heartbeat_.stop();
  DropSocket();
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
  DropSocket();
  ready_once_ = false;
  pong_due_ = false;
  ws_ = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
  connect(ws_, &QWebSocket::connected, this, [this] {
    heartbeat_.start();  // before: Authenticate may stop everything at once (signed out)
    Authenticate(std::exchange(force_token_, false));
  });
  connect(ws_, &QWebSocket::textMessageReceived, this, &LiveSocket::OnText);
  connect(ws_, &QWebSocket::pong, this, [this] { pong_due_ = false; });
  connect(ws_, &QWebSocket::disconnected, this, &LiveSocket::OnClosed);
  ws_->open(url_);
}

void LiveSocket::Authenticate(bool force) {
  const int generation = generation_;
  token_(force, [this, generation](QString token, bool signed_out) {
    if (generation != generation_ || !ws_) return;
    if (token.isEmpty()) {
      if (signed_out) return Stop();
      return ws_->close();  // not now (offline): closed, and tried again with backoff
    }
    const QJsonObject auth{{QStringLiteral("type"), QStringLiteral("auth")},
                           {QStringLiteral("access_token"), token}};
    ws_->sendTextMessage(QString::fromUtf8(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
  });
}

void LiveSocket::OnText(const QString& text) {
  if (sender() != ws_) return;
  const auto frame = ParseFrame(text);
  if (!frame) return;
  if (frame->type == QLatin1String("ready")) {
    attempt_ = 0;
    SetLive(true);
    // A new connection may have missed messages: refetch. A renewal on the same one did not.
    if (!std::exchange(ready_once_, true)) Q_EMIT resync();
    if (frame->expires_at > 0)
      // At least 30 s apart: a clock far ahead of the server's must not renew in a loop.
      renew_.start(static_cast<int>(std::clamp<qint64>(
          RenewDelayMs(frame->expires_at * 1000, QDateTime::currentMSecsSinceEpoch(), 60000), 30000,
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
  if (sender() != ws_ || !ws_) return;
  const int code = ws_->closeCode();
  SetLive(false);
  renew_.stop();
  heartbeat_.stop();
  if (stopped_) return;
  if (code == 4001) {
    // The token expired or was revoked: a fresh one decides (refused → signed out, stop).
    const int generation = generation_;
    token_(true, [this, generation](QString token, bool signed_out) {
      if (generation != generation_ || stopped_) return;
      if (token.isEmpty() && signed_out) return Stop();
      // At once the first time (a token renewed late); backing off if it keeps happening.
      retry_.start(token.isEmpty() || attempt_ > 0 ? BackoffMs(attempt_) : 0);
      ++attempt_;
    });
    return;
  }
  if (code == 1008) force_token_ = true;  // the token was refused: a fresh one next time
  retry_.start(BackoffMs(attempt_++));
}

}  // namespace healthtech::app::live
