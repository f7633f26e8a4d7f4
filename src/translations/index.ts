/**
 * Locale choice and the merchant's overrides. `zh*` means Simplified Chinese, anything else
 * English; with no locale at all the element speaks Chinese (its shoppers read Chinese first).
 * The Chinese table is imported here, in every bundle; the English one (en.ts) is not: it loads
 * on demand (src/element/locale-words.ts), so a Chinese page never downloads it.
 */
import zhCN from './zh-CN.js';
import type { CustomerFormWordKey, Translation, TranslationOverrides } from './types.js';

export type {
  CustomerFormTranslation,
  CustomerFormWordKey,
  Translation,
  TranslationOverrides,
} from './types.js';
export { zhCN };

export type SupportedLocale = 'zh-CN' | 'en';

/** `zh`, `zh-Hans`, `zh-CN`, `ZH_cn` → `zh-CN`; any other non-empty tag → `en`; none → `zh-CN`. */
export function resolveLocale(...candidates: (string | null | undefined)[]): SupportedLocale {
  for (const candidate of candidates) {
    const tag = candidate?.trim();
    if (!tag) continue;
    return /^zh(?:[-_]|$)/i.test(tag) ? 'zh-CN' : 'en';
  }
  return 'zh-CN';
}

/** The form's words, which the tables here leave to the form (en-form.ts): still overridable. */
const FORM_WORDS: readonly string[] = [
  'customerSubmit',
  'customerLabels',
  'customerHints',
  'customerChooseCountry',
  'customerCountryNames',
  'customerErrors',
  'customerErrorCount',
] satisfies CustomerFormWordKey[];

/** The table `base` with `overrides` on top (unknown keys and `undefined` values ignored). */
export function withOverrides(
  base: Translation,
  overrides?: TranslationOverrides | null,
): Translation {
  if (!overrides) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (
      (Object.hasOwn(base, key) || FORM_WORDS.includes(key)) &&
      key !== 'locale' &&
      value !== undefined
    )
      merged[key] = value;
  }
  return merged as unknown as Translation;
}
