import { describe, expect, it } from 'vitest';
import { checkWorkbook } from '../formats/order-form.js';
import { inspectZip, readZipEntry } from '../formats/zip-guard.js';
import { amountInWords, integerInWords, pluralRu } from '../core/domain/amount-in-words.js';
import { receivables, settlements } from '../core/domain/finance.js';
import { checkPeriod, monthsBefore } from '../core/domain/periods.js';
import { aggregateSales, packingRows } from '../core/domain/reports.js';
import { zip } from './support/zip.js';

describe('amount in words', () => {
  it.each([
    [0, 'Ноль рублей 00 копеек'],
    [1, 'Ноль рублей 01 копейка'],
    [100, 'Один рубль 00 копеек'],
    [202, 'Два рубля 02 копейки'],
    [511, 'Пять рублей 11 копеек'],
    [1100, 'Одиннадцать рублей 00 копеек'],
    [2100, 'Двадцать один рубль 00 копеек'],
    [2221, 'Двадцать два рубля 21 копейка'],
    [11_400, 'Сто четырнадцать рублей 00 копеек'],
    [100_000, 'Одна тысяча рублей 00 копеек'],
    [200_000, 'Две тысячи рублей 00 копеек'],
    [500_000, 'Пять тысяч рублей 00 копеек'],
    [1_100_000, 'Одиннадцать тысяч рублей 00 копеек'],
    [2_100_000, 'Двадцать одна тысяча рублей 00 копеек'],
    [120_105, 'Одна тысяча двести один рубль 05 копеек'],
    [1_249_000, 'Двенадцать тысяч четыреста девяносто рублей 00 копеек'],
    [44_970, 'Четыреста сорок девять рублей 70 копеек'],
    [100_000_000, 'Один миллион рублей 00 копеек'],
    [234_567_899_99, 'Двести тридцать четыре миллиона пятьсот шестьдесят семь тысяч восемьсот девяносто девять рублей 99 копеек'],
    [300_200_100_00, 'Триста миллионов двести тысяч сто рублей 00 копеек'],
    [2_000_000_000_00, 'Два миллиарда рублей 00 копеек'],
  ])('%i kopecks → %s', (kopecks, words) => {
    expect(amountInWords(kopecks)).toBe(words);
  });

  it('chooses plural forms by the last two digits', () => {
    const forms = ['рубль', 'рубля', 'рублей'] as const;
    expect([1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112, 1001].map((n) => pluralRu(n, forms))).toEqual([
      'рубль',
      'рубля',
      'рубля',
      'рублей',
      'рублей',
      'рублей',
      'рублей',
      'рубль',
      'рубля',
      'рублей',
      'рубль',
      'рублей',
      'рублей',
      'рубль',
    ]);
    expect(integerInWords(1_001_001)).toBe('один миллион одна тысяча один');
  });

  it('refuses negative and fractional amounts', () => {
    expect(() => amountInWords(-1)).toThrow(RangeError);
    expect(() => amountInWords(1.5)).toThrow(RangeError);
  });
});

describe('report periods', () => {
  it('counts calendar months back, clamping to the end of a shorter month', () => {
    expect(monthsBefore('2026-11-27', 6)).toBe('2026-05-27');
    expect(monthsBefore('2026-08-31', 6)).toBe('2026-02-28');
    expect(monthsBefore('2028-08-31', 6)).toBe('2028-02-29');
    expect(monthsBefore('2026-03-15', 12)).toBe('2025-03-15');
    expect(monthsBefore('2026-01-10', 1)).toBe('2025-12-10');
  });

  it('allows sales and realizations half a year back and settlements one year back', () => {
    const today = '2026-11-27';
    expect(checkPeriod('sales', '2026-05-27', today, today)).toEqual({ ok: true, from: '2026-05-27', to: today });
    expect(checkPeriod('realizations', '2026-05-27', '2026-06-30', today).ok).toBe(true);
    expect(checkPeriod('settlements', '2025-11-27', today, today).ok).toBe(true);
  });

  it('refuses one day more with period_too_long and tells the customer to contact the manager', () => {
    const today = '2026-11-27';
    for (const [report, from, earliest] of [
      ['sales', '2026-05-26', '2026-05-27'],
      ['realizations', '2026-01-01', '2026-05-27'],
      ['settlements', '2025-11-26', '2025-11-27'],
    ] as const) {
      const r = checkPeriod(report, from, today, today);
      expect(r).toMatchObject({ ok: false, code: 'period_too_long', earliest });
      if (!r.ok) expect(r.message).toMatch(/обратитесь к вашему менеджеру/);
    }
  });

  it('refuses a reversed, future or malformed period as validation_failed', () => {
    const today = '2026-11-27';
    expect(checkPeriod('sales', '2026-11-01', '2026-10-01', today)).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(checkPeriod('sales', '2026-12-01', '2026-12-31', today)).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(checkPeriod('sales', '2026-02-30', '2026-03-01', today)).toMatchObject({ ok: false, code: 'validation_failed' });
  });
});

describe('receivables and settlements', () => {
  const debits = [
    { id: 'r1', number: 'РЛ-1', date: '2026-10-01', amount: 100_00 },
    { id: 'r2', number: 'РЛ-2', date: '2026-11-01', amount: 200_00 },
    { id: 'r3', number: 'РЛ-3', date: '2026-11-20', amount: 300_00 },
  ];
  const credits = [{ id: 'p1', date: '2026-10-20', amount: 150_00, reference: 'п/п 1' }];

  it('settles payments oldest first and splits due from overdue', () => {
    const r = receivables(debits, credits, '2026-11-27', 14);
    expect(r.items.map((i) => [i.number, i.paid, i.remaining, i.dueDate, i.overdueDays])).toEqual([
      ['РЛ-2', 50_00, 150_00, '2026-11-15', 12],
      ['РЛ-3', 0, 300_00, '2026-12-04', 0],
    ]);
    expect(r).toMatchObject({ total: 450_00, overdue: 150_00, notDue: 300_00, advance: 0 });
  });

  it('shows an overpayment as an advance', () => {
    const r = receivables(debits.slice(0, 1), [{ id: 'p', date: '2026-10-02', amount: 130_00, reference: 'x' }], '2026-11-27', 14);
    expect(r).toMatchObject({ items: [], total: 0, advance: 30_00 });
  });

  it('builds a reconciliation act: opening, movements in order, closing', () => {
    const s = settlements(debits, [...credits, { id: 'p2', date: '2026-11-20', amount: 50_00, reference: 'п/п 2' }], '2026-11-01', '2026-11-30');
    expect(s.opening).toBe(100_00 - 150_00);
    expect(s.entries.map((e) => [e.date, e.document, e.debit, e.credit])).toEqual([
      ['2026-11-01', 'Реализация РЛ-2', 200_00, 0],
      ['2026-11-20', 'Реализация РЛ-3', 300_00, 0],
      ['2026-11-20', 'Оплата п/п 2', 0, 50_00],
    ]);
    expect(s).toMatchObject({ debitTurnover: 500_00, creditTurnover: 50_00, closing: -50_00 + 500_00 - 50_00 });
  });
});

describe('sales and packing lists', () => {
  const line = (sku: string, quantity: number, characteristic: string) => ({
    realizationNumber: 'РЛ',
    date: '2026-11-01',
    sku,
    article: sku.split('-')[0] ?? sku,
    name: 'Колготки',
    characteristic,
    quantity,
    priceKopecks: 100_00,
  });

  it('sums sales by product and characteristic', () => {
    expect(aggregateSales([line('A-S', 2, 'S'), line('A-M', 1, 'M'), line('A-S', 3, 'S')])).toEqual([
      { sku: 'A-M', article: 'A', name: 'Колготки', characteristic: 'M', quantity: 1, amount: 100_00 },
      { sku: 'A-S', article: 'A', name: 'Колготки', characteristic: 'S', quantity: 5, amount: 500_00 },
    ]);
  });

  it('lays out boxes three ways', () => {
    const products = new Map([
      ['A-S', { sku: 'A-S', article: 'A', name: 'Колготки', characteristic: 'S' }],
      ['A-M', { sku: 'A-M', article: 'A', name: 'Колготки', characteristic: 'M' }],
      ['B-S', { sku: 'B-S', article: 'B', name: 'Носки', characteristic: 'S' }],
    ]);
    const boxes = [
      { number: 2, lines: [{ sku: 'A-S', quantity: 4 }] },
      {
        number: 1,
        lines: [
          { sku: 'A-S', quantity: 6 },
          { sku: 'A-M', quantity: 2 },
          { sku: 'B-S', quantity: 1 },
        ],
      },
    ];
    expect(packingRows('by-article', boxes, products).map((r) => [r.article, r.characteristic, r.quantity, r.boxes])).toEqual([
      ['A', 'M', 2, [1]],
      ['A', 'S', 10, [1, 2]],
      ['B', 'S', 1, [1]],
    ]);
    expect(packingRows('box-nomenclature', boxes, products).map((r) => [r.box, r.article, r.quantity])).toEqual([
      [1, 'A', 8],
      [1, 'B', 1],
      [2, 'A', 4],
    ]);
    expect(packingRows('box-characteristic', boxes, products).map((r) => [r.box, r.article, r.characteristic, r.quantity])).toEqual([
      [1, 'A', 'M', 2],
      [1, 'A', 'S', 6],
      [1, 'B', 'S', 1],
      [2, 'A', 'S', 4],
    ]);
  });
});

describe('zip guard', () => {
  const limits = { maxEntries: 10, maxEntryBytes: 1_000_000, maxTotalBytes: 2_000_000, maxRatio: 200 };
  const xlsxish = (extra: { name: string; data: Buffer; declaredSize?: number }[] = []) =>
    zip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }, ...extra]);

  it('reads honest entries', () => {
    const buf = zip([{ name: 'a.txt', data: Buffer.from('привет') }]);
    const z = inspectZip(buf, limits);
    expect(z.ok).toBe(true);
    if (z.ok) expect(readZipEntry(buf, z.entries[0]!).toString()).toBe('привет');
  });

  it('refuses by declared size before inflating', () => {
    const buf = zip([{ name: 'big.xml', data: Buffer.alloc(10), declaredSize: 5_000_000 }]);
    expect(inspectZip(buf, limits)).toMatchObject({ ok: false, code: 'unsupported_file', reason: expect.stringContaining('zip-бомб') });
  });

  it('refuses too many entries', () => {
    const buf = zip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
    expect(inspectZip(buf, limits)).toMatchObject({ ok: false, reason: expect.stringContaining('11 файлов') });
  });

  it('stops an entry that inflates past its declared size', () => {
    const buf = zip([{ name: 'liar.xml', data: Buffer.alloc(900_000), declaredSize: 1000 }]);
    const z = inspectZip(buf, limits);
    expect(z.ok).toBe(true);
    if (z.ok) expect(() => readZipEntry(buf, z.entries[0]!)).toThrow();
    expect(checkWorkbook(xlsxish([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(900_000), declaredSize: 1000 }]))).toMatchObject({
      code: 'unsupported_file',
    });
  });

  it('refuses a 10 GB bomb from its header alone, fast', () => {
    const bomb = zip([...Array.from({ length: 3 }, (_, i) => ({ name: `xl/worksheets/sheet${i}.xml`, data: Buffer.alloc(1000), declaredSize: 0xfffffff0 }))]);
    const started = performance.now();
    expect(checkWorkbook(bomb)).toMatchObject({ code: 'unsupported_file' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses macros, non-workbooks and old .xls', () => {
    expect(checkWorkbook(xlsxish([{ name: 'xl/vbaProject.bin', data: Buffer.from('vba') }]))).toMatchObject({
      code: 'unsupported_file',
      reason: expect.stringContaining('макрос'),
    });
    const macroTypes = zip([
      { name: '[Content_Types].xml', data: Buffer.from('<Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<w/>') },
    ]);
    expect(checkWorkbook(macroTypes)).toMatchObject({ code: 'unsupported_file', reason: expect.stringContaining('макрос') });
    expect(checkWorkbook(zip([{ name: 'word/document.xml', data: Buffer.from('<w/>') }]))).toMatchObject({ code: 'unsupported_file' });
    expect(checkWorkbook(Buffer.from('sku;quantity\nA;1\n'))).toMatchObject({ code: 'unsupported_file' });
    expect(checkWorkbook(Buffer.from('d0cf11e0a1b11ae1000000', 'hex'))).toMatchObject({ code: 'unsupported_file', reason: expect.stringContaining('.xls') });
    expect(checkWorkbook(xlsxish())).toBeUndefined();
  });

  it('refuses too many rows (413) from the sheet XML, before exceljs', () => {
    const rows = Buffer.from(`<worksheet><sheetData>${'<row r="1"><c/></row>'.repeat(20_001)}</sheetData></worksheet>`);
    expect(checkWorkbook(xlsxish([{ name: 'xl/worksheets/sheet1.xml', data: rows }]))).toMatchObject({
      code: 'file_too_large',
      reason: expect.stringContaining('20000 строк'),
    });
  });
});
