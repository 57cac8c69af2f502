// Database round trips per HTTP request, by route, from the API's own metric
// (http_request_db_statements): the difference between two scrapes is one scenario's traffic.
import { parseSamples } from '../../test/support/prometheus.js';

export type StatementTotals = Map<string, { sum: number; count: number }>;

export async function statementTotals(api: string): Promise<StatementTotals> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const totals: StatementTotals = new Map();
  for (const sample of parseSamples(text)) {
    const part = sample.name === 'http_request_db_statements_sum' ? 'sum' : sample.name === 'http_request_db_statements_count' ? 'count' : undefined;
    if (!part || sample.labels.route === '/metrics') continue;
    const key = `${sample.labels.method} ${sample.labels.route}`;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    entry[part] += sample.value;
    totals.set(key, entry);
  }
  return totals;
}

/** "PATCH /v1/invoices/:id": statements per request over the requests made between the two scrapes. */
export function perRequest(before: StatementTotals, after: StatementTotals): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [route, { sum, count }] of after) {
    const requests = count - (before.get(route)?.count ?? 0);
    if (requests > 0) out[`DB round trips per ${route}`] = ((sum - (before.get(route)?.sum ?? 0)) / requests).toFixed(1);
  }
  return out;
}
