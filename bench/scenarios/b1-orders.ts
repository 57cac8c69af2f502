// B1: orders end to end per second, 20 and 100 customers at once, each on SKUs of its own; the
// floor is no-op workflows started and awaited at the same concurrency on the same server.
import { addCompanies } from '../../test/faults/support/scenario.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { noopWorkflowsPerSecond } from '../lib/floor.js';
import { historyCounts, placeOrder } from '../lib/orders.js';
import { lanes, overRounds } from '../lib/stats.js';

const CUSTOMERS = [20, 100];
/** Orders per round: enough for a steady rate, few enough for the stock each company has. */
const ORDERS_PER_ROUND = 100;

export const b1: Scenario = {
  id: 'B1',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const companies = await addCompanies(ctx.db, 'B1', Math.max(...CUSTOMERS));
    const calls = await Promise.all(companies.map((c) => ctx.as({ sub: `bench-${c.id.slice(0, 8)}`, role: 'customer', customerId: c.id })));
    const results: ScenarioResult[] = [];
    let sample: { orderId: string; invoiceId: string; lane: number } | undefined;
    for (const customers of CUSTOMERS) {
      const figures = await overRounds(ctx.rounds, async () => {
        // One lane per customer: a customer has one cart, so its orders follow one another.
        const orders = await lanes(customers, ORDERS_PER_ROUND, async (_, lane) => {
          const company = companies[lane]!;
          sample = { ...(await placeOrder(ctx, calls[lane]!, { [company.sku.B]: 1 })), lane };
        });
        const floor = await noopWorkflowsPerSecond(ctx, customers, ORDERS_PER_ROUND * 4);
        return { orders: ORDERS_PER_ROUND / (orders / 1000), floor };
      });
      const ratio = figures.orders.median / figures.floor.median;
      results.push({
        id: 'B1',
        scenario: `orders end to end, ${customers} customers at once`,
        unit: '/s',
        figure: figures.orders,
        floor: figures.floor,
        ratio,
        ratioMeaning: '× floor',
        goal: '≥ 0.5× floor',
        met: ratio >= 0.5,
      });
    }
    if (sample) {
      const order = await historyCounts(ctx, `order/${sample.orderId}`);
      const invoice = await historyCounts(ctx, `invoice/${sample.invoiceId}`);
      // The rest of the guide's lifecycle: the customer sends it for shipment, the warehouse reports
      // its steps up to "shipped" (the realization with it).
      const warehouse = await ctx.as({ sub: 'bench-warehouse', role: 'warehouse' });
      const shipment = await calls[sample.lane]!('POST', `/v1/invoices/${sample.invoiceId}/ship`);
      if (shipment.status !== 200) throw new Error(`B1 ship: ${shipment.status} ${JSON.stringify(shipment.body)}`);
      for (const status of ['to_warehouse', 'assembled', 'shipped']) {
        const step = await warehouse('POST', `/v1/warehouse/invoices/${sample.invoiceId}/status`, { body: { status } });
        if (step.status !== 200) throw new Error(`B1 ${status}: ${step.status} ${JSON.stringify(step.body)}`);
      }
      const shipped = await historyCounts(ctx, `invoice/${sample.invoiceId}`);
      results.at(-1)!.counts = {
        'workflow tasks per order': order.workflowTasks + invoice.workflowTasks,
        'activities per order': order.activities + invoice.activities,
        'history events per order (order + invoice so far)': order.events + invoice.events,
        'history events, cart → shipped (order + invoice)': order.events + shipped.events,
        'workflow tasks, cart → shipped': order.workflowTasks + shipped.workflowTasks,
      };
    }
    return results;
  },
};
