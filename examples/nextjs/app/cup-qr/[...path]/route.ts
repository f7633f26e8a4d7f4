// Every route of the checkout (payments, events, status, Payment Page link, callback).
import { checkout } from '../../../lib/checkout';

export const runtime = 'nodejs'; // node:crypto; better-sqlite3 for the SQLite store
export const dynamic = 'force-dynamic';

const handler = (request: Request) => checkout.fetch(request);
export { handler as GET, handler as POST };
