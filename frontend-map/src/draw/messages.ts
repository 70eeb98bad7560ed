// Terra Draw speaks English (thrown errors, validation reasons). A clerk must never read
// "Feature has coordinates with excessive precision": each known message is put in the UI's
// language, and anything else becomes a plain sentence (the original goes to the console).
import { t, type Key } from "../i18n";

const KNOWN: Array<[RegExp, Key]> = [
  [/excessive precision/i, "tdPrecision"],
  [/has holes/i, "tdHoles"],
  [/intersects itself|self.?intersect/i, "tdSelfIntersects"],
  [/less than 4 coordinates|at least 4 coordinates/i, "tdTooFewPolygon"],
  [/less than 2 coordinates/i, "tdTooFewLine"],
  [/not closed/i, "tdNotClosed"],
  [/invalid coordinates|not a valid/i, "tdInvalidCoordinates"],
  [/No feature with|does not have feature|can not get/i, "tdNoFeature"],
  [/smaller than the minimum/i, "tdTooSmall"],
  [/larger than the maximum/i, "tdTooLarge"],
  [/not enabled|must be started|must be registered/i, "tdNotReady"],
];

/** The user's words for whatever Terra Draw threw or refused. */
export function drawMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === "string" ? err : String((err as { reason?: string })?.reason ?? "");
  for (const [re, key] of KNOWN) if (re.test(text)) return t(key);
  if (text) console.warn("Terra Draw:", text);
  return t("tdGeneric");
}

/** An Error carrying the user's words, for code that shows `err.message`. */
export class DrawError extends Error {}

export function drawError(err: unknown): DrawError {
  return new DrawError(drawMessage(err));
}
