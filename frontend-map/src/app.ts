// Shared state of the map page: who is signed in, the map, the selection and the tile sources.
import type { Map as MlMap, LngLatBoundsLike, LngLatLike } from "maplibre-gl";
import type { Geometry, Position } from "geojson";
import { api, type Me, type UnitFeature } from "./api";
import { LAYER_OF_LEVEL, vectorSource, type LevelLayer, type TileInfo } from "./style";

export interface Selection {
  id: number;
  level: number;
  feature?: UnitFeature;
}

export type AppEvent = "select" | "mode" | "tiles";

export class App {
  selection: Selection | null = null;
  is3d = false;
  // Terrain in 3D: on by default with a graphics card, off when WebGL is drawn by the CPU (where it
  // costs ~9/10 of the 3D view's time); the layer panel turns it on or off.
  terrain = true;
  softwareGl = false;
  /** A resident to highlight in the building panel (a person chosen in the search box). */
  focusPerson: number | null = null;
  tileVersion = 0;
  // Handlers owned by a panel's element are dropped once that element leaves the page.
  private handlers: Record<AppEvent, Array<{ fn: () => void; owner?: HTMLElement }>> = { select: [], mode: [], tiles: [] };

  constructor(
    public me: Me,
    public map: MlMap,
    public tiles: Partial<Record<LevelLayer, TileInfo>>,
  ) {}

  on(ev: AppEvent, fn: () => void, owner?: HTMLElement): void {
    this.handlers[ev].push({ fn, owner });
  }

  emit(ev: AppEvent): void {
    this.handlers[ev] = this.handlers[ev].filter((x) => !x.owner || x.owner.isConnected);
    for (const { fn } of this.handlers[ev]) fn();
  }

  private setSelectedState(sel: Selection | null, value: boolean): void {
    if (!sel) return;
    const layer = LAYER_OF_LEVEL[sel.level];
    const info = layer ? this.tiles[layer] : undefined;
    if (!layer || !info || !this.map.getSource(layer)) return;
    this.map.setFeatureState({ source: layer, sourceLayer: info.sourceLayer, id: sel.id }, { selected: value });
  }

  /** Select a unit: highlight it through feature-state, load its record, optionally fly there. */
  async select(id: number, level: number, opts: { fly?: boolean } = {}): Promise<void> {
    this.setSelectedState(this.selection, false);
    this.selection = { id, level };
    this.setSelectedState(this.selection, true);
    this.emit("select");
    const feature = await api<UnitFeature>(`/api/units/${id}/`);
    if (this.selection?.id !== id) return; // another click came first
    this.selection.feature = feature;
    if (opts.fly && feature.geometry) this.flyToGeometry(feature.geometry, level);
    this.emit("select");
  }

  clearSelection(): void {
    this.setSelectedState(this.selection, false);
    this.selection = null;
    this.emit("select");
  }

  flyToGeometry(geom: Geometry, level = 3, duration = 800): void {
    const b = bbox(geom);
    if (!b) return;
    const maxZoom = { 1: 12, 2: 14, 3: 16.5, 4: 17.5, 5: 18.5 }[level] ?? 16;
    // On a phone the bottom sheet covers the lower part of the map: fit above it.
    const padding = { top: 40, left: 40, right: 40, bottom: 40 + this.coveredBottom() };
    this.map.fitBounds(b, { padding, maxZoom, duration, pitch: this.is3d ? 55 : 0 });
  }

  /** Pixels at the bottom of the map hidden by the phone's bottom sheet (0 on a wide screen).
   *  The sheet's own height, not its on-screen box, which is mid-way through its slide. */
  coveredBottom(): number {
    if (!window.matchMedia("(max-width: 760px)").matches) return 0;
    const sheet = document.getElementById("sidebar");
    if (!sheet) return 0;
    const open = document.getElementById("app")!.classList.contains("sidebar-open");
    return open ? sheet.offsetHeight : 40;
  }

  /** Bring a point into the part of the map the bottom sheet leaves visible (phones only). */
  reveal(at: LngLatLike): void {
    const covered = this.coveredBottom();
    if (!covered) return;
    this.map.easeTo({ center: at, padding: { top: 0, left: 0, right: 0, bottom: covered }, duration: 400 });
  }

  /** Ask MapLibre to fetch the boundary tiles again after an edit (new URL = no stale HTTP cache). */
  reloadTiles(): void {
    this.tileVersion += 1;
    for (const [name, info] of Object.entries(this.tiles) as Array<[LevelLayer, TileInfo]>) {
      const src = this.map.getSource(name) as { setTiles?: (t: string[]) => void } | undefined;
      const tiles = info.tiles.map((u) => `${u}${u.includes("?") ? "&" : "?"}v=${Date.now()}-${this.tileVersion}`);
      src?.setTiles?.(tiles);
    }
    this.setSelectedState(this.selection, true);
    this.emit("tiles");
  }
}

export function bbox(geom: Geometry): LngLatBoundsLike | null {
  let minx = Infinity,
    miny = Infinity,
    maxx = -Infinity,
    maxy = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      const [x, y] = c as Position;
      minx = Math.min(minx, x);
      miny = Math.min(miny, y);
      maxx = Math.max(maxx, x);
      maxy = Math.max(maxy, y);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  if (geom.type === "GeometryCollection") geom.geometries.forEach((g) => visit("coordinates" in g ? g.coordinates : []));
  else visit(geom.coordinates);
  return Number.isFinite(minx) ? [minx, miny, maxx, maxy] : null;
}

export { vectorSource };
