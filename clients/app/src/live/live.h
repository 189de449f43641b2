#pragma once
// Live notifications over the BFF's WebSocket (`GET /ws`), as web/src/lib/live.ts:
//   client → {"type":"auth","access_token":"…"} first, and again with a fresh token before
//            the old one expires;
//   server → {"type":"ready","expires_at":<unix s>}, {"type":"notification",…,"unread_count":N},
//            {"type":"unread_count","unread_count":N}, {"type":"resync"};
//   close 4001 (token expired or revoked), 1008 (bad auth), 4029 (too many sessions).
// While the socket is not live the unread count is polled, and the socket is tried again
// with exponential backoff.
#include <functional>
#include <optional>

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

class QWebSocket;

namespace healthtech::app::live {

struct Frame {
  QString type;
  int unread_count = -1;     // -1: not in the frame
  qint64 expires_at = 0;     // unix seconds (ready)
  QJsonObject notification;  // (notification)
};
std::optional<Frame> ParseFrame(const QString& text);
// Reconnect delay after `attempt` failures: 1 s doubling to 60 s.
int BackoffMs(int attempt);
// When to re-authenticate: `before_ms` ahead of the expiry, at least 1 s from now.
qint64 RenewDelayMs(qint64 expires_at_ms, qint64 now_ms, qint64 before_ms);

class LiveSocket : public QObject {
  Q_OBJECT
 public:
  // `token(force, done(token, signed_out))`: a fresh access token; empty with signed_out
  // false when it cannot be had now (offline): the socket tries again later.
  using TokenSource = std::function<void(bool, std::function<void(QString, bool)>)>;
  LiveSocket(QUrl url, TokenSource token, QObject* parent = nullptr);
  ~LiveSocket() override;
  void Start();
  void Stop();
  bool live() const { return live_; }
  int pollMs() const { return poll_.interval(); }
  void setPollMs(int ms) { poll_.setInterval(ms); }

 Q_SIGNALS:
  void liveChanged(bool live);
  void notification(const QJsonObject& notification, int unread_count);
  void unreadCount(int n);
  void resync();
  void poll();  // fetch the unread count (the socket is down)

 private:
  void Connect();
  void OnText(const QString& text);
  void OnClosed();
  void Authenticate(bool force);
  void SetLive(bool live);
  void DropSocket();

  QUrl url_;
  TokenSource token_;
  QWebSocket* ws_ = nullptr;
  QTimer poll_, retry_, renew_, heartbeat_;
  int attempt_ = 0;
  int generation_ = 0;        // one per socket: late callbacks of an old one are ignored
  bool ready_once_ = false;   // this socket authenticated before (a renewal is not a resync)
  bool pong_due_ = false;     // a ping is unanswered
  bool force_token_ = false;  // the server refused the last token (1008)
  bool stopped_ = true;
  bool live_ = false;
};

}  // namespace healthtech::app::live
