// The sandbox's Payment Page opened with links as ECommPay's own code builds them: the JS SDK
// (`ecommpay` on npm) run here, the Python, PHP and Go SDKs' links from the fixture that
// scripts/sdk-payment-pages/ made with their PaymentPage classes, and the plug-ins' additions
// after signing (`_plugin_version`) and merchant.js's (`frame_mode`, `_referrer`). Booleans are
// signed as 1/0 but written true/True; `_` parameters are not signed; interface_type is each
// SDK's JSON text. Real HTTP, real signatures, the real receiver for the payment made of one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { statusOf } from '../../helpers/receiver.js';
import {
  PAGE_CUSTOMER,
  paymentPageUrl,
  PROJECT_ID,
  SECRET_KEY,
  setup,
} from '../../helpers/sandbox.js';

interface Fixture {
  secret: string;
  projectId: number;
  base: string;
  cases: {
    name: string;
    params: Record<string, string | number | boolean>;
    urls: Record<'python' | 'php' | 'go', string>;
  }[];
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('../../fixtures/sdk-payment-pages.json', import.meta.url), 'utf8'),
) as Fixture;

/** The JS SDK's Payment (CommonJS): `new Payment(projectId, salt, params, baseUrl).getUrl()`. */
const Payment = createRequire(import.meta.url)('ecommpay/src/payment.js') as new (
  projectId: number,
  salt: string,
  params: Record<string, unknown>,
  url: string,
) => { getUrl(): string; params: Record<string, unknown> };

/** A CUP QR link as the JS SDK builds it, with the booleans a shop sets. */
function jsSdkUrl(base: string, params: Record<string, unknown> = {}): string {
  return new Payment(
    PROJECT_ID,
    SECRET_KEY,
    {
      payment_id: 'js-1',
      payment_amount: 30000,
      payment_currency: 'CNY',
      payment_description: '机械键盘 keyboard',
      force_payment_method: 'cup-qr',
      close_on_missclick: true,
      redirect: false,
      ...PAGE_CUSTOMER,
      ...params,
    },
    base,
  ).getUrl();
}

async function open(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, html: await response.text() };
}

describe('the Payment Page takes links as the official SDKs build them', () => {
  it('the JS SDK: booleans written true/false, interface_type {"id":22}: 200', async (t) => {
    const { sandbox } = await setup(t);
    const url = jsSdkUrl(sandbox.url);
    const query = new URL(url).searchParams;
    assert.equal(query.get('close_on_missclick'), 'true', 'the SDK writes true');
    assert.equal(query.get('redirect'), 'false');
    assert.equal(query.get('interface_type'), '{"id":22}');
    const { status, html } = await open(url);
    assert.equal(status, 200, html);
    assert.match(html, /name="bank"/, 'the bank list (force_payment_method=cup-qr)');
  });

  for (const sdk of ['python', 'php', 'go'] as const) {
    it(`the ${sdk} SDK's own links (fixture): 200 for each`, async (t) => {
      const { sandbox } = await setup(t);
      assert.equal(FIXTURE.secret, SECRET_KEY);
      assert.equal(FIXTURE.projectId, PROJECT_ID);
      for (const { name, urls } of FIXTURE.cases) {
        const url = urls[sdk].replace(FIXTURE.base, `${sandbox.url}/payment`);
        const { status, html } = await open(url);
        assert.equal(status, 200, `${sdk}, ${name}: ${html}`);
      }
    });
  }

  it('what each SDK writes differs from what it signs, as PROTOCOL.md §4 says', () => {
    const written = (sdk: 'python' | 'php' | 'go', name: string): string | null =>
      new URL(FIXTURE.cases[0].urls[sdk]).searchParams.get(name);
    assert.equal(written('python', 'close_on_missclick'), 'True');
    assert.equal(written('go', 'close_on_missclick'), 'true');
    assert.equal(written('php', 'close_on_missclick'), '1');
    assert.equal(written('python', 'interface_type'), '{"id": 24}');
    assert.equal(written('go', 'interface_type'), '{"id": 20}');
    assert.equal(written('php', 'interface_type'), '{"id":23}');
  });

  it('parameters starting with _ are not signed: _plugin_version after signing, _referrer', async (t) => {
    const { sandbox } = await setup(t);
    const url = `${jsSdkUrl(sandbox.url)}&_plugin_version=3.5.0&_referrer=${encodeURIComponent('https://shop.example/checkout')}`;
    assert.equal((await open(url)).status, 200);
    // Python and PHP links with the plug-ins' addition too.
    for (const sdk of ['python', 'php'] as const) {
      const link = `${FIXTURE.cases[2].urls[sdk].replace(FIXTURE.base, `${sandbox.url}/payment`)}&_plugin_version=5.0.1`;
      assert.equal((await open(link)).status, 200, sdk);
    }
  });

  it('frame_mode=iframe (merchant.js, the element) gives a layout for a frame', async (t) => {
    const { sandbox } = await setup(t);
    const plain = await open(jsSdkUrl(sandbox.url));
    assert.match(plain.html, /<body>/);
    const framed = await open(`${jsSdkUrl(sandbox.url)}&frame_mode=iframe`);
    assert.equal(framed.status, 200);
    assert.match(framed.html, /<body class="framed">/);
    assert.doesNotMatch(framed.html, /<script/, 'no script without a page to tell');
    const told = await open(
      `${jsSdkUrl(sandbox.url)}&frame_mode=popup&_referrer=${encodeURIComponent('https://shop.example/pay?x=1')}`,
    );
    assert.match(told.html, /<body class="framed" data-parent-origin="https:\/\/shop.example">/);
    assert.match(told.html, /<script src="\/assets\/payment-page.js" defer><\/script>/);
  });

  it('a JS SDK link with booleans takes a whole payment: bank chosen, callbacks sent', async (t) => {
    const { sandbox, receiver } = await setup(t);
    const url = `${jsSdkUrl(sandbox.url, { payment_id: 'js-pay' })}&_plugin_version=1.0`;
    const page = await open(url);
    const q = /name="q" value="([^"]*)"/.exec(page.html)![1].replaceAll('&amp;', '&');
    const chosen = await fetch(`${sandbox.url}/payment/bank`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q, bank: 'icbc' }).toString(),
      redirect: 'manual',
    });
    assert.equal(chosen.status, 303);
    const payment = sandbox.control.payment(PROJECT_ID, 'js-pay')!;
    assert.equal(payment.status, 'awaiting customer action');
    await sandbox.control.approve(PROJECT_ID, 'js-pay');
    const got = await receiver.waitFor((r) => r.length === 2, 'both callbacks');
    assert.deepEqual(
      got.map((c) => [statusOf(c.body), c.verified]),
      [
        ['awaiting customer action', true],
        ['success', true],
      ],
    );
    // The same signed link again, with another unsigned part: back to its payment.
    const again = await open(url.replace('_plugin_version=1.0', '_plugin_version=2.0'));
    assert.equal(again.status, 303);
  });
});

describe('and still refuses what the signature does not cover', () => {
  it('a boolean changed after signing, in either writing: 401', async (t) => {
    const { sandbox } = await setup(t);
    const url = jsSdkUrl(sandbox.url);
    for (const [from, to] of [
      ['close_on_missclick=true', 'close_on_missclick=false'],
      ['close_on_missclick=true', 'close_on_missclick=0'],
      ['redirect=false', 'redirect=True'],
    ]) {
      const { status, html } = await open(url.replace(from, to));
      assert.equal(status, 401, `${to}: ${html}`);
      assert.match(html, /nor with true\/false read as 1\/0/);
    }
  });

  it('a signed parameter moved under a _ name is no longer signed data: 401', async (t) => {
    const { sandbox } = await setup(t);
    const url = jsSdkUrl(sandbox.url).replace('payment_description=', '_payment_description=');
    assert.equal((await open(url)).status, 401);
    // And a _ parameter changes nothing the page uses: the amount is the signed one.
    const { html } = await open(`${jsSdkUrl(sandbox.url)}&_payment_amount=1`);
    assert.match(html, /¥300\.00 CNY/);
  });

  it('interface_type that is not {"id": N} and an unknown frame_mode: 400 naming them', async (t) => {
    const { sandbox } = await setup(t);
    for (const [value, problem] of [
      ['not json', /interface_type: a JSON object with an integer id/],
      ['{"id":"22"}', /interface_type: a JSON object with an integer id/],
    ] as const) {
      const { status, html } = await open(
        paymentPageUrl(sandbox.url, { interface_type: value, payment_id: 'it-1' }),
      );
      assert.equal(status, 400);
      assert.match(html, problem);
    }
    const { status, html } = await open(`${jsSdkUrl(sandbox.url)}&frame_mode=modal`);
    assert.equal(status, 400);
    assert.match(html, /frame_mode: iframe or popup \(got &quot;modal&quot;\)/);
    assert.equal(sandbox.control.payments().length, 0);
  });
});
