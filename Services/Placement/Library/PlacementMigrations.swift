import CumulusKit

/// The placement schema. Append only: a released migration is never edited.
enum PlacementMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_placements_and_deployments",
            """
            CREATE TABLE placements (
                id uuid PRIMARY KEY,
                federation_id uuid NOT NULL,
                mode text NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                front_size int NOT NULL,
                -- the whole answer as the API shows it (PlacementView), front and baselines included
                view jsonb NOT NULL
            )
            """,
            "CREATE INDEX placements_by_federation ON placements (federation_id, created_at DESC)",
            """
            CREATE TABLE deployments (
                id uuid PRIMARY KEY,
                federation_id uuid NOT NULL,
                placement_id uuid NOT NULL REFERENCES placements(id),
                front_index int NOT NULL,
                provisioner text NOT NULL,
                status text NOT NULL,
                monthly_cost_usd double precision NOT NULL,
                round_seconds double precision NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                stopped_at timestamptz,
                terraform_directory text,
                last_error text
            )
            """,
            "CREATE INDEX deployments_by_federation ON deployments (federation_id, created_at DESC)",
            "CREATE INDEX deployments_running ON deployments (status) WHERE status = 'running'",
            """
            CREATE TABLE deployment_aggregators (
                id uuid PRIMARY KEY,
                deployment_id uuid NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
                position int NOT NULL,
                role text NOT NULL,
                slot int,
                provider text NOT NULL,
                region text NOT NULL,
                instance_type text NOT NULL,
                vcpus int NOT NULL,
                memory_gb double precision NOT NULL,
                hourly_usd double precision NOT NULL,
                endpoint text,
                -- the end of the last interval put on the usage stream as aggregator-hours
                metered_until timestamptz
            )
            """,
            "CREATE INDEX deployment_aggregators_by_deployment ON deployment_aggregators (deployment_id, position)",
            """
            CREATE TABLE usage_outbox (
                id uuid PRIMARY KEY,
                fields jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """
        ),
    ]
}
