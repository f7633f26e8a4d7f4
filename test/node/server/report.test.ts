// The reconciliation report (server/report.ts, cli/commands/report.ts) over a real database
// file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../../src/server/stores/sqlite.js';
import { reportCommand } from '../../../src/cli/commands/report.js';
import { toCsv } from '../../../src/server/report.js';
import { openSse } from '../../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop } from '../../helpers/toolkit.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('report', () => {
  it('reportCommand exports payments and operations as CSV and JSON', async (t) => {
    const file = join(tempDir(t), 'report.sqlite');
    const shop = await startShop(t, { store: await openSqliteStore({ file }) });
    const from = new Date(Date.now() - 1000).toISOString();
    const created = await shop.start('order-report');
    const stream = await openSse(eventsUrl(shop, created));
    await stream.waitFor((events) =>
      events.some((e) => JSON.parse(e.data).status === 'awaiting-customer'),
    );
    await shop.sandbox.control.approve(PROJECT_ID, 'order-report');
    await stream.ended;
    await shop.sandbox.control.settled();
    const to = new Date(Date.now() + 1000).toISOString();

    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await reportCommand(
        args,
        {},
        {
          stdout: (text) => (out += text),
          stderr: (text) => (err += text),
        },
      );
      return { code, out, err };
    };
    const csv = await run(['--db', file, '--from', from, '--to', to, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.err);
    const lines = csv.out.trimEnd().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^payment\.id,order\.ref,attempt,state,payment\.status,payment\.sum\.amount,payment\.sum\.currency/,
    );
    assert.match(
      lines[1],
      /^order-report,order-report,1,success,success,30000,CNY,机械键盘 keyboard,customer-7,/,
    );
    assert.match(lines[0], /,gate\.disagreement,gate\.signed,gate\.checked_at$/);
    assert.match(lines[1], /,,,$/, 'Gate was never asked: no disagreement');

    const ops = await run(['--db', file, '--from', from, '--to', to, '--rows', 'operations']);
    const opLines = ops.out.trimEnd().split('\r\n');
    assert.equal(opLines.length, 3, 'awaiting and success');
    assert.match(
      opLines[2],
      /,applied,843,order-report,success,30000,CNY,\d+,sale,success,[^,]+,0,Success,/,
    );
    assert.match(opLines[0], /,count,last_received_at,body\.bytes,body\.sha256$/);
    assert.match(opLines[2], /,1,[^,]+Z,\d+,[0-9a-f]{64}$/, 'received once, its size and hash');

    const json = await run(['--db', file, '--from', from, '--to', to, '--format=json']);
    const report = JSON.parse(json.out);
    assert.equal(report.payments[0]['payment.id'], 'order-report');
    assert.equal(report.operations.length, 2);
    assert.equal(report.operations[1]['operation.code'], '0');

    const empty = await run(['--db', file, '--from', '2000-01-01', '--to', '2000-01-02']);
    assert.equal(empty.out.trimEnd().split('\r\n').length, 1, 'the header only');
    assert.equal((await run(['--db', file, '--from', 'soon', '--to', to])).code, 2);
    assert.equal((await run(['--from', from, '--to', to])).code, 2);
    assert.equal(
      (await run(['--db', join(tempDir(t), 'none.sqlite'), '--from', from, '--to', to])).code,
      2,
    );
    assert.match((await run(['--help'])).out, /^Usage: cup-qr-checkout report/);
  });

  it('CSV quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [{ a: 'x,y', b: '=HYPERLINK("evil")', c: 5 }, { a: 'line\nbreak' }],
    );
    assert.equal(csv, 'a,b,c\r\n"x,y","\'=HYPERLINK(""evil"")",5\r\n"line\nbreak",,\r\n');
  });
});
