/** Time zones for the schedule form: the browser's own, and every IANA zone it knows. */

/** The zone this browser runs in; "UTC" when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

let cached: string[] | null = null;

/**
 * The zones to offer, sorted. Browsers list canonical names only, so UTC and the zones in
 * `extra` (the browser's own may be an alias such as Asia/Calcutta) are added when missing.
 */
export function timeZones(extra: readonly string[] = []): string[] {
  cached ??= typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...cached, "UTC", ...extra.filter(Boolean)])].sort();
}
