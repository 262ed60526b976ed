# shellcheck shell=bash
# Shared functions for deploy/run.sh and deploy/test.sh. Source it; do not run it.
#
# The caller sets, before calling anything here:
#   CUMULUS_ROOT   the checkout (absolute)
#   DATA           the data folder (absolute); everything below lives inside it:
#                    run/       PID files (<name>.pid) and the executable each PID must be (<name>.exe)
#                    logs/      one log per process
#                    postgres/  cluster (data/), sockets (run/), postgres.log — owned by `postgres`
#                    redis/     redis.conf and the append-only file
#                    nginx/     rendered nginx.conf, pid, temp folders
#                    prometheus/ rendered prometheus.yml and the TSDB
#                    tls/       self-signed certificate for the gateway
#                    <service>/ each service's DATA_DIR (blobs)
#                    secrets.env  generated passwords (0600), reused on every start
#   PG_PORT REDIS_PORT GATEWAY_PORT PROMETHEUS_PORT, and SERVICE_PORT[<service>] (associative)
#
# Every message goes to stderr with the prefix "cumulus:".

CUMULUS_SERVICES=(governance costs placement orchestrator coordinator registry)
PG_BIN=/usr/lib/postgresql/15/bin
# Apt packages the suite needs at run time (swift itself is not an apt package).
CUMULUS_APT_PACKAGES=(postgresql-15 postgresql-client-15 redis-server redis-tools nginx prometheus
    gettext-base openssl curl ca-certificates libhiredis-dev util-linux)

declare -A SERVICE_PORT

# ---------------------------------------------------------------------------------------------
# messages

say() { printf 'cumulus: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

upper() { printf '%s' "${1^^}"; }

# ---------------------------------------------------------------------------------------------
# packages

# ensure_packages [EXTRA...]: the suite's packages, plus any a caller needs (test.sh: chromium).
ensure_packages() {
    local pkg missing=()
    for pkg in "${CUMULUS_APT_PACKAGES[@]}" "$@"; do
        [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] \
            || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    ((EUID == 0)) || die "missing packages (install them as root): ${missing[*]}"
    say "installing ${missing[*]}"
    # Debian's postinst scripts would start the system's own redis/nginx/postgres; a
    # policy-rc.d that exits 101 forbids that. Only ours is removed afterwards.
    local policy=/usr/sbin/policy-rc.d ours=0 rc=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# temporary, written by cumulus deploy/lib.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        ours=1
    fi
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } >&2 || rc=$?
    ((ours)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get failed (exit $rc)"
}

# The Python tools the tests use (validators, reference implementations, local cloud peers),
# from PyPI; quiet and quick when they are already there.
ensure_python_test_packages() {
    local requirements="$CUMULUS_ROOT/Tests/requirements.txt"
    command -v python3 >/dev/null || die "python3 is needed by the tests (apt-get install python3 python3-pip)"
    if python3 -m pip install -q --disable-pip-version-check -r "$requirements" >&2; then return 0; fi
    # Debian's own python refuses system-wide pip installs (PEP 668); tests may use it anyway.
    python3 -m pip install -q --disable-pip-version-check --break-system-packages -r "$requirements" >&2 ||
        die "pip could not install $requirements"
}

require_swift() {
    command -v swift >/dev/null || die "swift is not on PATH (install a Swift 6.2+ toolchain)"
}

# ---------------------------------------------------------------------------------------------
# ports

CUMULUS_PORTS_GIVEN=" "

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port [VAR]: a TCP port on 127.0.0.1 that nothing listens on and that this shell has not
# handed out before (the processes are started later, so the ports are not yet bound). With VAR
# (which may be an array element, e.g. SERVICE_PORT[costs]) the port is assigned to it; without,
# it is printed — but then, in $(...), the "handed out" record is lost with the subshell.
free_port() {
    local port tries
    for ((tries = 0; tries < 200; tries++)); do
        port=$((20000 + RANDOM % 40000))
        [[ $CUMULUS_PORTS_GIVEN == *" $port "* ]] && continue
        port_in_use "$port" && continue
        CUMULUS_PORTS_GIVEN+="$port "
        if (($# > 0)); then printf -v "$1" '%s' "$port"; else printf '%s\n' "$port"; fi
        return 0
    done
    die "no free port found"
}

# ---------------------------------------------------------------------------------------------
# processes: each one runs in its own session; RUNDIR/<name>.pid holds its PID and
# RUNDIR/<name>.exe the executable that PID must be (so a stale PID file never kills a stranger).

rundir() { printf '%s/run' "$DATA"; }
logdir() { printf '%s/logs' "$DATA"; }

# launch NAME LOGFILE PROGRAM ARGS... (environment is inherited)
launch() {
    local name=$1 log=$2 exe
    shift 2
    exe=$(command -v "$1") || die "$name: program not found: $1"
    exe=$(readlink -f "$exe")
    local pidfile
    pidfile="$(rundir)/$name.pid"
    rm -f "$pidfile"
    printf '%s\n' "$exe" >"$(rundir)/$name.exe"
    # The inner bash records its own PID and then execs the program, so the recorded PID is the
    # program itself whatever setsid does; setsid makes it a process-group leader, which lets
    # stop_all signal exactly that group (nginx workers included).
    # shellcheck disable=SC2016
    setsid bash -c 'echo $$ >"$0.new" && mv "$0.new" "$0" && exec "$@"' "$pidfile" "$@" \
        </dev/null >>"$log" 2>&1 &
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -s $pidfile ]] && return 0
        sleep 0.05
    done
    die "$name did not start (see $log)"
}

pid_of() {
    local f
    f="$(rundir)/$1.pid"
    [[ -s $f ]] && head -n1 "$f"
}

# is_running NAME: its recorded PID is alive and is still the program we started: its executable
# is the recorded one, or (for a script run through its #! interpreter) the recorded path is its
# first or second argument. /proc/PID/exe, not the command line, because nginx and redis
# rewrite their process titles.
is_running() {
    local pid exe actual args=()
    pid=$(pid_of "$1") || return 1
    [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
    # a zombie is not running
    [[ $(proc_field "$pid" 1) != Z ]] || return 1
    exe=$(head -n1 "$(rundir)/$1.exe" 2>/dev/null) || return 1
    actual=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    actual=${actual% (deleted)} # the binary may have been rebuilt while it runs
    [[ $actual == "$exe" ]] && return 0
    mapfile -d '' -n 2 args <"/proc/$pid/cmdline" 2>/dev/null || return 1
    [[ ${args[0]:-} == "$exe" || ${args[1]:-} == "$exe" ]]
}

forget() { rm -f "$(rundir)/$1.pid" "$(rundir)/$1.exe"; }

# proc_field PID N: the Nth field of /proc/PID/stat counted after "(command name)", which may
# itself contain spaces: 1 state, 2 parent PID, 3 process group.
proc_field() {
    local stat fields=()
    { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
    read -r -a fields <<<"${stat##*) }"
    printf '%s' "${fields[$2 - 1]}"
}

process_group() { proc_field "$1" 3; }

# signal_exactly PID SIGNAL: the PID's own process group if it leads one (we started it under
# setsid), else only the PID.
signal_exactly() {
    local pid=$1 sig=$2 pgrp
    pgrp=$(process_group "$pid" 2>/dev/null) || return 0
    if [[ $pgrp == "$pid" ]]; then
        kill "-$sig" -- "-$pid" 2>/dev/null || true
    else
        kill "-$sig" "$pid" 2>/dev/null || true
    fi
}

# stop_process NAME: TERM, wait up to CUMULUS_STOP_TIMEOUT seconds, then KILL.
stop_process() {
    local name=$1 pid i
    if ! is_running "$name"; then
        forget "$name"
        return 0
    fi
    pid=$(pid_of "$name")
    say "stopping $name (pid $pid)"
    signal_exactly "$pid" TERM
    for ((i = 0; i < ${CUMULUS_STOP_TIMEOUT:-15} * 10; i++)); do
        is_running "$name" || break
        sleep 0.1
    done
    if is_running "$name"; then
        say "$name did not stop in ${CUMULUS_STOP_TIMEOUT:-15}s; killing it"
        signal_exactly "$pid" KILL
        sleep 0.2
    fi
    forget "$name"
}

# ---------------------------------------------------------------------------------------------
# secrets: generated once per data folder, kept in DATA/secrets.env (0600)

secrets_file() { printf '%s/secrets.env' "$DATA"; }

ensure_secrets() {
    local file svc
    file=$(secrets_file)
    [[ -s $file ]] && return 0
    if [[ -e $DATA/postgres/data/PG_VERSION ]]; then
        die "$DATA/postgres exists but $file is missing: the passwords are lost; move $DATA away to start afresh"
    fi
    (
        umask 077
        {
            echo "# generated by deploy/lib.sh; the database was initialised with these"
            echo "PG_SUPERUSER_PASSWORD=$(openssl rand -hex 24)"
            for svc in "${CUMULUS_SERVICES[@]}"; do
                echo "PG_PASSWORD_$(upper "$svc")=$(openssl rand -hex 24)"
            done
        } >"$file.new"
        mv "$file.new" "$file"
    )
}

# ensure_secret KEY COMMAND...: adds KEY to the secrets file (made by COMMAND) when a data folder
# from an older version lacks it; never changes a key that is there.
ensure_secret() {
    local key=$1 file
    shift
    file=$(secrets_file)
    grep -q "^$key=" "$file" && return 0
    (umask 077 && echo "$key=$("$@")" >>"$file")
}

# The secrets the services themselves need: governance's key for sealing signing keys and cloud
# credentials, and the first platform administrator (created at governance's first start).
ensure_service_secrets() {
    ensure_secret GOVERNANCE_SECRET_KEYS bash -c 'printf "k1:%s" "$(openssl rand -base64 32)"'
    ensure_secret ADMIN_EMAIL echo "admin@cumulus.local"
    ensure_secret ADMIN_PASSWORD openssl rand -hex 16
    # Each service's own account at governance (client credentials) for calls to other services.
    local svc up
    for svc in "${CUMULUS_SERVICE_ACCOUNTS[@]}"; do
        up=$(upper "$svc")
        ensure_secret "SERVICE_ID_$up" cat /proc/sys/kernel/random/uuid
        ensure_secret "SERVICE_SECRET_$up" openssl rand -hex 24
    done
}

# The services that call others with an identity of their own (see BuiltInServiceAccount).
CUMULUS_SERVICE_ACCOUNTS=(coordinator placement costs orchestrator registry)

service_accounts_spec() { # name:uuid:secret,… for governance
    local svc up spec=""
    for svc in "${CUMULUS_SERVICE_ACCOUNTS[@]}"; do
        up=$(upper "$svc")
        spec+="${spec:+,}$svc:$(secret "SERVICE_ID_$up"):$(secret "SERVICE_SECRET_$up")"
    done
    printf '%s' "$spec"
}

# secret KEY: one value from the secrets file (parsed, never sourced)
secret() {
    local value
    value=$(sed -n "s/^$1=//p" "$(secrets_file)" | head -n1)
    [[ -n $value ]] || die "$(secrets_file) has no $1"
    printf '%s' "$value"
}

pg_superuser_url() { printf 'postgres://postgres:%s@127.0.0.1:%s/cumulus' "$(secret PG_SUPERUSER_PASSWORD)" "$PG_PORT"; }

pg_service_url() { # SERVICE
    printf 'postgres://cumulus_%s:%s@127.0.0.1:%s/cumulus' "$1" "$(secret "PG_PASSWORD_$(upper "$1")")" "$PG_PORT"
}

redis_url() { printf 'redis://127.0.0.1:%s' "$REDIS_PORT"; }

# ---------------------------------------------------------------------------------------------
# PostgreSQL, run as the `postgres` user when we are root (initdb refuses root)

as_pg() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# The postgres user must be able to walk down to its folder (prepare_dirs opens DATA for that).
make_traversable() {
    local dir=$1
    ((EUID == 0)) || return 0
    as_pg test -x "$dir" ||
        die "user postgres cannot reach $dir (a parent folder is closed to others); set CUMULUS_DATA to a folder elsewhere"
}

# start_postgres DIR PORT
start_postgres() {
    local dir=$1 port=$2 pgdata="$1/data"
    mkdir -p "$dir"
    ((EUID == 0)) && chown postgres: "$dir"
    chmod 700 "$dir"
    make_traversable "$dir"
    ensure_secrets
    if [[ ! -e $pgdata/PG_VERSION ]]; then
        say "initialising PostgreSQL in $pgdata"
        local pwfile="$dir/.pwfile"
        (umask 077 && secret PG_SUPERUSER_PASSWORD >"$pwfile")
        ((EUID == 0)) && chown postgres: "$pwfile"
        as_pg "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
            -E UTF8 --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
            { rm -f "$pwfile"; die "initdb failed (see $dir/initdb.log)"; }
        rm -f "$pwfile"
        echo "include_if_exists = 'cumulus.conf'" | as_pg tee -a "$pgdata/postgresql.conf" >/dev/null
    fi
    as_pg mkdir -p "$dir/run"
    # Rewritten on every start: the port may differ between runs (test.sh picks free ports).
    as_pg tee "$pgdata/cumulus.conf" >/dev/null <<EOF
# written by deploy/lib.sh on every start
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
password_encryption = 'scram-sha-256'
# six services, each with a connection pool, plus the tests
max_connections = 300
logging_collector = off
log_min_messages = warning
EOF
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$PG_BIN/pg_ctl" -D "$pgdata" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
        die "PostgreSQL did not start (see $dir/postgres.log)"
    ln -sfn "$dir/postgres.log" "$(logdir)/postgres.log"
    head -n1 "$pgdata/postmaster.pid" >"$(rundir)/postgres.pid"
    readlink -f "$PG_BIN/postgres" >"$(rundir)/postgres.exe"
    printf '%s\n' "$pgdata" >"$(rundir)/postgres.datadir"
}

stop_postgres() {
    local pgdata
    pgdata=$(head -n1 "$(rundir)/postgres.datadir" 2>/dev/null) || true
    if is_running postgres; then
        say "stopping PostgreSQL (pid $(pid_of postgres))"
        if [[ -z $pgdata ]] || ! as_pg "$PG_BIN/pg_ctl" -D "$pgdata" stop -m fast -w -t 30 >/dev/null; then
            stop_process postgres
        fi
    fi
    forget postgres
    rm -f "$(rundir)/postgres.datadir"
}

# psql_super ARGS...: psql as the superuser over TCP
psql_super() {
    PGPASSWORD=$(secret PG_SUPERUSER_PASSWORD) "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

bootstrap_database() {
    say "bootstrapping database cumulus (roles and schemas)"
    (
        # bootstrap.sql reads the passwords from the environment (never from the command line).
        for svc in "${CUMULUS_SERVICES[@]}"; do
            export "CUMULUS_PG_PASSWORD_$(upper "$svc")=$(secret "PG_PASSWORD_$(upper "$svc")")"
        done
        psql_super -d postgres -f "$CUMULUS_ROOT/deploy/bootstrap.sql" >&2
    ) || die "deploy/bootstrap.sql failed"
}

# ---------------------------------------------------------------------------------------------
# Redis

# start_redis DIR PORT
start_redis() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    cat >"$dir/redis.conf" <<EOF
# written by deploy/lib.sh on every start
bind 127.0.0.1
port $port
protected-mode yes
daemonize no
supervised no
dir $dir
# durability from the append-only file only; no surprise RDB snapshots
appendonly yes
appendfsync everysec
save ""
loglevel notice
logfile ""
EOF
    say "starting Redis on 127.0.0.1:$port"
    launch redis "$(logdir)/redis.log" redis-server "$dir/redis.conf"
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] && return 0
        is_running redis || break
        sleep 0.1
    done
    die "Redis did not start (see $(logdir)/redis.log)"
}

# ---------------------------------------------------------------------------------------------
# the six services

# start_services BINDIR
start_services() {
    local bindir=$1 svc
    ensure_service_secrets
    for svc in "${CUMULUS_SERVICES[@]}"; do
        [[ -x $bindir/$svc ]] || die "no service binary $bindir/$svc (build first)"
    done
    for svc in "${CUMULUS_SERVICES[@]}"; do
        start_service "$bindir" "$svc"
    done
}

start_service() {
    local bindir=$1 svc=$2 up port
    up=$(upper "$svc")
    port=${SERVICE_PORT[$svc]}
    mkdir -p "$DATA/$svc"
    # One log per run; the previous run's stays beside it as <service>.log.1.
    [[ -s $(logdir)/$svc.log ]] && mv -f "$(logdir)/$svc.log" "$(logdir)/$svc.log.1"
    say "starting $svc on 127.0.0.1:$port"
    (
        export "CUMULUS_${up}_HOST=127.0.0.1"
        export "CUMULUS_${up}_PORT=$port"
        export "CUMULUS_${up}_DATABASE_URL=$(pg_service_url "$svc")"
        export "CUMULUS_${up}_DATA_DIR=$DATA/$svc"
        export "CUMULUS_REDIS_URL=$(redis_url)"
        export "CUMULUS_JWKS_URL=http://127.0.0.1:${SERVICE_PORT[governance]}/.well-known/jwks.json"
        export "CUMULUS_GOVERNANCE_URL=http://127.0.0.1:${SERVICE_PORT[governance]}"
        export CUMULUS_LOG_FORMAT=json
        if [[ $svc == governance ]]; then
            CUMULUS_GOVERNANCE_SECRET_KEYS=$(secret GOVERNANCE_SECRET_KEYS)
            CUMULUS_GOVERNANCE_ADMIN_EMAIL=$(secret ADMIN_EMAIL)
            CUMULUS_GOVERNANCE_ADMIN_PASSWORD=$(secret ADMIN_PASSWORD)
            CUMULUS_GOVERNANCE_SERVICE_ACCOUNTS=$(service_accounts_spec)
            export CUMULUS_GOVERNANCE_SECRET_KEYS CUMULUS_GOVERNANCE_ADMIN_EMAIL CUMULUS_GOVERNANCE_ADMIN_PASSWORD CUMULUS_GOVERNANCE_SERVICE_ACCOUNTS
        elif [[ " ${CUMULUS_SERVICE_ACCOUNTS[*]} " == *" $svc "* ]]; then
            if [[ $svc == coordinator ]]; then
                export "CUMULUS_COORDINATOR_ORCHESTRATOR_URL=http://127.0.0.1:${SERVICE_PORT[orchestrator]}"
                export "CUMULUS_COORDINATOR_REGISTRY_URL=http://127.0.0.1:${SERVICE_PORT[registry]}"
                export "CUMULUS_COORDINATOR_PLACEMENT_URL=http://127.0.0.1:${SERVICE_PORT[placement]}"
            fi
            export "CUMULUS_${up}_CLIENT_ID=svc_$(secret "SERVICE_ID_$up")"
            export "CUMULUS_${up}_CLIENT_SECRET=$(secret "SERVICE_SECRET_$up")"
        fi
        if [[ $svc == placement ]]; then
            # Placement asks the orchestrator where a federation's nodes are, and renders Terraform
            # from the modules in the checkout.
            export "CUMULUS_PLACEMENT_ORCHESTRATOR_URL=http://127.0.0.1:${SERVICE_PORT[orchestrator]}"
            export "CUMULUS_PLACEMENT_TERRAFORM_MODULES=$CUMULUS_ROOT/deploy/terraform/modules"
        fi
        launch "$svc" "$(logdir)/$svc.log" "$bindir/$svc"
    )
}

# ---------------------------------------------------------------------------------------------
# TLS and nginx

make_tls_cert() {
    local dir="$DATA/tls"
    [[ -s $dir/cert.pem && -s $dir/key.pem ]] && return 0
    mkdir -p "$dir"
    say "creating a self-signed certificate for 127.0.0.1 and localhost"
    (
        umask 077
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
            -subj "/CN=Cumulus local gateway" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -addext "basicConstraints=critical,CA:FALSE" \
            -addext "extendedKeyUsage=serverAuth" \
            -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    ) || die "openssl could not create the certificate"
    chmod 644 "$dir/cert.pem"
}

# The variables nginx/nginx.conf.template uses. envsubst gets exactly this list so that nginx's
# own $variables ($host, $request_id, ...) survive rendering.
NGINX_TEMPLATE_VARS=(CUMULUS_GATEWAY_LISTEN CUMULUS_TLS_CERT CUMULUS_TLS_KEY CUMULUS_DASHBOARD_DIR
    CUMULUS_NGINX_RUN_DIR CUMULUS_NGINX_ACCESS_LOG CUMULUS_NGINX_ERROR_LOG
    CUMULUS_UPSTREAM_GOVERNANCE CUMULUS_UPSTREAM_COSTS CUMULUS_UPSTREAM_PLACEMENT
    CUMULUS_UPSTREAM_ORCHESTRATOR CUMULUS_UPSTREAM_COORDINATOR CUMULUS_UPSTREAM_REGISTRY)

nginx_conf() { printf '%s/nginx/nginx.conf' "$DATA"; }

render_nginx_conf() {
    local prefix="$DATA/nginx" svc list=""
    mkdir -p "$prefix/tmp"
    (
        export CUMULUS_GATEWAY_LISTEN="127.0.0.1:$GATEWAY_PORT"
        export CUMULUS_TLS_CERT="$DATA/tls/cert.pem" CUMULUS_TLS_KEY="$DATA/tls/key.pem"
        export CUMULUS_DASHBOARD_DIR="$CUMULUS_ROOT/nginx/dashboard"
        export CUMULUS_NGINX_RUN_DIR="$prefix/tmp"
        export CUMULUS_NGINX_ACCESS_LOG="$DATA/logs/nginx-access.log"
        export CUMULUS_NGINX_ERROR_LOG="$DATA/logs/nginx-error.log"
        for svc in "${CUMULUS_SERVICES[@]}"; do
            export "CUMULUS_UPSTREAM_$(upper "$svc")=127.0.0.1:${SERVICE_PORT[$svc]}"
        done
        for v in "${NGINX_TEMPLATE_VARS[@]}"; do
            [[ -n ${!v:-} ]] || die "internal: $v not set for the nginx template"
            list+="\${$v} "
        done
        envsubst "$list" <"$CUMULUS_ROOT/nginx/nginx.conf.template" >"$(nginx_conf).new"
    ) || die "could not render nginx.conf"
    mv "$(nginx_conf).new" "$(nginx_conf)"
}

# nginx with -p (prefix) and -e (early error log) inside the data folder
nginx_cmd() { nginx -p "$DATA/nginx/" -e "$(logdir)/nginx-error.log" -c "$(nginx_conf)" "$@"; }

check_nginx_conf() {
    say "checking the gateway configuration (nginx -t)"
    nginx_cmd -t -q 2>&1 | sed 's/^/cumulus: nginx -t: /' >&2
    ((PIPESTATUS[0] == 0)) || die "nginx -t failed for $(nginx_conf)"
}

start_nginx() {
    # As root, nginx's workers run as `nobody` and serve the dashboard from the checkout.
    if ((EUID == 0)) && ! runuser -u nobody -- test -r "$CUMULUS_ROOT/nginx/dashboard/index.html" 2>/dev/null; then
        say "warning: user nobody cannot read $CUMULUS_ROOT/nginx/dashboard (a parent folder is closed); the dashboard will answer 404"
    fi
    make_tls_cert
    render_nginx_conf
    check_nginx_conf
    say "starting nginx (gateway) on https://127.0.0.1:$GATEWAY_PORT/"
    launch nginx "$(logdir)/nginx-error.log" nginx -p "$DATA/nginx/" -e "$(logdir)/nginx-error.log" \
        -c "$(nginx_conf)" -g 'daemon off;'
}

# ---------------------------------------------------------------------------------------------
# Prometheus: prometheus/prometheus.yml is the one source (compose targets <service>:8080);
# the local copy rewrites the targets to 127.0.0.1:<port> and points at the rule file.

prometheus_conf() { printf '%s/prometheus/prometheus.yml' "$DATA"; }

render_prometheus_conf() {
    local dir="$DATA/prometheus" svc sed_args=()
    mkdir -p "$dir/data"
    for svc in "${CUMULUS_SERVICES[@]}"; do
        sed_args+=(-e "s|\"$svc:8080\"|\"127.0.0.1:${SERVICE_PORT[$svc]}\"|")
    done
    sed_args+=(-e "s|^\(  *- \)alerts\.yml$|\1$CUMULUS_ROOT/prometheus/alerts.yml|")
    sed "${sed_args[@]}" "$CUMULUS_ROOT/prometheus/prometheus.yml" >"$(prometheus_conf)"
    if grep -q '^ *- targets:.*:8080"' "$(prometheus_conf)" || ! grep -q "$CUMULUS_ROOT/prometheus/alerts.yml" "$(prometheus_conf)"; then
        die "prometheus/prometheus.yml no longer has the shape render_prometheus_conf expects"
    fi
    promtool check config "$(prometheus_conf)" >/dev/null 2>&1 ||
        die "promtool check config failed for $(prometheus_conf) (run it to see why)"
}

start_prometheus() {
    render_prometheus_conf
    say "starting Prometheus on http://127.0.0.1:$PROMETHEUS_PORT/"
    launch prometheus "$(logdir)/prometheus.log" prometheus \
        --config.file="$(prometheus_conf)" \
        --storage.tsdb.path="$DATA/prometheus/data" \
        --storage.tsdb.retention.time=15d \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
}

# ---------------------------------------------------------------------------------------------
# readiness

# probe NAME: 0 when ready
probe() {
    case $1 in
    nginx) curl -fsk -o /dev/null --max-time 2 "https://127.0.0.1:$GATEWAY_PORT/" ;;
    prometheus) curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" ;;
    *) curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:${SERVICE_PORT[$1]}/readyz" ;;
    esac
}

log_of() {
    case $1 in
    nginx) printf '%s/nginx-error.log' "$(logdir)" ;;
    *) printf '%s/%s.log' "$(logdir)" "$1" ;;
    esac
}

# start_cloud_peers PEERS_PORT MOTO_PORT: local stand-ins for the cloud providers, for the tests
# only: moto's real STS (with signature checking on) and Tests/CloudPeers (GCP, Keystone, Azure).
start_cloud_peers() {
    local peers_port=$1 moto_port=$2 i python
    # The real interpreter, not a wrapper script (pyenv's shims are), so the PID check matches it.
    python=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is needed for the cloud test peers"
    say "starting the cloud test peers on 127.0.0.1:$peers_port and moto on 127.0.0.1:$moto_port"
    launch cloud-peers "$(logdir)/cloud-peers.log" "$python" "$CUMULUS_ROOT/Tests/CloudPeers/cloud_peers.py" --port "$peers_port"
    INITIAL_NO_AUTH_ACTION_COUNT=0 launch moto "$(logdir)/moto.log" "$python" -m moto.server -H 127.0.0.1 -p "$moto_port"
    for ((i = 0; i < 200; i++)); do
        if grep -qx ready "$(logdir)/cloud-peers.log" 2>/dev/null &&
            curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$moto_port/moto-api/"; then
            return 0
        fi
        is_running cloud-peers || die "the cloud peers exited (see $(logdir)/cloud-peers.log)"
        is_running moto || die "moto exited (see $(logdir)/moto.log)"
        sleep 0.1
    done
    die "the cloud test peers did not become ready (see $(logdir)/cloud-peers.log and moto.log)"
}

# wait_ready: every service's /readyz, the gateway and Prometheus, up to CUMULUS_READY_TIMEOUT s
wait_ready() {
    local timeout=${CUMULUS_READY_TIMEOUT:-180} start=$SECONDS name pending
    local names=("${CUMULUS_SERVICES[@]}" nginx prometheus)
    say "waiting until everything is ready (at most ${timeout}s)"
    while :; do
        pending=()
        for name in "${names[@]}"; do
            if ! is_running "$name"; then
                say "$name exited; the end of $(log_of "$name"):"
                tail -n 10 "$(log_of "$name")" 2>/dev/null | sed 's/^/cumulus: | /' >&2
                return 1
            fi
            probe "$name" || pending+=("$name")
        done
        ((${#pending[@]} == 0)) && { say "all ready"; return 0; }
        if ((SECONDS - start >= timeout)); then
            for name in "${pending[@]}"; do
                say "not ready after ${timeout}s: $name (see $(log_of "$name"))"
            done
            return 1
        fi
        sleep 1
    done
}

# wait_scraped: until Prometheus reports all six targets with health "up"
wait_scraped() {
    local timeout=${CUMULUS_READY_TIMEOUT:-180} start=$SECONDS up
    while :; do
        up=$(curl -fs --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets?state=active" |
            grep -o '"health":"up"' | wc -l) || up=0
        ((up >= ${#CUMULUS_SERVICES[@]})) && { say "Prometheus has scraped all services"; return 0; }
        if ((SECONDS - start >= timeout)); then
            say "Prometheus sees only $up of ${#CUMULUS_SERVICES[@]} targets up after ${timeout}s (see http://127.0.0.1:$PROMETHEUS_PORT/targets)"
            return 1
        fi
        sleep 1
    done
}

# ---------------------------------------------------------------------------------------------
# stop

# stop_all: exactly the processes recorded under RUNDIR, gateway first, databases last
stop_all() {
    [[ -d $(rundir) ]] || return 0
    local name i
    stop_process nginx
    stop_process prometheus
    for ((i = ${#CUMULUS_SERVICES[@]} - 1; i >= 0; i--)); do
        stop_process "${CUMULUS_SERVICES[i]}"
    done
    stop_process redis
    stop_postgres
    # anything else somebody recorded
    for name in "$(rundir)"/*.pid; do
        [[ -e $name ]] || continue
        name=${name##*/}
        stop_process "${name%.pid}"
    done
}

# all_names: every process the suite consists of, in start order
all_names() { printf '%s\n' postgres redis "${CUMULUS_SERVICES[@]}" nginx prometheus; }

# print_logs_tail [LINES]: the end of every service's log, for failures
print_logs_tail() {
    local lines=${1:-40} name file
    for name in "${CUMULUS_SERVICES[@]}" nginx redis postgres prometheus; do
        file=$(log_of "$name")
        [[ -s $file ]] || continue
        printf '\ncumulus: ----- last %s lines of %s -----\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" >&2
    done
}

# prepare_dirs: the folders every start needs. As root, PostgreSQL runs as `postgres` and nginx's
# workers as `nobody`; both must be able to walk through DATA, which mktemp creates 0700. Give
# "others" search permission (x) only, never read: they can reach their own subfolders but not
# list DATA or read secrets.env (0600 anyway).
prepare_dirs() {
    mkdir -p "$DATA" "$(rundir)" "$(logdir)"
    ((EUID == 0)) && chmod o+x "$DATA"
    return 0
}
