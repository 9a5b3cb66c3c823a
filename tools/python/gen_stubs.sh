#!/bin/sh
# Generates the Python stubs of sluice.v1 into OUT_DIR (default build/python)
# with Debian's protoc and grpc_python_plugin. Usage: gen_stubs.sh [OUT_DIR]
set -eu
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/build/python}"
mkdir -p "$OUT"
protoc -I "$ROOT/proto" --python_out="$OUT" --grpc_python_out="$OUT" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  "$ROOT/proto/sluice/v1/scheduler.proto"
echo "$OUT"
