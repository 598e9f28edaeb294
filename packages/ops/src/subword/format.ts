/**
 * Numbers as fastText prints them: C++ ostream defaults, i.e. printf's %g with a
 * given precision (6 by default; fastText sets 5 for vectors, 3 for test figures):
 * trailing zeros dropped, scientific notation when the exponent is < -4 or >= precision.
 */

export function formatG(x: number, precision = 6): string {
  // Fast path: toPrecision rounds as %e does and writes fixed notation for exponents
  // -6..precision-1; %g's fixed range is -4..precision-1, so only "0.0000..." (e <= -5)
  // and exponent forms go the general way below.
  if (x !== 0 && precision >= 1 && precision <= 100 && Number.isFinite(x)) {
    const s = x.toPrecision(precision);
    if (s.indexOf('e') < 0 && !s.startsWith(x < 0 ? '-0.0000' : '0.0000')) {
      if (s.indexOf('.') < 0) return s;
      let end = s.length;
      while (s.charCodeAt(end - 1) === 48) end--; // '0'
      if (s.charCodeAt(end - 1) === 46) end--; // '.'
      return end === s.length ? s : s.slice(0, end);
    }
  }
  return formatGSlow(x, precision);
}

function formatGSlow(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(1, precision);
  const exp = x.toExponential(p - 1); // d.ddde+X, correctly rounded
  const ePos = exp.indexOf('e');
  const e = Number(exp.slice(ePos + 1));
  if (e < -4 || e >= p) {
    let mant = exp.slice(0, ePos);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(e);
    return `${mant}e${e < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  let fixed = x.toFixed(Math.max(0, p - 1 - e));
  if (fixed.includes('.')) fixed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return fixed;
}

/** One line of `fasttext print-word-vectors`: the word, then each value with 5 significant digits followed by a space. */
export function formatVectorLine(word: string, v: ArrayLike<number>): string {
  let s = word + ' ';
  for (let j = 0; j < v.length; j++) s += formatG(v[j]!, 5) + ' ';
  return s;
}
