// 民政易·社区端 › 计票 › 按汇总表录入: the totals from the paper tally sheet (唱票、计票 done on paper,
// then copied here) — per post each candidate's votes and the 另选他人 names with theirs. The server
// keeps them as the vote's totals (`POST votes/<id>/totals/`); the outcome preview and 确认计票结果
// then read them instead of the ballots entered one by one. Void ballots are not typed here: with
// totals every ballot returned counts as cast, which is what the outcome rules measure.
import { h, showError, toast } from "../ui";
import { send } from "./core";
import type { Vote } from "./polling";
import { L } from "./polling-text";

export type Totals = Record<string, Record<string, number>>;

const WRITE_IN = "write_in:";

/** One 另选他人 row: the name and the votes, removable. */
function writeInRow(post: string, name = "", votes: number | null = null): HTMLElement {
  const remove = h("button", { type: "button", class: "small", "data-remove-writein": post }, L("删除", "Remove"));
  const row = h("div", { class: "buttons writein-row", "data-writein": post },
    h("input", { name: `writein-name-${post}`, placeholder: L("另选他人姓名", "Write-in name"), maxlength: 40, value: name }),
    h("input", { type: "number", min: 0, inputmode: "numeric", name: `writein-votes-${post}`, placeholder: L("票数", "Votes"), value: votes ?? "" }),
    remove);
  remove.addEventListener("click", () => row.remove());
  return row;
}

/** The form; `saved` runs after the server kept the totals (the page is then drawn again). */
export function totalsForm(v: Vote & { totals: Totals | null }, saved: () => void): HTMLElement {
  const kept = v.totals ?? {};
  const error = h("p", { class: "error", id: "totals-error", hidden: true });
  const posts = v.posts.map((p) => {
    const mine = kept[p.id] ?? {};
    const inputs = p.candidates.map((c) => h("input", {
      type: "number", min: 0, inputmode: "numeric", name: `total-${p.id}-${c.id}`, "data-candidate": c.id,
      value: mine[c.id] ?? "" }));
    const writeIns = h("div", { class: "stack" }, ...Object.entries(mine).filter(([k]) => k.startsWith(WRITE_IN))
      .map(([k, n]) => writeInRow(p.id, k.slice(WRITE_IN.length), n)));
    const add = h("button", { type: "button", "data-add-writein": p.id }, L("＋ 另选他人", "+ Write-in"));
    add.addEventListener("click", () => writeIns.append(writeInRow(p.id)));
    const fieldset = h("fieldset", { "data-totals-post": p.id }, h("legend", {}, `${p.kind}（${L("应选", "seats")} ${p.seats}）`),
      ...p.candidates.map((c, i) => h("label", {}, c.name, inputs[i])), writeIns, add);
    return { post: p, inputs, writeIns, fieldset };
  });

  const save = h("button", { type: "button", class: "primary", id: "save-totals" }, L("保存汇总并预览结果", "Save the totals"));
  save.addEventListener("click", async () => {
    error.hidden = true;
    // what the clerk typed goes to the server as typed (an empty box is 0 votes); the server refuses
    // negative or non-whole numbers and unknown candidates with its own message
    const totals: Record<string, Record<string, unknown>> = {};
    for (const { post, inputs, writeIns } of posts) {
      const votes: Record<string, unknown> = {};
      for (const input of inputs) votes[input.dataset.candidate ?? ""] = input.value.trim() === "" ? 0 : Number(input.value);
      for (const row of writeIns.querySelectorAll<HTMLElement>("[data-writein]")) {
        const name = row.querySelector<HTMLInputElement>(`input[name=writein-name-${post.id}]`)?.value.trim() ?? "";
        const n = row.querySelector<HTMLInputElement>(`input[name=writein-votes-${post.id}]`)?.value.trim() ?? "";
        if (!name && !n) continue;
        if (!name) {
          error.textContent = L(`${post.kind}：另选他人须写明姓名。`, `${post.kind}: a write-in needs a name.`);
          error.hidden = false;
          return;
        }
        votes[WRITE_IN + name] = n === "" ? 0 : Number(n);
      }
      totals[post.id] = votes;
    }
    try {
      await send(`/api/polling/votes/${v.id}/totals/`, { totals });
      toast(L("已保存汇总", "Totals saved"));
      saved();
    } catch (err) {
      // kept on the page: the clerk compares it with the paper sheet
      error.textContent = err instanceof Error ? err.message : String(err);
      error.hidden = false;
      showError(err);
    }
  });

  return h("section", { class: "stack", id: "totals-entry" }, h("h3", {}, L("按汇总表录入", "From the tally sheet")),
    h("p", { class: "muted small" }, L("按纸质计票汇总表，逐个职务填写每位候选人和另选他人的得票数。各票箱的收回数在上方登记。",
      "Copy the paper tally sheet: per post, each candidate's and each write-in's votes. Register each box's returned ballots above.")),
    ...posts.map((p) => p.fieldset), save, error);
}
