/**
 * The Chinese words of the element (zh-CN, the default locale): what a shopper in mainland China
 * reads at checkout. en.ts has the same keys; translations.test.ts keeps both complete.
 */
import type { Translation } from './types.js';

/** `9分42秒`, `9分钟`, `15秒`: a duration as Chinese says it (never `9:42`, a clock time). */
function duration(minutes: number, seconds: number): string {
  if (minutes > 0 && seconds > 0) return `${minutes}分${seconds}秒`;
  if (minutes > 0) return `${minutes}分钟`;
  return `${seconds}秒`;
}

const zhCN: Translation = {
  locale: 'zh-CN',
  checkoutLabel: '银联二维码支付',
  qrLabel: '银联支付二维码',
  title: '银联扫码支付',
  instructions: '请打开云闪付或手机银行App，“扫一扫”完成付款',
  samePhone: (link) =>
    `在本机付款：保存二维码图片，打开云闪付或手机银行App，点“扫一扫”，从相册选择该图片${
      link ? '；也可直接打开付款链接' : ''
    }。`,
  idle: '订单信息就绪后即可付款',
  startButton: '开始付款',
  starting: '正在发起支付…',
  pending: '正在生成二维码…',
  loading: '加载中',
  remaining: (clock) => `剩余 ${clock}`,
  remainingAccessible: (minutes, seconds) => `剩余${duration(minutes, seconds)}`,
  remainingSpoken: (minutes, seconds) => `二维码将在${duration(minutes, seconds)}后失效`,
  success: '支付成功',
  successDetail: '感谢您的付款。',
  decline: '支付失败',
  declineDetail: '付款未成功，未产生扣款。可刷新二维码后重新付款。',
  expired: '二维码已失效',
  expiredDetail: '二维码已超过有效时间，请刷新二维码后重新扫码。',
  error: '暂时无法完成支付',
  errorDetail: '支付遇到问题，请稍后再试。',
  errorFor: (code) => {
    switch (code) {
      case 'payload-expired':
        return '订单信息已过期，请刷新页面后重试。';
      case 'attempts-exhausted':
        return '尝试次数过多，请联系商家。';
      case 'rate-limited':
      case 'too-many-tokens':
        return '操作过于频繁，请稍等一分钟后再试。';
      case 'origin-refused':
        return '当前页面无法发起支付，请在商家的官方网站上付款。';
      case 'gate-unavailable':
      case 'network':
      case 'request-timeout':
        return '暂时无法连接支付服务，请稍后再试。';
      case 'payload-invalid':
      case 'order-conflict':
        return '订单信息有误，请刷新页面后重试。';
      case 'attempt-conflict':
        return '此订单已有另一笔付款正在进行。请在原页面完成付款，或等待其结束后再试。';
      default:
        return undefined;
    }
  },
  newCode: '刷新二维码',
  retry: '重试',
  reconnecting: '网络连接中断，正在重新连接…',
  openInApp: '打开付款链接',
  copyLink: '复制付款链接',
  copied: '链接已复制，可粘贴到浏览器中打开并付款。',
  copyFailed: '复制失败，请保存二维码图片后付款。',
  saveImage: '保存二维码图片',
  saved:
    '二维码图片已保存。请打开云闪付或手机银行App，点击“扫一扫”，从相册中选择这张图片完成付款。',
  paymentPageInstructions:
    '请在ECommPay收银台用云闪付或手机银行App扫码付款，付款结果会在这里显示。',
  paymentPageButton: '前往收银台付款',
  paymentPageOpened: '已在新窗口打开收银台，请在该页面完成付款。',
  paymentPageBlocked: '无法打开新窗口，正在前往收银台…',
  paymentPageTitle: 'ECommPay收银台',
  paymentPageClose: '关闭收银台',
  paymentPageClosed: '收银台已关闭，这笔付款仍可继续。',
  // The platform's message is English: only its code is shown here.
  reason: (code) => (code ? `（错误码 ${code}）` : ''),
  amountLabel: '应付金额',
  amountSpoken: (amount, currency) =>
    currency === 'CNY' ? `${amount}元` : `${amount} ${currency}`,
  resumed: '已恢复您之前未完成的付款',
  customerTitle: '付款人信息',
  customerIntro: '根据银联要求，付款前请填写以下信息。',
};

export default zhCN;
