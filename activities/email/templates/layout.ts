// What every email shares: the render types, the greeting and signature, the HTML page, escaping
// and Moscow dates.

export interface RenderContext {
  customerName: string;
  /** Base URL of the API, e.g. "https://portal.example.ru"; a trailing slash is ignored. */
  publicUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Text and HTML of one email, built block by block so the invoice emails share their parts. */
export interface Parts {
  text: string[];
  html: string[];
}

export function start(ctx: RenderContext): Parts {
  const hello = greeting(ctx.customerName);
  return { text: [hello], html: [`<p>${esc(hello)}</p>`] };
}

export function finish(subject: string, parts: Parts): RenderedEmail {
  paragraph(parts, SIGNATURE);
  return { subject, text: parts.text.join('\n'), html: page(subject, parts.html.join('\n')) };
}

/** One paragraph; several lines are kept together (line breaks in HTML). */
export function paragraph(parts: Parts, ...lines: string[]): void {
  parts.text.push('', ...lines);
  parts.html.push(`<p>${lines.map(esc).join('<br>')}</p>`);
}

export function assertNever(value: never): never {
  throw new Error(`unknown email kind: ${JSON.stringify(value)}`);
}

const SIGNATURE = 'С уважением, отдел оптовых продаж';
export const TABLE_ATTRS = 'cellpadding="4" cellspacing="0" border="1" style="border-collapse:collapse"';

const MOSCOW_DATE_TIME = new Intl.DateTimeFormat('ru-RU', {
  timeZone: 'Europe/Moscow',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2026-12-07T12:00:00Z" → "7 декабря 2026 г. в 15:00 (МСК)" */
export function formatMoscowDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${MOSCOW_DATE_TIME.format(date)} (МСК)`;
}

function greeting(customerName: string): string {
  return `Здравствуйте, ${customerName}!`;
}

export function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="ru"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    body,
    '</body></html>',
  ].join('\n');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and double- or single-quoted attributes. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
