// The drawing panel: which units this user may change here, and for each one — reshape, split in
// two, merge with a neighbour — with the server's preview and report before saving with a reason.
import type { Feature, FeatureCollection, Geometry, LineString } from "geojson";
import { api, drawLevel, listUnits, unitId, type PreviewReport, type PreviewResult, type RestructureResult, type UnitFeature } from "../api";
import type { App } from "../app";
import { sharesEdge } from "../draw/coords";
import { Drawer, fc, preview, setOverlay, type DrawKind } from "../draw";
import { levelName, t, type Key } from "../i18n";
import { fmtArea, form, h, showError, toast, type Field } from "../ui";
import type { Panel } from "./index";

const KINDS: Record<number, Array<[string, string]>> = {
  2: [["subdistrict", "街道"], ["town", "镇"], ["township", "乡"]],
  3: [["community", "社区"], ["village", "村"]],
  4: [["compound", "小区"], ["villager_group", "村民小组"], ["resident_group", "居民小组"]],
  5: [["building", "楼栋"]],
};

let drawer: Drawer | null = null;

/** Why this user may not draw here, or null when they may. */
export function drawRefusal(app: App): string | null {
  const me = app.me;
  if (!me.capabilities.write) return t("drawReadOnly");
  if (drawLevel(me) === null || !me.unit) return t("drawNoLevel");
  return null;
}

/** The unit whose children the panel lists: the selected unit when the user may draw inside it,
 *  the parent of a selected unit the user may reshape, else the user's own unit. The server
 *  checks jurisdiction again on every preview and save. */
function parentFor(app: App): number {
  const me = app.me;
  const own = me.unit!;
  const sel = app.selection;
  const f = sel?.feature;
  if (!sel || !f?.properties || sel.id === own.id) return own.id;
  if (canCreateIn(app, sel.level)) return sel.id;
  if (sel.level > own.level + 1 && f.properties.parent) return f.properties.parent;
  return own.id;
}

/** May the user draw new units inside a unit of ``level`` (theirs, or a community's compound)? */
function canCreateIn(app: App, level: number): boolean {
  return app.me.capabilities.draw_levels.includes(level + 1);
}

function row(k: Key, v: string, cls = ""): HTMLElement[] {
  return [h("dt", {}, t(k)), h("dd", { class: cls, "data-fact": k }, v)];
}

function reportView(r: PreviewReport, extra: HTMLElement[] = [], restructure = false): HTMLElement {
  const gapArea = r.gaps.reduce((s, g) => s + (g.area_m2 ?? 0), 0);
  const followed = (r.children_followed ?? []).filter((c) => c.id !== null).length;
  const cut = (r.vertices_removed ?? 0) + (r.vertices_added ?? 0);
  const current = r.area_current_m2 !== undefined && r.area_current_m2 !== null ? row("areaCurrent", fmtArea(r.area_current_m2)) : [];
  // A split or merge draws nothing by hand: its figures are the pieces' areas, not snapping.
  const drawn = restructure
    ? []
    : [
        ...row("areaBefore", fmtArea(r.area_before_m2)),
        ...row("areaAfter", fmtArea(r.area_after_m2)),
        ...row("clipped", fmtArea(r.clipped_m2), r.clipped_m2 > 0 ? "warn" : ""),
        ...row("verticesMoved", t("verticesMovedValue", { n: String(r.vertices_moved), tol: String(r.snap_tolerance_m ?? "–") })),
        ...(cut ? row("verticesCut", t("verticesCutValue", { removed: String(r.vertices_removed ?? 0), added: String(r.vertices_added ?? 0) }), "warn") : []),
      ];
  return h(
    "div",
    { class: "report", id: "draw-report" },
    h("h4", {}, t("reportTitle")),
    h(
      "dl",
      { class: "facts" },
      ...current,
      ...drawn,
      ...extra,
      ...(r.overlap_removed_m2 > 0 || !restructure ? row("overlapRemoved", fmtArea(r.overlap_removed_m2), r.overlap_removed_m2 > 0 ? "warn" : "") : []),
      ...row("gaps", `${r.gaps.length} · ${fmtArea(gapArea)}`, r.gaps.length ? "warn" : ""),
      ...row("sharedWith", String(r.shared_with.length)),
      ...(followed ? row("childrenFollowed", String(followed)) : []),
    ),
  );
}

function hintFor(kind: DrawKind): string {
  return t(kind === "new" ? "drawHint" : kind === "reshape" ? "reshapeHint" : "splitHint");
}

export const drawPanel: Panel = {
  id: "draw",
  label: "tabDraw",
  visible: (app) => app.me.capabilities.staff,
  render(app, el) {
    const body = h("div", { class: "draw" });
    el.append(body);
    const refusal = drawRefusal(app);
    if (refusal) {
      body.append(h("p", { class: "notice", id: "draw-refusal" }, refusal));
      return;
    }
    const status = h("div", { class: "status", id: "draw-status" });
    const reportBox = h("div", {});
    const list = h("ul", { class: "children", id: "draw-units" });
    const parentName = h("b", {});
    let parentId = parentFor(app);
    let parent: UnitFeature | null = null;
    let siblings: UnitFeature[] = [];
    let target: UnitFeature | null = null; // the unit being reshaped, split or merged
    let partner: UnitFeature | null = null; // the neighbour chosen for a merge
    let mode: DrawKind | "merge" | null = null;
    let ready = false; // a successful preview of the current state exists
    let seq = 0;
    let title = "";

    const setStatus = (): void => {
      if (mode && mode !== "merge") status.replaceChildren(h("b", {}, title), h("br", {}), hintFor(mode));
    };

    const busy = (on: boolean): void => {
      newBtn.hidden = on || !canCreateIn(app, parent?.properties?.level ?? -1);
      saveBtn.hidden = cancelBtn.hidden = !on;
      list.classList.toggle("locked", on);
    };

    const showError_ = (err: unknown): void => {
      reportBox.replaceChildren(h("p", { class: "error", id: "draw-error" }, (err as Error).message));
      showError(err);
    };

    const onDrawn = async (g: Geometry): Promise<void> => {
      if (!drawer?.session) return;
      const mine = ++seq;
      status.replaceChildren(h("b", {}, title), h("br", {}), t("previewing"));
      saveBtn.disabled = true;
      ready = false;
      try {
        if (drawer.session.kind === "split") {
          const res = await api<RestructureResult>("/api/boundaries/split-preview/", {
            method: "POST",
            body: { unit: drawer.session.unitId, line: g, version: drawer.session.version },
          });
          if (mine !== seq) return;
          showRestructure(res);
        } else {
          const res: PreviewResult = await preview(drawer.session, g);
          if (mine !== seq) return;
          setOverlay(app, "preview", fc(res.geometry));
          const gaps: FeatureCollection = {
            type: "FeatureCollection",
            features: res.report.gaps.map((x): Feature => ({ type: "Feature", properties: { area_m2: x.area_m2 }, geometry: x.geometry })),
          };
          setOverlay(app, "gaps", gaps);
          reportBox.replaceChildren(reportView(res.report));
        }
        setStatus();
        ready = true;
        saveBtn.disabled = false;
      } catch (err) {
        if (mine !== seq) return;
        setStatus();
        showError_(err);
      }
    };

    /** The two pieces of a split, or the merged unit, with their figures. */
    const showRestructure = (res: RestructureResult): void => {
      setOverlay(app, "preview", fc(res.unit.geometry));
      setOverlay(app, "preview-b", fc(res.created?.geometry));
      setOverlay(app, "gaps", null);
      const r = res.report;
      const extra: HTMLElement[] = [];
      if (r.split_into) {
        extra.push(...row("splitKeeps", `${res.unit.properties!.name} · ${fmtArea(res.unit.properties!.area_m2)}`));
        extra.push(...row("splitNew", fmtArea(res.created?.properties?.area_m2 ?? r.split_into.area_m2), "new-piece"));
      }
      if (r.merged_from) extra.push(...row("mergeResult", `${res.unit.properties!.name} · ${fmtArea(res.unit.properties!.area_m2)}`));
      if (r.children_moved?.length) extra.push(...row(r.merged_from ? "childrenJoined" : "childrenMoved", String(r.children_moved.length)));
      reportBox.replaceChildren(reportView(r, extra, true));
    };

    const begin = async (kind: DrawKind, unit: UnitFeature | null): Promise<void> => {
      stop();
      try {
        drawer ??= new Drawer(app);
        drawer.onChange = (g) => void onDrawn(g);
        target = unit ? await api<UnitFeature>(`/api/units/${unitId(unit)}/`) : null;
        if (kind === "new") drawer.beginNew(parent!, siblings);
        else if (kind === "reshape") drawer.beginReshape(parent!, siblings, target!);
        else drawer.beginSplit(parent!, siblings, target!);
        mode = kind;
        title = kind === "new" ? t("drawNew") : `${t(kind === "reshape" ? "drawReshape" : "drawSplit")}：${target!.properties!.name}`;
        setStatus();
        status.dataset.mode = kind;
        busy(true);
        saveBtn.disabled = true;
      } catch (err) {
        stop();
        showError_(err);
      }
    };

    const beginMerge = async (unit: UnitFeature): Promise<void> => {
      stop();
      target = await api<UnitFeature>(`/api/units/${unitId(unit)}/`).catch((err) => {
        showError(err);
        return null;
      });
      if (!target) return;
      mode = "merge";
      busy(true);
      saveBtn.disabled = true;
      const name = target.properties!.name;
      const neighbours = siblings.filter((s) => unitId(s) !== unitId(target!) && sharesEdge(s.geometry, target!.geometry));
      status.dataset.mode = "merge";
      status.replaceChildren(
        h("b", {}, `${t("drawMerge")}：${name}`),
        h("br", {}),
        neighbours.length ? t("mergeHint", { name }) : t("mergeNoNeighbour", { name }),
        h(
          "ul",
          { class: "merge-partners", id: "merge-partners" },
          ...neighbours.map((n) =>
            h("li", { "data-unit-id": unitId(n) }, h("button", { class: "link", onclick: () => void choosePartner(n) }, `${t("mergeWith")} ${n.properties!.name}`)),
          ),
        ),
      );
      setOverlay(app, "preview", fc(target.geometry));
    };

    const choosePartner = async (n: UnitFeature): Promise<void> => {
      if (!target) return;
      partner = n;
      status.querySelectorAll("#merge-partners li").forEach((li) => li.classList.toggle("chosen", (li as HTMLElement).dataset.unitId === String(unitId(n))));
      const mine = ++seq;
      ready = false;
      saveBtn.disabled = true;
      try {
        const res = await api<RestructureResult>("/api/boundaries/merge-preview/", {
          method: "POST",
          body: { unit: unitId(target), other: unitId(n), version: target.properties!.boundary_version, other_version: n.properties!.boundary_version },
        });
        if (mine !== seq) return;
        showRestructure(res);
        ready = true;
        saveBtn.disabled = false;
      } catch (err) {
        showError_(err);
      }
    };

    const stop = (): void => {
      seq++;
      drawer?.end();
      setOverlay(app, "preview", null);
      setOverlay(app, "preview-b", null);
      mode = null;
      target = partner = null;
      ready = false;
      status.replaceChildren();
      delete status.dataset.mode;
      reportBox.replaceChildren();
      busy(false);
    };

    const ask = async (title: string, fields: Field[]): Promise<Record<string, string> | null> =>
      form(title, [...fields, { name: "reason", label: t("reasonPrompt"), type: "textarea", required: true }]);

    const save = async (): Promise<void> => {
      if (!ready || !mode) return;
      const level = parent!.properties!.level + 1;
      try {
        let saved: UnitFeature;
        if (mode === "merge") {
          if (!target || !partner) return;
          const v = await ask(`${t("drawMerge")}：${target.properties!.name} + ${partner.properties!.name}`, [
            { name: "name", label: t("mergeNamePrompt"), type: "text", value: target.properties!.name, required: true },
          ]);
          if (!v) return;
          const res = await api<RestructureResult>(`/api/units/${unitId(target)}/merge/`, {
            method: "POST",
            body: { other: unitId(partner), name: v.name, reason: v.reason, version: target.properties!.boundary_version, other_version: partner.properties!.boundary_version },
          });
          saved = res.unit;
        } else {
          const session = drawer?.session;
          const g = drawer?.current();
          if (!session || !g) return;
          if (mode === "split") {
            const v = await ask(`${t("drawSplit")}：${target!.properties!.name}`, [{ name: "name", label: t("splitNamePrompt"), type: "text", required: true }]);
            if (!v) return;
            const res = await api<RestructureResult>(`/api/units/${session.unitId}/split/`, {
              method: "POST",
              body: { line: g as LineString, name: v.name, reason: v.reason, version: session.version },
            });
            saved = res.created ?? res.unit;
          } else if (mode === "reshape") {
            const v = await ask(`${t("drawReshape")}：${target!.properties!.name}`, []);
            if (!v) return;
            saved = await api<UnitFeature>(`/api/units/${session.unitId}/`, { method: "PATCH", body: { geometry: g, reason: v.reason, version: session.version } });
          } else {
            const v = await ask(t("drawNew"), [
              { name: "name", label: t("namePrompt"), type: "text", required: true },
              { name: "kind", label: t("kindPrompt"), type: "select", options: KINDS[level] ?? [], required: true },
            ]);
            if (!v) return;
            saved = await api<UnitFeature>("/api/units/", { method: "POST", body: { parent: session.parentId, name: v.name, kind: v.kind, geometry: g, reason: v.reason } });
          }
        }
        stop();
        toast(t("saved"));
        app.reloadTiles();
        const id = unitId(saved);
        await loadList();
        if (id) await app.select(id, level);
      } catch (err) {
        showError_(err);
      }
    };

    const newBtn = h("button", { id: "draw-new", onclick: () => void begin("new", null) }, t("drawNew"));
    const cancelBtn = h("button", { id: "draw-cancel", class: "secondary", hidden: true, onclick: stop }, t("drawCancel"));
    const saveBtn = h("button", { id: "draw-save", hidden: true, disabled: true, onclick: () => void save() }, t("drawSave"));

    const loadList = async (): Promise<void> => {
      [parent, siblings] = await Promise.all([api<UnitFeature>(`/api/units/${parentId}/`), listUnits({ parent: parentId })]);
      siblings.sort((a, b) => a.properties!.code.localeCompare(b.properties!.code));
      const act = (cls: string, label: Key, fn: () => void): HTMLElement => h("button", { class: `link ${cls}`, onclick: fn }, t(label));
      list.replaceChildren(
        ...siblings.map((s) =>
          h(
            "li",
            { "data-unit-id": unitId(s) },
            h("span", { class: "unit-name" }, s.properties!.name),
            h(
              "span",
              { class: "unit-actions" },
              act("reshape", "actReshape", () => void begin("reshape", s)),
              // Buildings are redrawn, never split or merged (their dwellings are not land).
              s.properties!.level < 5 ? act("split", "actSplit", () => void begin("split", s)) : null,
              s.properties!.level < 5 ? act("merge", "actMerge", () => void beginMerge(s)) : null,
            ),
          ),
        ),
      );
      if (!siblings.length) list.replaceChildren(h("li", { class: "muted" }, t("noChildren")));
      parentName.textContent = `${parent.properties!.name}（${levelName(parent.properties!.level)}）→ ${levelName(parent.properties!.level + 1)}`;
      busy(mode !== null);
    };

    body.append(
      h("h3", {}, t("drawTitle")),
      h("p", {}, `${t("drawParent")}: `, parentName),
      h("div", { class: "buttons" }, newBtn, saveBtn, cancelBtn),
      status,
      reportBox,
      h("h4", {}, t("pickUnitToReshape")),
      list,
    );
    busy(false);
    void loadList().catch(showError);
    // A new selection on the map moves the panel to that unit's family (unless a drawing is open).
    app.on(
      "select",
      () => {
        const next = parentFor(app);
        if (mode === null && next !== parentId) {
          parentId = next;
          void loadList().catch(showError);
        }
      },
      body,
    );
    // Leaving the tab ends the drawing session.
    const obs = new MutationObserver(() => {
      if (!body.isConnected) {
        stop();
        obs.disconnect();
      }
    });
    obs.observe(el, { childList: true });
  },
};
