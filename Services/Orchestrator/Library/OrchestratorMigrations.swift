import CumulusKit

/// The orchestrator's schema. Append only: a released migration is never edited.
enum OrchestratorMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_nodes_and_tasks",
            """
            CREATE TABLE nodes (
                id uuid PRIMARY KEY,
                organisation_id uuid NOT NULL,
                federation_id uuid NOT NULL,
                hostname text NOT NULL,
                provider text, region text, zone text, instance_type text,
                vcpus int NOT NULL,
                memory_bytes bigint NOT NULL,
                disk_bytes bigint NOT NULL,
                gpus jsonb NOT NULL DEFAULT '[]',
                labels jsonb NOT NULL DEFAULT '{}',
                signing_public_key text NOT NULL,
                agreement_public_key text NOT NULL,
                agent_version text NOT NULL,
                status text NOT NULL DEFAULT 'active',
                consecutive_failures int NOT NULL DEFAULT 0,
                registered_at timestamptz NOT NULL DEFAULT now(),
                last_heartbeat_at timestamptz,
                telemetry jsonb,
                datasets jsonb NOT NULL DEFAULT '[]',
                -- the end of the last interval metered as node-hours
                metered_until timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX nodes_by_participant ON nodes (federation_id, organisation_id)",
            "CREATE INDEX nodes_by_heartbeat ON nodes (status, last_heartbeat_at)",
            """
            CREATE TABLE node_telemetry (
                node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
                at timestamptz NOT NULL,
                resolution text NOT NULL,
                cpu_percent double precision NOT NULL,
                memory_percent double precision NOT NULL,
                disk_free_bytes bigint NOT NULL,
                load1 double precision NOT NULL,
                gpu_percent double precision,
                PRIMARY KEY (node_id, resolution, at)
            )
            """,
            """
            CREATE TABLE node_events (
                id bigserial PRIMARY KEY,
                node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
                at timestamptz NOT NULL DEFAULT now(),
                kind text NOT NULL,
                detail text NOT NULL
            )
            """,
            "CREATE INDEX node_events_by_node ON node_events (node_id, at)",
            """
            CREATE TABLE tasks (
                id uuid PRIMARY KEY,
                federation_id uuid NOT NULL,
                organisation_id uuid NOT NULL,
                kind text NOT NULL,
                parameters jsonb NOT NULL,
                requirement jsonb NOT NULL,
                assignment text NOT NULL,
                state text NOT NULL,
                attempt int NOT NULL DEFAULT 0,
                max_attempts int NOT NULL,
                lease_seconds int NOT NULL,
                node_id uuid,
                lease_expires_at timestamptz,
                next_attempt_at timestamptz,
                last_sequence int NOT NULL DEFAULT 0,
                progress double precision,
                result jsonb,
                error text,
                reference text,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                deadline_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX tasks_by_node ON tasks (node_id, state)",
            "CREATE INDEX tasks_due ON tasks (state, next_attempt_at)",
            "CREATE INDEX tasks_by_participant ON tasks (federation_id, organisation_id, created_at)",
            """
            CREATE TABLE task_attempts (
                task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                attempt int NOT NULL,
                node_id uuid,
                decided_at timestamptz NOT NULL DEFAULT now(),
                ended_at timestamptz,
                outcome text NOT NULL,
                reason text,
                verdicts jsonb NOT NULL,
                PRIMARY KEY (task_id, attempt)
            )
            """,
            """
            CREATE TABLE task_transitions (
                id bigserial PRIMARY KEY,
                task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                at timestamptz NOT NULL DEFAULT now(),
                from_state text,
                to_state text NOT NULL,
                node_id uuid,
                reason text
            )
            """,
            "CREATE INDEX task_transitions_by_task ON task_transitions (task_id, id)",
            """
            CREATE TABLE assignment_cursors (
                federation_id uuid NOT NULL,
                organisation_id uuid NOT NULL,
                last_node_id uuid NOT NULL,
                PRIMARY KEY (federation_id, organisation_id)
            )
            """,
            """
            CREATE TABLE usage_outbox (
                id uuid PRIMARY KEY,
                fields jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """
        ),
        // Every heartbeat rewrites its node's row. With no index on a column the heartbeat
        // changes, and room left on each page, PostgreSQL updates the row in place (HOT) instead
        // of adding an entry to every index; nodes_by_heartbeat served no query (the sweeper
        // filters on coalesce(last_heartbeat_at, registered_at), which it cannot use).
        Migration(
            "0002_heartbeat_updates_in_place",
            "DROP INDEX nodes_by_heartbeat",
            "ALTER TABLE nodes SET (fillfactor = 70)"
        ),
    ]
}
