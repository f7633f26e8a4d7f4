/**
 * The English words of the customer form (en.ts holds the rest): they load with the form
 * (its companion file), not with the first paint; zh-CN-form.ts has the same keys.
 */
import type { CustomerFormTranslation } from './types.js';

const enForm: CustomerFormTranslation = {
  customerSubmit: 'Continue to payment',
  customerLabels: {
    last_name: 'Family name',
    first_name: 'Given name',
    phone: 'Mobile phone',
    email: 'Email',
    country: 'Country or region',
    zip: 'Postal code',
    city: 'City',
    street: 'Street address',
  },
  customerHints: {
    last_name: 'Chinese characters preferred, e.g. 张; pinyin is fine',
    first_name: 'Chinese characters preferred, e.g. 三; pinyin is fine',
    phone: 'Your mobile number, e.g. 13800138000',
    city: 'Chinese preferred, e.g. 北京市; Latin letters are fine',
    street: 'Chinese preferred, e.g. 长安街1号; Latin letters are fine',
  },
  customerChooseCountry: 'Choose…',
  customerCountryNames: {},
  customerErrors: {
    required: 'Please fill in this field.',
    'too-long': 'Too long: at most 255 characters.',
    name: 'Write the name in Chinese characters or Latin letters (pinyin).',
    address: 'Write this in Chinese characters or Latin letters.',
    phone: 'Enter a phone number of 4 to 24 digits.',
    email: 'Enter a valid email address, such as name@example.com.',
    country: 'Choose a country or region.',
    zip: 'Use 2 to 10 letters or digits.',
    fixed: 'The shop has already filled this in.',
    invalid: 'This value is not valid.',
    'invalid-character': 'Remove the semicolon (;): it cannot be sent with the payment.',
  },
  customerErrorCount: (count) =>
    count === 1 ? '1 field needs your attention.' : `${count} fields need your attention.`,
};

export default enForm;
