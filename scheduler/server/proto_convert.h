#ifndef SLUICE_SCHEDULER_SERVER_PROTO_CONVERT_H_
#define SLUICE_SCHEDULER_SERVER_PROTO_CONVERT_H_

#include <cstdint>

#include "scheduler/engine/engine.h"
#include "scheduler/engine/intent.h"
#include "scheduler/engine/pod_event.h"
#include "scheduler/server/event_log.h"
#include "sluice/v1/scheduler.pb.h"

namespace sluice {

// Conversions between the engine's types and the API's messages.
v1::IntentState ToProto(IntentState state);
v1::EventType ToProto(PodEventType type);
void ToProto(const SequencedEvent& event, uint64_t epoch, v1::PodEvent* out);
void ToProto(const EngineStatus& status, v1::GetStatusResponse* out);
// Reads pool state through the trackers: engine thread.
void ToProto(const Engine::CapacityStatus& capacity, v1::GetCapacityResponse* out);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_PROTO_CONVERT_H_
