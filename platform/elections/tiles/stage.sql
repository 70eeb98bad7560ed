-- The latest election of each village/community in the tile (elections_election), drawn on the unit's
-- boundary and scoped by the unit's path. No personal data: the stage, a stop flag, the day, a count.
SELECT u.id,
       ST_AsMVTGeom(u.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name, e.id AS election, e.round, e.stage, e.stopped,
       to_char(e.election_day, 'YYYY-MM-DD') AS election_day, e.voters_count AS voters
FROM adminunits_adminunit AS u
     CROSS JOIN LATERAL (SELECT id, round, stage, stopped, election_day, voters_count
                         FROM elections_election WHERE unit_id = u.id
                         ORDER BY round DESC LIMIT 1) AS e,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE u.level = 3
  AND u.level < 5
  AND u.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
