#!/usr/bin/env bash
# Cumulus, embedded default: the whole suite as local processes under .data/ in the checkout.
#
#   deploy/run.sh          up, then the main job: a real federation of five agents on the
#                          digits dataset (non-IID shards), run to completion with live progress
#   deploy/run.sh up       install what is missing, build (release), start, wait until ready
#   deploy/run.sh federation   only the main job, on a suite already up
#   deploy/run.sh stop     stop exactly what `up` started (PIDs under .data/run/)
#   deploy/run.sh status   show what is running
#
# Environment (all optional):
#   CUMULUS_DATA               data folder (default: <checkout>/.data)
#   CUMULUS_PG_PORT            PostgreSQL (55432)
#   CUMULUS_REDIS_PORT         Redis (56379)
#   CUMULUS_<SERVICE>_PORT     services (8101..8106, see deploy/README.md)
#   CUMULUS_GATEWAY_PORT       nginx, HTTPS (8443)
#   CUMULUS_PROMETHEUS_PORT    Prometheus (9090)
#   CUMULUS_SKIP_BUILD=1       do not build; use CUMULUS_BIN_DIR, else .build/release, else .build/debug
#   CUMULUS_BIN_DIR            where the service binaries are
#   CUMULUS_READY_TIMEOUT      seconds to wait for readiness (180)
#   CUMULUS_DEMO_ROUNDS        rounds of the main job (20)
set -euo pipefail

CUMULUS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=deploy/lib.sh
source "$CUMULUS_ROOT/deploy/lib.sh"

DATA=${CUMULUS_DATA:-$CUMULUS_ROOT/.data}
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)

# Ports: the defaults of the contract, each overridable. The ports `up` used are recorded in
# run/ports.env so that `status` shows the right URLs.
set_ports() {
    PG_PORT=${CUMULUS_PG_PORT:-55432}
    REDIS_PORT=${CUMULUS_REDIS_PORT:-56379}
    GATEWAY_PORT=${CUMULUS_GATEWAY_PORT:-8443}
    PROMETHEUS_PORT=${CUMULUS_PROMETHEUS_PORT:-9090}
    local svc var default=8101
    for svc in "${CUMULUS_SERVICES[@]}"; do
        var="CUMULUS_$(upper "$svc")_PORT"
        SERVICE_PORT[$svc]=${!var:-$default}
        default=$((default + 1))
    done
}

save_ports() {
    local svc
    {
        echo "PG_PORT=$PG_PORT"
        echo "REDIS_PORT=$REDIS_PORT"
        echo "GATEWAY_PORT=$GATEWAY_PORT"
        echo "PROMETHEUS_PORT=$PROMETHEUS_PORT"
        for svc in "${CUMULUS_SERVICES[@]}"; do echo "SERVICE_PORT_$svc=${SERVICE_PORT[$svc]}"; done
    } >"$(rundir)/ports.env"
}

load_ports() {
    local file key value
    file="$(rundir)/ports.env"
    [[ -s $file ]] || return 0
    while IFS='=' read -r key value; do
        case $key in
        SERVICE_PORT_*) SERVICE_PORT[${key#SERVICE_PORT_}]=$value ;;
        PG_PORT | REDIS_PORT | GATEWAY_PORT | PROMETHEUS_PORT) printf -v "$key" '%s' "$value" ;;
        esac
    done <"$file"
}

# check_ports_free: fail early, naming the variable to change, when a port is taken
check_ports_free() {
    local svc busy=()
    port_in_use "$PG_PORT" && busy+=("$PG_PORT (PostgreSQL, CUMULUS_PG_PORT)")
    port_in_use "$REDIS_PORT" && busy+=("$REDIS_PORT (Redis, CUMULUS_REDIS_PORT)")
    port_in_use "$GATEWAY_PORT" && busy+=("$GATEWAY_PORT (gateway, CUMULUS_GATEWAY_PORT)")
    port_in_use "$PROMETHEUS_PORT" && busy+=("$PROMETHEUS_PORT (Prometheus, CUMULUS_PROMETHEUS_PORT)")
    for svc in "${CUMULUS_SERVICES[@]}"; do
        port_in_use "${SERVICE_PORT[$svc]}" &&
            busy+=("${SERVICE_PORT[$svc]} ($svc, CUMULUS_$(upper "$svc")_PORT)")
    done
    ((${#busy[@]} == 0)) && return 0
    local b
    for b in "${busy[@]}"; do say "port in use: $b"; done
    die "another program listens on the ports above; stop it or choose other ports"
}

# running_count: how many of the suite's processes are alive
running_count() {
    local name n=0
    while read -r name; do
        is_running "$name" && n=$((n + 1))
    done < <(all_names)
    printf '%s' "$n"
}

build_release() {
    if [[ ${CUMULUS_SKIP_BUILD:-0} == 1 ]]; then
        say "skipping the build (CUMULUS_SKIP_BUILD=1)"
        return 0
    fi
    require_swift
    say "building in release mode (swift build -c release); the first build takes a while"
    (cd "$CUMULUS_ROOT" && swift build -c release) >&2 || die "swift build -c release failed"
}

# bin_dir: the folder with the six service binaries
bin_dir() {
    if [[ -n ${CUMULUS_BIN_DIR:-} ]]; then
        printf '%s' "$CUMULUS_BIN_DIR"
    elif [[ ${CUMULUS_SKIP_BUILD:-0} == 1 && ! -x $CUMULUS_ROOT/.build/release/governance &&
        -x $CUMULUS_ROOT/.build/debug/governance ]]; then
        say "no release binaries; using .build/debug"
        printf '%s' "$CUMULUS_ROOT/.build/debug"
    else
        printf '%s' "$CUMULUS_ROOT/.build/release"
    fi
}

cmd_up() {
    prepare_dirs
    local total alive
    total=$(all_names | wc -l)
    alive=$(running_count)
    if ((alive == total)); then
        load_ports
        say "already running"
        print_urls
        return 0
    fi
    if ((alive > 0)); then
        say "only $alive of $total processes are running; restarting the suite"
        stop_all
    fi
    set_ports
    check_ports_free
    ensure_packages
    build_release
    local bindir
    bindir=$(bin_dir)
    save_ports
    # If anything below fails (or is interrupted), stop what was started rather than leave half
    # a suite behind.
    UP_DONE=0
    trap on_up_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_postgres "$DATA/postgres" "$PG_PORT"
    bootstrap_database
    start_redis "$DATA/redis" "$REDIS_PORT"
    start_services "$bindir"
    start_nginx
    start_prometheus
    wait_ready || die "the suite did not become ready"
    UP_DONE=1
    print_urls
}

on_up_exit() {
    local rc=$?
    ((UP_DONE)) && return 0
    say "start failed; stopping what was started (fix the problem and run deploy/run.sh again)"
    stop_all
    exit $((rc == 0 ? 1 : rc))
}

print_urls() {
    local stop="deploy/run.sh stop"
    [[ $DATA == "$CUMULUS_ROOT/.data" ]] || stop="CUMULUS_DATA=$DATA $stop"
    cat >&2 <<EOF
cumulus:
cumulus: Cumulus is running.
cumulus:   gateway     https://127.0.0.1:$GATEWAY_PORT/   (self-signed certificate: $DATA/tls/cert.pem)
cumulus:   Prometheus  http://127.0.0.1:$PROMETHEUS_PORT/
cumulus:   logs        $(logdir)/
cumulus:   admin       $(secret ADMIN_EMAIL)  (password: ADMIN_PASSWORD in $(secrets_file), readable by root only)
cumulus:   stop with   $stop
EOF
}

cmd_stop() {
    if (($(running_count) == 0)); then
        say "nothing is running"
    fi
    stop_all
    say "stopped"
}

cmd_status() {
    set_ports
    load_ports
    local name pid state url n=0
    printf '%-13s %-8s %-8s %s\n' NAME PID STATE ADDRESS
    while read -r name; do
        pid=$(pid_of "$name" 2>/dev/null) || pid=-
        if is_running "$name"; then
            state=running
            n=$((n + 1))
            if [[ $name != postgres && $name != redis ]] && ! probe "$name"; then state="not-ready"; fi
        else
            state=stopped
            pid=-
        fi
        case $name in
        postgres) url="127.0.0.1:${PG_PORT:-55432}" ;;
        redis) url="127.0.0.1:${REDIS_PORT:-56379}" ;;
        nginx) url="https://127.0.0.1:${GATEWAY_PORT:-8443}/" ;;
        prometheus) url="http://127.0.0.1:${PROMETHEUS_PORT:-9090}/" ;;
        *) url="http://127.0.0.1:${SERVICE_PORT[$name]:-?}/" ;;
        esac
        printf '%-13s %-8s %-8s %s\n' "$name" "$pid" "$state" "$url"
    done < <(all_names)
    say "$n of $(all_names | wc -l) running; logs in $(logdir)/"
}

# cmd_federation: the main job on a running suite — digits shards, one organisation and one
# real agent each, a FedAvg job watched to the end, the final accuracy and the best model.
cmd_federation() {
    local bindir work
    bindir=$(bin_dir)
    [[ -x $bindir/cumulus && -x $bindir/cumulus-agent ]] || die "no cumulus or cumulus-agent in $bindir (build first)"
    load_ports
    work="$DATA/federation/$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$work"
    say "installing the digits example's Python packages (scikit-learn; its data ships inside it)"
    python3 -m pip install -q --disable-pip-version-check -r "$CUMULUS_ROOT/examples/digits/requirements.txt" >&2 2>/dev/null ||
        python3 -m pip install -q --disable-pip-version-check --break-system-packages -r "$CUMULUS_ROOT/examples/digits/requirements.txt" >&2 ||
        die "pip could not install examples/digits/requirements.txt"
    say "exporting the digits shards (Dirichlet alpha 0.5 over labels, 5 participants) to $work/data"
    python3 "$CUMULUS_ROOT/examples/digits/prepare.py" --out "$work/data" >&2 || die "the digits export failed"
    say "running the federation (agents' logs in $work/)"
    secret ADMIN_PASSWORD | "$bindir/cumulus" demo digits --gateway "https://127.0.0.1:$GATEWAY_PORT" --email "$(secret ADMIN_EMAIL)" \
        --ca-file "$DATA/tls/cert.pem" --data "$work/data" --work "$work" ${CUMULUS_DEMO_ROUNDS:+--rounds "$CUMULUS_DEMO_ROUNDS"} ||
        die "the federation did not complete (see above and $work/agent-*.log)"
}

main() {
    case ${1:-run} in
    run) cmd_up && cmd_federation ;;
    federation) cmd_federation ;;
    up) cmd_up ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (use run, up, federation, stop or status)" ;;
    esac
}

main "$@"
