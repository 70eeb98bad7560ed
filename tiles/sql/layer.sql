-- The wrapper every vector layer goes through: {columns} are the layer's attributes at this zoom
-- (declared in tiles/layers.py), {name} its MVT layer name, {inner} one of the files above.
-- Feature id = the row's id (MapLibre feature-state); extent 4096, as ST_AsMVTGeom above.
SELECT COALESCE(ST_AsMVT(f, {name}, 4096, 'geom', 'id'), ''::bytea)
FROM (SELECT {columns} FROM ({inner}) AS q WHERE q.geom IS NOT NULL) AS f
