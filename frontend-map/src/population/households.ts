// Households (户): the list of a pool's households, one household's members, and moving the whole
// household to another house (each member's move in their own history).
import { api } from "../api";
import type { App } from "../app";
import { kitDialog } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { L, modalForm, type Page, type PersonRow, type Ref } from "./common";
import { openPerson } from "./card";

interface HouseholdRow {
  id: number;
  number: string;
  unit: number | null;
  unit_name: string | null;
  house: number | null;
  address: string | null;
  member_count: number;
}

export function mountHouseholds(app: App, el: HTMLElement, pool: Ref | null): void {
  const q = h("input", { type: "search", id: "hh-q", placeholder: L("户号或成员姓名", "Number or member's name"), autocomplete: "off" });
  const list = h("div", { id: "hh-list" });
  const add = app.me.capabilities.write && pool
    ? h("button", { type: "button", class: "secondary", id: "hh-new", onclick: () => void newHousehold(pool).then((ok) => { if (ok) void load(); }).catch(showError) }, L("立户", "New household"))
    : null;
  el.append(h("div", { class: "pop-filters" }, q, add), list);
  const load = async (): Promise<void> => {
    const params = new URLSearchParams({ page_size: "50" });
    if (pool) params.set("unit", String(pool.id));
    if (q.value.trim()) params.set("q", q.value.trim());
    const res = await api<Page<HouseholdRow>>(`/api/population/households/?${params}`);
    list.replaceChildren(
      h("p", { class: "muted" }, L(`共 ${res.count} 户`, `${res.count} households`)),
      ...res.results.map((x) =>
        h("div", { class: "pop-person", "data-household-id": x.id },
          h("button", { type: "button", class: "link pop-name", onclick: () => void openHousehold(app, x.id, () => void load()).catch(showError) }, L(`户号 ${x.number}`, `No. ${x.number}`)),
          h("small", {}, ` ${x.member_count} ${L("人", "members")}`),
          h("div", { class: "pop-where muted" }, x.address ?? L("未登记住址", "no address")))),
    );
  };
  let timer: number | undefined;
  q.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load().catch(showError), 300);
  });
  void load().catch((err: Error) => list.replaceChildren(h("p", { class: "error" }, err.message)));
}

async function newHousehold(pool: Ref): Promise<boolean> {
  const v = await modalForm("hh-new-dialog", L(`立户：${pool.name}`, `New household: ${pool.name}`), [
    { name: "number", label: L("户号（留空自动编号）", "Number (blank: assigned)") },
    { name: "reason", label: L("事由", "Reason"), value: "立户" },
  ]);
  if (!v) return false;
  const hh = await api<HouseholdRow>("/api/population/households/", { method: "POST", body: { pool: pool.id, number: v.number, reason: v.reason } });
  toast(L(`已立户 ${hh.number}`, `Household ${hh.number} created`));
  return true;
}

async function openHousehold(app: App, id: number, changed: () => void): Promise<void> {
  const { dialog, body } = kitDialog("household-view", L("户", "Household"));
  const render = async (): Promise<void> => {
    const hh = await api<HouseholdRow & { members: PersonRow[] }>(`/api/population/households/${id}/`);
    const move = app.me.capabilities.write
      ? h("button", { type: "button", id: "hh-move", onclick: () => void moveHousehold(hh).then((ok) => { if (ok) { changed(); void render(); } }).catch(showError) }, L("整户迁居", "Move the household"))
      : null;
    body.replaceChildren(
      h("p", {}, h("b", {}, L(`户号 ${hh.number}`, `No. ${hh.number}`)), ` · ${hh.unit_name ?? ""} · ${hh.address ?? L("未登记住址", "no address")}`),
      h("table", { class: "pop-table" },
        h("thead", {}, h("tr", {}, h("th", {}, L("姓名", "Name")), h("th", {}, L("与户主关系", "Relation to head")), h("th", {}, L("居住房屋", "Lives in")))),
        h("tbody", {}, ...hh.members.map((m) => h("tr", { "data-person-id": m.id },
          h("td", {}, h("button", { type: "button", class: "link", onclick: () => { dialog.close(); void openPerson(app, m.id, changed).catch(showError); } }, m.name)),
          h("td", {}, m.relation_to_head_label || "–"),
          h("td", {}, m.residence ? `${m.residence.building.name} ${m.residence.house.label}` : "–"))))),
      move ?? "",
    );
  };
  await render();
}

async function moveHousehold(hh: HouseholdRow): Promise<boolean> {
  if (!hh.unit) return false;
  const fc = await api<{ features: Array<{ id: number; properties: { id: number; name: string } }> }>(
    `/api/units/?subtree=${hh.unit}&level=5&geometry=false&page_size=2000`,
  );
  const buildings: Array<[string, string]> = fc.features.map((f) => [String(f.properties?.id ?? f.id), f.properties.name]);
  const v1 = await modalForm("hh-move-building", L(`整户迁居：户号 ${hh.number}`, `Move household ${hh.number}`), [
    { name: "building", label: L("迁往楼栋", "To building"), kind: "select", options: buildings },
  ], { submit: L("下一步", "Next") });
  if (!v1) return false;
  const houses = await api<Array<{ id: number; entrance: string; floor: number; room: string }>>(`/api/units/${v1.building}/houses/`);
  const v = await modalForm("hh-move-dialog", L(`整户迁居：户号 ${hh.number}`, `Move household ${hh.number}`), [
    { name: "house", label: L("房屋", "House"), kind: "select", options: houses.map((x) => [String(x.id), `${x.entrance}单元 ${x.floor}层 ${x.room}室`]) },
    { name: "reason", label: L("迁居事由", "Reason"), kind: "textarea", required: true },
  ], { intro: h("p", {}, L("全户成员随户迁往新房屋，各自的居住历史都会记录这次迁居。", "Every member moves with the household; each move is recorded.")) });
  if (!v) return false;
  await api(`/api/population/households/${hh.id}/move/`, { method: "POST", body: { house: Number(v.house), reason: v.reason } });
  toast(L("已整户迁居", "Household moved"));
  return true;
}
