// 民政易·社区端 › 投票日 › 补发选民证: a voter lost or damaged the card. The clerk finds the voter by
// name (the election's card list, `GET elections/<id>/cards/?q=`), gives the reason and reprints
// (`POST cards/<id>/reprint/`): the old card is revoked at once — its QR answers "已作废" at every
// station — and the new card (number `…-补N`) is printed on its own by the card job, whose progress
// and PDF show here.
import { watchJob } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { read, send } from "./core";
import { L } from "./polling-text";

interface Card {
  id: number;
  number: string;
  name: string;
  status: string;
  status_label: string;
  station: string;
  id_masked: string;
  printed: boolean;
}

/** The search, its cards, and for an active card the reason and the 补发 button. */
export function reprintPanel(e: { id: number; stage: string }): HTMLElement {
  const q = h("input", { name: "card-q", placeholder: L("选民姓名", "Voter's name"), maxlength: 20 });
  const find = h("button", { type: "button", id: "find-card" }, L("查找", "Find"));
  const list = h("div", { class: "stack", id: "card-results" });
  const result = h("div", { id: "reprint-result" });
  const job = h("div", { class: "job", id: "reprint-job" });
  const writable = e.stage === "polling";

  const row = (c: Card): HTMLElement => {
    const active = c.status === "active";
    const out = h("div", { class: "box", "data-card": c.id, "data-status": c.status },
      h("strong", {}, c.name), ` ${c.id_masked} · No.${c.number} · `,
      h("span", { class: active ? "ok" : "error" }, c.status_label),
      c.station ? ` · ${c.station}` : "", active && !c.printed ? L(" · 待打印", " · not printed") : "");
    if (active && writable) {
      const reason = h("input", { name: `reason-${c.id}`, placeholder: L("补发原因（如遗失、损毁）", "Reason (lost, damaged…)"), maxlength: 200 });
      const go = h("button", { type: "button", class: "danger", "data-reprint": c.id }, L("补发", "Reprint"));
      const refused = h("p", { class: "error", hidden: true });
      go.addEventListener("click", async () => {
        refused.hidden = true;
        try {
          const r = await send<{ id: number; number: string; job: number }>(`/api/polling/cards/${c.id}/reprint/`, { reason: reason.value });
          result.replaceChildren(h("p", { class: "ok", "data-new-card": r.id },
            L(`已补发：${c.name} 新证 No.${r.number}，原证 No.${c.number} 已作废。`, `Reprinted: ${c.name}, new card No.${r.number}; old card No.${c.number} revoked.`)));
          toast(L(`新证 No.${r.number}`, `New card No.${r.number}`));
          await search();
          await watchJob(r.job, job);
          await search(); // the new card now printed
        } catch (err) {
          // on the page, beside the card: the reason the server gave
          refused.textContent = err instanceof Error ? err.message : String(err);
          refused.hidden = false;
          showError(err);
        }
      });
      out.append(h("div", { class: "buttons" }, reason, go), refused);
    }
    return out;
  };

  const search = async (): Promise<void> => {
    const name = q.value.trim();
    if (!name) {
      list.replaceChildren(h("p", { class: "muted" }, L("请输入选民姓名。", "Type the voter's name.")));
      return;
    }
    const { results } = await read<{ results: Card[] }>(`/api/polling/elections/${e.id}/cards/?q=${encodeURIComponent(name)}`);
    list.replaceChildren(...(results.length ? results.map(row)
      : [h("p", { class: "muted", id: "card-none" }, L("没有找到该选民的选民证（请先生成选民证）。", "No card for that name (make the cards first)."))]));
  };
  find.addEventListener("click", () => void search().catch(showError));
  q.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") void search().catch(showError);
  });

  return h("div", { class: "stack", id: "reprint" }, h("h4", {}, L("补发选民证", "Reprint a voter card")),
    h("p", { class: "muted small" }, L("选民证遗失或损毁时补发：原证立即作废（扫码显示“已作废”），新证单独打印。",
      "For a lost or damaged card: the old card is revoked at once (its scan says revoked), the new card is printed on its own.")),
    h("div", { class: "buttons" }, q, find), list, result, job);
}
