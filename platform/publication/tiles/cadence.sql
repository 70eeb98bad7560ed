-- 村务公开 cadence of each village/community (publication_cadencestatus, kept by publication.cadence.refresh),
-- drawn on the village's boundary and scoped by the village's path. No personal data: a status, the
-- titles of the rules it is behind on, and the date of its last 村务公开 item.
SELECT u.id,
       ST_AsMVTGeom(u.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name,
       CASE WHEN s.overdue THEN 'overdue' ELSE 'ok' END AS status,
       s.rules,
       to_char(s.last_published AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS last_published
FROM publication_cadencestatus AS s
     JOIN adminunits_adminunit AS u ON u.id = s.unit_id,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE u.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
