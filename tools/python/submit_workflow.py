#!/usr/bin/python3
"""Submits a backtest workflow (one pod per stock) to sluiced and follows it.

    /usr/bin/python3 tools/python/submit_workflow.py --stubs build/python \
        --address unix:///var/run/sluice/sluice.sock --namespace quant \
        --symbols AAPL,MSFT,NVDA --wait created

Prints one line per intent that was not accepted (with the field and the
reason for a rejection), then the lifecycle counts; exits 0 when every pod
reached --wait (created or finished), 1 otherwise.
"""

import argparse
import collections
import os
import sys
import threading
import time


def backtest_pod(namespace, workflow, symbol, image):
    name = "%s-%s" % (workflow, symbol.lower().replace(".", "-"))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app": "backtest", "symbol": symbol.lower().replace(".", "-")},
        },
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "main",
                "image": image,
                "args": ["--symbol", symbol, "--from", "2015-01-01"],
                "resources": {"requests": {"cpu": "500m", "memory": "1Gi"},
                              "limits": {"cpu": "1", "memory": "2Gi"}},
            }],
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get(
        "SLUICE_ADDRESS", "unix:///var/run/sluice/sluice.sock"))
    parser.add_argument("--stubs", help="directory holding sluice/v1/scheduler_pb2*.py")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--workflow", default="backtest")
    parser.add_argument("--symbols", required=True, help="comma-separated stock symbols")
    parser.add_argument("--image", default="ghcr.io/example/backtest:1.0")
    parser.add_argument("--wait", choices=["none", "created", "finished"], default="created")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.stubs:
        sys.path.insert(0, args.stubs)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sluice_client  # after the stubs are on the path

    client = sluice_client.SluiceClient(args.address)
    uid = sluice_client.new_workflow_uid()
    pods = [backtest_pod(args.namespace, args.workflow, s, args.image)
            for s in args.symbols.split(",") if s]

    # Follow the workflow's events from before the first submit.
    counts = collections.Counter()
    reached = set()  # pods that reached --wait
    ended = set()    # pods that ended another way (the reason is printed)
    expected = set()
    lock = threading.Lock()
    done = threading.Event()
    wanted = {"created": "CREATED", "finished": "SUCCEEDED"}.get(args.wait)
    terminal = {"SUCCEEDED", "FAILED", "CREATE_FAILED", "CANCELLED", "DELETED", "PREEMPTED"}

    def check_done():
        if expected and expected <= (reached | ended):
            done.set()

    def follow():
        try:
            for event in client.watch(workflow_uid=uid):
                kind = sluice_client.event_type_name(event)
                key = "%s/%s" % (event.pod.namespace, event.pod.name)
                with lock:
                    counts[kind] += 1
                    if kind == wanted:
                        reached.add(key)
                    elif kind in terminal and key not in reached:
                        print("%s: %s %s %s" % (key, kind, event.reason, event.message))
                        ended.add(key)
                    check_done()
                if done.is_set():
                    return
        except Exception:  # the stream ends when the channel closes
            done.set()

    if wanted:
        # Events are sent from the moment the stream is registered: wait for
        # that before submitting, so that none is missed.
        streams = client.status().watch_streams
        threading.Thread(target=follow, daemon=True).start()
        for _ in range(500):
            if client.status().watch_streams > streams:
                break
            time.sleep(0.01)

    results = client.submit(pods, workflow_uid=uid, workflow_name=args.workflow)
    accepted = [r.name for r in results if r.code in ("ACCEPTED", "DUPLICATE")]
    for r in results:
        if r.code not in ("ACCEPTED", "DUPLICATE"):
            print(r)
    print("workflow %s (%s): %d pods, %d accepted" % (args.workflow, uid, len(pods), len(accepted)))
    ok = len(accepted) == len(pods)
    if wanted:
        with lock:
            expected.update(accepted)
            check_done()
        if not done.wait(args.timeout):
            print("timed out waiting for every pod to be %s" % args.wait)
        with lock:
            print("%d of %d pods %s; events: %s" % (
                len(reached & expected), len(expected), args.wait,
                ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
            ok = ok and expected <= reached
    client.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
