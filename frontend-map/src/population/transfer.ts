// Transfers between pools: 居住人口转出 (to a community found by name, or out of the city), the
// receiving community's inbox (接收 or 退回, with the notice the server sends), and 居住人口转入
// from the city record.
import { api, type Me } from "../api";
import { kitDialog } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { L, modalForm, when, type Page, type PersonRow, type Transfer } from "./common";

interface Community {
  id: number;
  code: string;
  name: string;
  town: string;
}

/** 转出: resolves true once the person has left the pool. */
export function openTransferOut(p: PersonRow): Promise<boolean> {
  const { dialog, body } = kitDialog("transfer-out-dialog", L(`居住人口转出：${p.name}`, `Transfer out: ${p.name}`));
  return new Promise((resolve) => {
    let chosen: Community | null = null;
    let sent = false;
    const search = h("input", { type: "search", id: "transfer-target-q", placeholder: L("输入村（社区）名称或代码", "Community name or code"), autocomplete: "off" });
    const results = h("ul", { class: "pop-suggest", id: "transfer-targets" });
    const picked = h("p", { class: "pop-picked", id: "transfer-picked" }, L("尚未选择转往的村（社区）", "No community chosen yet"));
    const outOfCity = h("input", { type: "checkbox", id: "transfer-out-of-city" });
    const reason = h("textarea", { id: "transfer-reason", rows: 2, placeholder: L("如：搬迁至龙昌街社区居住", "e.g. moved house") });
    const error = h("p", { class: "error", hidden: true });
    const setChosen = (c: Community | null): void => {
      chosen = c;
      picked.textContent = c ? L(`转往：${c.town} ${c.name}（${c.code}）`, `To: ${c.town} ${c.name} (${c.code})`) : L("尚未选择转往的村（社区）", "No community chosen yet");
      picked.classList.toggle("chosen", !!c);
    };
    let timer: number | undefined;
    search.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(async () => {
        const q = search.value.trim();
        if (!q) return void results.replaceChildren();
        try {
          const res = await api<{ results: Community[] }>(`/api/population/pools/?q=${encodeURIComponent(q)}`);
          results.replaceChildren(
            ...res.results.filter((c) => c.id !== p.pool?.id).map((c) =>
              h("li", {}, h("button", { type: "button", class: "link", "data-pool-id": c.id, onclick: () => { setChosen(c); outOfCity.checked = false; results.replaceChildren(); } },
                `${c.name}`, h("small", {}, ` ${c.town} · ${c.code}`))),
            ),
          );
          if (!results.children.length) results.append(h("li", { class: "muted" }, L("没有找到", "Nothing found")));
        } catch (err) {
          showError(err);
        }
      }, 250);
    });
    outOfCity.addEventListener("change", () => outOfCity.checked && setChosen(null));
    const submit = h("button", { type: "submit", id: "transfer-submit" }, L("确认转出", "Transfer out"));
    const frm = h(
      "form",
      { class: "dialog-form pop-form" },
      h("p", {}, L(`${p.name}（${p.id_number}）现在${p.pool?.name ?? ""}。转往其他村（社区）的，对方接收后进入其人口池；对方退回的，回到本人口池。`,
        `${p.name} (${p.id_number}) is in ${p.pool?.name ?? ""}. The receiving community accepts or declines.`)),
      h("label", {}, L("转往的村（社区）", "Destination community"), search),
      results,
      picked,
      h("label", { class: "check" }, outOfCity, ` ${L("迁出本市", "Leaving the city")}`),
      h("label", {}, h("span", {}, L("事由", "Reason"), h("b", { class: "req" }, " *")), reason),
      error,
      h("div", { class: "buttons" }, h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, L("取消", "Cancel")), submit),
    );
    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const why = reason.value.trim();
      const problem = !chosen && !outOfCity.checked ? L("请选择转往的村（社区），或选择“迁出本市”。", "Choose a community or 'leaving the city'.")
        : !why ? L("请填写事由。", "Please give a reason.") : null;
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      void api(`/api/population/people/${p.id}/transfer-out/`, {
        method: "POST",
        body: outOfCity.checked ? { reason: why, out_of_city: true } : { reason: why, to_pool: chosen!.id },
      }).then(() => {
        sent = true;
        toast(outOfCity.checked ? L("已办理迁出本市", "Left the city") : L(`已转出，等待${chosen!.name}接收`, `Sent; waiting for ${chosen!.name}`));
        dialog.close();
      }).catch((err: Error) => {
        submit.disabled = false;
        error.textContent = err.message;
        error.hidden = false;
      });
    });
    dialog.addEventListener("close", () => resolve(sent));
    body.append(frm);
    search.focus();
  });
}

export async function inboxCount(): Promise<number> {
  return (await api<Page<Transfer>>("/api/population/transfers/?direction=incoming&page_size=1")).count;
}

/** 转入待接收: transfers waiting for this jurisdiction, and what this jurisdiction sent out. */
export function mountInbox(me: Me, el: HTMLElement, changed: () => void): void {
  const incoming = h("div", { id: "inbox-list" });
  const outgoing = h("div", { id: "outbox-list" });
  el.append(h("h4", {}, L("转入待接收", "Waiting for us")), incoming, h("h4", {}, L("本单位转出、待对方接收", "Sent, waiting")), outgoing);
  const load = async (): Promise<void> => {
    const [inc, out] = await Promise.all([
      api<Page<Transfer>>("/api/population/transfers/?direction=incoming&page_size=100"),
      api<Page<Transfer>>("/api/population/transfers/?direction=outgoing&page_size=100"),
    ]);
    incoming.replaceChildren(...(inc.results.length ? inc.results.map((t) => row(t, true)) : [h("p", { class: "muted" }, L("没有待接收的人员。", "Nobody is waiting."))]));
    outgoing.replaceChildren(...(out.results.length ? out.results.map((t) => row(t, false)) : [h("p", { class: "muted" }, L("没有。", "None."))]));
    changed();
  };
  const row = (t: Transfer, mine: boolean): HTMLElement => {
    const buttons = mine && me.capabilities.write
      ? h("div", { class: "card-actions" },
          h("button", { type: "button", class: "accept", "data-act": "accept", onclick: () => void decide(t, "accept").catch(showError) }, L("接收", "Accept")),
          h("button", { type: "button", class: "secondary", "data-act": "reject", onclick: () => void decide(t, "reject").catch(showError) }, L("退回", "Decline")))
      : null;
    return h(
      "div",
      { class: "pop-transfer", "data-transfer-id": t.id },
      h("b", {}, t.person.name), h("small", {}, ` ${t.person.sex_label} ${t.person.age_band} · ${t.person.id_number}`),
      h("div", {}, `${t.from_pool_name} → ${t.to_pool_name}`),
      h("div", { class: "muted" }, `${when(t.created_at)} · ${t.created_by_name} · ${L("事由", "Reason")}：${t.reason}`),
      buttons,
    );
  };
  const decide = async (t: Transfer, what: "accept" | "reject"): Promise<void> => {
    if (what === "reject") {
      const v = await modalForm("reject-dialog", L(`退回：${t.person.name}`, `Decline: ${t.person.name}`), [
        { name: "reason", label: L("退回事由", "Reason"), kind: "textarea", required: true },
      ], { intro: h("p", {}, L(`${t.person.name}将回到${t.from_pool_name}的人口池。`, `${t.person.name} goes back to ${t.from_pool_name}.`)) });
      if (!v) return;
      await api(`/api/population/transfers/${t.id}/reject/`, { method: "POST", body: { reason: v.reason } });
      toast(L("已退回", "Declined"));
    } else {
      await api(`/api/population/transfers/${t.id}/accept/`, { method: "POST", body: {} });
      toast(L(`已接收${t.person.name}`, `Accepted ${t.person.name}`));
    }
    await load();
  };
  void load().catch((err: Error) => incoming.replaceChildren(h("p", { class: "error" }, err.message)));
}

interface CityHit {
  id: number;
  name: string;
  id_number: string;
  sex_label: string;
  age_band: string;
  hukou_region: string;
  current_pool: string | null;
  status: string;
  transferable: boolean;
}

/** 居住人口转入: find someone in the city record (by full ID number, or name) and take them in. */
export function mountTransferIn(el: HTMLElement, poolId: number | null, done: () => void): void {
  const idq = h("input", { type: "text", id: "city-id", placeholder: L("身份证号码（18位）", "ID number (18 digits)"), autocomplete: "off" });
  const nameq = h("input", { type: "text", id: "city-name", placeholder: L("或姓名", "or name"), autocomplete: "off" });
  const results = h("div", { id: "city-results" });
  const go = h("button", { type: "submit", id: "city-search" }, L("在市级人口库中查找", "Search the city record"));
  const frm = h("form", { class: "pop-inline" }, idq, nameq, go);
  frm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      // ID numbers go in the POST body, never in a URL.
      const res = await api<{ results: CityHit[] }>("/api/population/city-record/search/", { method: "POST", body: { id_number: idq.value.trim(), name: nameq.value.trim() } });
      results.replaceChildren(...(res.results.length ? res.results.map((c) => hit(c)) : [h("p", { class: "muted" }, L("市级人口库中没有找到。可办理“新增居住人口”。", "Not in the city record: add them as a new resident."))]));
    })().catch(showError);
  });
  const hit = (c: CityHit): HTMLElement =>
    h("div", { class: "pop-person", "data-city-id": c.id },
      h("b", {}, c.name), h("small", {}, ` ${c.sex_label} ${c.age_band} · ${c.id_number}`),
      h("div", { class: "muted" }, c.current_pool ? L(`现在${c.current_pool}的人口池，须由对方转出`, `In ${c.current_pool}'s pool`) : c.status === "left_city" ? L("已迁出本市", "Left the city") : L("不在任何人口池", "In no pool")),
      c.transferable
        ? h("button", { type: "button", "data-act": "transfer-in", onclick: () => void take(c).catch(showError) }, L("转入本人口池", "Take in"))
        : null);
  const take = async (c: CityHit): Promise<void> => {
    const v = await modalForm("transfer-in-dialog", L(`居住人口转入：${c.name}`, `Take in: ${c.name}`), [
      { name: "reason", label: L("事由", "Reason"), kind: "textarea", required: true },
    ]);
    if (!v) return;
    await api(`/api/population/city-record/${c.id}/transfer-in/`, { method: "POST", body: { reason: v.reason, ...(poolId ? { pool: poolId } : {}) } });
    toast(L(`已转入${c.name}`, `${c.name} taken in`));
    done();
  };
  el.append(frm, results);
}
