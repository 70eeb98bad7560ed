-- Community events: points with their dates (ISO 8601 text, Asia/Shanghai), scoped like place.sql.
SELECT p.id,
       ST_AsMVTGeom(p.geom_3857, t.env, 4096, 64, true) AS geom,
       p.name, p.category, u.code AS unit_code, u.name AS unit_name,
       to_char(p.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI') AS starts_at,
       to_char(p.ends_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI') AS ends_at
FROM places_communityevent AS p
     JOIN adminunits_adminunit AS u ON u.id = p.unit_id,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE p.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
