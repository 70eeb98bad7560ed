// 民政易·社区端 › 投票日 › 扫码发票: the phone's camera reads a voter card's QR code (zxing-wasm, the
// decoder compiled to WebAssembly and served by this site — no outside host), the server says at once
// valid / already used (when, where, which clerk) / revoked / not on this roll / wrong station, and
// on "valid" the clerk issues the ballot(s), the holder's own and one per proxy they carry.
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { h, showError } from "../ui";
import { read, send } from "./core";
import { L } from "./polling-text";

interface CheckAnswer {
  status: "valid" | "used" | "revoked" | "not_on_roll" | "wrong_station" | "unknown";
  message: string;
  voter: { name: string; gender: string; group: string; number: string; id_masked: string } | null;
  used?: { at: string; station: string; clerk: string; by_proxy: boolean };
  proxies?: Array<{ id: number; principal: string; relation: string; voted: boolean }>;
}

interface VoteInfo {
  id: number;
  number: number;
  runoff: boolean;
  status: string;
  boxes: Array<{ station: number; name: string; issued: number }>;
}

let prepared = false;
function prepare(): void {
  if (prepared) return;
  prepared = true;
  // The .wasm file is one of our own static assets (Vite copies it into dist/ and names its URL).
  prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) } });
}

const STATUS_CLASS: Record<CheckAnswer["status"], string> = {
  valid: "scan-ok",
  used: "scan-bad",
  revoked: "scan-bad",
  not_on_roll: "scan-bad",
  wrong_station: "scan-warn",
  unknown: "scan-bad",
};

export async function scanPage(view: HTMLElement, params: string[]): Promise<void> {
  prepare();
  const [voteId, stationId] = params.map(Number);
  const vote = await read<VoteInfo>(`/api/polling/votes/${voteId}/`);
  const box = vote.boxes.find((b) => b.station === stationId);
  const video = h("video", { id: "scan-video", autoplay: true, muted: true, playsinline: true });
  const canvas = h("canvas", { hidden: true });
  const state = h("p", { class: "muted", id: "scan-state" }, L("正在打开摄像头…", "Opening the camera…"));
  const result = h("div", { id: "scan-result", class: "scan-result", "aria-live": "assertive" });
  const issuedCount = h("span", { id: "scan-issued" }, String(box?.issued ?? 0));
  view.append(
    h("div", { class: "pad" },
      h("h2", {}, `${box?.name ?? ""} · ${L(`第${vote.number}次投票`, `Vote ${vote.number}`)}${vote.runoff ? L("（另行选举）", " (run-off)") : ""}`),
      h("p", { class: "muted" }, L("本站已发票：", "Issued here: "), issuedCount),
      h("div", { class: "scan-frame" }, video),
      canvas,
      state,
      result,
    ),
  );

  let stream: MediaStream | null = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (err) {
    state.textContent = L("无法打开摄像头：", "Cannot open the camera: ") + (err instanceof Error ? err.message : String(err));
    return;
  }
  video.srcObject = stream;
  await video.play().catch(() => undefined);
  state.textContent = L("请将选民证二维码对准取景框", "Hold the voter card's QR code in the frame");

  let busy = false; // a check or an issue is on its way: no new read until it is answered
  let shown = ""; // the code whose answer is on screen: the same card is not checked again and again
  const stop = (): void => stream?.getTracks().forEach((t) => t.stop());

  const show = (code: string, answer: CheckAnswer): void => {
    shown = code;
    const v = answer.voter;
    const proxies = (answer.proxies ?? []).map((p) => {
      const box = h("input", { type: "checkbox", name: "proxy", value: p.id, disabled: p.voted, checked: !p.voted });
      return h("label", { class: "inline" }, box, `${p.principal}（${p.relation}）${p.voted ? L(" · 已投票", " · voted") : ""}`);
    });
    const issue = h("button", { type: "button", class: "primary", id: "scan-issue" }, L("发放选票", "Issue ballot"));
    const next = h("button", { type: "button", id: "scan-next" }, L("下一位", "Next"));
    issue.addEventListener("click", async () => {
      busy = true;
      issue.disabled = true;
      try {
        const ids = [...result.querySelectorAll<HTMLInputElement>("input[name=proxy]:checked")].map((i) => Number(i.value));
        const done = await send<{ ballots: number; message: string }>(`/api/polling/votes/${voteId}/issue/`, { station: stationId, code, proxies: ids });
        issuedCount.textContent = String(Number(issuedCount.textContent) + done.ballots);
        result.className = "scan-result scan-issued";
        result.dataset.status = "issued";
        result.replaceChildren(h("strong", {}, done.message), h("p", {}, v ? `${v.name} · No. ${v.number}` : ""));
        shown = ""; // the next read of this card checks it again (and finds it used)
        setTimeout(() => (busy = false), 1200);
      } catch (err) {
        busy = false;
        issue.disabled = false;
        showError(err);
      }
    });
    next.addEventListener("click", () => {
      result.replaceChildren();
      shown = "";
    });
    result.className = `scan-result ${STATUS_CLASS[answer.status]}`;
    result.dataset.status = answer.status;
    const parts = [
      h("strong", { class: "scan-message" }, answer.message),
      v ? h("p", { class: "scan-voter" }, `${v.name} · ${v.gender}${v.group ? ` · ${v.group}` : ""} · No. ${v.number}`) : null,
      v?.id_masked ? h("p", { class: "muted small" }, v.id_masked) : null,
      proxies.length ? h("div", { class: "stack" }, h("p", {}, L("委托投票（每位有效委托人一张选票）：", "Proxies (one ballot per valid principal):")), ...proxies) : null,
      h("div", { class: "buttons" }, answer.status === "valid" ? issue : null, next),
    ];
    result.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  };

  const tick = async (): Promise<void> => {
    if (!view.isConnected) {
      stop();
      return;
    }
    if (!busy && video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = await readBarcodes(image, { formats: ["QRCode"], maxNumberOfSymbols: 1, tryHarder: true }).catch(() => []);
      const code = found.find((r) => r.isValid)?.text ?? "";
      if (code && code !== shown) {
        busy = true;
        try {
          show(code, await send<CheckAnswer>(`/api/polling/votes/${voteId}/check/`, { station: stationId, code }));
        } catch (err) {
          showError(err);
        } finally {
          busy = false;
        }
      }
    }
    setTimeout(() => void tick(), 250);
  };
  void tick();
}
