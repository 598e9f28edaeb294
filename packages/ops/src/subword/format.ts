/**
 * Numbers as fastText prints them: C++ ostream defaults, i.e. printf's %g with a
 * given precision (6 by default; fastText sets 5 for vectors, 3 for test figures):
 * trailing zeros dropped, scientific notation when the exponent is < -4 or >= precision.
 */

export function formatG(x: number, precision = 6): string {
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
