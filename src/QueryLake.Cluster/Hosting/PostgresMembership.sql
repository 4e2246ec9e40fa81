-- QueryLake's membership tables in PostgreSQL, for Orleans' ADO.NET clustering (querylake serve --cluster --postgres).
--
-- Orleans reads the SQL it runs from the table OrleansQuery (QueryKey, QueryText): the nine clustering queries below,
-- which bind Orleans' parameters by name (@DeploymentId, @Address, @Port, @Generation, @Version, ...) and return the
-- columns Orleans reads by name (Version, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
-- SuspectTimes, StartTime, IAmAliveTime; a single boolean for the writes). The tables behind them are QueryLake's own.
--
-- Every silo runs this script at start, in one transaction under an advisory lock, so it is idempotent: tables are
-- created when missing, and queries are added only where OrleansQuery holds none of these keys (a database already set
-- up with Orleans' own scripts keeps them).
--
-- The table version is the membership's etag: a write names the version it read, and succeeds (returns true) only if
-- the version is still that one, bumping it in the same statement. The version row is updated first, which locks it, so
-- of two writers that read the same version one wins and the other changes nothing.

CREATE TABLE IF NOT EXISTS querylake_membership_version (
    deployment_id text PRIMARY KEY,
    version integer NOT NULL,
    changed_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS querylake_membership (
    deployment_id text NOT NULL REFERENCES querylake_membership_version (deployment_id) ON DELETE CASCADE,
    address text NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    silo_name text NOT NULL,
    host_name text NOT NULL,
    status integer NOT NULL,
    proxy_port integer,
    suspect_times text,
    start_time timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- A silo's row under the column names Orleans reads, for the two read queries.
CREATE OR REPLACE VIEW querylake_membership_rows AS
    SELECT deployment_id, address AS "Address", port AS "Port", generation AS "Generation", silo_name AS "SiloName",
           host_name AS "HostName", status AS "Status", proxy_port AS "ProxyPort", suspect_times AS "SuspectTimes",
           start_time AS "StartTime", i_am_alive_time AS "IAmAliveTime"
    FROM querylake_membership;

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey varchar(64) PRIMARY KEY,
    QueryText text NOT NULL
);

CREATE TEMP TABLE querylake_membership_queries (QueryKey varchar(64), QueryText text) ON COMMIT DROP;

INSERT INTO querylake_membership_queries VALUES
('InsertMembershipVersionKey', $q$
    WITH created AS (
        INSERT INTO querylake_membership_version (deployment_id, version, changed_at)
        VALUES (@DeploymentId, 0, now())
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1)
    SELECT count(*) > 0 FROM created
$q$),
('InsertMembershipKey', $q$
    WITH bumped AS (
        UPDATE querylake_membership_version SET version = version + 1, changed_at = now()
        WHERE deployment_id = @DeploymentId AND version = @Version
          AND NOT EXISTS (SELECT 1 FROM querylake_membership m
                          WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
        RETURNING deployment_id),
    inserted AS (
        INSERT INTO querylake_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
        SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM bumped
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) > 0 FROM inserted
$q$),
('UpdateMembershipKey', $q$
    WITH bumped AS (
        UPDATE querylake_membership_version SET version = version + 1, changed_at = now()
        WHERE deployment_id = @DeploymentId AND version = @Version
          AND EXISTS (SELECT 1 FROM querylake_membership m
                      WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
        RETURNING deployment_id),
    updated AS (
        UPDATE querylake_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
        FROM bumped
        WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
        RETURNING 1)
    SELECT count(*) > 0 FROM updated
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE querylake_membership SET i_am_alive_time = @IAmAliveTime
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('MembershipReadRowKey', $q$
    SELECT v.version AS "Version", m.*
    FROM querylake_membership_version v
    LEFT JOIN querylake_membership_rows m
      ON m.deployment_id = v.deployment_id AND m."Address" = @Address AND m."Port" = @Port AND m."Generation" = @Generation
    WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    SELECT v.version AS "Version", m.*
    FROM querylake_membership_version v
    LEFT JOIN querylake_membership_rows m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
    FROM querylake_membership
    WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM querylake_membership_version WHERE deployment_id = @DeploymentId
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM querylake_membership
    WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText)
SELECT QueryKey, QueryText FROM querylake_membership_queries
WHERE NOT EXISTS (SELECT 1 FROM OrleansQuery o WHERE o.QueryKey IN (SELECT QueryKey FROM querylake_membership_queries));
