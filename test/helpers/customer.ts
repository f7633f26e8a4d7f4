/** The test customer: every field a CUP QR sale needs, names and address in Chinese. */
export const TEST_CUSTOMER = {
  id: 'customer-7',
  first_name: '倩文',
  last_name: '伍',
  phone: '13632264147',
  email: 'wu@example.com',
  zip: '100022',
  country: 'CN',
  city: '北京',
  street: '建国路88号',
} as const;

/** The shopper's address in the seed's sale request. */
export const TEST_IP = '183.57.40.238';
