import { describe, expect, it } from 'vitest';
import { escapeHtml, html, jsonForScript, raw } from './safe-html.js';

describe('html', () => {
  it('escapes interpolations, joins arrays, drops null/undefined/false and keeps SafeHtml', () => {
    const items = ['<a>', 'b&c'];
    const out = html`<p title="${'"q"'}">${items.map((i) => html`<i>${i}</i>`)}${null}${undefined}${false}${raw('<br>')}${0}</p>`;
    expect(out.value).toBe('<p title="&quot;q&quot;"><i>&lt;a&gt;</i><i>b&amp;c</i><br>0</p>');
  });

  it('escapes single quotes too', () => {
    expect(escapeHtml("it's")).toBe('it&#39;s');
  });
});

describe('jsonForScript', () => {
  it('cannot close a script tag and parses back to the same value', () => {
    const value = { notes: '</script><script>alert(1)</script><!-- & \u2028', n: [1.5, -2] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('writes infinities as strings and typed arrays as arrays', () => {
    expect(JSON.parse(jsonForScript({ pf: Infinity, lo: -Infinity, a: Float64Array.from([1, 2]) }))).toEqual({
      pf: 'Infinity',
      lo: '-Infinity',
      a: [1, 2],
    });
  });
});
