// 民政易·社区端 › 计票: per box the ballots returned against those issued, ballots entered one by one
// (marks per post, 另选他人, void) or totals per candidate from the paper tally sheet, and the outcome
// as the rules decide it — every conclusion with its rule and citation. Ballots may be entered twice
// by two clerks (录入A, 录入B): the ballots where they differ are listed post by post, the clerks read
// the paper ballot again and say which entry was right, and the count cannot be concluded until both
// entries agree. A counted vote with seats left starts the run-off (另行选举), a new vote with its own
// threshold.
import { h, showError, toast } from "../ui";
import { go, read, send } from "./core";
import type { Outcome, Vote } from "./polling";
import { L } from "./polling-text";
import { type Totals, totalsForm } from "./polling-totals";

interface Box {
  station: number;
  name: string;
  issued: number;
  returned: number | null;
  entered: number;
  entered_b: number;
}

interface PostDifference {
  post: string | null;
  kind: string;
  a: string | null;
  b: string | null;
}

interface Difference {
  station: string;
  station_id: number;
  number: number;
  posts: PostDifference[];
}

interface VoteDetail extends Vote {
  boxes: Box[];
  preview: Outcome | null;
  preview_error?: { code: string; detail: string };
  differences: Difference[];
  totals: Totals | null;
}

type Entry = "A" | "B";
const ENTRY_KEY = "mzy.polling.entry:";
type Mode = "ballots" | "totals";
const MODE_KEY = "mzy.polling.mode:";

/** What each clerk entered for a ballot, post by post ("未录入" when one has not entered it). */
function describe(d: Difference): HTMLElement {
  const side = (x: string | null): string => x ?? L("未录入", "not entered");
  return h("ul", { class: "timeline" }, ...d.posts.map((p) =>
    h("li", { "data-post": p.post ?? "" }, h("strong", {}, `${p.kind}：`), `${L("录入A", "Entry A")} ${side(p.a)}`, h("br"), `${L("录入B", "Entry B")} ${side(p.b)}`)));
}

export async function countPage(view: HTMLElement, params: string[]): Promise<void> {
  const v = await read<VoteDetail>(`/api/polling/votes/${params[0]}/`);
  const again = (): void => go(`#/staff/count/${v.id}`);
  const open = v.status === "open";
  const anyB = v.boxes.some((b) => b.entered_b > 0);

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
        h("strong", {}, b.name), ` · ${L("发出", "issued")} ${b.issued} · ${L("收回", "returned")} ${b.returned ?? "—"} · `
        + (anyB ? `${L("录入A", "entry A")} ${b.entered} · ${L("录入B", "entry B")} ${b.entered_b}` : `${L("已录入", "entered")} ${b.entered}`),
        open ? h("div", { class: "buttons" }, input, save) : null);
    }));

  // one ballot, entered by clerk A or clerk B (this phone remembers which)
  let entry: Entry = localStorage.getItem(ENTRY_KEY + v.id) === "B" ? "B" : "A";
  const station = h("select", { name: "station" }, ...v.boxes.map((b) => h("option", { value: b.station }, b.name)));
  const number = h("input", { type: "number", min: 1, inputmode: "numeric", name: "number" });
  let next = new Map<string, number>(v.boxes.flatMap((b) => [[`${b.station}A`, b.entered + 1], [`${b.station}B`, b.entered_b + 1]]));
  const showNext = (): void => {
    number.value = String(next.get(`${station.value}${entry}`) ?? 1);
  };
  station.addEventListener("change", showNext);
  const entryPick = h("div", { class: "buttons", id: "entry-pick", role: "radiogroup" }, ...(["A", "B"] as Entry[]).map((x) => {
    const radio = h("input", { type: "radio", name: "entry", value: x, checked: x === entry });
    radio.addEventListener("change", () => {
      entry = x;
      localStorage.setItem(ENTRY_KEY + v.id, x);
      showNext();
    });
    return h("label", { class: "inline" }, radio, L(`录入${x}`, `Entry ${x}`));
  }));
  showNext();
  const marks = v.posts.map((p) => ({
    post: p,
    boxes: p.candidates.map((c) => h("input", { type: "checkbox", name: `mark-${p.id}`, value: c.id, "data-name": c.name })),
    writeIn: h("input", { name: `writein-${p.id}`, placeholder: L("另选他人（姓名）", "Write-in (name)"), maxlength: 40 }),
  }));
  const voidBox = h("input", { type: "checkbox", name: "void" });
  const enter = h("button", { type: "button", class: "primary", id: "enter-ballot" }, L("录入这张选票", "Enter this ballot"));
  const entered = h("p", { class: "muted", id: "entered" });
  const compared = h("div", { id: "entry-compared" });
  enter.addEventListener("click", async () => {
    const sid = Number(station.value);
    const n = number.valueAsNumber;
    const body: Record<string, unknown> = { station: sid, number: Number.isNaN(n) ? number.value : n, void: voidBox.checked, marks: {}, entry };
    for (const m of marks) {
      const sel: unknown[] = m.boxes.filter((b) => b.checked).map((b) => b.value);
      if (m.writeIn.value.trim()) sel.push({ write_in: m.writeIn.value.trim() });
      (body.marks as Record<string, unknown[]>)[m.post.id] = sel;
    }
    try {
      const r = await send<{ number: number; entry: Entry; other: { differences: PostDifference[] } | null }>(`/api/polling/votes/${v.id}/ballots/`, body);
      next = new Map(next).set(`${sid}${entry}`, r.number + 1);
      showNext();
      entered.textContent = L(`已录入第 ${r.number} 张（录入${r.entry}）`, `Entered ballot ${r.number} (entry ${r.entry})`);
      const otherName = L(`录入${r.entry === "A" ? "B" : "A"}`, `entry ${r.entry === "A" ? "B" : "A"}`);
      if (r.other === null) compared.replaceChildren();
      else if (!r.other.differences.length) compared.replaceChildren(h("p", { class: "ok", "data-compare": "same" }, L(`与${otherName}一致`, `Same as ${otherName}`)));
      else {
        compared.replaceChildren(h("div", { class: "error", "data-compare": "differs" }, L(`与${otherName}不一致：`, `Differs from ${otherName}: `),
          describe({ station: "", station_id: sid, number: r.number, posts: r.other.differences })));
      }
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
  const entryForm = h("section", { class: "stack", id: "ballot-entry" }, h("h3", {}, L("逐张录入（唱票）", "Ballot by ballot")),
    h("p", { class: "muted small" }, L("两人分别录入同一批选票时，一人选“录入A”，另一人选“录入B”，按同一顺序编号。",
      "When two clerks enter the same ballots, one chooses entry A and the other entry B, numbering them in the same order.")),
    entryPick,
    h("label", {}, L("票箱", "Box"), station),
    h("label", {}, L("选票序号", "Ballot number"), number),
    ...marks.map((m) => h("fieldset", { "data-post": m.post.id }, h("legend", {}, `${m.post.kind}（${L("应选", "seats")} ${m.post.seats}）`),
      ...m.boxes.map((b) => h("label", { class: "inline" }, b, b.dataset.name ?? "")), m.writeIn)),
    h("label", { class: "inline" }, voidBox, L("无效票（无法辨认）", "Void (unreadable)")), enter, entered, compared);

  // how the ballots are entered: one by one, or the totals of the paper tally sheet (once totals are
  // kept the outcome reads them, so the page opens on them; otherwise this phone's last choice)
  let mode: Mode = v.totals !== null ? "totals" : localStorage.getItem(MODE_KEY + v.id) === "totals" ? "totals" : "ballots";
  const totals = totalsForm(v, again);
  const showMode = (): void => {
    entryForm.hidden = mode !== "ballots";
    totals.hidden = mode !== "totals";
  };
  const modePick = h("div", { class: "buttons", id: "mode-pick", role: "radiogroup" }, ...([
    ["ballots", L("逐张录入", "Ballot by ballot")], ["totals", L("按汇总表录入", "From the tally sheet")]] as Array<[Mode, string]>).map(([x, label]) => {
    const radio = h("input", { type: "radio", name: "mode", value: x, checked: x === mode });
    radio.addEventListener("change", () => {
      mode = x;
      localStorage.setItem(MODE_KEY + v.id, x);
      showMode();
    });
    return h("label", { class: "inline" }, radio, label);
  }));
  showMode();
  const notice = v.totals !== null
    ? h("p", { class: "muted small", id: "totals-kept" }, L("已保存汇总表数据：计票结果按汇总计算，逐张录入的选票不计入。",
      "Tally-sheet totals are kept: the outcome is computed from them, not from ballots entered one by one."))
    : null;
  const entering = h("section", { class: "stack", id: "entry-mode" }, h("h3", {}, L("录入方式", "How the ballots are entered")), modePick, notice);

  // the differences between the two entries, each resolved against the paper ballot
  const differences = h("section", { class: "stack", id: "differences" }, h("h3", {}, L("两次录入核对", "Double entry check")));
  if (v.differences.length) {
    differences.append(h("p", { class: "error", id: "differences-count" },
      L(`录入A与录入B有 ${v.differences.length} 张选票不一致，请取出纸质选票核对：`, `${v.differences.length} ballots differ between entries A and B; check the paper ballots:`)));
    for (const d of v.differences) {
      const both = d.posts.every((p) => p.a !== null && p.b !== null);
      const keep = (x: Entry): HTMLButtonElement => {
        const b = h("button", { type: "button", "data-keep": x }, L(`以录入${x}为准`, `Entry ${x} is right`));
        b.addEventListener("click", async () => {
          try {
            await send(`/api/polling/votes/${v.id}/resolve/`, { station: d.station_id, number: d.number, keep: x });
            toast(L(`已按录入${x}更正`, `Corrected to entry ${x}`));
            again();
          } catch (err) {
            showError(err);
          }
        });
        return b;
      };
      differences.append(h("div", { class: "box", "data-difference": `${d.station_id}-${d.number}` },
        h("strong", {}, L(`${d.station} 第 ${d.number} 张`, `${d.station} ballot ${d.number}`)), describe(d),
        open && both ? h("div", { class: "buttons" }, keep("A"), keep("B")) : null,
        both ? null : h("p", { class: "muted small" }, L("请另一位录入员录入这张选票。", "The other clerk has yet to enter this ballot."))));
    }
  } else {
    differences.append(h("p", { class: anyB ? "ok" : "muted", id: "differences-none" },
      anyB ? L("录入A与录入B一致。", "Entries A and B agree.") : L("尚未进行第二次录入（录入B）。", "No second entry (B) yet.")));
  }

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
  const conclude = h("button", { type: "button", class: "primary", id: "conclude" }, L("确认计票结果", "Conclude the count"));
  const refused = h("p", { class: "error", id: "conclude-error", hidden: true });
  conclude.addEventListener("click", async () => {
    try {
      await send(`/api/polling/votes/${v.id}/conclude/`, {});
      again();
    } catch (err) {
      // kept on the page (not only the toast): the clerks read it while they check the ballots
      refused.textContent = err instanceof Error ? err.message : String(err);
      refused.hidden = false;
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
  if (open) result.append(conclude, refused);
  else if (v.outcome?.runoff_required) result.append(runoff);

  view.append(h("div", { class: "pad" }, h("h2", {}, L(`第${v.number}次投票 · 计票`, `Vote ${v.number} · counting`) + (v.runoff ? L("（另行选举）", " (run-off)") : ""))),
    ...[boxes, open ? entering : null, open ? entryForm : null, open ? totals : null, anyB || v.differences.length ? differences : null, result].filter((x): x is HTMLElement => x !== null));
}
