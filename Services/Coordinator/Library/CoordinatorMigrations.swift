import CumulusKit

/// The coordinator's schema. Append only: a released migration is never edited.
enum CoordinatorMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_jobs_and_rounds",
            """
            CREATE TABLE jobs (
                id uuid PRIMARY KEY,
                federation_id uuid NOT NULL,
                name text NOT NULL,
                spec jsonb NOT NULL,
                state text NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                finished_at timestamptz,
                completed_rounds int NOT NULL DEFAULT 0,
                global_hash text,
                -- the strategy's configuration and state (global model, moments) after completed_rounds
                checkpoint text,
                error text
            )
            """,
            "CREATE INDEX jobs_by_federation ON jobs (federation_id, created_at)",
            """
            CREATE TABLE rounds (
                job_id uuid NOT NULL REFERENCES jobs(id),
                round int NOT NULL,
                state text NOT NULL,
                opened_at timestamptz NOT NULL DEFAULT now(),
                deadline_at timestamptz NOT NULL,
                closed_at timestamptz,
                tasks jsonb NOT NULL,
                evaluation_tasks jsonb,
                stragglers jsonb NOT NULL DEFAULT '{}',
                model_hash text,
                examples bigint NOT NULL DEFAULT 0,
                train_loss double precision,
                evaluation_loss double precision,
                evaluation_accuracy double precision,
                PRIMARY KEY (job_id, round)
            )
            """,
            """
            CREATE TABLE updates (
                job_id uuid NOT NULL,
                round int NOT NULL,
                organisation_id uuid NOT NULL,
                node_id uuid NOT NULL,
                task_id uuid NOT NULL,
                sha256 text NOT NULL,
                bytes bigint NOT NULL,
                examples bigint NOT NULL,
                train_loss double precision,
                path text NOT NULL,
                accepted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (job_id, round, organisation_id)
            )
            """,
            """
            CREATE TABLE rejected_updates (
                id bigserial PRIMARY KEY,
                job_id uuid NOT NULL,
                round int NOT NULL,
                node_id uuid,
                reason text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE job_events (
                id bigserial PRIMARY KEY,
                job_id uuid NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                kind text NOT NULL,
                data jsonb NOT NULL
            )
            """,
            "CREATE INDEX job_events_by_job ON job_events (job_id, id)"
        ),
        Migration("0002_job_approval", "ALTER TABLE jobs ADD COLUMN approved_by text, ADD COLUMN approved_at timestamptz"),
        // What a job's defence did with each update of the round (UpdateVerdict, as JSON).
        Migration("0003_round_verdicts", "ALTER TABLE rounds ADD COLUMN verdicts jsonb"),
        Migration("0004_job_aggregator", "ALTER TABLE jobs ADD COLUMN aggregator jsonb"),
        // FedQV's credits or the reputation rule's evidence, carried from round to round.
        Migration("0005_defence_state", "ALTER TABLE jobs ADD COLUMN defence_state text"),
        // Differential privacy: the accountant and clipping state, ε per round, an early stop.
        Migration(
            "0006_privacy",
            "ALTER TABLE jobs ADD COLUMN privacy_state text, ADD COLUMN stop_reason text",
            "ALTER TABLE rounds ADD COLUMN epsilon double precision, ADD COLUMN clipped_updates int"),
        // Secure aggregation: the protocol state of an open round's current attempt, the messages
        // relayed (public keys, encrypted shares, masked inputs: nothing in the clear), the
        // attempts aborted, and the summary a closed round keeps.
        Migration(
            "0007_secure_aggregation",
            "ALTER TABLE rounds ADD COLUMN secure jsonb",
            """
            CREATE TABLE secure_rounds (
                job_id uuid NOT NULL,
                round int NOT NULL,
                attempt int NOT NULL,
                stage text NOT NULL,
                stage_deadline timestamptz NOT NULL,
                configuration text,
                -- node id → organisation id, fixed when joining closes
                members jsonb NOT NULL DEFAULT '{}',
                -- node id → the stage it missed
                dropped jsonb NOT NULL DEFAULT '{}',
                PRIMARY KEY (job_id, round)
            )
            """,
            """
            CREATE TABLE secure_messages (
                job_id uuid NOT NULL,
                round int NOT NULL,
                attempt int NOT NULL,
                stage text NOT NULL,
                -- 'in': an agent's message (party: its node id); 'out': the coordinator's answer to that node
                direction text NOT NULL,
                party text NOT NULL,
                body bytea,
                fed boolean NOT NULL DEFAULT false,
                at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (job_id, round, attempt, stage, direction, party)
            )
            """,
            """
            CREATE TABLE secure_aborts (
                job_id uuid NOT NULL,
                round int NOT NULL,
                attempt int NOT NULL,
                stage text NOT NULL,
                reason text NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, round, attempt)
            )
            """),
    ]
}