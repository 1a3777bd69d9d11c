-- Core of the trust boundary: the app schema, the instance row, audit trail, row versions.
-- Placeholders {{owner}} and {{app}} are replaced by the quoted names of this database's owner and
-- app group roles (see server_schema/roles.py); everything else is plain SQL.

CREATE SCHEMA IF NOT EXISTS yiwei;
REVOKE ALL ON SCHEMA yiwei FROM PUBLIC;
GRANT USAGE ON SCHEMA yiwei TO {{app}};
-- Functions are executable by PUBLIC by default; a definer function must never be reachable by
-- roles of another company database on the same server, so nothing here is granted to PUBLIC.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- One row that says which role namespace this database uses: login roles are global to the server,
-- so an employee "zhangsan" of this database is the role "zhangsan@<namespace>".
CREATE TABLE yiwei.instance (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    namespace     text NOT NULL CHECK (namespace ~ '^[a-z][a-z0-9_]{0,19}$'),
    owner_role    text NOT NULL,
    app_role      text NOT NULL,
    company_name  text NOT NULL DEFAULT '易维家居',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Append-only audit trail. Written only by the definer trigger below; no app role may change it,
-- and a trigger refuses UPDATE/DELETE even for the owner so history cannot be rewritten.
CREATE TABLE yiwei.audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL DEFAULT session_user,
    employee_id  bigint,
    table_name   text NOT NULL,
    row_key      text,
    action       text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE', 'EVENT')),
    old_row      jsonb,
    new_row      jsonb,
    txid         bigint NOT NULL DEFAULT txid_current()
);
CREATE INDEX audit_log_table_key ON yiwei.audit_log (table_name, row_key);
CREATE INDEX audit_log_at ON yiwei.audit_log (at);

CREATE FUNCTION yiwei.tg_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '审计记录不可修改或删除';
END $$;
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON yiwei.audit_log
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON yiwei.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION yiwei.tg_audit_immutable();

-- Log of exports and prints: who took which data out of the system, with which filter.
CREATE TABLE yiwei.output_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL DEFAULT session_user,
    employee_id  bigint,
    kind         text NOT NULL CHECK (kind IN ('export', 'print')),
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 100),  -- list name or document type
    doc_number   text CHECK (length(doc_number) <= 60),
    filter       jsonb NOT NULL DEFAULT '{}'::jsonb,
    row_count    integer CHECK (row_count >= 0),
    copy_no      integer NOT NULL DEFAULT 1 CHECK (copy_no >= 1)       -- >1 means a reprint (补打)
);
CREATE INDEX output_log_doc ON yiwei.output_log (subject, doc_number) WHERE kind = 'print';
CREATE INDEX output_log_at ON yiwei.output_log (at);
CREATE TRIGGER output_log_immutable BEFORE UPDATE OR DELETE ON yiwei.output_log
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit_immutable();

-- The client compares this with the revision it was built for before it lets anyone log in.
CREATE FUNCTION yiwei.schema_revision() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    RETURN (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM yiwei.alembic_version);
END $$;
