// The Payment Page links of the fixture: CUP QR payments as a shop would open them, with the
// booleans the SDKs write differently from how they sign them. Values keep their JSON types, so
// each SDK gets a real boolean, integer or text.
export const SECRET_KEY = 'sandbox-test-secret';
export const PROJECT_ID = 200;
/** The links are built on this base; the test points them at its own sandbox. */
export const BASE_URL = 'http://sandbox.invalid/payment';

const customer = {
  customer_id: 'c-77',
  customer_first_name: '伍',
  customer_last_name: '倩文',
  customer_email: 'wu@example.com',
  customer_phone: '13632264147',
  customer_country: 'CN',
  customer_city: '北京',
  customer_street: '建国路88号',
  customer_zip: '100022',
};

/** `payment_id` is made unique per SDK by the runners (`<id>-<sdk>`). */
export const CASES = [
  {
    name: 'cup-qr with booleans true',
    params: {
      payment_id: 'sdk-true',
      payment_amount: 30000,
      payment_currency: 'CNY',
      payment_description: '机械键盘 keyboard',
      force_payment_method: 'cup-qr',
      language_code: 'zh',
      merchant_success_url: 'http://127.0.0.1:8080/thanks',
      close_on_missclick: true,
      force_acs_new_window: true,
      ...customer,
    },
  },
  {
    name: 'cup-qr with booleans false, no forced method',
    params: {
      payment_id: 'sdk-false',
      payment_amount: 12345,
      payment_currency: 'CNY',
      payment_description: 'Tea, 1 kg',
      redirect: false,
      recurring_register: false,
      ...customer,
    },
  },
  {
    name: 'cup-qr without booleans (the sandbox verified these before)',
    params: {
      payment_id: 'sdk-plain',
      payment_amount: 100,
      payment_currency: 'CNY',
      payment_description: '茶',
      force_payment_method: 'cup-qr',
      ...customer,
    },
  },
];
