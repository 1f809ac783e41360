/** Numbers of credits as the pages show them. */

/** The reason the server writes on the sign-up grant (shown translated). */
export const SIGNUP_REASON = "Sign-up credits";

/** Grouped digits in the reader's locale; `signed` shows + on what was added. */
export function formatCredits(value: number, locale?: string, signed = false): string {
  return new Intl.NumberFormat(locale, { signDisplay: signed ? "exceptZero" : "auto" }).format(value);
}
