// The map style: every source is the platform's own /tiles/ endpoint (closed network, no outside host).
import type { LayerSpecification, SourceSpecification, StyleSpecification, ExpressionSpecification } from "maplibre-gl";

export const FONT = ["Noto Sans Regular"];
export const LEVEL_LAYERS = ["district", "town", "community", "neighbourhood", "building"] as const;
export type LevelLayer = (typeof LEVEL_LAYERS)[number];
export const LEVEL_OF: Record<LevelLayer, number> = { district: 1, town: 2, community: 3, neighbourhood: 4, building: 5 };
export const LAYER_OF_LEVEL: Record<number, LevelLayer> = { 1: "district", 2: "town", 3: "community", 4: "neighbourhood", 5: "building" };
export const COLORS: Record<LevelLayer, string> = {
  district: "#1f4e79",
  town: "#2e75b6",
  community: "#c55a11",
  neighbourhood: "#548235",
  building: "#7f6aa8",
};
// Zooms at which each level's lines and labels appear (labels one band each so they don't pile up).
const LINE_MINZOOM: Record<LevelLayer, number> = { district: 0, town: 8, community: 10, neighbourhood: 12.5, building: 14 };
export const LABEL_ZOOMS: Record<LevelLayer, [number, number]> = {
  district: [0, 10],
  town: [9.5, 12.5],
  community: [12, 15],
  neighbourhood: [14.5, 17.5],
  building: [17, 24],
};

export interface TileInfo {
  tiles: string[];
  minzoom: number;
  maxzoom: number;
  sourceLayer: string;
}

export interface StyleOptions {
  vector: Partial<Record<LevelLayer, TileInfo>>;
  facility?: TileInfo;
  terrain: boolean;
  hillshade: boolean;
  imagery: boolean;
  origin: string;
  glyphs: string;
}

const selected: ExpressionSpecification = ["boolean", ["feature-state", "selected"], false];

export function vectorSource(info: TileInfo): SourceSpecification {
  return { type: "vector", tiles: info.tiles, minzoom: info.minzoom, maxzoom: info.maxzoom };
}

export function buildStyle(opts: StyleOptions): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {};
  const layers: LayerSpecification[] = [{ id: "background", type: "background", paint: { "background-color": "#eef0ea" } }];
  if (opts.imagery) {
    sources.imagery = { type: "raster", tiles: [`${opts.origin}/tiles/imagery/{z}/{x}/{y}.png`], tileSize: 256, maxzoom: 18 };
    layers.push({ id: "imagery", type: "raster", source: "imagery", layout: { visibility: "none" } });
  }
  if (opts.terrain) {
    // Terrarium, explicitly: MapLibre defaults to "mapbox" and a wrong encoding fails silently.
    // Only the 3D view uses it (map.setTerrain), so 2D never downloads elevation tiles.
    sources.terrain = { type: "raster-dem", tiles: [`${opts.origin}/tiles/terrain/{z}/{x}/{y}.png`], tileSize: 256, maxzoom: 14, encoding: "terrarium" };
  }
  if (opts.hillshade) {
    // The server's pre-rendered hillshade: a plain raster is far cheaper to draw than shading the DEM
    // on the client, which matters on the low-end and software-rendered machines of a village office.
    sources.hillshade = { type: "raster", tiles: [`${opts.origin}/tiles/hillshade/{z}/{x}/{y}.png`], tileSize: 256, maxzoom: 15 };
    layers.push({ id: "hillshade", type: "raster", source: "hillshade", paint: { "raster-opacity": 0.35 } });
  } else if (opts.terrain) {
    sources.hillshade = { ...(sources.terrain as object), type: "raster-dem" } as SourceSpecification;
    layers.push({
      id: "hillshade",
      type: "hillshade",
      source: "hillshade",
      paint: { "hillshade-exaggeration": 0.35, "hillshade-shadow-color": "#6b6b5e", "hillshade-highlight-color": "#ffffff" },
    });
  }
  for (const name of LEVEL_LAYERS) {
    const info = opts.vector[name];
    if (!info) continue;
    sources[name] = vectorSource(info);
    const src = { source: name, "source-layer": info.sourceLayer };
    const color = COLORS[name];
    if (name === "building") {
      layers.push({
        id: "building-fill",
        type: "fill",
        ...src,
        minzoom: LINE_MINZOOM.building,
        paint: {
          "fill-color": ["case", selected, "#ffb000", ["boolean", ["feature-state", "hover"], false], "#a898cf", color],
          "fill-opacity": 0.55,
        },
      });
      layers.push({
        id: "building-extrusion",
        type: "fill-extrusion",
        ...src,
        minzoom: LINE_MINZOOM.building,
        layout: { visibility: "none" },
        paint: {
          "fill-extrusion-color": ["case", selected, "#ffb000", ["interpolate", ["linear"], ["coalesce", ["get", "height_m"], 3], 3, "#c9c1e0", 60, "#5a4a8a"]],
          "fill-extrusion-height": ["coalesce", ["get", "height_m"], ["*", ["coalesce", ["get", "floors"], 1], 3]],
          "fill-extrusion-base": 0,
          "fill-extrusion-opacity": 0.9,
        },
      });
      layers.push({ id: "building-line", type: "line", ...src, minzoom: 15, paint: { "line-color": "#4b3d73", "line-width": 0.6 } });
    } else {
      layers.push({
        id: `${name}-fill`,
        type: "fill",
        ...src,
        minzoom: LINE_MINZOOM[name],
        paint: {
          "fill-color": ["case", selected, "#ffb000", color],
          "fill-opacity": ["case", selected, 0.28, ["boolean", ["feature-state", "hover"], false], 0.12, 0.02],
        },
      });
      layers.push({
        id: `${name}-line`,
        type: "line",
        ...src,
        minzoom: LINE_MINZOOM[name],
        paint: {
          "line-color": ["case", selected, "#e07b00", color],
          "line-width": ["case", selected, 3, { district: 2.5, town: 1.8, community: 1.3, neighbourhood: 1, building: 0.6 }[name]],
          "line-dasharray": name === "neighbourhood" ? [3, 2] : [1, 0],
        },
      });
    }
    // Labels: one point per unit from labels.ts (tile polygons would repeat a name per tile).
  }
  if (opts.facility) {
    // Service facilities (places app): points with their names from z15.
    sources.facility = vectorSource(opts.facility);
    const src = { source: "facility", "source-layer": opts.facility.sourceLayer };
    layers.push({
      id: "facility-circle",
      type: "circle",
      ...src,
      minzoom: 13,
      paint: { "circle-radius": 5, "circle-color": "#0b7a75", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 },
    });
    layers.push({
      id: "facility-label",
      type: "symbol",
      ...src,
      minzoom: 15,
      layout: { "text-field": ["get", "name"], "text-font": FONT, "text-size": 11, "text-offset": [0, 1.1], "text-anchor": "top", "text-optional": true },
      paint: { "text-color": "#0b5a56", "text-halo-color": "#ffffff", "text-halo-width": 1.2 },
    });
  }
  return {
    version: 8,
    name: "smartcommunity",
    glyphs: opts.glyphs,
    sources,
    layers,
  };
}

/** Layer ids of each level, so panels can toggle them together. */
export function layerIdsFor(name: LevelLayer): string[] {
  return name === "building"
    ? ["building-fill", "building-extrusion", "building-line"]
    : [`${name}-fill`, `${name}-line`];
}
