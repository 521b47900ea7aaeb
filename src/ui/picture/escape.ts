// Text in the picture is user input (machine names, engine labels, service names, scheduler reasons):
// every piece goes through xmlText before it reaches the SVG or HTML.

/**
 * Escapes for XML text and attribute values, and replaces what XML 1.0 cannot hold (control
 * characters other than tab/newline, lone surrogates) with U+FFFD, so an odd label cannot make the
 * whole file unreadable to an XML parser.
 */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** At most `max` characters (code points), the last one an ellipsis when cut; escaped. */
export function fitText(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return xmlText(s);
  return max <= 1 ? '…' : xmlText(chars.slice(0, max - 1).join('') + '…');
}
