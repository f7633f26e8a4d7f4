/**
 * Chinese inside English text marked `lang="zh-CN"`: the examples of the form's hints (`e.g.
 * 张`) and the app's name in the instructions (`云闪付`), so that a screen reader reads them
 * with a Chinese voice, not letter by letter or as "unknown". Chinese text is left alone: its
 * Latin words (App, +86, an email) are no other language.
 */
import { html, type TemplateResult } from 'lit';

/** A run of Han characters, with the digits inside it (`长安街1号`). */
const HAN_RUN = /(\p{Script=Han}(?:[\p{Script=Han}0-9]*\p{Script=Han})?)/u;

/** `text` as it is in a Chinese table; in another, its Chinese runs wrapped in `lang="zh-CN"`. */
export function markChinese(text: string, locale: string): string | (string | TemplateResult)[] {
  if (locale.startsWith('zh') || !HAN_RUN.test(text)) return text;
  // Split with a capture group: the odd items are the Chinese runs.
  return text
    .split(HAN_RUN)
    .map((piece, i) => (i % 2 === 1 ? html`<span lang="zh-CN">${piece}</span>` : piece));
}
