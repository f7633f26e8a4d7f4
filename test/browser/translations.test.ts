import { expect } from '@open-wc/testing';
import { loadTranslation } from '../../src/element/locale-words.js';
import en from '../../src/translations/en.js';
import { resolveLocale, zhCN } from '../../src/translations/index.js';
import type { Translation } from '../../src/translations/index.js';
import enForm from '../../src/translations/en-form.js';
import zhCNForm from '../../src/translations/zh-CN-form.js';

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
    expect(Object.keys(enForm).sort()).to.deep.equal(Object.keys(zhCNForm).sort());
    for (const table of [zhCN, en, zhCNForm, enForm] as object[]) {
      for (const [key, value] of Object.entries(table)) {
        if (typeof value === 'string') expect(value, key).to.not.equal('');
      }
    }
  });

  it('speaks natural Chinese', () => {
    expect(zhCN.instructions).to.equal('请打开云闪付或手机银行App，“扫一扫”完成付款');
    expect(zhCN.qrLabel).to.equal('银联支付二维码');
    expect(zhCN.starting).to.equal('正在发起支付…');
    expect(zhCN.expired).to.equal('二维码已失效');
    expect(zhCN.newCode).to.equal('刷新二维码');
    expect(zhCN.declineDetail).to.equal('付款未成功，未产生扣款。可刷新二维码后重新付款。');
    expect(zhCN.errorDetail).to.equal('支付遇到问题，请稍后再试。');
    expect(zhCN.customerIntro).to.equal('根据银联要求，付款前请填写以下信息。');
    expect(zhCNForm.customerHints.phone).to.equal('请填写手机号码，例如：13800138000');
    expect(zhCNForm.customerCountryNames).to.deep.equal({
      TW: '中国台湾',
      HK: '中国香港',
      MO: '中国澳门',
    });
    expect(zhCN.success).to.equal('支付成功');
    expect(zhCN.decline).to.equal('支付失败');
    expect(zhCN.reconnecting).to.contain('正在重新连接…');
    expect(zhCN.remainingSpoken(1, 0)).to.equal('二维码将在1分钟后失效');
    expect(zhCN.remainingSpoken(0, 15)).to.equal('二维码将在15秒后失效');
    expect(zhCN.reason('20000', 'Decline by bank')).to.equal('（错误码 20000）');
    expect(zhCN.amountSpoken('300.00', 'CNY')).to.equal('300.00元');
  });

  it('says 商家 for the merchant, names ECommPay’s cashier, never says long-press', () => {
    const all = JSON.stringify(
      Object.fromEntries(
        Object.entries({ ...zhCN, ...zhCNForm } as Translation).map(([k, v]) => [
          k,
          typeof v === 'function' ? [v(true), v('20000', 'x'), v(1, 2)].join() : v,
        ]),
      ),
    );
    const errors = ['payload-expired', 'origin-refused', 'attempts-exhausted']
      .map((code) => zhCN.errorFor(code))
      .join();
    expect(all + errors).to.not.match(/商户|长按|银联收银台/);
    expect(errors).to.contain('商家');
    expect(zhCN.paymentPageTitle).to.equal('ECommPay收银台');
    expect(en.paymentPageButton).to.equal('Continue to the payment page');
    expect(en.remainingSpoken(9, 0)).to.equal('The QR code expires in 9 minutes');
    expect(en.declineDetail).to.contain('Get a new QR code to try again');
    expect(en.amountSpoken('300.00', 'CNY')).to.equal('300.00 Chinese yuan');
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

  it('lets each string be overridden, ignoring unknown keys and undefined', async () => {
    const t = await loadTranslation('en', {
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
    expect(await loadTranslation('zh-CN')).to.equal(zhCN);
    // Overrides parsed from JSON may carry `__proto__` as a key: it is no word of the table.
    const hostile = await loadTranslation(
      'zh-CN',
      JSON.parse('{"__proto__": {"title": "x", "polluted": true}, "success": "好"}'),
    );
    expect(Object.getPrototypeOf(hostile)).to.equal(Object.prototype);
    expect(hostile.title).to.equal(zhCN.title);
    expect(hostile.success).to.equal('好');
    // The English table is the companion's, loaded once for the page.
    expect(await loadTranslation('en')).to.equal(en);
  });
});
