#pragma once
// Unsolicited answers: what happens to an order's appointment on the platform reaches the
// patient's app — on_update when the visit starts, is completed, is marked a no-show or is
// moved; on_cancel when the clinic cancels — with the network's audit copy, queued with the
// callbacks (worker.h sends them). Fed by the appointment service's events.
#include <vector>

#include "config.h"
#include "healthtech/events/consumer.h"
#include "healthtech/pg/pool.h"

namespace healthtech::uhi {

// The event types this consumes.
std::vector<std::string> UpdateEventTypes();

// In one transaction: each event not handled before, of an order placed through UHI and
// confirmed, becomes a callback (and an audit copy). *queued is set when one was.
absl::Status QueueUpdates(pg::Pool& pool, const Config& config,
                          const std::vector<events::Event>& batch, bool* queued);

}  // namespace healthtech::uhi
