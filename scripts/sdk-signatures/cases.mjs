/**
 * The cases test/fixtures/sdk-signatures.json runs through the five official ECommPay signers:
 * every place where they may disagree (long arrays, digit runs, leading zeros, `:` in keys,
 * nulls, booleans, floats, text past U+FFFF, empty keys and containers), PROTOCOL.md's vectors
 * and the seed's messages. `json` is the raw text each SDK parses, so `100.0` stays `100.0`.
 */
import { readFileSync } from 'node:fs';

const fixture = (name) =>
  JSON.stringify(
    JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')),
  );

/** A fixed pseudo-random sequence in [0, 1), so the cases are the same on every run. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Keys made of a few letters, digit runs (some with leading zeros) and, if asked, spaces. */
function naturalKeys(count, seed, spaces) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const keys = new Set();
  while (keys.size < count) {
    const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
      pick([
        'a',
        'b',
        'x',
        'B',
        '-',
        '_',
        '0',
        '00',
        '1',
        '9',
        '10',
        '010',
        '123',
        '1000000000',
        ...(spaces ? [' ', '  ', ' 1'] : []),
      ]),
    );
    keys.add(parts.join(''));
  }
  return Object.fromEntries([...keys].map((key, i) => [key, i]));
}

/** Floats of every magnitude, and with few or many digits. */
function manyFloats(count, seed) {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const digits = Math.floor(next() * 10 ** (1 + Math.floor(next() * 9)));
    const value = (digits + next()) * 10 ** Math.floor(next() * 30 - 14);
    return next() < 0.5 ? Number(value.toPrecision(1 + Math.floor(next() * 17))) : -value;
  });
}

/** `{"id":"p1","rate":<text>}`: one float, written as the JSON text `text`. */
const rate = (text) => ({ name: `float ${text}`, json: `{"id":"p1","rate":${text}}` });

const success = JSON.parse(fixture('callback-success.json'));
success.operation.sum_converted = { amount: 4200, currency: 'EUR', rate: 1.5 };

/** @type {{ name: string, secret?: string, json: string }[]} */
export const CASES = [
  // PROTOCOL.md §1, its test vectors and its flattening check.
  {
    name: 'PROTOCOL vector 1',
    json: '{"customer":{"project_id":0,"id":"sutm_id"},"card":{"pan":"4242424242424242","year":2020,"month":8,"card_holder":"John Smith","cvv":"123","save":true},"frame_mode":"popup"}',
  },
  { name: 'PROTOCOL vector 2', json: '{"payment":{"id":"000049","status":"success"}}' },
  {
    name: 'PROTOCOL vector 3',
    secret: 'qwerty',
    json: '{"payment":{"id":"test-payment","status":"success"},"some_bool_param":true,"frame_mode":"popup"}',
  },
  {
    name: 'PROTOCOL vector 4',
    secret: 'qwerty',
    json: '{"payment":{"id":"test-payment"},"errors":[{"code":"123","message":"grand crash","description":["description-str",{"description1":1}]},{"code":"456","message":"minor crash","description":null}]}',
  },
  {
    name: 'PROTOCOL vector 5',
    secret: 'qwerty',
    json: '{"errors":[{"message":"error1","code":1,"fail":true},{"message":"error2","code":2,"fail":false},{"message":"error3","code":3,"fail":{"sub-fail":{"test":1}}}],"sum_converted":{"amount":10000,"currency":"EUR"}}',
  },
  {
    name: 'PROTOCOL vector 6',
    secret: 'qwerty',
    json: '{"project_id":11,"payment_currency":"EUR","frame_mode":"popup","some_bool_param":true,"two_levels_param":{"param1":1,"param2":2}}',
  },
  {
    name: 'PROTOCOL vector 7',
    json: '{"general":{"project_id":3254,"payment_id":"id_38202316"},"customer":{"id":"585741","email":"johndoe@mycompany.com","first_name":"John","last_name":"Doe","address":"Downing str., 23","identify":{"doc_number":"54122312544"},"ip_address":"111.222.333.444"},"payment":{"amount":10800,"currency":"USD","description":"Computer keyboards"},"receipt_data":{"positions":[{"quantity":10,"amount":108,"description":"Computer keyboard"}]},"return_url":{"success":"https://paymentpage.mycompany.com/complete-redirect?id=success","decline":"https://paymentpage.mycompany.com/complete-redirect?id=decline"}}',
  },
  {
    name: 'PROTOCOL flattening check',
    json: '{"0":null,"a":{"b":1,"c":2},"d":false,"f":["g",{"h":7,"i":{"k":8}}],"e":[4,5],"l":{"m":[{"n":9}]}}',
  },
  // The seed's messages.
  { name: 'seed sale request', json: fixture('sale-request.json') },
  { name: 'seed success callback', json: fixture('callback-success.json') },
  { name: 'seed awaiting-customer callback', json: fixture('callback-awaiting-customer.json') },
  { name: 'a success callback carrying a float rate', json: JSON.stringify(success) },
  // Arrays of 11+ items: index 10 against index 2.
  { name: 'array of 12 items', json: `{"list":${JSON.stringify([...Array(12).keys()])},"a":1}` },
  {
    name: 'array of 11 objects',
    json: `{"positions":${JSON.stringify([...Array(11).keys()].map((q) => ({ q, name: `p${q}` })))}}`,
  },
  // Digit runs and leading zeros.
  { name: 'digit runs x1/x2/x10', json: '{"x10":"a","x2":"b","x1":"c","x02":"d"}' },
  {
    name: 'leading zeros a001/a01/a1',
    json: '{"a1":1,"a01":2,"a001":3,"a10":4,"a2":5,"a02":6,"a1b":7,"a":8,"b":9,"a0":10}',
  },
  { name: 'digit runs one level down', json: '{"item":{"v10":1,"v9":2,"v09":3,"v1":4}}' },
  { name: 'leading zeros of a whole key', json: '{"x":1,"007":2,"10":3,"8":4}' },
  {
    name: 'array-index keys in an object',
    json: '{"x":{"10":"a","9":"b","b":"c","01":"d","4294967295":"e","4294967294":"f"}}',
  },
  { name: 'whitespace in keys', json: '{"a 2":1,"a1":2,"a 10":3,"b":4,"a3 x":5,"a3x":6}' },
  {
    name: 'natural order: 80 keys with digit runs',
    json: JSON.stringify(naturalKeys(80, 1, false)),
  },
  { name: 'natural order: 80 keys with spaces', json: JSON.stringify(naturalKeys(80, 2, true)) },
  // A `:` in keys.
  { name: 'colon in top-level keys', json: '{"a:b":1,"a-b":2,"a":3}' },
  { name: 'colon in deeper keys', json: '{"x":{"a:b":1,"a-b":2,"a":3}}' },
  { name: 'colon at the top with nesting', json: '{"a:b":{"c:d":1},"a":{"b":0}}' },
  // Values without an obvious string form.
  { name: 'nulls', json: '{"a":null,"b":[null,1],"c":{"d":null},"e":"x"}' },
  { name: 'booleans', json: '{"t":true,"f":false,"l":[true,false,1,0]}' },
  { name: 'mixed list', json: '{"l":[1,"a",true,{"k":"v"},[2,3],""]}' },
  // Text.
  {
    name: 'Chinese text',
    json: '{"customer":{"first_name":"伍","last_name":"倩文","city":"北京市","street":"朝阳区建国路1号"},"payment":{"description":"机械键盘"}}',
  },
  { name: 'Chinese keys', json: '{"城市":"北京","a":"b","名字":{"姓":"伍"}}' },
  { name: 'past U+FFFF against U+FF5E', json: '{"k":{"😀":1,"～":2,"a":3},"😀":"x","～":"y"}' },
  // Empty keys and containers.
  { name: 'nested empties', json: '{"a":{},"b":[],"c":{"d":{},"e":[[]],"f":[{}]},"g":1}' },
  { name: 'empty top-level key', json: '{"":{"a":1,"b:c":2},"b":2}' },
  { name: 'top-level key 0 holding an object', json: '{"0":{"a":1},"b":2}' },
  {
    name: 'frame_mode at every level',
    json: '{"frame_mode":"popup","a":{"frame_mode":"iframe","b":1},"c":[{"frame_mode":"x","d":2}]}',
  },
  // Floats, one per case, as the JSON text writes them.
  rate('1.5'),
  rate('0.1'),
  rate('-2.5'),
  rate('0.30000000000000004'),
  rate('100.0'),
  rate('-0'),
  rate('-0.0'),
  rate('0.0005'),
  rate('0.0001'),
  rate('0.00001'),
  rate('1.0e-7'),
  rate('12345678.5'),
  rate('123456.78901234567'),
  rate('10000000000000.5'),
  rate('1e21'),
  rate('1.5e21'),
  rate('1e23'),
  rate('5e-324'),
  rate('9007199254740993'),
  rate('12345678901234567890'),
  { name: 'many floats', json: JSON.stringify({ v: manyFloats(120, 3) }) },
];
