import CumulusKit

/// The costs schema. Append only: a released migration is never edited.
enum CostsMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_catalogue",
            "CREATE TABLE providers (name text PRIMARY KEY, display_name text NOT NULL)",
            """
            INSERT INTO providers (name, display_name) VALUES
                ('aws', 'Amazon Web Services'), ('gcp', 'Google Cloud'), ('azure', 'Microsoft Azure'), ('openstack', 'OpenStack')
            """,
            """
            CREATE TABLE regions (
                provider text NOT NULL REFERENCES providers(name),
                name text NOT NULL,
                continent text,
                country_code text,
                PRIMARY KEY (provider, name)
            )
            """,
            """
            CREATE TABLE instance_types (
                provider text NOT NULL,
                region text NOT NULL,
                instance_type text NOT NULL,
                vcpus int NOT NULL CHECK (vcpus > 0),
                memory_gb double precision NOT NULL CHECK (memory_gb >= 0),
                gpu_model text,
                gpu_count int,
                PRIMARY KEY (provider, region, instance_type),
                FOREIGN KEY (provider, region) REFERENCES regions (provider, name)
            )
            """,
            // Price history: the current price of an offer is its row with superseded_in NULL.
            """
            CREATE TABLE hourly_prices (
                id bigserial PRIMARY KEY,
                provider text NOT NULL,
                region text NOT NULL,
                instance_type text NOT NULL,
                hourly_usd double precision NOT NULL CHECK (hourly_usd > 0),
                nano_dollars bigint NOT NULL,
                effective_date date NOT NULL,
                source text NOT NULL,
                catalogue_version int NOT NULL,
                superseded_in int,
                FOREIGN KEY (provider, region, instance_type) REFERENCES instance_types (provider, region, instance_type) ON DELETE CASCADE
            )
            """,
            "CREATE UNIQUE INDEX hourly_prices_current ON hourly_prices (provider, region, instance_type) WHERE superseded_in IS NULL",
            // region '' is the provider's tariff; a named region overrides it.
            """
            CREATE TABLE egress_prices (
                provider text NOT NULL REFERENCES providers(name),
                region text NOT NULL DEFAULT '',
                same_region_per_gb double precision NOT NULL CHECK (same_region_per_gb >= 0),
                inter_region_per_gb double precision NOT NULL CHECK (inter_region_per_gb >= 0),
                internet_per_gb double precision NOT NULL CHECK (internet_per_gb >= 0),
                source text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (provider, region)
            )
            """,
            // One row per unordered pair, (a_provider, a_region) < (b_provider, b_region).
            """
            CREATE TABLE latencies (
                a_provider text NOT NULL, a_region text NOT NULL,
                b_provider text NOT NULL, b_region text NOT NULL,
                rtt_ms double precision NOT NULL CHECK (rtt_ms >= 0),
                measurements int NOT NULL,
                source text NOT NULL,
                latency_version int NOT NULL,
                PRIMARY KEY (a_provider, a_region, b_provider, b_region)
            )
            """,
            """
            CREATE TABLE catalogue_versions (
                kind text NOT NULL CHECK (kind IN ('prices', 'latencies')),
                number int NOT NULL,
                fingerprint text NOT NULL,
                item_count int NOT NULL,
                source text NOT NULL,
                added int NOT NULL, changed int NOT NULL, removed int NOT NULL,
                created_by text,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (kind, number)
            )
            """,
            """
            CREATE TABLE imports (
                id uuid PRIMARY KEY,
                kind text NOT NULL,
                source text NOT NULL,
                dry_run boolean NOT NULL,
                accepted_rows int NOT NULL,
                ignored_rows int NOT NULL,
                issues jsonb NOT NULL,
                version int NOT NULL,
                changed_anything boolean NOT NULL,
                created_by text,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """
        ),
        Migration(
            "0002_metering_and_budgets",
            // One row per usage event id: the idempotency key of metering.
            """
            CREATE TABLE usage_events (
                event_id text PRIMARY KEY,
                stream_id text NOT NULL,
                kind text NOT NULL,
                source text NOT NULL,
                federation_id uuid,
                outcome text NOT NULL CHECK (outcome IN ('priced', 'unpriceable', 'malformed')),
                code text,
                reason text,
                total_nano_dollars bigint NOT NULL DEFAULT 0,
                catalogue_version int,
                substitution text,
                fields jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX usage_events_by_federation ON usage_events (federation_id, outcome)",
            """
            CREATE TABLE line_items (
                event_id text NOT NULL REFERENCES usage_events(event_id),
                idx int NOT NULL,
                federation_id uuid NOT NULL,
                organisation_id text,
                component text NOT NULL,
                provider text NOT NULL,
                region text NOT NULL,
                day date NOT NULL,
                quantity bigint NOT NULL,
                unit text NOT NULL,
                rate_nano_dollars bigint NOT NULL,
                nano_dollars bigint NOT NULL CHECK (nano_dollars >= 0),
                instance_type text,
                PRIMARY KEY (event_id, idx)
            )
            """,
            "CREATE INDEX line_items_by_federation_day ON line_items (federation_id, day)",
            """
            CREATE TABLE budgets (
                id uuid PRIMARY KEY,
                federation_id uuid NOT NULL,
                limit_nano_dollars bigint NOT NULL CHECK (limit_nano_dollars > 0),
                threshold_percents int[] NOT NULL,
                period text NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly')),
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX budgets_by_federation ON budgets (federation_id)",
            // A threshold fires once per budget and period: the unique key is the guarantee; the
            // row is also the outbox of its stream event and audit entry (published_at).
            """
            CREATE TABLE budget_firings (
                id uuid PRIMARY KEY,
                budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
                federation_id uuid NOT NULL,
                period text NOT NULL,
                window_start date NOT NULL,
                window_end date NOT NULL,
                threshold_percent int NOT NULL,
                spent_nano_dollars bigint NOT NULL,
                limit_nano_dollars bigint NOT NULL,
                triggering_event_id text,
                fired_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz,
                UNIQUE (budget_id, window_start, threshold_percent)
            )
            """,
            "CREATE INDEX budget_firings_unpublished ON budget_firings (fired_at) WHERE published_at IS NULL",
            """
            CREATE TABLE billed_costs (
                federation_id uuid NOT NULL,
                provider text NOT NULL,
                day date NOT NULL,
                source text NOT NULL,
                nano_dollars bigint NOT NULL,
                estimated boolean NOT NULL,
                fetched_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (federation_id, provider, day, source)
            )
            """
        ),
    ]
}
