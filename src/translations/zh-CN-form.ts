/**
 * The Chinese words of the customer form (zh-CN.ts holds the rest): they load with the form
 * (its companion file), not with the first paint; en-form.ts has the same keys.
 */
import type { CustomerFormTranslation } from './types.js';

const zhCNForm: CustomerFormTranslation = {
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
    phone: '请填写手机号码，例如：13800138000',
    city: '请尽量用汉字，例如：北京市；也可填英文',
    street: '请尽量用汉字，例如：长安街1号；也可填英文',
  },
  customerChooseCountry: '请选择…',
  customerCountryNames: { TW: '中国台湾', HK: '中国香港', MO: '中国澳门' },
  customerErrors: {
    required: '请填写此项。',
    'too-long': '内容过长，最多 255 个字符。',
    name: '请用汉字或拼音填写姓名。',
    address: '请用汉字或英文字母填写。',
    phone: '请填写正确的电话号码（4 到 24 位数字）。',
    email: '请填写有效的电子邮箱，例如 name@example.com。',
    country: '请选择国家或地区。',
    zip: '请填写 2 到 10 位字母或数字。',
    fixed: '商家已设定此项。',
    invalid: '此项填写有误。',
    'invalid-character': '请删除英文分号“;”，该字符无法随付款信息提交。',
  },
  customerErrorCount: (count) => `有 ${count} 项信息需要修改。`,
};

export default zhCNForm;
