// Seals (印章) of a unit: the current seal of each kind, upload/replace (PNG, checked by the server),
// and the sample page showing the seal as it prints.
import { api } from "../api";
import { getLang } from "../i18n";
import { h, showError, toast } from "../ui";
import "./kit.css";

export interface Seal {
  id: number;
  unit: { id: number; code: string; name: string };
  kind: string;
  kind_label: string;
  width: number;
  height: number;
  transparent: boolean;
  warnings: string[];
  active: boolean;
  uploaded_by: string;
  uploaded_at: string;
  image_url: string;
  preview_url: string;
  preview_pdf_url: string;
}

const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);
const PAGE_W = 840; // px: an A4 sheet (210 mm at 96 dpi) and its margin in the sample page
const PAGE_H = 1200;
const KINDS: Array<[string, string, string]> = [
  ["committee", "村(居)民委员会印章", "Committee seal"],
  ["election_committee", "选举委员会印章", "Election committee seal"],
];

export function mountSeals(el: HTMLElement, unit: { id: number; name: string }): void {
  // The sample page is laid out at A4 width and scaled down to the space there is.
  const preview = h("iframe", { class: "seal-preview", id: "seal-preview", title: L("样张预览", "Sample page") });
  const open = h("a", { target: "_blank", id: "seal-preview-open" }, L("在新窗口打开样张", "Open the sample in a new window"));
  const wrap = h("div", { class: "seal-preview-wrap", hidden: true }, preview);
  const cards = h("div", {});
  el.replaceChildren(h("h3", {}, L(`${unit.name} · 印章管理`, `${unit.name} · seals`)),
    h("p", { class: "muted" }, L("PNG 格式，建议透明背景；每类印章只有一个在用，更换后旧印章留档。",
      "PNG, transparent background advised; one seal in use per kind, replaced ones are kept on record.")),
    cards, wrap, h("p", {}, open));
  open.hidden = true;
  const fit = (): void => {
    const scale = wrap.clientWidth / PAGE_W;
    preview.style.transform = `scale(${scale})`;
    wrap.style.height = `${Math.ceil(PAGE_H * scale)}px`;
  };
  window.addEventListener("resize", () => wrap.isConnected && fit());

  const show = (s: Seal): void => {
    wrap.hidden = false;
    open.hidden = false;
    preview.src = `${s.preview_url}?t=${Date.now()}`;
    open.href = s.preview_url;
    fit();
  };

  const card = (kind: string, label: string, seal: Seal | undefined): HTMLElement => {
    const file = h("input", { type: "file", accept: "image/png", "data-kind": kind, id: `seal-file-${kind}` });
    const body = seal
      ? h("div", { class: "seal-row" },
          h("img", { class: "seal-thumb", src: seal.image_url, alt: label }),
          h("div", {},
            h("div", {}, L(`${seal.width}×${seal.height} 像素，${seal.transparent ? "透明背景" : "不透明背景"}`,
              `${seal.width}×${seal.height} px, ${seal.transparent ? "transparent" : "opaque"} background`)),
            h("div", { class: "muted" }, `${seal.uploaded_by} · ${seal.uploaded_at.slice(0, 16).replace("T", " ")}`),
            ...seal.warnings.map((w) => h("div", { class: "seal-warn" }, `⚠ ${w}`)),
            h("div", { class: "buttons" },
              h("button", { type: "button", class: "secondary", onclick: () => show(seal) }, L("样张预览", "Preview")),
              h("a", { href: seal.preview_pdf_url, target: "_blank" }, L("PDF 样张", "PDF sample")))))
      : h("p", { class: "muted" }, L("尚未上传。", "Not uploaded yet."));
    file.addEventListener("change", async () => {
      const f = file.files?.[0];
      if (!f) return;
      const form = new FormData();
      form.append("unit", String(unit.id));
      form.append("kind", kind);
      form.append("image", f);
      try {
        const saved = await api<Seal>("/api/seals/", { method: "POST", body: form });
        toast(saved.warnings.length ? L("已上传（请注意提示）", "Uploaded (see the notes)") : L("已上传", "Uploaded"));
        await load();
        show(saved);
      } catch (err) {
        showError(err);
        file.value = "";
      }
    });
    return h("div", { class: "seal-card", "data-kind": kind }, h("h4", {}, label), body,
      h("label", { class: "buttons" }, seal ? L("更换：", "Replace: ") : L("上传：", "Upload: "), file));
  };

  const load = async (): Promise<void> => {
    const { results } = await api<{ results: Seal[] }>(`/api/seals/?unit=${unit.id}`);
    cards.replaceChildren(...KINDS.map(([kind, zh, en]) => card(kind, L(zh, en), results.find((s) => s.kind === kind))));
  };
  void load().catch(showError);
}
