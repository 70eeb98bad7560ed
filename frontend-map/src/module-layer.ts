// A module's vector tile layer (declared by its owner through the server's tiles registry) as a
// map source: one place that reads the layer's TileJSON and makes its tile URLs absolute.
import type * as maplibregl from "maplibre-gl";
import { api } from "./api";

interface TileJson {
  tiles: string[];
  minzoom?: number;
  maxzoom?: number;
}

/** Add the source ``layer`` when the server offers it to this user; false when it does not (or its
 * TileJSON cannot be read), and the module then adds nothing to the map. */
export async function addModuleSource(map: maplibregl.Map, layer: string, offered: Set<string>, minzoom: number): Promise<boolean> {
  if (!offered.has(layer)) return false;
  const tj = await api<TileJson>(`/tiles/${layer}.json`).catch(() => null);
  if (!tj) return false;
  map.addSource(layer, {
    type: "vector",
    tiles: tj.tiles.map((u) => (/^https?:/.test(u) ? u : `${location.origin}${u}`)),
    minzoom: tj.minzoom ?? minzoom,
    maxzoom: tj.maxzoom ?? 16,
  });
  return true;
}
