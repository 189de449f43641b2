#pragma once
// The service's own metrics, registered once and shared by the consumer and the workers.
#include "healthtech/metrics/metrics.h"

namespace healthtech::notification {

struct Counters {
  metrics::Family<metrics::Counter>* deliveries = nullptr;    // {channel, outcome}
  metrics::Family<metrics::Gauge>* circuit_open = nullptr;    // {provider}
  metrics::Family<metrics::Counter>* events = nullptr;        // {type}
  metrics::Family<metrics::Counter>* dead_letters = nullptr;  // {stream}

  static Counters Register(metrics::Registry* registry) {
    Counters c;
    c.deliveries = &registry->AddCounter("notification_deliveries_total",
                                         "Delivery attempts and decisions by channel and outcome",
                                         {"channel", "outcome"});
    c.circuit_open =
        &registry->AddGauge("notification_provider_circuit_open",
                            "1 while the provider's circuit breaker is open", {"provider"});
    c.events =
        &registry->AddCounter("notification_events_total", "Events consumed by type", {"type"});
    c.dead_letters = &registry->AddCounter(
        "notification_events_dead_lettered_total",
        "Events acknowledged unhandled after repeated failures (see the log)", {"stream"});
    return c;
  }
};

}  // namespace healthtech::notification
