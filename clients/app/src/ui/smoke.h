#pragma once
// The smoke mode (`--smoke OUTDIR`): signs in with HEALTHTECH_SMOKE_EMAIL/PASSWORD, walks
// search → a free practitioner → a week of free times → booking → appointments →
// notifications through the real screens, writes one PNG per screen, prints the id of the
// appointment it booked and exits 0 (non-zero with the reason on any failure). With
// HEALTHTECH_SMOKE_PRACTITIONER_EMAIL/PASSWORD (the booked practitioner's account) it then
// signs in as the practitioner, finds the booking on their schedule with the patient's name
// and checks the patient in. A QML warning on the way fails the run, as a console error
// fails the browser tests.
#include <functional>

#include <QObject>
#include <QString>

class QQmlApplicationEngine;
class QQuickWindow;

namespace healthtech::app {
class Controller;

class Smoke : public QObject {
  Q_OBJECT
 public:
  Smoke(Controller* app, QQmlApplicationEngine* engine, QString outdir, QObject* parent = nullptr);
  void Run();
  // Installs a message handler that records QML warnings (call before loading the screens).
  static void CatchQmlWarnings();

 private:
  using Step = std::function<void()>;
  void WhenIdle(const QString& what, Step next, int waited_ms = 0, bool error_ok = false);
  void Book(int nth);
  void Booked();
  bool Shot(const QString& name);
  void Fail(const QString& why);
  void PickPractitioner();
  void WeekLoaded(int shifted);
  void Practitioner(const QString& appointment_id);
  void Finish(const QString& appointment_id);
  QQuickWindow* Window() const;

  Controller* app_;
  QQmlApplicationEngine* engine_;
  QString outdir_;
};

}  // namespace healthtech::app
