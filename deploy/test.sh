#!/usr/bin/env bash
# Cumulus test run: its own PostgreSQL, Redis, six services (debug build), nginx and Prometheus on
# free ports under a temporary folder, then `swift test`, then the dashboard's browser tests
# (pytest Tests/Browser: Debian's chromium driven by Playwright) against the same suite.
# Everything it started is stopped when it ends, whether the tests pass, fail or are interrupted.
#
#   deploy/test.sh [swift test arguments...]      e.g. deploy/test.sh --filter CumulusKitTests
#
# Environment (all optional):
#   CUMULUS_SKIP_BUILD=1        do not run `swift build --build-tests` (use what is in .build/debug)
#   CUMULUS_SCRATCH_PATH        build and test with this SwiftPM scratch path instead of .build
#                               (passed to `swift build` and `swift test` as --scratch-path)
#   CUMULUS_BIN_DIR             where the service binaries are (default <scratch path>/debug)
#   CUMULUS_KEEP_TEST_DATA=1    keep the temporary folder (logs, database) afterwards
#   CUMULUS_READY_TIMEOUT       seconds to wait for readiness (180)
#
# The tests get (see deploy/README.md):
#   CUMULUS_TEST_DATA, CUMULUS_TEST_PG_SUPERUSER_URL, CUMULUS_TEST_PG_URL_<SERVICE>,
#   CUMULUS_TEST_REDIS_URL, CUMULUS_TEST_GATEWAY_URL, CUMULUS_TEST_PROMETHEUS_URL,
#   CUMULUS_TEST_SERVICE_URL_<SERVICE>
# The exit code is swift test's, or pytest's when only the browser tests fail.
set -euo pipefail

CUMULUS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=deploy/lib.sh
source "$CUMULUS_ROOT/deploy/lib.sh"

DATA=""
# A private build folder (several people building on one machine): the same for build and test.
SCRATCH_ARGS=()
if [[ -n ${CUMULUS_SCRATCH_PATH:-} ]]; then
    SCRATCH_ARGS=(--scratch-path "$CUMULUS_SCRATCH_PATH")
    : "${CUMULUS_BIN_DIR:=$CUMULUS_SCRATCH_PATH/debug}"
fi

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e # clean up as much as possible, whatever fails
    [[ -n $DATA && -d $DATA ]] || exit "$rc"
    ((rc == 0)) || print_logs_tail 40
    stop_all
    ((rc == 0)) || print_failures
    if [[ ${CUMULUS_KEEP_TEST_DATA:-0} == 1 ]]; then
        say "kept the test folder: $DATA"
    else
        rm -rf "$DATA"
    fi
    exit "$rc"
}

# print_failures: what failed, last, so that the end of a CI log names the failing tests (the
# services' logs above it are long).
print_failures() {
    local file
    for file in "$DATA/swift-test.log" "$DATA/browser-test.log"; do
        [[ -s $file ]] || continue
        printf '\ncumulus: ----- failures in %s -----\n' "$file" >&2
        grep -E '✘|error:|FAILED|failed \(|Error: ' "$file" | grep -v '^cumulus:' | tail -n 60 >&2 || true
        tail -n 3 "$file" >&2
    done
}

pick_ports() {
    local svc
    free_port PG_PORT
    free_port REDIS_PORT
    free_port GATEWAY_PORT
    free_port PROMETHEUS_PORT
    free_port CLOUD_PEERS_PORT
    free_port MOTO_PORT
    for svc in "${CUMULUS_SERVICES[@]}"; do
        free_port "SERVICE_PORT[$svc]"
    done
}

build_tests() {
    if [[ ${CUMULUS_SKIP_BUILD:-0} == 1 ]]; then
        say "skipping the build (CUMULUS_SKIP_BUILD=1)"
        return 0
    fi
    say "building the package and its tests (swift build --build-tests${SCRATCH_ARGS[*]:+ ${SCRATCH_ARGS[*]}})"
    (cd "$CUMULUS_ROOT" && swift build --build-tests "${SCRATCH_ARGS[@]}") >&2 || die "swift build --build-tests failed"
}

check_prometheus_rules() {
    say "checking Prometheus rules (promtool check rules, promtool test rules)"
    promtool check rules "$CUMULUS_ROOT/prometheus/alerts.yml" >&2 || die "promtool check rules failed"
    (cd "$CUMULUS_ROOT/prometheus" && promtool test rules alerts_test.yml) >&2 ||
        die "promtool test rules failed"
}

export_test_env() {
    local svc up
    export CUMULUS_TEST_DATA="$DATA"
    CUMULUS_TEST_PG_SUPERUSER_URL=$(pg_superuser_url)
    export CUMULUS_TEST_PG_SUPERUSER_URL
    export CUMULUS_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    export CUMULUS_TEST_GATEWAY_URL="https://127.0.0.1:$GATEWAY_PORT"
    export CUMULUS_TEST_PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
    export CUMULUS_TEST_CLOUD_PEERS_URL="http://127.0.0.1:$CLOUD_PEERS_PORT"
    export CUMULUS_TEST_MOTO_URL="http://127.0.0.1:$MOTO_PORT"
    export CUMULUS_TEST_GATEWAY_CA="$DATA/tls/cert.pem"
    export CUMULUS_TEST_BIN_DIR="${CUMULUS_BIN_DIR:-$CUMULUS_ROOT/.build/debug}"
    CUMULUS_TEST_ADMIN_EMAIL=$(secret ADMIN_EMAIL)
    CUMULUS_TEST_ADMIN_PASSWORD=$(secret ADMIN_PASSWORD)
    export CUMULUS_TEST_ADMIN_EMAIL CUMULUS_TEST_ADMIN_PASSWORD
    for svc in "${CUMULUS_SERVICES[@]}"; do
        up=$(upper "$svc")
        export "CUMULUS_TEST_PG_URL_$up=$(pg_service_url "$svc")"
        export "CUMULUS_TEST_SERVICE_URL_$up=http://127.0.0.1:${SERVICE_PORT[$svc]}"
    done
}

main() {
    ensure_packages chromium
    ensure_python_test_packages
    require_swift
    # promtool checks need nothing running; fail fast on them.
    check_prometheus_rules
    build_tests

    DATA=$(mktemp -d "${TMPDIR:-/tmp}/cumulus-test.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    say "test folder: $DATA"
    prepare_dirs
    pick_ports

    start_postgres "$DATA/postgres" "$PG_PORT"
    bootstrap_database
    start_redis "$DATA/redis" "$REDIS_PORT"
    # Governance checks cloud credentials with the providers: here, the local peers and moto.
    start_cloud_peers "$CLOUD_PEERS_PORT" "$MOTO_PORT"
    export CUMULUS_GOVERNANCE_AWS_STS_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
    export CUMULUS_GOVERNANCE_GCP_TOKEN_URIS="http://127.0.0.1:$CLOUD_PEERS_PORT/gcp/token"
    export CUMULUS_GOVERNANCE_AZURE_AUTHORITY="http://127.0.0.1:$CLOUD_PEERS_PORT/azure/"
    export CUMULUS_GOVERNANCE_OPENSTACK_ALLOW_HTTP=true
    # Cheaper password hashing keeps the many logins of the tests fast; production keeps 12.
    export CUMULUS_GOVERNANCE_BCRYPT_COST=6
    # Short health and retry clocks, so the assignment scenario's dead nodes are noticed in
    # seconds rather than the production half-minute.
    export CUMULUS_ORCHESTRATOR_HEARTBEAT_TIMEOUT_SECONDS=6
    export CUMULUS_ORCHESTRATOR_RETRY_BACKOFF_MILLISECONDS=200
    export CUMULUS_ORCHESTRATOR_METERING_INTERVAL_SECONDS=5
    # Placement plans on the shared price and latency tables beside the checkout when they are there
    # (its integration tests check its fronts against them, and fail naming the folder if it is
    # missing), and meters aggregator-hours every 2 s so a short deployment shows intervals.
    if [[ -f $CUMULUS_ROOT/../shared/data/latency_results.csv ]]; then
        local shared="$CUMULUS_ROOT/../shared/data"
        export CUMULUS_PLACEMENT_PRICE_FILES="$shared/cloud_price_AWS.csv,$shared/cloud_price_GCP.csv"
        export CUMULUS_PLACEMENT_LATENCY_FILE="$shared/latency_results.csv"
    fi
    export CUMULUS_PLACEMENT_METERING_INTERVAL_SECONDS=2
    # Costs reads live prices and bills from the local replays and moto instead of the providers.
    export CUMULUS_COSTS_AZURE_PRICES_URL="http://127.0.0.1:$CLOUD_PEERS_PORT/pricing/azure/api/retail/prices"
    export CUMULUS_COSTS_AWS_PRICE_LIST_URL="http://127.0.0.1:$CLOUD_PEERS_PORT/pricing/aws"
    export CUMULUS_COSTS_GCP_BILLING_URL="http://127.0.0.1:$CLOUD_PEERS_PORT/pricing/gcp"
    export CUMULUS_COSTS_GCP_API_KEY=test-api-key
    export CUMULUS_COSTS_AWS_COST_EXPLORER_URL="http://127.0.0.1:$MOTO_PORT"
    export CUMULUS_COSTS_REFRESH_INTERVAL_SECONDS=2
    start_services "${CUMULUS_BIN_DIR:-$CUMULUS_ROOT/.build/debug}"
    start_nginx # renders the config and runs nginx -t before starting
    start_prometheus
    wait_ready || die "the suite did not become ready"
    wait_scraped || die "Prometheus did not scrape every service"

    export_test_env
    say "running swift test --skip-build${*:+ $*}"
    local TEST_RC=0
    # The output is kept (pipefail keeps swift test's exit code) for print_failures.
    (cd "$CUMULUS_ROOT" && swift test --skip-build "${SCRATCH_ARGS[@]}" "$@") 2>&1 |
        tee "$DATA/swift-test.log" || TEST_RC=$?
    if ((TEST_RC == 0)); then say "swift tests passed"; else say "swift tests failed (exit $TEST_RC)"; fi
    # The browser tests run whatever swift test's result, while the suite is still up; a missing
    # chromium or Playwright fails them (they never skip).
    say "running the dashboard's browser tests (pytest Tests/Browser)"
    local BROWSER_RC=0
    (cd "$CUMULUS_ROOT" && python3 -m pytest -q -p no:cacheprovider Tests/Browser) 2>&1 |
        tee "$DATA/browser-test.log" || BROWSER_RC=$?
    if ((BROWSER_RC == 0)); then say "browser tests passed"; else say "browser tests failed (exit $BROWSER_RC; screenshots in $DATA/browser-failures, kept with CUMULUS_KEEP_TEST_DATA=1)"; fi
    ((TEST_RC != 0)) || TEST_RC=$BROWSER_RC
    exit "$TEST_RC"
}

main "$@"
