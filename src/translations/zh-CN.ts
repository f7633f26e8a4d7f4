/**
 * The Chinese words of the element (zh-CN, the default locale): what a shopper in mainland China
 * reads at checkout. en.ts has the same keys; translations.test.ts keeps both complete.
 */
import type { Translation } from './types.js';

const zhCN: Translation = {
  locale: 'zh-CN',
  checkoutLabel: '银联二维码支付',
  qrLabel: '付款二维码',
  title: '银联扫码支付',
  instructions: '请使用银行App或云闪付扫描二维码付款',
  idle: '准备好后即可开始付款',
  startButton: '开始付款',
  starting: '正在创建订单…',
  pending: '正在生成二维码…',
  loading: '加载中',
  remaining: (clock) => `剩余 ${clock}`,
  remainingSpoken: (minutes, seconds) => {
    if (minutes > 0 && seconds > 0) return `二维码还剩 ${minutes} 分 ${seconds} 秒有效`;
    if (minutes > 0) return `二维码还剩 ${minutes} 分钟有效`;
    return `二维码还剩 ${seconds} 秒有效`;
  },
  success: '支付成功',
  successDetail: '感谢您的付款。',
  decline: '支付失败',
  declineDetail: '付款未完成，您的账户未被扣款。可以重新获取二维码再试一次。',
  expired: '二维码已过期',
  expiredDetail: '二维码已超过有效时间，请获取新二维码后重新扫描。',
  error: '暂时无法完成支付',
  errorDetail: '出现了问题，请稍后重试。',
  errorFor: (code) => {
    switch (code) {
      case 'payload-expired':
        return '付款信息已过期，请刷新页面后重试。';
      case 'attempts-exhausted':
        return '尝试次数过多，请联系商家。';
      case 'rate-limited':
      case 'too-many-tokens':
        return '尝试过于频繁，请稍等一分钟后重试。';
      case 'origin-refused':
        return '此页面无法发起支付，请在商户网站上付款。';
      case 'gate-unavailable':
      case 'network':
      case 'request-timeout':
        return '支付服务暂时无法连接，请稍后重试。';
      case 'payload-invalid':
      case 'order-conflict':
        return '订单信息无效，请刷新页面后重试。';
      case 'attempt-conflict':
        return '此订单已有一笔使用其他信息的付款正在进行。请在原页面完成付款，或待其结束后再试。';
      default:
        return undefined;
    }
  },
  newCode: '获取新二维码',
  retry: '重试',
  reconnecting: '网络连接中断，正在重新连接…',
  openInApp: '在银行App中打开',
  copyLink: '复制付款链接',
  copied: '链接已复制',
  copyFailed: '复制失败，请长按二维码保存',
  saveImage: '保存二维码图片',
  paymentPageInstructions: '请在银联收银台页面用银行App或云闪付扫码付款，付款结果会在这里显示。',
  paymentPageButton: '前往银联收银台付款',
  paymentPageOpened: '已在新窗口打开收银台，请在该页面完成付款。',
  paymentPageBlocked: '无法打开新窗口，正在跳转到收银台…',
  paymentPageTitle: '银联收银台',
  paymentPageClose: '关闭收银台',
  paymentPageClosed: '收银台已关闭，这笔付款仍可继续。',
  reason: (code, message) => {
    const parts = [message, code ? `代码 ${code}` : undefined].filter(Boolean);
    return parts.length > 0 ? `（${parts.join('，')}）` : '';
  },
  amountLabel: '应付金额',
  resumed: '已恢复之前的付款',
  customerTitle: '付款人信息',
  customerIntro: '银联支付需要以下信息。',
  customerSubmit: '继续付款',
  customerLabels: {
    last_name: '姓',
    first_name: '名',
    phone: '手机号码',
    email: '电子邮箱',
    country: '国家或地区',
    zip: '邮政编码',
    city: '城市',
    street: '详细地址',
  },
  customerHints: {
    last_name: '请尽量用汉字，例如：张；也可填拼音',
    first_name: '请尽量用汉字，例如：三；也可填拼音',
    phone: '例如：138 0013 8000，可含 +86、空格或“-”',
    city: '请尽量用汉字，例如：北京市；也可填英文',
    street: '请尽量用汉字，例如：长安街1号；也可填英文',
  },
  customerChooseCountry: '请选择…',
  customerErrors: {
    required: '请填写此项。',
    'too-long': '内容过长，最多 255 个字符。',
    name: '请用汉字或拼音填写姓名。',
    address: '请用汉字或英文字母填写。',
    phone: '请填写 4 到 24 位数字的电话号码。',
    email: '请输入有效的电子邮箱，例如 name@example.com。',
    country: '请选择国家或地区。',
    zip: '请填写 2 到 10 位字母或数字。',
    fixed: '商家已设定此项。',
    invalid: '此项无效。',
    'invalid-character': '请删除英文分号“;”，它无法随付款信息提交。',
  },
  customerErrorCount: (count) => `有 ${count} 项需要修改。`,
};

export default zhCN;
