import { expect } from '@open-wc/testing';
import { en, resolveLocale, translate, zhCN } from '../../src/translations/index.js';
import type { Translation } from '../../src/translations/index.js';

describe('translations', () => {
  it('chooses zh-CN for zh* tags, en for others, zh-CN when nothing is set', () => {
    expect(resolveLocale('zh')).to.equal('zh-CN');
    expect(resolveLocale('zh-Hans-CN')).to.equal('zh-CN');
    expect(resolveLocale('ZH_tw')).to.equal('zh-CN');
    expect(resolveLocale('en-GB')).to.equal('en');
    expect(resolveLocale('de')).to.equal('en');
    expect(resolveLocale('zhx')).to.equal('en');
    expect(resolveLocale(undefined, '', null)).to.equal('zh-CN');
    expect(resolveLocale(undefined, 'en', 'zh-CN')).to.equal('en');
  });

  it('has the same keys in every table, none empty', () => {
    const keys = Object.keys(zhCN).sort();
    expect(Object.keys(en).sort()).to.deep.equal(keys);
    for (const table of [zhCN, en] as Translation[]) {
      for (const [key, value] of Object.entries(table)) {
        if (typeof value === 'string') expect(value, key).to.not.equal('');
      }
    }
  });

  it('speaks natural Chinese', () => {
    expect(zhCN.instructions).to.equal('请使用银行App或云闪付扫描二维码付款');
    expect(zhCN.expired).to.equal('二维码已过期');
    expect(zhCN.newCode).to.equal('获取新二维码');
    expect(zhCN.success).to.equal('支付成功');
    expect(zhCN.decline).to.equal('支付失败');
    expect(zhCN.reconnecting).to.contain('正在重新连接…');
    expect(zhCN.remainingSpoken(1, 0)).to.equal('二维码还剩 1 分钟有效');
    expect(zhCN.remainingSpoken(0, 15)).to.equal('二维码还剩 15 秒有效');
  });

  it('explains, in both languages, the errors a shopper can act on', () => {
    // Reload, wait, go to the shop's own site, or contact the shop: each has its own words.
    const actionable = [
      'payload-expired',
      'attempts-exhausted',
      'rate-limited',
      'origin-refused',
      'gate-unavailable',
      'network',
      'payload-invalid',
    ];
    for (const table of [zhCN, en] as Translation[]) {
      const said = actionable.map((code) => table.errorFor(code));
      for (const [i, text] of said.entries()) expect(text, actionable[i]).to.be.a('string');
      expect(new Set(said).size, table.locale).to.be.greaterThan(4);
      // Anything else falls back to the generic detail and the server's own message.
      expect(table.errorFor('internal')).to.equal(undefined);
    }
    expect(zhCN.errorFor('rate-limited')).to.contain('稍等');
    expect(en.errorFor('origin-refused')).to.contain("shop's own website");
  });

  it('says "expired" in its own words, not "failed"', () => {
    expect(en.expired).to.not.match(/fail|declin/i);
    expect(zhCN.expired).to.not.contain('失败');
  });

  it('lets each string be overridden, ignoring unknown keys and undefined', () => {
    const t = translate('en', {
      success: 'Paid!',
      remaining: (clock) => `T-${clock}`,
      decline: undefined,
      ...({ bogus: 'x', locale: 'fr' } as object),
    });
    expect(t.success).to.equal('Paid!');
    expect(t.remaining('1:00')).to.equal('T-1:00');
    expect(t.decline).to.equal(en.decline);
    expect(t.locale).to.equal('en');
    expect((t as unknown as Record<string, unknown>).bogus).to.equal(undefined);
    expect(translate('zh-CN')).to.equal(zhCN);
  });
});
