// Background jobs (the server's core.jobs): start one, watch it as a progress bar, list my jobs.
// Shared by the map client and 民政易; Chinese by default, English when the page's language is.
import { api } from "../api";
import { getLang } from "../i18n";
import { h } from "../ui";
import "./kit.css";

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobMessage {
  at: string;
  text: string;
}

export interface Job {
  id: number;
  kind: string;
  title: string;
  status: JobStatus;
  status_label: string;
  done: number;
  total: number | null;
  percent: number | null;
  messages: JobMessage[];
  result_url: string | null;
  result_name: string;
  result: Record<string, unknown> | null;
  error: string;
  user: { id: number; name: string } | null;
  unit: { id: number; code: string; name: string } | null;
  created_at: string;
  finished_at: string | null;
}

const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);
const STATUS: Record<JobStatus, [string, string]> = {
  queued: ["排队中", "Queued"],
  running: ["进行中", "Running"],
  done: ["已完成", "Done"],
  failed: ["失败", "Failed"],
};

export function isFinished(job: Job): boolean {
  return job.status === "done" || job.status === "failed";
}

/** Start a job kind that users may start (POST /api/jobs/). */
export function startJob(kind: string, params: Record<string, unknown> = {}): Promise<Job> {
  return api<Job>("/api/jobs/", { method: "POST", body: { kind, params } });
}

export function getJob(id: number): Promise<Job> {
  return api<Job>(`/api/jobs/${id}/`);
}

/** Draw a job into `el` (replacing what was there): title, status, bar, percent, messages, result link. */
export function renderJob(el: HTMLElement, job: Job, note = ""): void {
  el.classList.add("job-card");
  el.dataset.jobId = String(job.id);
  el.dataset.status = job.status;
  const pct = job.status === "done" ? 100 : job.percent;
  const bar = h("progress", { max: 100, "aria-label": job.title });
  if (pct !== null && pct !== undefined) bar.value = pct; // no value: an indeterminate bar while the total is unknown
  const count = job.total ? `${job.done} / ${job.total}` : job.done ? String(job.done) : "";
  const msgs = job.messages.slice(-5).map((m) => h("li", {}, `${m.at.slice(11, 19)} ${m.text}`));
  const parts: Array<HTMLElement | null> = [
    h("div", { class: "job-head" },
      h("span", { class: "job-title" }, job.title),
      h("span", { class: "job-status" }, L(...STATUS[job.status]))),
    h("div", { class: "job-bar" }, bar, h("span", { class: "job-percent" }, pct === null ? "…" : `${Math.floor(pct)}%`)),
    count ? h("div", { class: "job-count" }, L(`已处理 ${count}`, `Processed ${count}`)) : null,
    msgs.length ? h("ul", { class: "job-messages" }, ...msgs) : null,
    job.status === "failed" ? h("p", { class: "job-error" }, job.error || L("任务失败。", "The job failed.")) : null,
    job.result_url
      ? h("a", { class: "job-result", href: job.result_url, download: job.result_name || "" },
          L(`下载结果：${job.result_name || "文件"}`, `Download: ${job.result_name || "file"}`))
      : null,
    note ? h("p", { class: "muted" }, note) : null,
  ];
  el.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll job `id` and keep `el` showing it until it is done or failed; resolves with the final job.
 *  Stops early (resolving with the last state) once `el` has left the page. */
export async function watchJob(id: number, el: HTMLElement, opts: { interval?: number } = {}): Promise<Job> {
  const interval = opts.interval ?? 700;
  let last: Job | null = null;
  let failures = 0;
  for (;;) {
    try {
      last = await getJob(id);
      failures = 0;
      renderJob(el, last);
      if (isFinished(last)) return last;
    } catch (err) {
      failures += 1;
      if (last) renderJob(el, last, L("连接中断，正在重试…", "Connection lost, retrying…"));
      if (failures >= 20) throw err;
    }
    if (last && !el.isConnected) return last;
    await sleep(failures ? Math.min(interval * 2 ** failures, 10_000) : interval);
  }
}

/** "我的任务": my jobs, newest first; unfinished ones keep moving. */
export async function mountMyJobs(el: HTMLElement): Promise<void> {
  el.replaceChildren(h("p", { class: "muted" }, L("加载中…", "Loading…")));
  const { results } = await api<{ results: Job[] }>("/api/jobs/?mine=1");
  el.replaceChildren();
  if (!results.length) {
    el.append(h("p", { class: "muted" }, L("还没有任务。", "No jobs yet.")));
    return;
  }
  for (const job of results) {
    const card = h("div", { class: "job-card" });
    renderJob(card, job);
    el.append(card);
    if (!isFinished(job)) void watchJob(job.id, card).catch(() => undefined);
  }
}

/** A modal dialog of the kit (its own element, so it never fights another dialog of the page). */
export function kitDialog(id: string, title: string): { dialog: HTMLDialogElement; body: HTMLElement } {
  document.getElementById(id)?.remove();
  const body = h("div", { class: "kit-body" });
  const dialog = h("dialog", { id, class: "kit-dialog" },
    h("header", {}, h("h3", {}, title),
      h("button", { class: "kit-close", type: "button", "aria-label": L("关闭", "Close"), onclick: () => dialog.close() }, "×")),
    body);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body };
}

export function openMyJobs(): void {
  const { body } = kitDialog("jobs-dialog", L("我的任务", "My jobs"));
  void mountMyJobs(body).catch((err: unknown) => body.replaceChildren(h("p", { class: "error" }, String((err as Error).message ?? err))));
}
