import CumulusKit

/// The registry's schema. Append only: a released migration is never edited.
enum RegistryMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_models",
            """
            CREATE TABLE blobs (
                sha256 text PRIMARY KEY,
                bytes bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            // Which federations may read a blob: the one it was uploaded for, and every
            // federation with a version made of it.
            """
            CREATE TABLE blob_federations (
                sha256 text NOT NULL REFERENCES blobs(sha256),
                federation_id uuid NOT NULL,
                PRIMARY KEY (sha256, federation_id)
            )
            """,
            """
            CREATE TABLE model_versions (
                id uuid PRIMARY KEY,
                job_id uuid NOT NULL,
                federation_id uuid NOT NULL,
                job_name text NOT NULL,
                round int NOT NULL,
                sha256 text NOT NULL REFERENCES blobs(sha256),
                strategy text NOT NULL,
                participants int NOT NULL,
                examples bigint NOT NULL,
                metrics jsonb NOT NULL,
                stage text NOT NULL DEFAULT 'none',
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (job_id, round)
            )
            """,
            "CREATE INDEX model_versions_by_federation ON model_versions (federation_id, created_at)"
        ),
    ]
}
