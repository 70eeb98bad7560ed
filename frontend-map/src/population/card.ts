// A person's card: the masked record, where they live, their household and their history, with the
// actions the signed-in role may take on them (转出、安置、离开房屋、户、标签、查看完整).
import { api } from "../api";
import type { App } from "../app";
import { kitDialog } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { L, loadCodes, modalForm, when, type Page, type PersonRow } from "./common";
import { openPlace } from "./place";
import { openTransferOut } from "./transfer";

interface PersonEvent {
  id: number;
  kind: string;
  kind_label: string;
  at: string;
  actor_display: string;
  reason: string;
  from_pool_name: string | null;
  to_pool_name: string | null;
  from_house_label: string | null;
  to_house_label: string | null;
}

export async function openPerson(app: App, id: number, changed: () => void): Promise<void> {
  const { dialog, body } = kitDialog("person-dialog", L("人员信息", "Person"));
  dialog.classList.add("person-card");
  body.append(h("p", { class: "muted" }, L("加载中…", "Loading…")));
  const refresh = async (): Promise<void> => {
    const [p, events] = await Promise.all([
      api<PersonRow>(`/api/population/people/${id}/`),
      api<Page<PersonEvent>>(`/api/population/people/${id}/history/?page_size=100`),
    ]);
    body.replaceChildren(...render(app, p, events.results, async () => {
      changed();
      await refresh().catch(() => dialog.close()); // gone from my jurisdiction (transferred out): close
    }));
  };
  await refresh();
}

function fact(label: string, value: string | HTMLElement, id = ""): HTMLElement {
  return h("div", { class: "fact", "data-fact": id || undefined }, h("span", { class: "fact-label" }, label), typeof value === "string" ? h("span", {}, value || "–") : value);
}

function render(app: App, p: PersonRow, events: PersonEvent[], changed: () => Promise<void>): HTMLElement[] {
  const caps = app.me.capabilities;
  const idCell = h("span", { id: "card-id-number" }, p.id_number);
  const phoneCell = h("span", { id: "card-phone" }, p.phone || "–");
  const addressCell = h("span", {}, p.hukou_address || "–");
  const residence = p.residence
    ? `${p.residence.neighbourhood ? p.residence.neighbourhood.name + " " : ""}${p.residence.building.name} ${p.residence.house.label}（${p.house_relation_label}）`
    : L("未关联房屋", "Not in a house");
  const facts = h(
    "div",
    { class: "facts" },
    fact(L("姓名", "Name"), p.name, "name"),
    fact(L("身份证号", "ID number"), idCell),
    fact(L("性别 / 年龄", "Sex / age"), `${p.sex_label} / ${p.age ?? p.age_band}`),
    fact(L("民族", "Ethnicity"), p.ethnicity_label ?? ""),
    fact(L("政治面貌", "Political status"), p.political_status_label ?? ""),
    fact(L("联系电话", "Phone"), phoneCell),
    fact(L("户籍地", "Registered at"), h("span", {}, `${p.hukou_code ?? ""} `, addressCell)),
    fact(L("人口池", "Pool"), p.pool?.name ?? L("不在人口池（市级人口库）", "Not in a pool (city record)"), "pool"),
    fact(L("居住房屋", "Lives in"), residence, "residence"),
    fact(L("户", "Household"), p.household_number ? `${p.household_number}（${L("与户主关系", "relation to head")}：${p.relation_to_head_label || "–"}）` : L("未入户", "None"), "household"),
    fact(L("标签", "Tags"), p.tag_labels.join("、")),
  );
  const actions = h("div", { class: "card-actions" });
  const act = (id: string, label: string, fn: () => Promise<void>): HTMLButtonElement =>
    h("button", { type: "button", class: "secondary", id, onclick: () => void fn().catch(showError) }, label);
  if (caps.reveal) {
    actions.append(act("card-reveal", L("查看完整信息", "Show in full"), async () => {
      const v = await modalForm("reveal-dialog", L(`查看完整信息：${p.name}`, `Show in full: ${p.name}`), [
        { name: "reason", label: L("查看事由（记入审计日志）", "Reason (recorded in the audit log)"), kind: "textarea", required: true },
      ]);
      if (!v) return;
      const full = await api<{ id_number: string; phone: string; hukou_address: string }>(`/api/population/people/${p.id}/reveal/`, { method: "POST", body: { reason: v.reason } });
      idCell.textContent = full.id_number;
      phoneCell.textContent = full.phone || "–";
      addressCell.textContent = full.hukou_address || "–";
    }));
  }
  if (caps.write && p.pool) {
    actions.append(
      act("card-place", p.residence ? L("换房安置", "Move to another house") : L("安置入住", "House"), async () => {
        if (await openPlace(app, p)) await changed();
      }),
    );
    if (p.residence) {
      actions.append(act("card-unplace", L("离开房屋", "Move out"), async () => {
        const v = await modalForm("unplace-dialog", L(`离开房屋：${p.name}`, `Move out: ${p.name}`), [
          { name: "reason", label: L("事由", "Reason"), kind: "textarea", required: true },
        ], { intro: h("p", {}, L(`${p.name}将离开${residence}，记入其居住历史。`, `${p.name} leaves ${residence}; recorded in their history.`)) });
        if (!v) return;
        await api(`/api/population/people/${p.id}/unplace/`, { method: "POST", body: { reason: v.reason } });
        toast(L("已离开房屋", "Moved out"));
        await changed();
      }));
    }
    actions.append(act("card-household", L("户", "Household"), async () => {
      if (await editHousehold(p)) await changed();
    }));
    actions.append(act("card-tags", L("标签", "Tags"), async () => {
      const codes = await loadCodes();
      const v = await modalForm("tags-dialog", L(`标签：${p.name}`, `Tags: ${p.name}`), codes.tags.map((t) => ({
        name: t.code, label: t.label, kind: "checkbox" as const, value: p.tags.includes(t.code) ? "1" : "",
      })));
      if (!v) return;
      await api(`/api/population/people/${p.id}/`, { method: "PATCH", body: { tags: codes.tags.map((t) => t.code).filter((c) => v[c]), reason: "修改标签" } });
      toast(L("已保存", "Saved"));
      await changed();
    }));
    actions.append(act("card-transfer-out", L("转出", "Transfer out"), async () => {
      if (await openTransferOut(p)) await changed();
    }));
  }
  const history = h(
    "ol",
    { class: "pop-history" },
    ...events.map((e) =>
      h(
        "li",
        {},
        h("b", {}, e.kind_label),
        h("span", { class: "muted" }, ` ${when(e.at)} · ${e.actor_display}`),
        moveText(e) ? h("div", {}, moveText(e)) : null,
        e.reason ? h("div", { class: "muted" }, `${L("事由", "Reason")}：${e.reason}`) : null,
      ),
    ),
  );
  return [facts, actions, h("h4", {}, L("变动及居住历史", "History")),
    h("div", { id: "card-history" }, events.length ? history : h("p", { class: "muted" }, L("没有记录。", "No records.")))];
}

function moveText(e: PersonEvent): string {
  const parts: string[] = [];
  if (e.from_pool_name || e.to_pool_name) parts.push(`${e.from_pool_name ?? "—"} → ${e.to_pool_name ?? L("迁出本市", "out of the city")}`);
  if (e.from_house_label || e.to_house_label) parts.push(`${e.from_house_label ?? "—"} → ${e.to_house_label ?? "—"}`);
  return parts.join("；");
}

/** 户: join an existing household (by number), start a new one as its head, or leave. */
async function editHousehold(p: PersonRow): Promise<boolean> {
  const codes = await loadCodes();
  const relations: Array<[string, string]> = codes.relation_to_head.map((r) => [r.code, r.label]);
  const mode: Array<[string, string]> = [
    ["join", L("加入已有的户", "Join a household")],
    ["new", L("立新户（本人为户主）", "Start a household (as its head)")],
    ...(p.household ? ([["leave", L("移出当前的户", "Leave the household")]] as Array<[string, string]>) : []),
  ];
  const v = await modalForm("household-dialog", L(`户：${p.name}`, `Household: ${p.name}`), [
    { name: "mode", label: L("办理", "Action"), kind: "select", options: mode },
    { name: "number", label: L("户号（加入已有的户时填写）", "Household number (to join)"), placeholder: "5001120020010001" },
    { name: "relation", label: L("与户主关系", "Relation to head"), kind: "select", options: relations, value: p.relation_to_head || "10" },
    { name: "reason", label: L("事由", "Reason"), kind: "text" },
  ], { check: (x) => (x.mode === "join" && !x.number ? L("请填写要加入的户号。", "Enter the household number.") : null) });
  if (!v) return false;
  if (v.mode === "leave") {
    await api(`/api/population/people/${p.id}/leave-household/`, { method: "POST", body: { reason: v.reason || "移出户" } });
  } else if (v.mode === "new") {
    await api("/api/population/households/", { method: "POST", body: { pool: p.pool!.id, head: p.id, reason: v.reason || "立户" } });
  } else {
    const found = await api<Page<{ id: number; number: string }>>(`/api/population/households/?q=${encodeURIComponent(v.number)}`);
    const hh = found.results.find((x) => x.number === v.number);
    if (!hh) throw new Error(L("没有这个户号（或不在您的管辖范围内）。", "No such household in your jurisdiction."));
    await api(`/api/population/households/${hh.id}/members/`, { method: "POST", body: { person: p.id, relation_to_head: v.relation, reason: v.reason } });
  }
  toast(L("已保存", "Saved"));
  return true;
}
