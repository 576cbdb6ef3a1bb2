#!/usr/bin/env bash
# Installs the real servers used by Sluice's integration tests.
#
#   scripts/services/install.sh [mosquitto|clickhouse|victoriametrics|influxdb|postgres|mariadb|kafka|redis|rabbitmq|cassandra|pulsar|s3proxy|ferretdb|opensearch|openssl|chromium ...]
#
# A name is dispatched to the function install_<name> (`-` written `_`): adding a server is adding
# its function. With no names, installs all of them (schemathesis: the API fuzzer, from PyPI into a venv). Idempotent: a service whose binary (or,
# for Kafka, whose complete jar directory) is already present is skipped.
#
# Debian packages are installed with apt (as root, or through sudo), with a
# temporary policy-rc.d that stops the packages' own system services from
# starting and grabbing default ports; tests always start their own instances
# on free loopback ports.
#
# Kafka has no Debian package: the broker jars (org.apache.kafka:kafka_2.13)
# and their runtime dependencies are fetched from Maven Central with Maven into
#   ${SLUICE_CACHE:-$HOME/.cache/sluice}/kafka-${SLUICE_KAFKA_VERSION:-3.9.2}/libs
set -euo pipefail

KAFKA_VERSION="${SLUICE_KAFKA_VERSION:-3.9.2}"
SLF4J_VERSION="1.7.36"     # the slf4j-api version kafka 3.9 depends on
RELOAD4J_VERSION="1.2.25"  # what the Kafka 3.9 distribution ships as its log4j
CACHE_DIR="${SLUICE_CACHE:-$HOME/.cache/sluice}"
SCHEMATHESIS_VERSION="${SLUICE_SCHEMATHESIS_VERSION:-4.32.5}"
FERRETDB_VERSION="${SLUICE_FERRETDB_VERSION:-v1.24.2}"

log() { echo "[sluice-install] $*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo -n); fi

APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq >&2
    APT_UPDATED=1
  fi
}

# Keep package maintainer scripts from starting system services (and so from
# grabbing 1883, 8123/9000, 8086, 8428): while apt runs, /usr/sbin/policy-rc.d
# denies every start (101). Any existing one is set aside and put back after,
# even if we are interrupted.
PRC=/usr/sbin/policy-rc.d
PRC_OURS=0
PRC_SAVED=0
restore_policy_rc() {
  if [ "$PRC_OURS" -eq 1 ]; then "${SUDO[@]}" rm -f "$PRC"; PRC_OURS=0; fi
  if [ "$PRC_SAVED" -eq 1 ]; then "${SUDO[@]}" mv -f "$PRC.sluice-saved" "$PRC"; PRC_SAVED=0; fi
}
trap restore_policy_rc EXIT
deny_service_starts() {
  if [ -e "$PRC" ]; then "${SUDO[@]}" mv -f "$PRC" "$PRC.sluice-saved"; PRC_SAVED=1; fi
  printf '#!/bin/sh\n# temporary, from sluice scripts/services/install.sh\nexit 101\n' | "${SUDO[@]}" tee "$PRC" >/dev/null
  "${SUDO[@]}" chmod 755 "$PRC"
  PRC_OURS=1
}

apt_install() {
  apt_update
  deny_service_starts
  log "apt-get install $* (output in $CACHE_DIR/apt-install.log)"
  local rc=0
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "$@" \
    >"$CACHE_DIR/apt-install.log" 2>&1 || rc=$?
  restore_policy_rc
  if [ "$rc" -ne 0 ]; then log "apt-get install failed ($rc):"; tail -n 30 "$CACHE_DIR/apt-install.log" >&2; fi
  return "$rc"
}

# Stop a system service that a package may have started anyway (e.g. when a
# policy-rc.d already existed and allowed it), so default ports stay free.
stop_system_service() {
  local svc="$1" bin="$2"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    "${SUDO[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
  fi
  # Any leftover daemon that the package started (ours always run with a
  # config in a temp dir named sluice-*, so those are left alone).
  local pid
  for pid in $(pgrep -f "$bin" 2>/dev/null || true); do
    [ "$pid" = "$$" ] && continue
    if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'sluice-'; then
      log "stopping system $svc daemon (pid $pid)"
      "${SUDO[@]}" kill "$pid" 2>/dev/null || true
    fi
  done
}

have_file() { [ -x "$1" ]; }

install_mosquitto() {
  if have_file /usr/sbin/mosquitto && command -v mosquitto_pub >/dev/null 2>&1; then
    log "mosquitto: already installed"; return
  fi
  apt_install mosquitto mosquitto-clients
  stop_system_service mosquitto '^/usr/sbin/mosquitto'
}

# the TLS tests make their certificates with the openssl command
install_openssl() {
  if command -v openssl >/dev/null 2>&1; then log "openssl: already installed"; return; fi
  apt_install openssl
}

# the console's browser test drives Debian's Chromium (headless) through playwright-core
install_chromium() {
  if have_file /usr/bin/chromium; then log "chromium: already installed"; return; fi
  apt_install chromium
}

# the API fuzz test runs schemathesis (PyPI, pinned) from a venv in the cache dir
install_schemathesis() {
  local venv="$CACHE_DIR/schemathesis-$SCHEMATHESIS_VERSION"
  if [ -x "$venv/bin/schemathesis" ] && [ -f "$venv/installed" ]; then log "schemathesis $SCHEMATHESIS_VERSION: already installed in $venv"; return; fi
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
  log "schemathesis $SCHEMATHESIS_VERSION: pip install into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >"$CACHE_DIR/schemathesis-install.log" 2>&1; then
    log "schemathesis: pip install failed:"; tail -n 30 "$CACHE_DIR/schemathesis-install.log" >&2; exit 1
  fi
  date -u +%FT%TZ >"$venv/installed"
}

install_clickhouse() {
  if { have_file /usr/sbin/clickhouse-server || have_file /usr/bin/clickhouse-server || have_file /usr/bin/clickhouse; } \
      && [ -f /etc/clickhouse-server/config.xml ]; then
    log "clickhouse: already installed"; return
  fi
  apt_install clickhouse-server clickhouse-client
  stop_system_service clickhouse-server '^/usr/bin/clickhouse'
}

vm_binary() {
  local b
  for b in /usr/bin/victoria-metrics /usr/sbin/victoria-metrics /usr/bin/victoriametrics; do
    if have_file "$b"; then echo "$b"; return 0; fi
  done
  if dpkg -L victoria-metrics >/dev/null 2>&1; then
    dpkg -L victoria-metrics | grep -E '/(s?bin)/[^/]*victoria[^/]*$' | head -n1
    return 0
  fi
  return 1
}

install_victoriametrics() {
  if [ -n "$(vm_binary || true)" ]; then log "victoriametrics: already installed"; return; fi
  apt_install victoria-metrics
  stop_system_service victoria-metrics "^$(vm_binary)"
}

install_nats() {
  if have_file /usr/sbin/nats-server || have_file /usr/bin/nats-server; then log "nats: already installed"; return; fi
  apt_install nats-server
  stop_system_service nats-server '^/usr/s?bin/nats-server'
}

install_influxdb() {
  if have_file /usr/bin/influxd; then log "influxdb: already installed"; return; fi
  local pkgs=(influxdb)
  apt_update
  if apt-cache show influxdb-client >/dev/null 2>&1; then pkgs+=(influxdb-client); fi
  apt_install "${pkgs[@]}"
  stop_system_service influxdb '^/usr/bin/influxd'
}

install_postgres() {
  if have_file /usr/lib/postgresql/15/bin/postgres || have_file /usr/lib/postgresql/16/bin/postgres || have_file /usr/lib/postgresql/17/bin/postgres; then
    log "postgres: already installed"; return
  fi
  apt_update
  local pkg=postgresql-15
  apt-cache show postgresql-15 >/dev/null 2>&1 || pkg=postgresql
  # the package creates the postgres user, which the harness runs the server as when it is root
  apt_install "$pkg"
  stop_system_service postgresql '^/usr/lib/postgresql/[0-9]+/bin/postgres'
}

install_mariadb() {
  if have_file /usr/sbin/mariadbd && have_file /usr/bin/mariadb-install-db; then log "mariadb: already installed"; return; fi
  # apt_install's policy-rc.d keeps the package from starting its system server
  apt_install mariadb-server
  stop_system_service mariadb '^/usr/sbin/(mariadbd|mysqld)'
}

# Redis 7: redis-server (with redis-cli from redis-tools) and redis-sentinel; the packages' own
# daemons (6379, 26379) are stopped and disabled: tests start their own on free ports
install_redis() {
  if have_file /usr/bin/redis-server && have_file /usr/bin/redis-sentinel && have_file /usr/bin/redis-cli; then
    log "redis: already installed"; return
  fi
  apt_install redis-server redis-sentinel redis-tools
  stop_system_service redis-server 'redis-server .*:6379( |$)'
  stop_system_service redis-sentinel 'redis-sentinel .*:26379( |$)'
}

# RabbitMQ 3.10 (with Erlang and epmd); tests run /usr/lib/rabbitmq/bin/rabbitmq-server directly
# with their own node name, ports and dirs, so the package's service and its epmd are stopped
install_rabbitmq() {
  if have_file /usr/lib/rabbitmq/bin/rabbitmq-server && { have_file /usr/bin/epmd || have_file /usr/lib/erlang/bin/epmd; }; then
    log "rabbitmq: already installed"; return
  fi
  apt_install rabbitmq-server
  stop_system_service rabbitmq-server 'beam.*rabbit@'
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    "${SUDO[@]}" systemctl disable --now epmd.socket epmd.service >/dev/null 2>&1 || true
  fi
  # the package's epmd listens on 4369; ours always run with -port <free port>
  local pid
  for pid in $(pgrep -x epmd 2>/dev/null || true); do
    if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '-port'; then
      log "stopping system epmd (pid $pid)"; "${SUDO[@]}" kill "$pid" 2>/dev/null || true
    fi
  done
}

install_kafka() {
  local home="$CACHE_DIR/kafka-$KAFKA_VERSION"
  local libs="$home/libs" marker="$home/libs.complete"
  if [ -f "$marker" ] && [ -d "$libs" ]; then log "kafka $KAFKA_VERSION: already installed in $libs"; return; fi
  command -v java >/dev/null 2>&1 || { log "kafka needs java (JDK 17) on PATH"; exit 1; }
  command -v mvn >/dev/null 2>&1 || { log "kafka needs mvn (Maven) on PATH"; exit 1; }
  log "kafka $KAFKA_VERSION: fetching broker jars from Maven Central into $libs"
  mkdir -p "$home"
  rm -rf "$libs.tmp"
  cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>$RELOAD4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$home" && mvn -B -q -Dstyle.color=never -f pom.xml \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs.tmp") >"$home/mvn.log" 2>&1; then
    log "kafka: maven failed:"; tail -n 40 "$home/mvn.log" >&2; exit 1
  fi
  if ! ls "$libs.tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1; then
    log "kafka: maven did not produce kafka_2.13-$KAFKA_VERSION.jar"; exit 1
  fi
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  date -u +%FT%TZ >"$marker"
  log "kafka $KAFKA_VERSION: $(find "$libs" -name '*.jar' | wc -l) jars installed"
}

# Apache Cassandra (no Debian package): cassandra-all and its runtime dependencies from Maven
# Central into $CACHE_DIR/cassandra-<version>/libs; the harness runs CassandraDaemon from them
install_cassandra() {
  local version="${SLUICE_CASSANDRA_VERSION:-5.0.9}"
  local home="$CACHE_DIR/cassandra-$version"
  local libs="$home/libs" marker="$home/libs.complete"
  if [ -f "$marker" ] && [ -d "$libs" ]; then log "cassandra $version: already installed in $libs"; return; fi
  command -v java >/dev/null 2>&1 || { log "cassandra needs java (JDK 17) on PATH"; exit 1; }
  command -v mvn >/dev/null 2>&1 || { log "cassandra needs mvn (Maven) on PATH"; exit 1; }
  log "cassandra $version: fetching cassandra-all and its dependencies from Maven Central into $libs"
  mkdir -p "$home"
  rm -rf "$libs.tmp"
  cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>cassandra-server-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$home" && mvn -B -q -Dstyle.color=never -f pom.xml \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs.tmp") >"$home/mvn.log" 2>&1; then
    log "cassandra: maven failed:"; tail -n 40 "$home/mvn.log" >&2; exit 1
  fi
  if ! ls "$libs.tmp/cassandra-all-$version.jar" "$libs.tmp"/jamm-*.jar >/dev/null 2>&1; then
    log "cassandra: maven did not produce cassandra-all-$version.jar and jamm"; exit 1
  fi
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  date -u +%FT%TZ >"$marker"
  log "cassandra $version: $(find "$libs" -name '*.jar' | wc -l) jars installed"
}

# Apache Pulsar (no Debian package): pulsar-broker and its runtime dependencies from Maven Central
# into $CACHE_DIR/pulsar-<version>/libs; the harness runs PulsarStandaloneStarter from them (a
# broker, a BookKeeper bookie and a metadata store in one JVM). Debian's Maven 3.8 never finishes
# resolving this tree, so Maven 3.9 itself is fetched from Central into $CACHE_DIR first; every
# repository a pom names is mirrored to Central, and the gRPC and Jackson BOMs pin the versions
# Pulsar 3.0 was built with.
install_pulsar() {
  local version="${SLUICE_PULSAR_VERSION:-3.0.7}" mvn_version="3.9.16"
  local home="$CACHE_DIR/pulsar-$version"
  local libs="$home/libs" marker="$home/libs.complete"
  if [ -f "$marker" ] && [ -d "$libs" ]; then log "pulsar $version: already installed in $libs"; return; fi
  command -v java >/dev/null 2>&1 || { log "pulsar needs java (JDK 17) on PATH"; exit 1; }
  command -v curl >/dev/null 2>&1 || { log "pulsar needs curl on PATH (to fetch Maven $mvn_version)"; exit 1; }
  local maven="$CACHE_DIR/apache-maven-$mvn_version"
  if [ ! -x "$maven/bin/mvn" ]; then
    log "pulsar: fetching Maven $mvn_version from Maven Central into $maven"
    rm -rf "$maven.tmp" && mkdir -p "$maven.tmp"
    if ! curl -fsSL --retry 3 "https://repo1.maven.org/maven2/org/apache/maven/apache-maven/$mvn_version/apache-maven-$mvn_version-bin.tar.gz" \
        | tar -xz -C "$maven.tmp" --strip-components=1; then
      log "pulsar: could not fetch Maven $mvn_version"; rm -rf "$maven.tmp"; exit 1
    fi
    rm -rf "$maven" && mv "$maven.tmp" "$maven"
  fi
  log "pulsar $version: fetching pulsar-broker and its dependencies from Maven Central into $libs (about 200 MB)"
  mkdir -p "$home"
  rm -rf "$libs.tmp"
  cat >"$home/settings.xml" <<'EOF'
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror><id>central</id><mirrorOf>*</mirrorOf><url>https://repo1.maven.org/maven2</url></mirror>
  </mirrors>
</settings>
EOF
  cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>pulsar-broker-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>io.grpc</groupId><artifactId>grpc-bom</artifactId><version>1.55.3</version><type>pom</type><scope>import</scope></dependency>
      <dependency><groupId>com.fasterxml.jackson</groupId><artifactId>jackson-bom</artifactId><version>2.14.2</version><type>pom</type><scope>import</scope></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.pulsar</groupId>
      <artifactId>pulsar-broker</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$home" && "$maven/bin/mvn" -B -q -Dstyle.color=never -s settings.xml -f pom.xml \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs.tmp") >"$home/mvn.log" 2>&1; then
    log "pulsar: maven failed:"; tail -n 40 "$home/mvn.log" >&2; exit 1
  fi
  if ! ls "$libs.tmp/pulsar-broker-$version.jar" "$libs.tmp/pulsar-websocket-$version.jar" >/dev/null 2>&1; then
    log "pulsar: maven did not produce pulsar-broker-$version.jar and pulsar-websocket-$version.jar"; exit 1
  fi
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  date -u +%FT%TZ >"$marker"
  log "pulsar $version: $(find "$libs" -name '*.jar' | wc -l) jars installed"
}

# S3Proxy (the S3 API in Java; no Debian package): org.gaul:s3proxy and its runtime dependencies from
# Maven Central into $CACHE_DIR/s3proxy-<version>/libs; the harness runs org.gaul.s3proxy.Main from
# them with the jclouds filesystem backend in a temp dir and real SigV4 authentication
install_s3proxy() {
  local version="${SLUICE_S3PROXY_VERSION:-2.9.0}"
  local home="$CACHE_DIR/s3proxy-$version"
  local libs="$home/libs" marker="$home/libs.complete"
  if [ -f "$marker" ] && [ -d "$libs" ]; then log "s3proxy $version: already installed in $libs"; return; fi
  command -v java >/dev/null 2>&1 || { log "s3proxy needs java (JDK 17) on PATH"; exit 1; }
  command -v mvn >/dev/null 2>&1 || { log "s3proxy needs mvn (Maven) on PATH"; exit 1; }
  log "s3proxy $version: fetching s3proxy and its dependencies from Maven Central into $libs"
  mkdir -p "$home"
  rm -rf "$libs.tmp"
  cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>s3proxy-server-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.gaul</groupId>
      <artifactId>s3proxy</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$home" && mvn -B -q -Dstyle.color=never -f pom.xml \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs.tmp") >"$home/mvn.log" 2>&1; then
    log "s3proxy: maven failed:"; tail -n 40 "$home/mvn.log" >&2; exit 1
  fi
  if ! ls "$libs.tmp/s3proxy-$version.jar" "$libs.tmp"/filesystem-*.jar >/dev/null 2>&1; then
    log "s3proxy: maven did not produce s3proxy-$version.jar and the jclouds filesystem provider"; exit 1
  fi
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  date -u +%FT%TZ >"$marker"
  log "s3proxy $version: $(find "$libs" -name '*.jar' | wc -l) jars installed"
}

# FerretDB (MongoDB wire protocol on SQLite) has no Debian package: it is built from its Go module
# (`go mod download`, then `go build` of a copy with build/version/version.txt filled in: the
# module ships it empty and the binary refuses to start without a version) into
#   $CACHE_DIR/ferretdb-$FERRETDB_VERSION/bin/ferretdb
# A first build takes several minutes on 2 cores; Go's build cache makes a rebuild quick.
install_ferretdb() {
  local home="$CACHE_DIR/ferretdb-$FERRETDB_VERSION"
  local bin="$home/bin/ferretdb"
  if [ -x "$bin" ]; then log "ferretdb $FERRETDB_VERSION: already installed in $bin"; return; fi
  command -v go >/dev/null 2>&1 || { log "ferretdb is built with Go: go (1.22 or newer) is needed on PATH"; exit 1; }
  mkdir -p "$home/bin"
  log "ferretdb $FERRETDB_VERSION: building from its Go module into $bin (a few minutes; log in $home/build.log)"
  local started=$SECONDS dir
  dir=$(cd "$home" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" 2>"$home/build.log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then log "ferretdb: go mod download failed:"; tail -n 30 "$home/build.log" >&2; exit 1; fi
  rm -rf "$home/src"
  cp -r "$dir" "$home/src"
  chmod -R u+w "$home/src"
  printf '%s' "$FERRETDB_VERSION" >"$home/src/build/version/version.txt"
  # only the SQLite backend is used: the PostgreSQL one is left out of the binary
  if ! (cd "$home/src" && go build -trimpath -tags ferretdb_no_postgresql -o "$bin.tmp" ./cmd/ferretdb) >>"$home/build.log" 2>&1; then
    log "ferretdb: go build failed:"; tail -n 30 "$home/build.log" >&2; rm -rf "$home/src"; exit 1
  fi
  rm -rf "$home/src"
  mv -f "$bin.tmp" "$bin"
  log "ferretdb $FERRETDB_VERSION: built in $((SECONDS - started)) s"
}

# OpenSearch 2.19 (for the elasticsearch sink's tests; no Debian package): the server jar, the
# netty4 transport plugin and log4j-core from Maven Central into $CACHE_DIR/opensearch-<version>/libs,
# and test/harness/services/opensearch/EmbeddedNode.java (a Node with netty4 as a classpath
# plugin) compiled against them into .../classes. No security plugin: the harness puts an
# authenticating proxy in front.
install_opensearch() {
  local version="${SLUICE_OPENSEARCH_VERSION:-2.19.6}" log4j="2.25.4"
  local home="$CACHE_DIR/opensearch-$version"
  local libs="$home/libs" classes="$home/classes" marker="$home/libs.complete"
  local src; src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/harness/services/opensearch/EmbeddedNode.java"
  if [ -f "$marker" ] && [ -d "$libs" ] && [ -f "$classes/EmbeddedNode.class" ] && [ "$classes/EmbeddedNode.class" -nt "$src" ]; then
    log "opensearch $version: already installed in $home"; return
  fi
  command -v javac >/dev/null 2>&1 || { log "opensearch needs javac (JDK 17) on PATH"; exit 1; }
  command -v mvn >/dev/null 2>&1 || { log "opensearch needs mvn (Maven) on PATH"; exit 1; }
  mkdir -p "$home"
  if ! [ -f "$marker" ] || ! [ -d "$libs" ]; then
    log "opensearch $version: fetching the server jars from Maven Central into $libs"
    rm -rf "$libs.tmp"
    cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>opensearch-node-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.opensearch</groupId><artifactId>opensearch</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.opensearch.plugin</groupId><artifactId>transport-netty4-client</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$log4j</version></dependency>
  </dependencies>
</project>
EOF
    if ! (cd "$home" && mvn -B -q -Dstyle.color=never -f pom.xml \
        org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$libs.tmp") >"$home/mvn.log" 2>&1; then
      log "opensearch: maven failed:"; tail -n 40 "$home/mvn.log" >&2; exit 1
    fi
    if ! ls "$libs.tmp/opensearch-$version.jar" "$libs.tmp/transport-netty4-client-$version.jar" >/dev/null 2>&1; then
      log "opensearch: maven did not produce opensearch-$version.jar and transport-netty4-client-$version.jar"; exit 1
    fi
    rm -rf "$libs"
    mv "$libs.tmp" "$libs"
    date -u +%FT%TZ >"$marker"
  fi
  rm -rf "$classes.tmp"
  mkdir -p "$classes.tmp"
  if ! javac -cp "$libs/*" -d "$classes.tmp" "$src" >"$home/javac.log" 2>&1; then
    log "opensearch: javac of $src failed:"; tail -n 30 "$home/javac.log" >&2; exit 1
  fi
  rm -rf "$classes"
  mv "$classes.tmp" "$classes"
  log "opensearch $version: $(find "$libs" -name '*.jar' | wc -l) jars and EmbeddedNode installed in $home"
}

mkdir -p "$CACHE_DIR"
# Test files run in parallel and may all ask for installs at once: serialize.
exec 9>"$CACHE_DIR/install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# every install_<name> function defined above, in definition order
mapfile -t ALL < <(declare -F | awk '{print $3}' | sed -n 's/^install_//p')

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then names=("${ALL[@]}"); fi
for n in "${names[@]}"; do
  [ "$n" = victoria-metrics ] && n=victoriametrics
  fn="install_${n//-/_}"
  if ! declare -F "$fn" >/dev/null; then log "unknown service: $n (known: ${ALL[*]})"; exit 2; fi
  "$fn"
done
