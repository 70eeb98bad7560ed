-- Buildings (level 5) for fill-extrusion. residents is an aggregate count per building, never a
-- person: population_buildingresidents is kept by a trigger on population_person. The layer's
-- declaration (population/tiles/__init__.py) sends it only where the deployment zone has a
-- population database.
SELECT u.id,
       ST_AsMVTGeom(u.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name, u.floors, u.height_m,
       COALESCE(NULLIF(u.building_use, ''), 'other') AS building_use,
       COALESCE(br.residents, 0) AS residents
FROM adminunits_adminunit AS u
     LEFT JOIN population_buildingresidents AS br ON br.building_id = u.id,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE u.level = 5
  AND u.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
