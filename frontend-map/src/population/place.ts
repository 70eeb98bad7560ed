// 安置: put a person in a house. Someone already living elsewhere is warned about, asked a reason
// (their old address is left and recorded), and offered to take their whole household along.
import { api } from "../api";
import type { App } from "../app";
import { h, toast } from "../ui";
import { L, loadCodes, modalForm, type PersonRow } from "./common";

interface HouseRow {
  id: number;
  entrance: string;
  floor: number;
  room: string;
}

/** Choose a building of the person's community and a house in it, then settle them there. */
export async function openPlace(app: App, p: PersonRow): Promise<boolean> {
  if (!p.pool) return false;
  const fc = await api<{ features: Array<{ id: number; properties: { id: number; name: string } }> }>(
    `/api/units/?subtree=${p.pool.id}&level=5&geometry=false&page_size=2000`,
  );
  const buildings: Array<[string, string]> = fc.features.map((f) => [String(f.properties?.id ?? f.id), f.properties.name]);
  if (!buildings.length) throw new Error(L("本村（社区）还没有楼栋。", "This community has no buildings yet."));
  const sel = app.selection;
  const first = sel && sel.level === 5 && buildings.some(([id]) => Number(id) === sel.id) ? String(sel.id) : buildings[0][0];
  const v1 = await modalForm("place-building-dialog", L(`安置：${p.name}`, `House: ${p.name}`), [
    { name: "building", label: L("楼栋", "Building"), kind: "select", options: buildings, value: first },
  ], { submit: L("下一步", "Next") });
  if (!v1) return false;
  const houses = await api<HouseRow[]>(`/api/units/${v1.building}/houses/`);
  if (!houses.length) throw new Error(L("该楼栋没有登记房屋。", "This building has no houses."));
  const name = buildings.find(([id]) => id === v1.building)?.[1] ?? "";
  return settle(p, houses.map((x) => [String(x.id), `${x.entrance}单元 ${x.floor}层 ${x.room}室`]), name);
}

/** The second step, shared with the building panel: house, relation to the house, and — when the
 *  person lives elsewhere — the warning, the reason and the household option. */
export async function settle(p: PersonRow, houses: Array<[string, string]>, buildingName: string, houseId?: string): Promise<boolean> {
  const codes = await loadCodes();
  const elsewhere = p.residence ? `${p.residence.building.name} ${p.residence.house.label}` : "";
  const intro = elsewhere
    ? h("p", { class: "warn", id: "place-warning" }, L(
        `注意：${p.name}现住在${elsewhere}。安置到新房屋后将离开原住址（记入居住历史）。如只是登记错误，请先在人员信息中办理“离开房屋”。`,
        `${p.name} lives at ${elsewhere} now; housing them here moves them out of it (recorded in their history).`))
    : null;
  const fields = [
    { name: "house", label: L(`${buildingName} 的房屋`, `House in ${buildingName}`), kind: "select" as const, options: houses, value: houseId ?? houses[0]?.[0] },
    { name: "relation", label: L("与房屋关系", "Relation to the house"), kind: "select" as const, options: codes.house_relation.map((r) => [r.code, r.label] as [string, string]), value: p.house_relation || "family" },
    { name: "reason", label: elsewhere ? L("迁居事由", "Reason for the move") : L("事由（可不填）", "Reason (optional)"), kind: "textarea" as const, required: !!elsewhere },
    ...(p.household ? [{ name: "with_household", label: L(`整户（户号 ${p.household_number}）随之迁入`, `Move the whole household (${p.household_number})`), kind: "checkbox" as const }] : []),
  ];
  const v = await modalForm("place-dialog", L(`安置：${p.name}`, `House: ${p.name}`), fields, { intro, submit: L("安置", "House") });
  if (!v) return false;
  await api(`/api/population/people/${p.id}/place/`, {
    method: "POST",
    body: { house: Number(v.house), relation: v.relation, reason: v.reason, with_household: v.with_household === "1" },
  });
  toast(L("已安置", "Housed"));
  return true;
}
