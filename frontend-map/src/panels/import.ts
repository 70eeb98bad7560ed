// 导入: the children of one unit from a boundary file (GeoJSON, GeoPackage, zipped Shapefile, KML).
// A dry run first: the server performs the whole import and rolls it back, so its per-feature report
// (matched / new / refused and why, children left out, overlaps, gaps) is what the real run will do;
// the file's features are drawn on the map, refused ones in red. Only then may the clerk confirm,
// with the options of that dry run (any change asks for a new dry run). In "整级替换" the file holds
// every child of the unit; the confirmation sends back the versions the dry run saw, so the server
// answers 409 when a neighbour's clerk saved under the same unit in between.
import type { Feature, Geometry } from "geojson";
import { ApiError, csrfToken } from "../api";
import type { App } from "../app";
import { setOverlay } from "../draw";
import { levelName, t, type Key } from "../i18n";
import { fmtArea, h, showError, toast } from "../ui";
import type { Panel } from "./index";

interface RowError {
  code: string;
  detail: string;
}

interface Row {
  index: number;
  code: string;
  name: string;
  action: "matched" | "created" | "rejected";
  unit?: number;
  unchanged?: boolean;
  error?: RowError;
  geometry?: Geometry | null;
}

interface Missing {
  unit: number;
  code: string;
  name: string;
  action: "removed" | "rejected";
  error?: RowError;
  geometry?: Geometry | null;
}

interface Located {
  area_m2: number;
  location: number[];
  geometry: Geometry | null;
  names?: string[];
}

interface ImportResult {
  dry_run: boolean;
  mode: "merge" | "replace";
  ok: boolean;
  summary: Record<string, number>;
  notes: string[];
  features: Row[];
  missing?: Missing[];
  overlaps?: Located[];
  gaps?: Located[];
  versions?: Record<string, number>;
}

interface Target {
  id: number;
  name: string;
  code: string;
  level: number;
}

/** A refused import: the server's Chinese message, with the report when it sent one. */
class ImportRefused extends ApiError {
  constructor(status: number, code: string, message: string, public report: ImportResult | null) {
    super(status, code, message);
  }
}

/** The unit whose children the file holds: the selected unit when the user may create children in
 *  it (their own unit; for a village/community clerk also its compounds), else their own unit. */
function targetFor(app: App): Target | null {
  const me = app.me;
  const own = me.unit;
  if (!own) return null;
  const may = (level: number): boolean => me.capabilities.draw_levels.includes(level + 1);
  const p = app.selection?.feature?.properties;
  if (p && app.selection && may(p.level) && (p.id === own.id || (p.level > own.level && p.code.startsWith(own.code)))) {
    return { id: p.id, name: p.name, code: p.code, level: p.level };
  }
  return may(own.level) ? { id: own.id, name: own.name, code: own.code, level: own.level } : null;
}

async function send(body: FormData): Promise<ImportResult> {
  let res: Response;
  try {
    res = await fetch("/api/boundaries/import/", {
      method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  } catch {
    throw new ApiError(0, "network", t("errorNetwork"));
  }
  const data = (await res.json().catch(() => null)) as (ImportResult & { code?: string; detail?: string; extra?: ImportResult; errors?: Record<string, string[]> }) | null;
  if (res.ok && data) return data;
  const fields = data?.errors ? Object.values(data.errors).flat().join("；") : "";
  const message = data?.detail ? `${data.detail}${fields ? `\n${fields}` : ""}` : t(res.status >= 500 ? "errorServer" : "errorGeneric");
  throw new ImportRefused(res.status, data?.code ?? String(res.status), message, data?.extra?.features ? data.extra : null);
}

const ACTION: Record<Row["action"], Key> = { matched: "importMatched", created: "importCreated", rejected: "importRejected" };
const at = (xy: number[]): string => (xy.length ? `${xy[0].toFixed(5)}, ${xy[1].toFixed(5)}` : "–");

export const importPanel: Panel = {
  id: "import",
  label: "tabImport",
  visible: (app) => app.me.capabilities.write && app.me.capabilities.draw_levels.length > 0 && !!app.me.unit,
  render(app, el) {
    const into = h("p", { id: "import-into", class: "pop-picked chosen" });
    const file = h("input", { type: "file", id: "import-file", name: "file", accept: ".geojson,.json,.gpkg,.zip,.kml" });
    const system = h("select", { id: "import-system", name: "coordinate_system" },
      h("option", { value: "standard" }, t("importStandard")),
      h("option", { value: "gcj02" }, t("importGcj02")),
      h("option", { value: "bd09" }, t("importBd09")));
    const crs = h("input", { type: "text", id: "import-crs", name: "crs", inputmode: "numeric", placeholder: "4490" });
    const modeBox = h("fieldset", { id: "import-mode", class: "place" }, h("legend", {}, t("importMode")));
    for (const [value, label, help] of [["merge", "importMerge", "importMergeHelp"], ["replace", "importReplace", "importReplaceHelp"]] as Array<[string, Key, Key]>) {
      modeBox.append(h("label", {},
        h("span", {}, h("input", { type: "radio", name: "mode", value, checked: value === "merge" }), ` ${t(label)}`),
        h("small", { class: "muted", "data-help": value }, t(help))));
    }
    const reason = h("input", { type: "text", id: "import-reason", name: "reason", maxlength: 500 });
    const dry = h("button", { type: "submit", id: "import-dry" }, t("importDryRun"));
    const go = h("button", { type: "button", id: "import-go", disabled: true }, t("importConfirm"));
    const error = h("p", { id: "import-error", class: "error", hidden: true });
    const reportBox = h("div", { id: "import-report" });
    const frm = h("form", { class: "dialog-form import-form" },
      h("h3", {}, t("importTitle")), into,
      h("label", {}, t("importFile"), file),
      h("label", {}, t("importSystem"), system),
      h("label", {}, t("importCrs"), crs),
      modeBox,
      h("label", {}, t("importReason"), reason),
      h("div", { class: "buttons" }, dry, go), error);
    el.append(frm, reportBox);

    let target = targetFor(app);
    let last: ImportResult | null = null; // the dry run the confirmation would carry out
    const mode = (): string => modeBox.querySelector<HTMLInputElement>("input[name=mode]:checked")!.value;
    const clearMap = (): void => {
      setOverlay(app, "preview", null);
      setOverlay(app, "gaps", null);
    };
    const stale = (): void => {
      last = null;
      go.disabled = true;
    };
    const showTarget = (): void => {
      into.textContent = target
        ? t("importInto", { name: target.name, code: target.code }) + ` · ${levelName(target.level + 1)}`
        : t("importNoPermission");
      dry.disabled = !target;
    };
    showTarget();
    frm.addEventListener("change", stale);
    app.on("select", () => {
      const next = targetFor(app);
      if (next?.id === target?.id) return;
      target = next;
      stale();
      reportBox.replaceChildren();
      clearMap();
      showTarget();
    }, frm);

    const body = (dryRun: boolean): FormData => {
      const fd = new FormData();
      fd.append("file", file.files![0]);
      fd.append("parent", String(target!.id));
      fd.append("coordinate_system", system.value);
      if (crs.value.trim()) fd.append("crs", crs.value.trim());
      fd.append("mode", mode());
      fd.append("dry_run", dryRun ? "true" : "false");
      if (reason.value.trim()) fd.append("reason", reason.value.trim());
      if (!dryRun && last?.versions) fd.append("versions", JSON.stringify(last.versions));
      return fd;
    };

    // The message stays under the buttons and, since a long form hides it on a small screen, also
    // comes up as the error toast.
    const fail = (err: unknown): void => {
      error.textContent = err instanceof Error ? err.message : String(err);
      error.hidden = false;
      error.scrollIntoView({ block: "nearest" });
      showError(err);
      if (err instanceof ImportRefused && err.report) show(err.report);
    };

    const show = (r: ImportResult): void => {
      reportBox.replaceChildren(reportView(app, r));
      const good: Feature[] = [];
      const bad: Feature[] = [];
      const add = (list: Feature[], g: Geometry | null | undefined, name: string): void => {
        if (g) list.push({ type: "Feature", properties: { name }, geometry: g });
      };
      for (const f of r.features) add(f.action === "rejected" ? bad : good, f.geometry, f.name);
      for (const m of r.missing ?? []) if (m.action === "rejected") add(bad, m.geometry, m.name);
      for (const x of [...(r.overlaps ?? []), ...(r.gaps ?? [])]) add(bad, x.geometry, "");
      setOverlay(app, "preview", { type: "FeatureCollection", features: good });
      setOverlay(app, "gaps", { type: "FeatureCollection", features: bad });
      const all = [...good, ...bad].map((f) => f.geometry);
      if (all.length) app.flyToGeometry({ type: "GeometryCollection", geometries: all }, (target?.level ?? 2) + 1);
    };

    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      error.hidden = true;
      if (!file.files?.length) return fail(new Error(t("importChooseFile")));
      stale();
      dry.disabled = true;
      reportBox.replaceChildren(h("p", { class: "muted" }, t("loading")));
      void send(body(true))
        .then((r) => {
          show(r);
          last = r.ok ? r : null;
          go.disabled = !r.ok;
        })
        .catch((err) => {
          reportBox.replaceChildren();
          clearMap();
          fail(err);
        })
        .finally(() => (dry.disabled = !target));
    });

    go.addEventListener("click", () => {
      if (!last || !file.files?.length) return;
      error.hidden = true;
      go.disabled = dry.disabled = true;
      void send(body(false))
        .then((r) => {
          last = null;
          show(r);
          clearMap();
          toast(t("importDone", { matched: String(r.summary.matched ?? 0), created: String(r.summary.created ?? 0), removed: String(r.summary.removed ?? 0) }));
          app.reloadTiles();
        })
        .catch((err) => {
          stale();
          fail(err);
        })
        .finally(() => (dry.disabled = !target));
    });

    new MutationObserver((_, obs) => {
      if (!frm.isConnected) {
        clearMap();
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};

function reportView(app: App, r: ImportResult): HTMLElement {
  const fly = (g: Geometry | null | undefined): (() => void) => () => g && app.flyToGeometry(g, 4);
  const s = r.summary;
  let summary = t("importSummary", { matched: String(s.matched ?? 0), created: String(s.created ?? 0), rejected: String(s.rejected ?? 0) });
  if (r.mode === "replace") {
    summary += t("importSummaryReplace", { removed: String(s.removed ?? 0), overlaps: String(s.overlaps ?? 0), gaps: String(s.gaps ?? 0) });
  }
  const box = h("div", { class: "report", "data-ok": String(r.ok), "data-dry-run": String(r.dry_run) },
    h("h4", {}, t(r.dry_run ? "importReport" : "importResult")),
    h("p", { id: "import-status", class: r.ok ? "ok" : "error" }, r.dry_run ? t(r.ok ? "importOk" : "importNotOk") : ""),
    h("p", { id: "import-summary" }, summary),
    ...r.notes.map((n) => h("p", { class: "muted" }, n)),
    h("ul", { id: "import-features", class: "check-items" }, ...r.features.map((f) =>
      h("li", { "data-index": f.index, "data-action": f.action },
        h("button", { type: "button", class: "link", onclick: fly(f.geometry) },
          h("span", { class: `badge ${f.action === "rejected" ? "warn" : "l3"}` }, t(ACTION[f.action])),
          ` ${t("importFeature", { n: String(f.index + 1) })} ${f.name}${f.code ? `（${f.code}）` : ""}`,
          f.unchanged ? h("small", { class: "muted" }, ` ${t("importUnchanged")}`) : null),
        f.error ? h("div", { class: "error" }, f.error.detail) : null))),
  );
  const section = (title: Key, id: string, items: HTMLElement[]): void => {
    if (items.length) box.append(h("h4", {}, t(title)), h("ul", { id, class: "check-items" }, ...items));
  };
  section("importMissing", "import-missing", (r.missing ?? []).map((m) =>
    h("li", { "data-unit-id": m.unit, "data-action": m.action },
      h("button", { type: "button", class: "link", onclick: fly(m.geometry) },
        h("span", { class: `badge ${m.action === "rejected" ? "warn" : ""}` }, t(m.action === "rejected" ? "importInUse" : "importRemoved")),
        ` ${m.name}（${m.code}）`),
      m.error ? h("div", { class: "error" }, m.error.detail) : null)));
  section("importOverlaps", "import-overlaps", (r.overlaps ?? []).map((o) =>
    h("li", {}, h("button", { type: "button", class: "link error", onclick: fly(o.geometry) },
      t("importOverlap", { a: o.names?.[0] ?? "", b: o.names?.[1] ?? "", area: fmtArea(o.area_m2) }), ` · ${at(o.location)}`))));
  section("importGaps", "import-gaps", (r.gaps ?? []).map((g) =>
    h("li", {}, h("button", { type: "button", class: "link error", onclick: fly(g.geometry) },
      t("importGap", { area: fmtArea(g.area_m2), at: at(g.location) })))));
  return box;
}
