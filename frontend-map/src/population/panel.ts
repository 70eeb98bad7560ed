// The 人口 tab: the pool list with its filters, households, the inbox of incoming transfers and the
// clerk's errands (新增、转入、导入、导出). Every action is offered only to roles that may take it
// (the server's capabilities); residents never see this tab.
import { api, type Me, type UnitRef } from "../api";
import type { App } from "../app";
import { h, showError } from "../ui";
import type { Panel } from "../panels";
import { canSeePeople } from "../people";
import { goToBuilding } from "../search";
import { L, loadCodes, ownPool, type Page, type PersonRow, type Ref } from "./common";
import { openPerson } from "./card";
import { mountInbox, inboxCount } from "./transfer";
import { mountErrands } from "./errands";
import { mountHouseholds } from "./households";

type View = "people" | "households" | "inbox" | "errands";

/** The community whose pool the screens work on: the clerk's own, else the community selected on
 *  the map, else none (a town or district sees its whole jurisdiction in the list). */
export function currentPool(app: App): Ref | null {
  const own = ownPool(app.me);
  if (own) return own;
  const sel = app.selection;
  if (sel && sel.level === 3 && sel.feature?.properties) return { id: sel.id, code: sel.feature.properties.code, name: sel.feature.properties.name };
  return null;
}

/** The unit the list covers: the pool, or the selected town, or the user's unit. */
function listUnit(app: App): UnitRef | Ref | null {
  const pool = currentPool(app);
  if (pool) return pool;
  const sel = app.selection;
  if (sel && sel.level <= 3 && sel.feature?.properties) return { id: sel.id, name: sel.feature.properties.name };
  return app.me.unit;
}

export const populationPanel: Panel = {
  id: "population",
  label: "tabPopulation",
  visible: (app) => canSeePeople(app.me),
  render(app, el) {
    const nav = h("div", { class: "pop-nav", role: "tablist" });
    const body = h("div", { class: "pop-body" });
    el.append(nav, body);
    const badge = h("span", { class: "kit-badge", id: "inbox-badge", hidden: true });
    const refreshBadge = (): void =>
      void inboxCount().then((n) => {
        badge.textContent = String(n);
        badge.hidden = n === 0;
      }).catch(() => undefined);
    const views: Array<[View, string, HTMLElement | null]> = [
      ["people", L("人员", "People"), null],
      ["households", L("户", "Households"), null],
      ["inbox", L("转入待接收", "Incoming"), badge],
      ...(app.me.capabilities.write || app.me.capabilities.export ? [["errands", L("办理", "Errands"), null] as [View, string, HTMLElement | null]] : []),
    ];
    let current: View = location.hash === "#population/inbox" ? "inbox" : "people";
    const show = (v: View): void => {
      current = v;
      nav.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.dataset.view === v));
      body.replaceChildren();
      if (v === "people") mountPeople(app, body);
      else if (v === "households") mountHouseholds(app, body, currentPool(app));
      else if (v === "inbox") mountInbox(app.me, body, refreshBadge);
      else {
        const scope = listUnit(app);
        mountErrands(app, body, currentPool(app), scope ? { id: scope.id, name: scope.name, code: scope.code } : null, () => show("people"));
      }
    };
    nav.append(...views.map(([v, label, extra]) => h("button", { type: "button", class: "pop-tab", "data-view": v, onclick: () => show(v) }, label, extra)));
    refreshBadge();
    show(current);
    app.on("select", () => {
      // A town clerk picking another community on the map: the list follows it.
      if (!ownPool(app.me) && app.selection?.feature && app.selection.level <= 3 && current !== "inbox") show(current);
    }, body);
  },
};

const AGE_BANDS: Array<[string, string, string]> = [
  ["", "", "全部年龄|All ages"],
  ["0", "14", "0–14 岁|0–14"],
  ["15", "34", "15–34 岁|15–34"],
  ["35", "59", "35–59 岁|35–59"],
  ["60", "79", "60–79 岁|60–79"],
  ["80", "", "80 岁及以上|80+"],
];
const pick = (pair: string): string => L(...(pair.split("|") as [string, string]));

/** The pool list: name, building, tag, age band, 户籍/居住 and placed filters; 20 a page. */
function mountPeople(app: App, el: HTMLElement): void {
  const unit = listUnit(app);
  const q = h("input", { type: "search", id: "pop-q", placeholder: L("姓名", "Name"), autocomplete: "off" });
  const building = h("select", { id: "pop-building" }, h("option", { value: "" }, L("全部楼栋", "All buildings")));
  const tag = h("select", { id: "pop-tag" }, h("option", { value: "" }, L("全部标签", "All tags")));
  const age = h("select", { id: "pop-age" }, ...AGE_BANDS.map(([a, b, label], i) => h("option", { value: String(i), "data-min": a, "data-max": b }, pick(label))));
  const hukou = h(
    "select",
    { id: "pop-hukou" },
    h("option", { value: "" }, L("户籍和居住人口", "Registered and resident")),
    h("option", { value: "local" }, L("户籍在本村（社区）", "Registered here")),
    h("option", { value: "other" }, L("非户籍居住人口", "Living here, registered elsewhere")),
  );
  const placed = h(
    "select",
    { id: "pop-placed" },
    h("option", { value: "" }, L("全部", "All")),
    h("option", { value: "yes", }, L("已关联房屋", "In a house")),
    h("option", { value: "no" }, L("未关联房屋", "Not in a house")),
  );
  const list = h("div", { class: "pop-list", id: "pop-list" });
  const pager = h("div", { class: "pop-pager" });
  const scope = h("p", { class: "muted pop-scope" }, unit ? L(`范围：${unit.name}`, `Scope: ${unit.name}`) : "");
  el.append(scope, h("div", { class: "pop-filters" }, q, building, tag, age, hukou, placed), list, pager);
  void loadCodes().then((c) => tag.append(...c.tags.map((t) => h("option", { value: t.code }, t.label)))).catch(() => undefined);
  if (unit && "id" in unit) {
    const level = "level" in unit ? (unit as UnitRef).level : 3;
    if (level >= 3) {
      void api<{ features: Array<{ id: number; properties: { id: number; name: string } }> }>(
        `/api/units/?subtree=${unit.id}&level=5&geometry=false&page_size=2000`,
      ).then((fc) => building.append(...fc.features.map((f) => h("option", { value: String(f.properties?.id ?? f.id) }, f.properties.name)))).catch(() => undefined);
    }
  }
  let page = 1;
  let token = 0;
  const load = async (): Promise<void> => {
    const mine = ++token;
    const params = new URLSearchParams();
    if (unit) params.set("unit", String(unit.id));
    if (q.value.trim()) params.set("q", q.value.trim());
    if (building.value) params.set("building", building.value);
    if (tag.value) params.set("tag", tag.value);
    const band = age.selectedOptions[0];
    if (band?.dataset.min) params.set("age_min", band.dataset.min);
    if (band?.dataset.max) params.set("age_max", band.dataset.max);
    if (hukou.value) params.set("hukou", hukou.value);
    if (placed.value) params.set("placed", placed.value);
    params.set("page", String(page));
    list.replaceChildren(h("p", { class: "muted" }, L("加载中…", "Loading…")));
    try {
      const res = await api<Page<PersonRow>>(`/api/population/people/?${params}`);
      if (mine !== token) return;
      list.replaceChildren(
        h("p", { class: "muted", id: "pop-count" }, L(`共 ${res.count}${res.count_capped ? "+" : ""} 人`, `${res.count}${res.count_capped ? "+" : ""} people`)),
        ...res.results.map((p) => personRow(app, p, () => void load())),
      );
      if (!res.results.length) list.append(h("p", { class: "muted" }, L("没有符合条件的人员。", "Nobody matches.")));
      pager.replaceChildren(
        h("button", { type: "button", class: "secondary", disabled: !res.previous, onclick: () => { page -= 1; void load(); } }, L("上一页", "Previous")),
        h("span", {}, ` ${page} `),
        h("button", { type: "button", class: "secondary", disabled: !res.next, onclick: () => { page += 1; void load(); } }, L("下一页", "Next")),
      );
    } catch (err) {
      list.replaceChildren(h("p", { class: "error" }, (err as Error).message));
    }
  };
  let timer: number | undefined;
  q.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { page = 1; void load(); }, 300);
  });
  for (const s of [building, tag, age, hukou, placed]) s.addEventListener("change", () => { page = 1; void load(); });
  void load();
}

function personRow(app: App, p: PersonRow, changed: () => void): HTMLElement {
  const where = p.residence ? `${p.residence.building.name} ${p.residence.house.label}` : L("未关联房屋", "not in a house");
  return h(
    "div",
    { class: "pop-person", "data-person-id": p.id },
    h("button", { type: "button", class: "link pop-name", onclick: () => void openPerson(app, p.id, changed).catch(showError) }, p.name),
    h("small", {}, ` ${p.sex_label} ${p.age !== null ? `${p.age}${L("岁", "")}` : p.age_band} · ${p.id_number}`),
    h("div", { class: "pop-where" },
      p.residence
        ? h("button", { type: "button", class: "link", title: L("在地图上查看楼栋", "Show the building"), onclick: () => void goToBuilding(app, p.residence!.building.id, p.id).catch(showError) }, where)
        : h("span", { class: "muted" }, where),
      ...p.tag_labels.map((t) => h("span", { class: "pop-tag" }, t))),
  );
}

export function meCanWrite(me: Me): boolean {
  return me.capabilities.write;
}
