// Every scenario of `npm run bench`, in the order they run (the table's order).
import type { Scenario } from '../lib/context.js';
import { b1 } from './b1-orders.js';
import { b3 } from './b3-edit.js';

export const SCENARIOS: Scenario[] = [b1, b3];
