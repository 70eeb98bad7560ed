-- Points of one places table ({table} from the layer declaration), scoped by the owning unit's path.
SELECT p.id,
       ST_AsMVTGeom(p.geom_3857, t.env, 4096, 64, true) AS geom,
       p.name, p.category, u.code AS unit_code, u.name AS unit_name
FROM {table} AS p
     JOIN adminunits_adminunit AS u ON u.id = p.unit_id,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE p.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
