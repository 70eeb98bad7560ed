// Entry point of the map page (/map/): signs in check, builds the style from /tiles/, wires the panels.
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import * as maplibregl from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import { api, ApiError, type Me, type UnitFeature } from "./api";
import { App } from "./app";
import { applyStatic, getLang, onLangChange, setLang, t } from "./i18n";
import { buildStyle, LEVEL_LAYERS, type LevelLayer, type TileInfo } from "./style";
import { h, showError } from "./ui";
import { panels, type Panel } from "./panels";
import { setupSearch } from "./search";
import { setup3d } from "./view3d";
import { setupLabels } from "./labels";
import { isSoftwareRenderer } from "./gpu";
import { setupCadenceLayer } from "./publication/cadence-layer";
import { setupKit } from "./kit";
import { setupElectionLayer } from "./elections/layer";
import { setupTurnoutLayer } from "./elections/turnout";

maplibregl.setWorkerUrl(workerUrl);

interface TileListItem {
  id?: string;
  name?: string;
  layer?: string;
}

/** Which layers the user may see, and each vector layer's TileJSON (zooms, URL, source-layer). */
async function loadTileInfo(): Promise<{ vector: Partial<Record<LevelLayer, TileInfo>>; facility?: TileInfo; names: Set<string> }> {
  const origin = location.origin;
  let names = new Set<string>(LEVEL_LAYERS);
  try {
    const list = await api<unknown>("/tiles/");
    const items = Array.isArray(list) ? list : ((list as { layers?: unknown[] }).layers ?? []);
    names = new Set(
      items.map((it) => (typeof it === "string" ? it : ((it as TileListItem).id ?? (it as TileListItem).name ?? (it as TileListItem).layer ?? ""))),
    );
  } catch {
    /* the list is optional: fall back to the contract's layer names */
  }
  const vector: Partial<Record<LevelLayer | "facility", TileInfo>> = {};
  await Promise.all(
    [...LEVEL_LAYERS, "facility" as const].filter((n) => names.has(n)).map(async (name) => {
      let info: TileInfo = { tiles: [`${origin}/tiles/${name}/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 16, sourceLayer: name };
      try {
        const tj = await api<{ tiles?: string[]; minzoom?: number; maxzoom?: number; vector_layers?: Array<{ id: string }> }>(
          `/tiles/${name}.json`,
        );
        info = {
          // Not new URL(): it would percent-encode the {z}/{x}/{y} placeholders.
          tiles: (tj.tiles ?? info.tiles).map((u) => (/^https?:/.test(u) ? u : `${origin}${u.startsWith("/") ? "" : "/"}${u}`)),
          minzoom: tj.minzoom ?? 0,
          maxzoom: tj.maxzoom ?? 16,
          sourceLayer: tj.vector_layers?.[0]?.id ?? name,
        };
      } catch {
        /* keep the contract's template */
      }
      vector[name] = info;
    }),
  );
  const { facility, ...levels } = vector;
  return { vector: levels, facility, names };
}

function buildTabs(app: App): void {
  const tabs = document.getElementById("tabs")!;
  const panel = document.getElementById("panel")!;
  let current: Panel | null = null;
  const visible = panels.filter((p) => p.visible(app));
  const show = (p: Panel): void => {
    current = p;
    tabs.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.dataset.tab === p.id));
    panel.replaceChildren();
    panel.dataset.panel = p.id;
    p.render(app, panel);
  };
  const renderTabs = (): void => {
    tabs.replaceChildren(...visible.map((p) => h("button", { "data-tab": p.id, class: current === p ? "active" : "", onclick: () => show(p) }, t(p.label))));
  };
  renderTabs();
  onLangChange(() => {
    renderTabs();
    if (current) show(current);
  });
  (window as unknown as { __showPanel: (id: string) => void }).__showPanel = (id: string) => {
    const p = visible.find((x) => x.id === id);
    if (p) show(p);
    document.getElementById("app")!.classList.add("sidebar-open");
  };
  show(visible[0]);
}

function setupClicks(app: App): void {
  const map = app.map;
  // Finest level first: a click inside a building selects the building, not its community.
  const order = ["building-extrusion", "building-fill", "neighbourhood-fill", "community-fill", "town-fill", "district-fill"];
  map.on("click", (ev) => {
    if (document.body.classList.contains("drawing")) return;
    const layers = order.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
    const hits = map.queryRenderedFeatures(ev.point, { layers });
    if (!hits.length) return;
    const f = hits[0];
    const level = Number(f.properties.level ?? LEVEL_LAYERS.indexOf(f.source as LevelLayer) + 1);
    const id = Number(f.id ?? f.properties.id);
    void app.select(id, level).catch(showError);
    if (level === 5) (window as unknown as { __showPanel: (id: string) => void }).__showPanel("building");
    // On a phone the panel is a sheet over the lower half: keep what was tapped in view above it.
    app.reveal(ev.lngLat);
  });
  for (const id of order) {
    map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", id, () => (map.getCanvas().style.cursor = ""));
  }
}

/** The account menu of the top bar: who is signed in, the home page, signing out (a POST with the
 *  CSRF token, as Django's logout requires). On a phone it is the only way off the map. */
function setupAccountMenu(who: string): void {
  const btn = document.getElementById("btn-account")!;
  const menu = document.getElementById("account-menu")!;
  document.getElementById("account-who")!.textContent = who;
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  (document.querySelector("#logout-form input[name=csrfmiddlewaretoken]") as HTMLInputElement).value = m ? decodeURIComponent(m[1]) : "";
  const toggle = (open: boolean): void => {
    menu.hidden = !open;
    btn.setAttribute("aria-expanded", String(open));
  };
  btn.addEventListener("click", (ev) => {
    ev.stopPropagation();
    toggle(menu.hidden === true);
  });
  document.addEventListener("click", (ev) => {
    if (!(ev.target as HTMLElement).closest("#account")) toggle(false);
  });
}

async function main(): Promise<void> {
  applyStatic();
  const langBtn = document.getElementById("btn-lang")!;
  const syncLangBtn = (): void => void (langBtn.textContent = getLang() === "zh" ? "EN" : "中文");
  syncLangBtn();
  langBtn.addEventListener("click", () => {
    setLang(getLang() === "zh" ? "en" : "zh");
    syncLangBtn();
  });
  document.getElementById("menu-toggle")!.addEventListener("click", () => document.getElementById("app")!.classList.toggle("sidebar-open"));
  document.getElementById("menu-toggle")!.setAttribute("aria-label", t("menu"));

  let me: Me;
  try {
    me = await api<Me>("/api/me/");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      location.href = `/accounts/login/?next=${encodeURIComponent("/map/")}`;
      return;
    }
    throw err;
  }
  const who = `${me.display_name || me.username}${me.unit ? ` · ${me.unit.name}` : ""}`;
  document.getElementById("user-name")!.textContent = who;
  setupAccountMenu(who);
  document.body.dataset.role = me.role;

  const { vector, facility, names } = await loadTileInfo();
  const origin = location.origin;
  const style = buildStyle({
    vector,
    facility,
    terrain: names.has("terrain"),
    hillshade: names.has("hillshade"),
    imagery: names.has("imagery"),
    origin,
    glyphs: `${origin}${import.meta.env.BASE_URL}glyphs/{fontstack}/{range}.pbf`,
  });
  const home = me.unit ? await api<UnitFeature>(`/api/units/${me.unit.id}/`).catch(() => null) : null;
  const map = new maplibregl.Map({
    container: "map",
    style,
    center: [106.63, 29.72],
    zoom: 10,
    maxPitch: 75,
    // Chinese characters are drawn by the browser's own CJK font; PBFs cover only the rest.
    localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Source Han Sans SC', sans-serif",
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
  const app = new App(me, map, vector);
  app.softwareGl = isSoftwareRenderer(map);
  app.terrain = !app.softwareGl;
  const w = window as unknown as Record<string, unknown>;
  w.__map = map;
  w.__app = app;
  await new Promise<void>((resolve) => (map.loaded() ? resolve() : map.once("load", () => resolve())));
  setupLabels(app);
  if (home?.geometry) app.flyToGeometry(home.geometry, me.unit!.level, 0);
  map.once("idle", () => {
    w.__mapReady = true;
    document.getElementById("loading")?.remove();
  });
  buildTabs(app);
  setupClicks(app);
  setupSearch(app);
  setup3d(app);
  setupKit(app);
  void setupCadenceLayer(map, names).catch(showError); // the publication module's layer, when offered
  void setupElectionLayer(map, names).catch(showError); // the elections module's layer, when offered
  void setupTurnoutLayer(map, names).catch(showError); // the polling module's turnout layer, when offered
}

main().catch((err) => {
  document.getElementById("loading")?.remove();
  showError(err);
  console.error(err);
});
