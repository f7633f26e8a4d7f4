/**
 * The demo shop's pages: one sample order paid with `<cup-qr-checkout>`, in the variants users
 * ask for. Every page is served under a strict Content-Security-Policy with Trusted Types
 * required, and has no inline script or style; the one that frames the Payment Page adds
 * exactly `frame-src <the Payment Page's origin>` ({@link pageCsp}).
 */
import type { Order, PaymentMode } from '../src/server/index.js';

/** Same-origin scripts and styles only; Trusted Types required (Lit's own policy allowed). */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types lit-html',
].join('; ');

/**
 * A page's policy: {@link STRICT_CSP}, plus `frame-src` for the Payment Page's origin when the
 * page embeds it (`payment-page-target="embedded"`): what a merchant adds for that, and nothing
 * else. Without it `default-src 'self'` refuses the frame.
 */
export function pageCsp(
  page: Pick<DemoPage, 'framesPaymentPage'>,
  paymentPageOrigin: string,
): string {
  return page.framesPaymentPage ? `${STRICT_CSP}; frame-src ${paymentPageOrigin}` : STRICT_CSP;
}

export interface DemoPage {
  path: string;
  title: { zh: string; en: string };
  /** What this variant shows, one line. */
  about: { zh: string; en: string };
  /** Extra attributes on the element. */
  attributes?: string;
  /** How the shopper pays: signed into the page's payload (default `gate`, the QR code). */
  mode?: PaymentMode;
  /** The classic script instead of the ES module. */
  classic?: boolean;
  /**
   * The payload leaves the customer's names and address open: the element asks for them (its
   * customer form, loaded on demand from `cup-qr-checkout.form.js`).
   */
  askCustomer?: boolean;
  /** A class on <body> for the page's own styling. */
  bodyClass?: string;
  /** Shows the Payment Page in a frame: the page's CSP allows frames from its origin. */
  framesPaymentPage?: boolean;
  /**
   * Appended to the visitor's order reference: another way to pay is an order of its own, so
   * that a payment live on another tab is not resumed in another mode (409 attempt-conflict).
   */
  refSuffix?: string;
}

export const DEMO_PAGES: readonly DemoPage[] = [
  {
    path: '/',
    title: { zh: '银联二维码支付演示', en: 'UnionPay QR checkout demo' },
    about: {
      zh: '扫码页面打开后即开始支付；用右侧的模拟银行App完成付款。',
      en: 'The payment starts when the page opens; pay with the sandbox bank app on the right.',
    },
  },
  {
    path: '/themed',
    title: { zh: '自定义主题', en: 'Themed checkout' },
    about: {
      zh: '通过 ::part() 和 --cup-qr-* 自定义属性修改外观。',
      en: 'Restyled through ::part() and --cup-qr-* custom properties.',
    },
    bodyClass: 'themed',
  },
  {
    path: '/classic',
    title: { zh: '无需构建的经典脚本', en: 'Classic script, no build step' },
    about: {
      zh: '一个 <script> 标签即可，适用于 CMS 插件。',
      en: 'One <script> tag, as a CMS plug-in would add it.',
    },
    classic: true,
  },
  {
    path: '/classic-form',
    title: { zh: '经典脚本与客户信息表单', en: 'Classic script with the customer form' },
    about: {
      zh: '订单未提供姓名和地址：结账组件先请顾客填写（表单按需从脚本旁的文件加载）。',
      en: 'The order leaves the names and address open: the checkout asks for them first (the form loads on demand from the file beside the script).',
    },
    classic: true,
    askCustomer: true,
    refSuffix: '.form',
  },
  {
    path: '/payment-page',
    title: { zh: '支付页面模式', en: 'Payment Page mode' },
    about: {
      zh: '在 ECommPay 支付页面（沙箱）上扫码付款，结果仍实时显示在这里。',
      en: "Pay on ECommPay's Payment Page (the sandbox's); the result still shows here live.",
    },
    mode: 'payment-page',
    attributes: 'manual',
    refSuffix: '.page',
  },
  {
    path: '/payment-page-embedded',
    title: { zh: '嵌入式支付页面', en: 'Embedded Payment Page' },
    about: {
      zh: 'ECommPay 支付页面（沙箱）直接显示在结账组件里，可以关闭后重新打开；结果仍实时显示。',
      en: "ECommPay's Payment Page (the sandbox's) inside the checkout, closable and reopenable; the result still shows live.",
    },
    mode: 'payment-page',
    attributes: 'payment-page-target="embedded"',
    framesPaymentPage: true,
    refSuffix: '.frame',
  },
  {
    path: '/manual',
    title: { zh: '手动开始', en: 'Manual start' },
    about: {
      zh: '点击按钮后才开始支付。',
      en: 'The payment starts only when the shopper presses the button.',
    },
    attributes: 'manual',
  },
];

/** The sample order: a tea set, with a customer whose names and address are in Chinese. */
export function demoOrder(
  ref: string,
  publicUrl: string,
  english: boolean,
  mode?: PaymentMode,
  askCustomer = false,
): Order {
  const customer: NonNullable<Order['customer']> = {
    id: 'demo-customer-1',
    first_name: '倩文',
    last_name: '伍',
    phone: '13632264147',
    email: 'wu.qianwen@example.com',
    zip: '100020',
    country: 'CN',
    city: '北京',
    street: '朝阳区建国路88号',
  };
  if (askCustomer) {
    for (const field of ['first_name', 'last_name', 'city', 'street'] as const) {
      delete customer[field];
    }
  }
  return {
    ref,
    amount: 30000,
    currency: 'CNY',
    description: english ? 'Jingdezhen blue-and-white tea set' : '景德镇青花瓷茶具一套',
    customer,
    returnUrl: `${publicUrl}/?paid=1`,
    locale: english ? 'en' : 'zh-CN',
    ...(mode ? { mode } : {}),
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface PageData {
  payload: string;
  order: Order;
  english: boolean;
  sandboxUrl?: string;
}

export function renderPage(page: DemoPage, data: PageData): string {
  const { english, order } = data;
  const t = (text: { zh: string; en: string }): string => escapeHtml(english ? text.en : text.zh);
  const lang = english ? 'en' : 'zh-CN';
  const langQuery = english ? '?lang=en' : '';
  const nav = DEMO_PAGES.map(
    (p) =>
      `<a href="${p.path}${langQuery}"${p.path === page.path ? ' aria-current="page"' : ''}>${t(p.title)}</a>`,
  ).join('');
  const script = page.classic
    ? '<script src="/assets/cup-qr-checkout.min.js" defer></script>'
    : '<script type="module" src="/assets/cup-qr-checkout.esm.js"></script>';
  const otherLang = english
    ? `<a href="${page.path}" lang="zh-CN">中文</a>`
    : `<a href="${page.path}?lang=en" lang="en">English</a>`;
  const price = (order.amount / 100).toFixed(2);
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(page.title)} · cup-qr-checkout</title>
<link rel="stylesheet" href="/assets/demo.css">
${script}
<script type="module" src="/assets/demo.js"></script>
</head>
<body${page.bodyClass ? ` class="${page.bodyClass}"` : ''}>
<header class="shop">
  <strong>${english ? 'Demo Shop' : '示例商店'}</strong>
  <nav aria-label="${english ? 'Demo pages' : '演示页面'}">${nav}</nav>
  ${otherLang}
</header>
<main>
  <h1>${t(page.title)}</h1>
  <p class="about">${t(page.about)}</p>
  <div class="columns">
    <section class="order" aria-labelledby="order-heading">
      <h2 id="order-heading">${english ? 'Your order' : '您的订单'}</h2>
      <p>${escapeHtml(order.description)} — ¥${price}</p>
      <p class="customer">${english ? 'Ship to' : '收货人'}: ${escapeHtml(`${order.customer?.last_name ?? ''}${order.customer?.first_name ?? ''}`)}, ${escapeHtml(`${order.customer?.city ?? ''}${order.customer?.street ?? ''}`)}</p>
      <cup-qr-checkout payload="${escapeHtml(data.payload)}"${page.attributes ? ` ${page.attributes}` : ''}></cup-qr-checkout>
      <p><a href="${page.path}?new=1${english ? '&amp;lang=en' : ''}">${english ? 'Start a new order' : '新建订单'}</a></p>
    </section>
    <aside class="phone" aria-labelledby="phone-heading">
      <h2 id="phone-heading">${english ? 'Sandbox bank app' : '模拟银行App'}</h2>
      <p id="phone-hint">${
        data.sandboxUrl
          ? english
            ? 'When the QR code appears, open it here as a phone would after scanning.'
            : '二维码出现后，可在此打开它，就像手机扫码一样。'
          : english
            ? 'Connected to the real ECommPay platform: scan the code with a real bank app.'
            : '已连接真实的 ECommPay 平台：请用真实的银行App扫码。'
      }</p>
      <p><a id="open-bank-app" target="_blank" rel="noopener" hidden>${english ? 'Open the scanned link (bank app)' : '打开扫码链接（银行App）'}</a></p>
      <h3>${english ? 'Events' : '事件'}</h3>
      <ol id="event-log" aria-live="off"></ol>
    </aside>
  </div>
</main>
</body>
</html>
`;
}
