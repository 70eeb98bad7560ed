-- The wrapper every vector layer goes through: {columns} are the layer's attributes at this zoom
-- (from its declaration, tiles/layers.py), {name} its MVT layer name, {inner} the layer's own SQL file
-- (in the declaring module's tiles/ folder). Feature id = the row's id (MapLibre feature-state);
-- extent 4096, as the layers' ST_AsMVTGeom.
SELECT COALESCE(ST_AsMVT(f, {name}, 4096, 'geom', 'id'), ''::bytea)
FROM (SELECT {columns} FROM ({inner}) AS q WHERE q.geom IS NOT NULL) AS f
