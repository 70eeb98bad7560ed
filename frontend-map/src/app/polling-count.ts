// 民政易·社区端 › 计票: per box the ballots returned against those issued, ballots entered one by one
// (marks per post, 另选他人, void) or totals per candidate from the paper tally sheet, and the outcome
// as the rules decide it — every conclusion with its rule and citation. A counted vote with seats
// left starts the run-off (另行选举), a new vote with its own threshold.
import { h, showError, toast } from "../ui";
import { go, read, send } from "./core";
import type { Outcome, Vote } from "./polling";
import { L } from "./polling-text";

interface Box {
  station: number;
  name: string;
  issued: number;
  returned: number | null;
  entered: number;
  entered_b: number;
}

interface VoteDetail extends Vote {
  boxes: Box[];
  preview: Outcome | null;
  preview_error?: { code: string; detail: string };
  differences: Array<{ station: string; number: number }>;
}

export async function countPage(view: HTMLElement, params: string[]): Promise<void> {
  const v = await read<VoteDetail>(`/api/polling/votes/${params[0]}/`);
  const again = (): void => go(`#/staff/count/${v.id}`);
  const open = v.status === "open";

  const boxes = h("section", { class: "stack", id: "boxes" }, h("h3", {}, L("票箱核对", "Boxes")),
    ...v.boxes.map((b) => {
      const input = h("input", { type: "number", min: 0, name: `returned-${b.station}`, value: b.returned ?? "" });
      const save = h("button", { type: "button", "data-returned": b.station }, L("登记收回数", "Save"));
      save.addEventListener("click", async () => {
        try {
          await send(`/api/polling/votes/${v.id}/box/`, { station: b.station, returned: Number(input.value) });
          again();
        } catch (err) {
          showError(err);
        }
      });
      const over = b.returned !== null && b.returned > b.issued;
      return h("div", { class: over ? "box error" : "box", "data-box": b.station },
        h("strong", {}, b.name), ` · ${L("发出", "issued")} ${b.issued} · ${L("收回", "returned")} ${b.returned ?? "—"} · ${L("已录入", "entered")} ${b.entered}`,
        open ? h("div", { class: "buttons" }, input, save) : null);
    }));

  // one ballot
  const station = h("select", { name: "station" }, ...v.boxes.map((b) => h("option", { value: b.station }, b.name)));
  const marks = v.posts.map((p) => ({
    post: p,
    boxes: p.candidates.map((c) => h("input", { type: "checkbox", name: `mark-${p.id}`, value: c.id, "data-name": c.name })),
    writeIn: h("input", { name: `writein-${p.id}`, placeholder: L("另选他人（姓名）", "Write-in (name)"), maxlength: 40 }),
  }));
  const voidBox = h("input", { type: "checkbox", name: "void" });
  const enter = h("button", { type: "button", class: "primary", id: "enter-ballot" }, L("录入这张选票", "Enter this ballot"));
  const entered = h("p", { class: "muted", id: "entered" });
  let next = new Map(v.boxes.map((b) => [b.station, b.entered + 1]));
  enter.addEventListener("click", async () => {
    const sid = Number(station.value);
    const body: Record<string, unknown> = { station: sid, number: next.get(sid) ?? 1, void: voidBox.checked, marks: {} };
    for (const m of marks) {
      const sel: unknown[] = m.boxes.filter((b) => b.checked).map((b) => b.value);
      if (m.writeIn.value.trim()) sel.push({ write_in: m.writeIn.value.trim() });
      (body.marks as Record<string, unknown[]>)[m.post.id] = sel;
    }
    try {
      await send(`/api/polling/votes/${v.id}/ballots/`, body);
      next = new Map(next).set(sid, (next.get(sid) ?? 1) + 1);
      entered.textContent = L(`已录入第 ${String(body.number)} 张`, `Entered ballot ${String(body.number)}`);
      for (const m of marks) {
        m.boxes.forEach((b) => (b.checked = false));
        m.writeIn.value = "";
      }
      voidBox.checked = false;
      toast(entered.textContent);
    } catch (err) {
      showError(err);
    }
  });
  const entry = h("section", { class: "stack", id: "ballot-entry" }, h("h3", {}, L("逐张录入（唱票）", "Ballot by ballot")),
    h("label", {}, L("票箱", "Box"), station),
    ...marks.map((m) => h("fieldset", { "data-post": m.post.id }, h("legend", {}, `${m.post.kind}（${L("应选", "seats")} ${m.post.seats}）`),
      ...m.boxes.map((b) => h("label", { class: "inline" }, b, b.dataset.name ?? "")), m.writeIn)),
    h("label", { class: "inline" }, voidBox, L("无效票（无法辨认）", "Void (unreadable)")), enter, entered);

  const preview = v.status === "open" ? v.preview : v.outcome;
  const result = h("section", { class: "stack", id: "outcome" }, h("h3", {}, open ? L("计票结果（预览）", "Outcome (preview)") : L("计票结果", "Outcome")));
  if (preview) {
    result.append(h("p", { id: "outcome-valid", "data-valid": String(preview.valid) }, preview.valid ? L("选举有效", "Valid") : L("选举无效", "Invalid")));
    for (const p of preview.posts) {
      result.append(h("p", {}, h("strong", {}, p.kind), " ", p.tally.map((t) => `${t.name} ${t.votes}`).join("，")));
    }
    result.append(h("ul", { class: "conclusions" }, ...preview.conclusions.map((c) =>
      h("li", { "data-code": c.code }, c.text, c.rule ? h("div", { class: "muted small" }, `${c.rule.citation}${c.rule.confirmed ? "" : L("（待核对）", " (to be checked)")}`) : null))));
  } else if (v.preview_error) {
    result.append(h("p", { class: "muted", id: "preview-error" }, v.preview_error.detail));
  }
  if (v.differences.length) {
    result.append(h("p", { class: "error" }, L("两次录入不一致：", "Entries differ: ") + v.differences.map((d) => `${d.station}#${d.number}`).join("、")));
  }
  const conclude = h("button", { type: "button", class: "primary", id: "conclude" }, L("确认计票结果", "Conclude the count"));
  conclude.addEventListener("click", async () => {
    try {
      await send(`/api/polling/votes/${v.id}/conclude/`, {});
      again();
    } catch (err) {
      showError(err);
    }
  });
  const runoff = h("button", { type: "button", id: "runoff" }, L("开始另行选举", "Start the run-off"));
  runoff.addEventListener("click", async () => {
    try {
      const r = await send<Vote>(`/api/polling/votes/${v.id}/runoff/`, {});
      go(`#/staff/count/${r.id}`);
    } catch (err) {
      showError(err);
    }
  });
  if (open) result.append(conclude);
  else if (v.outcome?.runoff_required) result.append(runoff);

  view.append(h("div", { class: "pad" }, h("h2", {}, L(`第${v.number}次投票 · 计票`, `Vote ${v.number} · counting`) + (v.runoff ? L("（另行选举）", " (run-off)") : ""))),
    ...[boxes, open ? entry : null, result].filter((x): x is HTMLElement => x !== null));
}
