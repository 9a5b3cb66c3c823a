"""A small Python client for sluiced's gRPC API (sluice.v1.Scheduler).

Quant and research teams drive workflows from Python; this module submits a
workflow's pods to the Sluice sidecar and follows their lifecycle events.

The stubs are generated from proto/sluice/v1/scheduler.proto with Debian's
protoc and grpc_python_plugin (see generate_stubs below, or `tools/python/
gen_stubs.sh OUT_DIR`); put OUT_DIR on sys.path (or PYTHONPATH) before
importing this module. Needs python3-grpcio and python3-protobuf.

    client = SluiceClient("unix:///var/run/sluice/sluice.sock")
    results = client.submit(pods, workflow_uid=uid, workflow_name="backtest-x7k2p")
    for event in client.watch(workflow_uid=uid):
        ...
"""

import json
import os
import subprocess
import uuid

import grpc

from sluice.v1 import scheduler_pb2
from sluice.v1 import scheduler_pb2_grpc


def generate_stubs(proto_root, out_dir):
    """Writes sluice/v1/scheduler_pb2*.py under out_dir with protoc."""
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run(
        ["protoc", "-I", proto_root, "--python_out=" + out_dir,
         "--grpc_python_out=" + out_dir,
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         os.path.join(proto_root, "sluice", "v1", "scheduler.proto")],
        check=True)


class IntentResult:
    """One intent's answer: code (ACCEPTED, DUPLICATE, REJECTED,
    RESOURCE_EXHAUSTED), and for a rejection the field and the reason."""

    def __init__(self, name, result):
        self.name = name
        self.code = scheduler_pb2.IntentResult.Code.Name(result.code)
        self.field = result.field
        self.reason = result.reason

    def __repr__(self):
        if self.code == "REJECTED":
            return "%s: REJECTED %s: %s" % (self.name, self.field, self.reason)
        return "%s: %s" % (self.name, self.code)


class SluiceClient:
    """A connection to one sluiced. Thread-compatible."""

    def __init__(self, address, timeout=30.0):
        self._channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", 64 << 20)])
        self._stub = scheduler_pb2_grpc.SchedulerStub(self._channel)
        self._timeout = timeout

    def close(self):
        self._channel.close()

    def status(self):
        """GetStatus: queue depth, budget, intents by state, epoch."""
        return self._stub.GetStatus(scheduler_pb2.GetStatusRequest(),
                                    timeout=self._timeout)

    def submit(self, pods, workflow_uid, workflow_name, workflow_namespace="",
               priority=0, cost_labels=None, batch_size=1000):
        """Submits pods (dicts in Kubernetes' Pod JSON shape, each with
        metadata.name and metadata.namespace) as one workflow's intents over
        one Submit stream, in batches. Returns an IntentResult per pod, in
        order. Intents refused for want of queue room (RESOURCE_EXHAUSTED)
        are for the caller to resubmit later."""
        requests = []
        names = []
        for start in range(0, len(pods), batch_size):
            request = scheduler_pb2.SubmitRequest(batch_id=start)
            for pod in pods[start:start + batch_size]:
                meta = pod.get("metadata", {})
                intent = request.intents.add()
                intent.namespace = meta.get("namespace", "")
                intent.name = meta.get("name", "")
                intent.workflow.uid = workflow_uid
                intent.workflow.name = workflow_name
                intent.workflow.namespace = workflow_namespace or intent.namespace
                intent.priority = priority
                for key, value in (cost_labels or {}).items():
                    intent.cost_labels[key] = value
                intent.pod_json = json.dumps(pod, separators=(",", ":"))
                names.append("%s/%s" % (intent.namespace, intent.name))
            requests.append(request)
        results = []
        for response in self._stub.Submit(iter(requests), timeout=self._timeout):
            for result in response.results:
                results.append(IntentResult(names[len(results)], result))
        return results

    def watch(self, workflow_uid="", after_sequence=0):
        """Yields PodEvents (type, pod, reason, message, pool, ...) as they
        come, until the caller stops iterating or the stream ends."""
        request = scheduler_pb2.WatchEventsRequest(
            workflow_uid=workflow_uid, after_sequence=after_sequence)
        for response in self._stub.WatchEvents(request):
            for event in response.events:
                yield event

    def cancel_workflow(self, workflow_uid):
        return self._stub.Cancel(
            scheduler_pb2.CancelRequest(workflow_uid=workflow_uid),
            timeout=self._timeout)


def event_type_name(event):
    """'CREATED', 'RUNNING', 'SUCCEEDED', ... for a PodEvent."""
    return scheduler_pb2.EventType.Name(event.type).replace("EVENT_TYPE_", "")


def new_workflow_uid():
    return str(uuid.uuid4())
