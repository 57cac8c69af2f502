/** @jsxImportSource hono/jsx */

/**
 * Each write form carries its own Idempotency-Key, made when the page was drawn: a double click
 * or a resent form then does the work once and shows the first answer, instead of an error (or a
 * second order). A form drawn again gets a new key.
 */
export function FormKey() {
  return <input type="hidden" name="key" value={crypto.randomUUID()} />;
}

const KEY_FORMAT = /^[\w-]{8,100}$/;

/** The form's key as request headers for the typed client; a missing or odd key gets a fresh one. */
export function keyHeaders(form: Record<string, unknown>): { headers: Record<string, string> } {
  const key = typeof form.key === 'string' && KEY_FORMAT.test(form.key) ? form.key : crypto.randomUUID();
  return { headers: { 'Idempotency-Key': key } };
}

/** A whole number typed into a quantity field, or undefined (the API's own limits still apply). */
export function quantityOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\s*\d{1,9}\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The values of a repeated field (`parseBody({ all: true })` gives one string or an array). */
export function allOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
