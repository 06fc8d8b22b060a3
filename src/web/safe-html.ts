/**
 * HTML built from template literals where every interpolated value is escaped unless it is
 * already {@link SafeHtml}. Pages are built only through {@link html}, so text from the
 * database (notes, symbols, paths) can never become markup.
 */

/** A string known to be safe HTML: produced by {@link html} or marked with {@link raw}. */
export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML content and quoted attribute values. Control characters other than
 * tab and line breaks (escape sequences, bells: possible in text other programs stored) are
 * shown as `\u001b`-style escapes rather than passed on invisibly.
 *
 * @example
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string)
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolation; arrays are concatenated, and `null`,
 * `undefined` and `false` render as nothing (handy for conditional parts).
 *
 * @example
 * html`<td>${row.notes}</td>`; // notes are escaped
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] as string);
  return new SafeHtml(out);
}

/**
 * Marks trusted markup (our own CSS and scripts) as safe; never pass request or database text.
 *
 * @example
 * html`<style>${raw(css)}</style>`;
 */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * JSON for a `<script type="application/json">` tag. `<`, `>`, `&` and the two JavaScript line
 * separators are written as `\u` escapes, so a value containing `</script>` or `<!--` cannot end
 * the tag early; `JSON.parse` restores them unchanged. `±Infinity` is written as the strings
 * `"Infinity"`/`"-Infinity"` (JSON has no infinity, and `null` means "undefined" in metrics).
 *
 * @example
 * jsonForScript({ notes: '</script>' }); // '{"notes":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item === Number.POSITIVE_INFINITY) return 'Infinity';
    if (item === Number.NEGATIVE_INFINITY) return '-Infinity';
    if (item instanceof Float64Array) return Array.from(item);
    return item;
  });
  return text.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
