import { html, trusted } from './html.ts';

describe('html', () => {
  test('escapes every interpolated value, in text and in attributes', () => {
    const name = `<script>alert("x")</script> & 'quoted'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quoted&apos;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quoted&apos;</p>',
    );
  });

  test('nests Html as it is, joins arrays, and leaves out null, undefined and false', () => {
    const items = ['a<b', 'c'].map((i) => html`<li>${i}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });

  test('trusted markup is inserted unescaped', () => {
    expect(html`<figure>${trusted('<svg></svg>')}</figure>`.text).toBe('<figure><svg></svg></figure>');
  });
});
