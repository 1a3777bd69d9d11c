-- Organisation (company → regions → stores/outlets → departments; warehouses belong to a store),
-- positions with permission codes and a data scope, and employees — one login role each.

-- Stamps shared by every editable table: who created/changed a row and its version for optimistic
-- locking. The app roles may not write these columns (column grants); the trigger owns them.
CREATE FUNCTION yiwei.tg_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
        NEW.created_at := now();
        NEW.created_by := session_user;
    ELSE
        NEW.version := OLD.version + 1;
        NEW.created_at := OLD.created_at;
        NEW.created_by := OLD.created_by;
    END IF;
    NEW.updated_at := now();
    NEW.updated_by := session_user;
    RETURN NEW;
END $$;

CREATE TABLE yiwei.region (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,9}$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

CREATE TABLE yiwei.store (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,9}$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    region_id   integer NOT NULL REFERENCES yiwei.region,
    kind        text NOT NULL DEFAULT 'showroom' CHECK (kind IN ('showroom', 'outlet')),
    address     text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    phone       text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    mall_name   text NOT NULL DEFAULT '' CHECK (length(mall_name) <= 60),   -- 建材城, when the mall collects
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE INDEX store_region ON yiwei.store (region_id);

-- A department belongs to a store, or to head office when store_id is NULL.
CREATE TABLE yiwei.department (
    id          serial PRIMARY KEY,
    store_id    integer REFERENCES yiwei.store,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE UNIQUE INDEX department_name ON yiwei.department (coalesce(store_id, 0), name);

CREATE TABLE yiwei.warehouse (
    id          serial PRIMARY KEY,
    store_id    integer NOT NULL REFERENCES yiwei.store,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]{1,14}$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    address     text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE INDEX warehouse_store ON yiwei.warehouse (store_id);

-- The catalogue of permission codes; positions pick from it. Modules add their codes in their own
-- migrations, and the client builds its menus from the codes the login holds.
CREATE TABLE yiwei.permission (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z_]+(\.[a-z_]+)+$'),
    module      text NOT NULL,
    name        text NOT NULL,
    sort_order  integer NOT NULL DEFAULT 0
);

CREATE TABLE yiwei.position (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,29}$'),
    name            text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    scope           text NOT NULL CHECK (scope IN ('own', 'store', 'region', 'company')),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT session_user,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL DEFAULT session_user
);

CREATE TABLE yiwei.position_permission (
    position_id      integer NOT NULL REFERENCES yiwei.position ON DELETE CASCADE,
    permission_code  text NOT NULL REFERENCES yiwei.permission,
    PRIMARY KEY (position_id, permission_code)
);

CREATE TABLE yiwei.employee (
    id             bigserial PRIMARY KEY,
    login          text NOT NULL UNIQUE CHECK (login ~ '^[a-z][a-z0-9_.]{2,29}$'),
    role_name      text NOT NULL UNIQUE,
    full_name      text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 30),
    phone          text NOT NULL DEFAULT '' CHECK (phone ~ '^(1[3-9][0-9]{9})?$'),
    position_id    integer NOT NULL REFERENCES yiwei.position,
    region_id      integer REFERENCES yiwei.region,
    store_id       integer REFERENCES yiwei.store,
    department_id  integer REFERENCES yiwei.department,
    active         boolean NOT NULL DEFAULT true,
    disabled_at    timestamptz,
    disabled_reason text CHECK (length(disabled_reason) <= 200),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL DEFAULT session_user,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL DEFAULT session_user,
    CHECK (active = (disabled_at IS NULL))
);
CREATE INDEX employee_store_id ON yiwei.employee (store_id);
CREATE INDEX employee_region_id ON yiwei.employee (region_id);

-- Further stores an employee works for (a finance clerk for two stores, a warehouse clerk who
-- also keeps a neighbouring store's warehouse).
CREATE TABLE yiwei.employee_store (
    employee_id  bigint NOT NULL REFERENCES yiwei.employee ON DELETE CASCADE,
    store_id     integer NOT NULL REFERENCES yiwei.store,
    PRIMARY KEY (employee_id, store_id)
);

CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.region FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.store FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.department FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.warehouse FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.position FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.employee FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
