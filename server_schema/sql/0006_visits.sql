-- Showroom traffic (客户流量): the first store-scoped business table, and the model every later one
-- follows — store_id on the row, RLS enabled and forced, a policy per command calling the scope
-- helpers through sub-selects (evaluated once per query), column grants that keep stamps out of
-- reach, and the audit trigger.

CREATE TABLE yiwei.visit (
    id                bigserial PRIMARY KEY,
    store_id          integer NOT NULL REFERENCES yiwei.store,
    guide_id          bigint NOT NULL REFERENCES yiwei.employee,
    visited_at        timestamptz NOT NULL,
    party_size        smallint NOT NULL DEFAULT 1 CHECK (party_size BETWEEN 1 AND 50),
    source            text NOT NULL DEFAULT '' CHECK (length(source) <= 30),
    intent            text NOT NULL DEFAULT 'medium' CHECK (intent IN ('high', 'medium', 'low')),
    community         text NOT NULL DEFAULT '' CHECK (length(community) <= 60),
    renovation_stage  text NOT NULL DEFAULT '' CHECK (length(renovation_stage) <= 30),
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL DEFAULT session_user,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL DEFAULT session_user
);
-- The policy column leads the list index so "newest first in my stores" is an index scan.
CREATE INDEX visit_store_time ON yiwei.visit (store_id, visited_at DESC, id DESC);
CREATE INDEX visit_guide_time ON yiwei.visit (guide_id, visited_at DESC, id DESC);
-- Both policy columns: counts and totals in scope become index-only scans.
CREATE INDEX visit_store_guide ON yiwei.visit (store_id, guide_id);
CREATE INDEX visit_time ON yiwei.visit (visited_at DESC, id DESC);

CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.visit FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();

-- The guide of a visit must work in the visit's store.
CREATE FUNCTION yiwei.tg_visit_guide_in_store() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM yiwei.employee e WHERE e.id = NEW.guide_id
                      AND (e.store_id = NEW.store_id
                           OR EXISTS (SELECT 1 FROM yiwei.employee_store es
                                       WHERE es.employee_id = e.id AND es.store_id = NEW.store_id))) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '接待导购不属于该门店', DETAIL = '导购';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER guide_in_store BEFORE INSERT OR UPDATE OF store_id, guide_id ON yiwei.visit
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_visit_guide_in_store();
