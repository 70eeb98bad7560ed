-- Low zooms: the same rows as boundary.sql, but geometry from maptiles_generalisedunit, the
-- coverage-simplified copy (tiles.generalise): neighbours share identical simplified edges, so
-- no gap or overlap opens between them.
SELECT u.id,
       ST_AsMVTGeom(g.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name, u.level, u.kind, round(u.area_m2) AS area_m2
FROM maptiles_generalisedunit AS g
     JOIN adminunits_adminunit AS u ON u.id = g.unit_id,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE g.level = {level}
  AND g.band = %(band)s
  AND g.geom_3857 && t.env_buf
  AND (starts_with(u.path, %(prefix)s) OR starts_with(%(prefix)s, u.path))
