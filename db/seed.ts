import type { Db } from './database.js';

/** Demo data for `npm start`: a hosiery wholesaler's catalog, stock, two customers and their manager. */

export const DEMO_MANAGER_EMAIL = 'manager@chulochnaya.example';

export const DEMO_CUSTOMERS = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'ООО «Ромашка»', email: 'zakupki@romashka.example', inn: '7701234567' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'ИП Васильева Н. А.', email: 'vasilieva@shop.example', inn: '502712345678' },
] as const;

interface Model {
  article: string;
  name: string;
  priceKopecks: number;
  piecesPerBox: number;
  sizes: string[];
  colours: { code: string; name: string }[];
}

const MODELS: Model[] = [
  {
    article: 'КЛ-20',
    name: 'Колготки женские 20 den',
    priceKopecks: 14990,
    piecesPerBox: 60,
    sizes: ['2', '3', '4'],
    colours: [
      { code: 'BLK', name: 'чёрный' },
      { code: 'NUD', name: 'телесный' },
      { code: 'BRZ', name: 'бронза' },
    ],
  },
  {
    article: 'КЛ-40',
    name: 'Колготки женские 40 den',
    priceKopecks: 18950,
    piecesPerBox: 60,
    sizes: ['2', '3', '4', '5'],
    colours: [
      { code: 'BLK', name: 'чёрный' },
      { code: 'NUD', name: 'телесный' },
    ],
  },
  {
    article: 'ЧЛ-15',
    name: 'Чулки на силиконовой резинке 15 den',
    priceKopecks: 21900,
    piecesPerBox: 50,
    sizes: ['1-2', '3-4'],
    colours: [
      { code: 'BLK', name: 'чёрный' },
      { code: 'WHT', name: 'белый' },
    ],
  },
  {
    article: 'НС-М01',
    name: 'Носки мужские хлопок',
    priceKopecks: 6500,
    piecesPerBox: 120,
    sizes: ['25', '27', '29'],
    colours: [
      { code: 'BLK', name: 'чёрный' },
      { code: 'GRY', name: 'серый' },
      { code: 'NVY', name: 'тёмно-синий' },
    ],
  },
  {
    article: 'НС-Д05',
    name: 'Носки детские с рисунком',
    priceKopecks: 4200,
    piecesPerBox: 200,
    sizes: ['14', '16', '18', '20'],
    colours: [{ code: 'MIX', name: 'ассорти' }],
  },
];

export function demoProducts() {
  return MODELS.flatMap((m, mi) =>
    m.sizes.flatMap((size, si) =>
      m.colours.map((colour, ci) => ({
        sku: `${m.article}-${size}-${colour.code}`,
        article: m.article,
        name: m.name,
        characteristic: `размер ${size}, ${colour.name}`,
        price_kopecks: m.priceKopecks,
        pieces_per_box: m.piecesPerBox,
        certificate_number: `ЕАЭС RU Д-RU.РА01.В.${String(10000 + mi * 137).padStart(5, '0')}/24`,
        certificate_valid_until: '2029-12-31',
        // Some SKUs are scarce so the demo shows partial approvals.
        on_hand: (mi + si + ci) % 5 === 0 ? 12 : 300 + 40 * si,
      })),
    ),
  );
}

/** Idempotent: existing rows (and stock the warehouse changed) are left as they are. */
export async function seedDemoData(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('customers')
      .values(DEMO_CUSTOMERS.map((c) => ({ ...c, manager_email: DEMO_MANAGER_EMAIL })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const products = demoProducts();
    await trx
      .insertInto('products')
      .values(products.map(({ on_hand: _onHand, ...p }) => p))
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute();
    await trx
      .insertInto('stock')
      .values(products.map((p) => ({ sku: p.sku, on_hand: p.on_hand })))
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute();
  });
}
