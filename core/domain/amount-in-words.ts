import type { Kopecks } from './money.js';

/**
 * "Сумма прописью" of Russian payment documents: whole roubles in words, kopecks as two digits,
 * each with its correct plural form — "Одна тысяча двести один рубль 05 копеек".
 */

const ONES_MASCULINE = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
// Тысяча is feminine: одна тысяча, две тысячи.
const ONES_FEMININE = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать'];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

/** Forms for 1, 2–4 and 5+ (and 11–14). */
type Forms = readonly [string, string, string];
const ROUBLE: Forms = ['рубль', 'рубля', 'рублей'];
const KOPECK: Forms = ['копейка', 'копейки', 'копеек'];
const SCALES: { forms: Forms; feminine: boolean }[] = [
  { forms: ['', '', ''], feminine: false },
  { forms: ['тысяча', 'тысячи', 'тысяч'], feminine: true },
  { forms: ['миллион', 'миллиона', 'миллионов'], feminine: false },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], feminine: false },
];

/** The plural form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль, 111 рублей. */
export function pluralRu(n: number, forms: Forms): string {
  const mod100 = Math.abs(n) % 100;
  const mod10 = mod100 % 10;
  if (mod100 >= 11 && mod100 <= 14) return forms[2];
  if (mod10 === 1) return forms[0];
  if (mod10 >= 2 && mod10 <= 4) return forms[1];
  return forms[2];
}

/** 0..999 in words. */
function triad(n: number, feminine: boolean): string[] {
  const words: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h) words.push(HUNDREDS[h] ?? '');
  if (rest >= 10 && rest < 20) {
    words.push(TEENS[rest - 10] ?? '');
  } else {
    const t = Math.floor(rest / 10);
    const o = rest % 10;
    if (t) words.push(TENS[t] ?? '');
    if (o) words.push((feminine ? ONES_FEMININE : ONES_MASCULINE)[o] ?? '');
  }
  return words;
}

/** A non-negative integer below 10^12 in words (masculine): 1201 → "одна тысяча двести один". */
export function integerInWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`out of range: ${n}`);
  if (n === 0) return 'ноль';
  const words: string[] = [];
  for (let scale = SCALES.length - 1; scale >= 0; scale--) {
    const unit = 1000 ** scale;
    const part = Math.floor(n / unit) % 1000;
    if (part === 0) continue;
    const s = SCALES[scale];
    if (!s) continue;
    words.push(...triad(part, s.feminine));
    if (scale > 0) words.push(pluralRu(part, s.forms));
  }
  return words.join(' ');
}

/** 120105 → "Одна тысяча двести один рубль 05 копеек". */
export function amountInWords(kopecks: Kopecks): string {
  if (!Number.isSafeInteger(kopecks) || kopecks < 0) throw new RangeError(`not a non-negative amount: ${kopecks}`);
  const roubles = Math.floor(kopecks / 100);
  const kop = kopecks % 100;
  const text = `${integerInWords(roubles)} ${pluralRu(roubles, ROUBLE)} ${String(kop).padStart(2, '0')} ${pluralRu(kop, KOPECK)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
