// 民政易·社区端 › 投票日 › 选票分配: per station (中心会场, 投票站, 流动票箱) the ballots the election
// committee handed over (领取) and those spoiled there unissued (作废), recorded before and while the
// vote runs, beside the ballots issued to voters so far (the scans). At the count each box is
// reconciled against these figures.
import { h, showError, toast } from "../ui";
import { go, read, send } from "./core";
import { L } from "./polling-text";

interface Box {
  station: number;
  name: string;
  kind: string;
  allocated: number;
  spoiled: number;
  issued: number;
}

interface VoteBoxes {
  id: number;
  number: number;
  runoff: boolean;
  status: string;
  boxes: Box[];
}

export async function allocatePage(view: HTMLElement, params: string[]): Promise<void> {
  const v = await read<VoteBoxes>(`/api/polling/votes/${params[0]}/`);
  const again = (): void => go(`#/staff/allocate/${v.id}`);
  const open = v.status === "open";
  const total = { allocated: 0, spoiled: 0, issued: 0 };

  const rows = v.boxes.map((b) => {
    total.allocated += b.allocated;
    total.spoiled += b.spoiled;
    total.issued += b.issued;
    const left = b.allocated - b.spoiled - b.issued;
    const allocated = h("input", { type: "number", min: 0, inputmode: "numeric", name: `allocated-${b.station}`, value: b.allocated });
    const spoiled = h("input", { type: "number", min: 0, inputmode: "numeric", name: `spoiled-${b.station}`, value: b.spoiled });
    const save = h("button", { type: "button", class: "primary", "data-allocate": b.station }, L("保存", "Save"));
    save.addEventListener("click", async () => {
      // An empty or unreadable field is sent as typed, so the server's own message explains it.
      const num = (el: HTMLInputElement): number | string => (el.value.trim() === "" || Number.isNaN(el.valueAsNumber) ? el.value : el.valueAsNumber);
      try {
        await send(`/api/polling/votes/${v.id}/box/`, { station: b.station, allocated: num(allocated), spoiled: num(spoiled) });
        toast(L(`${b.name}：已登记`, `${b.name}: saved`));
        again();
      } catch (err) {
        showError(err);
      }
    });
    return h("section", { class: "stack", "data-box": b.station },
      h("h3", {}, b.name),
      h("dl", { class: "facts" },
        h("dt", {}, L("领取选票", "Handed over")), h("dd", { "data-fact": "allocated" }, String(b.allocated)),
        h("dt", {}, L("作废选票", "Spoiled")), h("dd", { "data-fact": "spoiled" }, String(b.spoiled)),
        h("dt", {}, L("已发票（扫码）", "Issued (scans)")), h("dd", { "data-fact": "issued" }, String(b.issued)),
        h("dt", {}, L("尚余", "Left")), h("dd", { "data-fact": "left", class: left < 0 ? "error" : "" },
          left < 0 ? L(`${left}（发出多于领取，请核对）`, `${left} (more issued than handed over)`) : String(left))),
      open ? h("label", {}, L("领取选票数", "Ballots handed over"), allocated) : null,
      open ? h("label", {}, L("作废选票数（未发出）", "Ballots spoiled (not issued)"), spoiled) : null,
      open ? save : null);
  });

  view.append(
    h("div", { class: "pad" },
      h("h2", {}, L(`第${v.number}次投票 · 选票分配`, `Vote ${v.number} · ballots per station`) + (v.runoff ? L("（另行选举）", " (run-off)") : "")),
      h("p", { class: "muted", id: "allocate-total" },
        L(`合计：领取 ${total.allocated} 张，作废 ${total.spoiled} 张，已发票 ${total.issued} 张`,
          `Total: ${total.allocated} handed over, ${total.spoiled} spoiled, ${total.issued} issued`)),
      open ? null : h("p", { class: "muted" }, L("本次投票已计票，选票分配不能再修改。", "This vote is counted; the figures are final."))),
    ...rows);
}
