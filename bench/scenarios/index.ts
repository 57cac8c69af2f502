// Every scenario of `npm run bench`, in the order they run (the table's order).
import type { Scenario } from '../lib/context.js';
import { b1 } from './b1-orders.js';
import { b2 } from './b2-scarce-stock.js';
import { b3 } from './b3-edit.js';
import { b4 } from './b4-parked.js';
import { b5 } from './b5-documents.js';
import { b6 } from './b6-order-form.js';
import { b7 } from './b7-invoice-list.js';

export const SCENARIOS: Scenario[] = [b1, b2, b3, b4, b5, b6, b7];
