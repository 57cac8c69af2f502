import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ORDER_FORM_LIMITS } from '../formats/order-form.js';
import { readFirstSheet, type SheetRow } from '../formats/xlsx-rows.js';

async function workbook(fill: (ws: ExcelJS.Worksheet) => void, sheets = ['Бланк']): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const name of sheets) fill(wb.addWorksheet(name));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function rowsOf(buf: Buffer): SheetRow[] {
  const rows: SheetRow[] = [];
  readFirstSheet(buf, ORDER_FORM_LIMITS.zip, (row) => {
    rows.push(row);
    return undefined;
  });
  return rows;
}

describe('readFirstSheet (the order form reader under exceljs files)', () => {
  it('gives each cell the text exceljs would print: shared, rich and formula strings, numbers, booleans, errors', async () => {
    const buf = await workbook((ws) => {
      ws.getCell('A1').value = 'SKU & <Количество>';
      ws.getCell('B1').value = { richText: [{ text: 'T-' }, { text: '19', font: { bold: true } }] };
      ws.getCell('C1').value = { formula: '2+3', result: 5 };
      ws.getCell('D1').value = { formula: 'A1&"!"', result: 'текст!' };
      ws.getCell('A3').value = 1.5;
      ws.getCell('B3').value = 1e3;
      ws.getCell('C3').value = true;
      ws.getCell('D3').value = { error: '#N/A' };
      ws.getCell('AB3').value = '  с пробелами ';
    });
    const rows = rowsOf(buf);
    expect(rows.map((r) => r.number)).toEqual([1, 3]);
    expect(Object.fromEntries(rows[0]!.cells)).toEqual({ 1: 'SKU & <Количество>', 2: 'T-19', 3: '5', 4: 'текст!' });
    // An error cell reads as empty, and an empty cell is absent.
    expect(Object.fromEntries(rows[1]!.cells)).toEqual({ 1: '1.5', 2: '1000', 3: 'true', 28: '  с пробелами ' });
  });

  it("reads the workbook's first sheet and stops when told", async () => {
    const buf = await workbook(
      (ws) => {
        for (let r = 1; r <= 50; r++) ws.getCell(`A${r}`).value = `${ws.name}-${r}`;
      },
      ['Первый', 'Второй'],
    );
    const seen: number[] = [];
    expect(
      readFirstSheet(buf, ORDER_FORM_LIMITS.zip, (row) => {
        seen.push(row.number);
        return row.number === 10 ? 'stop' : undefined;
      }),
    ).toBe(true);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(rowsOf(buf)[0]!.cells.get(1)).toBe('Первый-1');
  });
});
