-- Boundaries of one level ({level} is a literal from the layer declaration, so the partial
-- GiST index on level < 5 applies). Rows are cut to the requester's scope: their own subtree,
-- plus their own ancestors as context (a village user sees the outline of their town, never
-- a neighbouring village). %(prefix)s = '' means everything.
SELECT u.id,
       ST_AsMVTGeom(u.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name, u.level, u.kind, round(u.area_m2) AS area_m2
FROM adminunits_adminunit AS u,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE u.level = {level}
  AND u.level < 5
  AND u.geom_3857 && t.env_buf
  AND (starts_with(u.path, %(prefix)s) OR starts_with(%(prefix)s, u.path))
