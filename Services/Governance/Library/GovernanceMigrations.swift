import CumulusKit

/// Governance's schema. Append only: a released migration is never edited.
enum GovernanceMigrations {
    static let all: [Migration] = [
        Migration(
            "0001_identity",
            """
            CREATE TABLE organisations (
                id uuid PRIMARY KEY,
                name text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE users (
                id uuid PRIMARY KEY,
                organisation_id uuid REFERENCES organisations(id),
                email text NOT NULL UNIQUE,
                display_name text NOT NULL,
                password_hash text NOT NULL,
                failed_logins int NOT NULL DEFAULT 0,
                locked_until timestamptz,
                disabled boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE signing_keys (
                kid text PRIMARY KEY,
                sealed_private_key text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                retired_at timestamptz
            )
            """,
            """
            CREATE TABLE refresh_tokens (
                id uuid PRIMARY KEY,
                family_id uuid NOT NULL,
                user_id uuid NOT NULL REFERENCES users(id),
                token_hash bytea NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                revoked_at timestamptz
            )
            """,
            "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
            """
            CREATE TABLE setup_tokens (
                token_hash bytea PRIMARY KEY,
                expires_at timestamptz NOT NULL,
                used_at timestamptz
            )
            """
        ),
        Migration(
            "0002_federations_and_rbac",
            """
            CREATE TABLE federations (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                owner_organisation_id uuid NOT NULL REFERENCES organisations(id),
                created_at timestamptz NOT NULL DEFAULT now(),
                deleted_at timestamptz,
                UNIQUE (owner_organisation_id, name)
            )
            """,
            """
            CREATE TABLE federation_members (
                federation_id uuid NOT NULL REFERENCES federations(id),
                organisation_id uuid NOT NULL REFERENCES organisations(id),
                status text NOT NULL CHECK (status IN ('invited', 'active')),
                invited_by uuid NOT NULL,
                invited_at timestamptz NOT NULL DEFAULT now(),
                accepted_by uuid,
                accepted_at timestamptz,
                PRIMARY KEY (federation_id, organisation_id)
            )
            """,
            """
            CREATE TABLE roles (
                id uuid PRIMARY KEY,
                organisation_id uuid REFERENCES organisations(id),
                name text NOT NULL,
                description text NOT NULL DEFAULT '',
                built_in boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE UNIQUE INDEX roles_name ON roles (coalesce(organisation_id, '00000000-0000-0000-0000-000000000000'::uuid), name)",
            """
            CREATE TABLE role_permissions (
                role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                permission text NOT NULL,
                PRIMARY KEY (role_id, permission)
            )
            """,
            """
            CREATE TABLE role_inherits (
                role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                parent_role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                PRIMARY KEY (role_id, parent_role_id)
            )
            """,
            """
            CREATE TABLE role_bindings (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users(id),
                role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                scope_kind text NOT NULL CHECK (scope_kind IN ('platform', 'organisation', 'federation')),
                scope_id uuid,
                granted_by uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                CHECK ((scope_kind = 'platform') = (scope_id IS NULL))
            )
            """,
            "CREATE UNIQUE INDEX role_bindings_unique ON role_bindings (user_id, role_id, scope_kind, coalesce(scope_id, '00000000-0000-0000-0000-000000000000'::uuid))",
            """
            CREATE TABLE approvals (
                id uuid PRIMARY KEY,
                action text NOT NULL,
                permission text NOT NULL,
                scope_kind text NOT NULL,
                scope_id uuid,
                summary text NOT NULL,
                payload jsonb NOT NULL DEFAULT '{}'::jsonb,
                requested_by uuid NOT NULL REFERENCES users(id),
                requested_by_service text,
                status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'consumed')),
                decided_by uuid REFERENCES users(id),
                decided_at timestamptz,
                reason text,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            )
            """
        ),
        Migration(
            "0003_audit",
            """
            CREATE TABLE audit_log (
                sequence bigint PRIMARY KEY,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                outcome text NOT NULL,
                organisation_id uuid,
                federation_id uuid,
                details text NOT NULL,
                previous_hash bytea NOT NULL,
                hash bytea NOT NULL
            )
            """,
            "CREATE INDEX audit_log_actor_at ON audit_log (actor, at)",
            // Append-only: the service's own role cannot rewrite history either.
            """
            CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END
            $$
            """,
            """
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()
            """
        ),
        Migration(
            "0004_machine_identities",
            """
            CREATE TABLE service_accounts (
                id uuid PRIMARY KEY,
                name text NOT NULL UNIQUE,
                secret_hash bytea NOT NULL,
                permissions text[] NOT NULL,
                created_by uuid NOT NULL REFERENCES users(id),
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            )
            """,
            """
            CREATE TABLE api_keys (
                id uuid PRIMARY KEY,
                owner_id uuid NOT NULL REFERENCES users(id),
                name text NOT NULL,
                key_hash bytea NOT NULL UNIQUE,
                permissions text[] NOT NULL,
                scope_kind text NOT NULL,
                scope_id uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                last_used_at timestamptz,
                revoked_at timestamptz
            )
            """,
            """
            CREATE TABLE enrolment_tokens (
                id uuid PRIMARY KEY,
                token_hash bytea NOT NULL UNIQUE,
                organisation_id uuid NOT NULL REFERENCES organisations(id),
                federation_id uuid NOT NULL REFERENCES federations(id),
                created_by uuid NOT NULL REFERENCES users(id),
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                node_id uuid
            )
            """,
            """
            CREATE TABLE nodes (
                id uuid PRIMARY KEY,
                organisation_id uuid NOT NULL REFERENCES organisations(id),
                federation_id uuid NOT NULL REFERENCES federations(id),
                hostname text NOT NULL,
                signing_public_key bytea NOT NULL UNIQUE,
                agreement_public_key bytea NOT NULL,
                last_token_timestamp bigint NOT NULL DEFAULT 0,
                enrolled_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            )
            """
        ),
        Migration(
            "0005_cloud_credentials",
            """
            CREATE TABLE cloud_credentials (
                id uuid PRIMARY KEY,
                organisation_id uuid NOT NULL REFERENCES organisations(id),
                provider text NOT NULL CHECK (provider IN ('aws', 'gcp', 'azure', 'openstack')),
                label text NOT NULL,
                account text NOT NULL,
                principal text NOT NULL,
                public_fields jsonb NOT NULL,
                sealed_secret text NOT NULL,
                key_id text NOT NULL,
                status text NOT NULL CHECK (status IN ('valid', 'deleted')),
                validated_at timestamptz NOT NULL,
                created_by uuid NOT NULL REFERENCES users(id),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (organisation_id, label)
            )
            """,
            // A validated replacement waiting for its approval; applied (and removed) on approval.
            """
            CREATE TABLE credential_changes (
                id uuid PRIMARY KEY,
                credential_id uuid NOT NULL REFERENCES cloud_credentials(id),
                account text NOT NULL,
                principal text NOT NULL,
                public_fields jsonb NOT NULL,
                sealed_secret text NOT NULL,
                key_id text NOT NULL,
                validated_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """
        ),
        // The suite's own services have accounts nobody created by hand.
        Migration("0006_builtin_service_accounts", "ALTER TABLE service_accounts ALTER COLUMN created_by DROP NOT NULL"),
    ]
}