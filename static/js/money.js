/*
 * money.js — browser mirror of the Go package kartoteka/app/money.
 *
 * Amounts are kopecks and rates are hundredths of a percent, both as BigInt,
 * so no floating point is ever involved. Parsing accepts and rejects exactly
 * what the Go ParseKopecks/ParseRate do (with the same Russian messages), and
 * format/formatRate/input/inputRate produce the same strings as the Go
 * String/Input methods. Keep the two files in step; app/money/cases.go holds
 * the shared test cases.
 *
 * Plain script (no modules, no eval, no dependencies) that defines
 * window.KMoney:
 *   parseKopecks(str) -> {ok: true, value: BigInt} | {ok: false, code, error}
 *       code: "empty" | "format" | "precision" | "too_large"
 *   parseRate(str)    -> {ok: true, value: BigInt} | {ok: false, code, error}
 *       code: "empty" | "format"
 *   format(kopecks)      -> "12 345,67 ₽"  (U+00A0 separators, U+2212 minus)
 *   input(kopecks)       -> "12345,67"     (for prefilling an input)
 *   formatRate(rate)     -> "12,5 %"
 *   inputRate(rate)      -> "12,5"
 *   commission(amount, rate) -> BigInt, rounded half away from zero
 *   sum([{amount, rate}])    -> {amount, commission, net} (BigInt each)
 *   MAX_KOPECKS, MAX_RATE    -> BigInt limits, as in Go
 * Numeric arguments are BigInt; an integer Number is converted with BigInt().
 */
(function () {
  'use strict';

  var MAX_KOPECKS = 1000000000000000n; // 10^13 roubles, money.MaxKopecks
  var MAX_RATE = 10000n; // 100 %, money.MaxRate
  var NBSP = '\u00a0';

  // Same texts as the Go sentinel errors; escaped so the script works
  // whatever charset the server declares for it.
  var MSG = {
    // Укажите сумму
    empty: '\u0423\u043a\u0430\u0436\u0438\u0442\u0435 \u0441\u0443\u043c\u043c\u0443',
    // Введите сумму числом, например 12 345,67
    format: '\u0412\u0432\u0435\u0434\u0438\u0442\u0435 \u0441\u0443\u043c\u043c\u0443 \u0447\u0438\u0441\u043b\u043e\u043c, \u043d\u0430\u043f\u0440\u0438\u043c\u0435\u0440 12\u00a0345,67',
    // Не больше двух знаков после запятой
    precision: '\u041d\u0435 \u0431\u043e\u043b\u044c\u0448\u0435 \u0434\u0432\u0443\u0445 \u0437\u043d\u0430\u043a\u043e\u0432 \u043f\u043e\u0441\u043b\u0435 \u0437\u0430\u043f\u044f\u0442\u043e\u0439',
    // Слишком большая сумма
    too_large: '\u0421\u043b\u0438\u0448\u043a\u043e\u043c \u0431\u043e\u043b\u044c\u0448\u0430\u044f \u0441\u0443\u043c\u043c\u0430',
    // Укажите комиссию
    rateEmpty: '\u0423\u043a\u0430\u0436\u0438\u0442\u0435 \u043a\u043e\u043c\u0438\u0441\u0441\u0438\u044e',
    // Комиссия — число от 0 до 100, не больше двух знаков после запятой
    rate: '\u041a\u043e\u043c\u0438\u0441\u0441\u0438\u044f \u2014 \u0447\u0438\u0441\u043b\u043e \u043e\u0442 0 \u0434\u043e 100, \u043d\u0435 \u0431\u043e\u043b\u044c\u0448\u0435 \u0434\u0432\u0443\u0445 \u0437\u043d\u0430\u043a\u043e\u0432 \u043f\u043e\u0441\u043b\u0435 \u0437\u0430\u043f\u044f\u0442\u043e\u0439'
  };

  function fail(code, error) { return { ok: false, code: code, error: error }; }
  function ok(value) { return { ok: true, value: value }; }

  // Thousands separators: space, NBSP, thin space, narrow NBSP.
  function isSep(c) { return c === ' ' || c === '\u00a0' || c === '\u2009' || c === '\u202f'; }
  // Ignored at either end: separators plus tab and line breaks.
  function isTrim(c) { return isSep(c) || c === '\t' || c === '\n' || c === '\r'; }
  function isDigit(c) { return c !== undefined && c >= '0' && c <= '9' && c.length === 1; }

  // Code points (like Go's []rune), trimmed with the explicit set above.
  function chars(s) {
    var cs = Array.from(s == null ? '' : String(s));
    var i = 0, j = cs.length;
    while (i < j && isTrim(cs[i])) i++;
    while (j > i && isTrim(cs[j - 1])) j--;
    return cs.slice(i, j);
  }

  function digitRun(cs, i) {
    while (i < cs.length && isDigit(cs[i])) i++;
    return i;
  }

  // "₽", "р", "р.", "руб", "руб." in any letter case (only Р, У, Б fold).
  var FOLD = { '\u0420': '\u0440', '\u0423': '\u0443', '\u0411': '\u0431' };
  var CURRENCY = ['\u20bd', '\u0440', '\u0440.', '\u0440\u0443\u0431', '\u0440\u0443\u0431.'];
  function isCurrency(cs) {
    var s = cs.map(function (c) { return FOLD[c] || c; }).join('');
    return CURRENCY.indexOf(s) >= 0;
  }

  function parseKopecks(str) {
    var cs = chars(str);
    if (cs.length === 0) return fail('empty', MSG.empty);
    var i = 0;
    var neg = false;
    if (cs[0] === '-' || cs[0] === '\u2212') { neg = true; i++; }

    var whole = 0n;
    var end = digitRun(cs, i);
    if (end === i) return fail('format', MSG.format);
    var firstLen = end - i;
    var digits = cs.slice(i, end).join('');
    i = end;
    while (i + 1 < cs.length && isSep(cs[i]) && isDigit(cs[i + 1])) {
      end = digitRun(cs, i + 1);
      if (firstLen > 3 || end - (i + 1) !== 3) return fail('format', MSG.format);
      digits += cs.slice(i + 1, end).join('');
      i = end;
    }

    var frac = '';
    if (i < cs.length && (cs[i] === ',' || cs[i] === '.')) {
      end = digitRun(cs, i + 1);
      if (end === i + 1) return fail('format', MSG.format);
      frac = cs.slice(i + 1, end).join('');
      i = end;
    }

    var j = i;
    while (j < cs.length && isSep(cs[j])) j++;
    if (j < cs.length && !isCurrency(cs.slice(j))) return fail('format', MSG.format);

    if (frac.length > 2) return fail('precision', MSG.precision);
    whole = BigInt(digits); // ASCII digits only, checked above
    var k = whole * 100n + (frac === '' ? 0n : BigInt((frac + '0').slice(0, 2)));
    if (k > MAX_KOPECKS) return fail('too_large', MSG.too_large);
    return ok(neg ? -k : k);
  }

  function parseRate(str) {
    var cs = chars(str);
    if (cs.length === 0) return fail('empty', MSG.rateEmpty);
    if (cs[cs.length - 1] === '%') {
      cs.pop();
      while (cs.length > 0 && isSep(cs[cs.length - 1])) cs.pop();
    }
    var end = digitRun(cs, 0);
    if (end === 0) return fail('format', MSG.rate);
    var v = BigInt(cs.slice(0, end).join('')) * 100n;
    var i = end;
    if (i < cs.length && (cs[i] === ',' || cs[i] === '.')) {
      end = digitRun(cs, i + 1);
      var n = end - (i + 1);
      if (n !== 1 && n !== 2) return fail('format', MSG.rate);
      v += BigInt((cs.slice(i + 1, end).join('') + '0').slice(0, 2));
      i = end;
    }
    if (i !== cs.length || v > MAX_RATE) return fail('format', MSG.rate);
    return ok(v);
  }

  function big(x) { return typeof x === 'bigint' ? x : BigInt(x); }

  // Digits of n >= 0n with NBSP between thousands.
  function group(n) {
    var d = n.toString();
    var out = '';
    for (var i = 0; i < d.length; i++) {
      if (i > 0 && (d.length - i) % 3 === 0) out += NBSP;
      out += d[i];
    }
    return out;
  }

  function two(n) { return (n < 10n ? '0' : '') + n.toString(); }

  function format(kopecks) {
    var k = big(kopecks);
    var a = k < 0n ? -k : k;
    return (k < 0n ? '\u2212' : '') + group(a / 100n) + ',' + two(a % 100n) + NBSP + '\u20bd';
  }

  function input(kopecks) {
    var k = big(kopecks);
    var a = k < 0n ? -k : k;
    return (k < 0n ? '-' : '') + (a / 100n).toString() + ',' + two(a % 100n);
  }

  function rateText(rate, minus) {
    var r = big(rate);
    var a = r < 0n ? -r : r;
    var f = a % 100n;
    var s = (r < 0n ? minus : '') + (a / 100n).toString();
    if (f === 0n) return s;
    if (f % 10n === 0n) return s + ',' + (f / 10n).toString();
    return s + ',' + two(f);
  }

  function formatRate(rate) { return rateText(rate, '\u2212') + NBSP + '%'; }
  function inputRate(rate) { return rateText(rate, '-'); }

  // amount × rate / 10000, half away from zero; rate clamped to 0..MAX_RATE.
  function commission(amount, rate) {
    var a = big(amount);
    var r = big(rate);
    if (r <= 0n || a === 0n) return 0n;
    if (r > MAX_RATE) r = MAX_RATE;
    var neg = a < 0n;
    var p = (neg ? -a : a) * r;
    var q = p / MAX_RATE;
    if ((p % MAX_RATE) * 2n >= MAX_RATE) q += 1n;
    return neg ? -q : q;
  }

  // Totals of the rows, each commission rounded per row (as Go Sum).
  function sum(lines) {
    var t = { amount: 0n, commission: 0n, net: 0n };
    (lines || []).forEach(function (l) {
      var a = big(l.amount);
      var c = commission(a, l.rate);
      t.amount += a;
      t.commission += c;
      t.net += a - c;
    });
    return t;
  }

  window.KMoney = Object.freeze({
    MAX_KOPECKS: MAX_KOPECKS,
    MAX_RATE: MAX_RATE,
    parseKopecks: parseKopecks,
    parseRate: parseRate,
    format: format,
    input: input,
    formatRate: formatRate,
    inputRate: inputRate,
    commission: commission,
    sum: sum
  });
})();
