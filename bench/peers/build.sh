#!/usr/bin/env bash
# Builds the benchmark's peer products from the Go module proxy into a cache; nothing of their
# source is kept in this repository. Usage: bench/peers/build.sh [telegraf|benthos]... (default both)
# Prints nothing but progress on stderr; the binaries land in
#   ${SLUICE_CACHE:-$HOME/.cache/sluice}/peers/telegraf-<version>/telegraf
#   ${SLUICE_CACHE:-$HOME/.cache/sluice}/peers/benthos-<version>/benthos
# A binary already there is kept (delete the folder to rebuild).
set -euo pipefail

TELEGRAF_VERSION="${TELEGRAF_VERSION:-v1.37.2}"
BENTHOS_VERSION="${BENTHOS_VERSION:-v4.27.0}"
# the plugins the benchmark configures (bench/peers/telegraf.*.conf), as Telegraf's custom-build tags
TELEGRAF_TAGS="custom,inputs.mqtt_consumer,outputs.file,outputs.kafka,outputs.influxdb,parsers.value,serializers.influx"
CACHE="${SLUICE_CACHE:-$HOME/.cache/sluice}/peers"
mkdir -p "$CACHE"

log() { echo "[peers] $*" >&2; }

build_telegraf() {
  local dir="$CACHE/telegraf-$TELEGRAF_VERSION"
  [[ -x "$dir/telegraf" ]] && { log "telegraf $TELEGRAF_VERSION cached at $dir/telegraf"; return; }
  log "building telegraf $TELEGRAF_VERSION (tags $TELEGRAF_TAGS); this takes several minutes"
  local tmp; tmp="$(mktemp -d)"
  # the module's source comes from the module cache; a throwaway module asks the proxy for it
  (cd "$tmp" && go mod init peers-telegraf >/dev/null 2>&1 && go mod download -json "github.com/influxdata/telegraf@$TELEGRAF_VERSION" >"$tmp/dl.json")
  local src; src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$tmp/dl.json")"
  [[ -d "$src" ]] || { log "telegraf source not found in the module cache"; exit 1; }
  mkdir -p "$dir"
  (cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -tags "$TELEGRAF_TAGS" -ldflags "-s -w -X github.com/influxdata/telegraf/internal.Version=${TELEGRAF_VERSION#v}" -o "$dir/telegraf.part" ./cmd/telegraf)
  mv "$dir/telegraf.part" "$dir/telegraf"
  rm -rf "$tmp"
  log "telegraf built: $dir/telegraf"
}

build_benthos() {
  local dir="$CACHE/benthos-$BENTHOS_VERSION"
  [[ -x "$dir/benthos" ]] && { log "benthos $BENTHOS_VERSION cached at $dir/benthos"; return; }
  log "building benthos $BENTHOS_VERSION (mqtt, kafka, io, pure components); this takes several minutes"
  local tmp; tmp="$(mktemp -d)"
  cat >"$tmp/main.go" <<'GO'
package main

import (
	"context"

	"github.com/benthosdev/benthos/v4/public/service"

	_ "github.com/benthosdev/benthos/v4/public/components/io"
	_ "github.com/benthosdev/benthos/v4/public/components/kafka"
	_ "github.com/benthosdev/benthos/v4/public/components/mqtt"
	_ "github.com/benthosdev/benthos/v4/public/components/pure"
)

func main() { service.RunCLI(context.Background()) }
GO
  (cd "$tmp" && go mod init peers-benthos >/dev/null 2>&1 \
    && go get "github.com/benthosdev/benthos/v4@$BENTHOS_VERSION" >/dev/null 2>&1 \
    && go mod tidy >/dev/null 2>&1 \
    && mkdir -p "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dir/benthos.part" .)
  mv "$dir/benthos.part" "$dir/benthos"
  rm -rf "$tmp"
  log "benthos built: $dir/benthos"
}

targets=("$@"); [[ ${#targets[@]} -eq 0 ]] && targets=(telegraf benthos)
for t in "${targets[@]}"; do
  case "$t" in
    telegraf) build_telegraf ;;
    benthos) build_benthos ;;
    *) log "unknown peer '$t' (telegraf or benthos)"; exit 2 ;;
  esac
done
