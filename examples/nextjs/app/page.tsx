// A server component: the order is signed on the server, per request; the page gets only the
// payload (the secret key never leaves the server).
import { createPayload } from 'cup-qr-checkout/server';
import { Checkout } from './checkout';

export const dynamic = 'force-dynamic';

let orders = 0;

export default function Page() {
  const payload = createPayload(
    {
      ref: `next-${Date.now()}-${++orders}`,
      amount: 30000,
      description: '机械键盘',
      customer: {
        id: 'c-77',
        first_name: '倩文',
        last_name: '伍',
        phone: '13632264147',
        email: 'wu@example.com',
        zip: '100022',
        country: 'CN',
        city: '北京',
        street: '建国路88号',
      },
      returnUrl: 'https://shop.example/thanks',
    },
    { secretKey: process.env.ECOMMPAY_SECRET_KEY ?? '' },
  );
  return <Checkout payload={payload} />;
}
