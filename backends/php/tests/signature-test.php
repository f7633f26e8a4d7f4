<?php
/**
 * The ECommPay signature of src/signature.php against the test vectors of PROTOCOL.md §1
 * (re-checked there against the official SDKs), the flattening check, and the refusals that
 * keep one signature from covering another message. Exits 1 on the first failure.
 */
declare(strict_types=1);

require dirname(__DIR__) . '/src/signature.php';

function check(bool $ok, string $what): void
{
    echo ($ok ? 'ok  ' : 'FAIL') . "  $what\n";
    if (!$ok) exit(1);
}

$vectors = [
    ['secret', '{"customer":{"project_id":0,"id":"sutm_id"},"card":{"pan":"4242424242424242","year":2020,"month":8,"card_holder":"John Smith","cvv":"123","save":true},"frame_mode":"popup"}', 'lY0LTSAzpR7zGce5qfYGacOuYlHGWqkMcQlqmjlsDDZI2gVcE1qVeWANnkIR7mdOqRXJnL1kO0lUmkQ0YYLWRg=='],
    ['secret', '{"payment":{"id":"000049","status":"success"}}', '/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng=='],
    ['qwerty', '{"payment":{"id":"test-payment","status":"success"},"some_bool_param":true,"frame_mode":"popup"}', 'TZS0J65ReNUMgKzeXUey9xOGGyC7r4OhsFXt/3H8XZM2Le8Wot2E1NIjeSPOyV1F3sUU6F3kfo9om2dhbe3ieA=='],
    ['qwerty', '{"payment":{"id":"test-payment"},"errors":[{"code":"123","message":"grand crash","description":["description-str",{"description1":1}]},{"code":"456","message":"minor crash","description":null}]}', 'dxjnun8oySSl0CWlhhjy/k1V9CZcCtaHvu/Y5qJQbWHq8wd6TqTUt4bIfHrlWxT8ba9NOJfkgGHrGc5OgyQVGA=='],
    ['qwerty', '{"errors":[{"message":"error1","code":1,"fail":true},{"message":"error2","code":2,"fail":false},{"message":"error3","code":3,"fail":{"sub-fail":{"test":1}}}],"sum_converted":{"amount":10000,"currency":"EUR"}}', 'oXF9a0F80FBkT5plV1aVcQIVSWr3l07StkQ2izUKmy//H2S9gMX982Kgm4tXB4+Ze1S5E1jeKhwheIgYMZ4J+w=='],
    ['qwerty', '{"project_id":11,"payment_currency":"EUR","frame_mode":"popup","some_bool_param":true,"two_levels_param":{"param1":1,"param2":2}}', 'ehwG+e+Sq6b0QEek2hmHGUFzViX9/Xfcgnh0Ysn1+AqCY8BsKhC/Vcyr4XH8CKXW3iS0vW9S2mTwOt/0Ozf5pg=='],
    ['secret', '{"general":{"project_id":3254,"payment_id":"id_38202316"},"customer":{"id":"585741","email":"johndoe@mycompany.com","first_name":"John","last_name":"Doe","address":"Downing str., 23","identify":{"doc_number":"54122312544"},"ip_address":"111.222.333.444"},"payment":{"amount":10800,"currency":"USD","description":"Computer keyboards"},"receipt_data":{"positions":[{"quantity":10,"amount":108,"description":"Computer keyboard"}]},"return_url":{"success":"https://paymentpage.mycompany.com/complete-redirect?id=success","decline":"https://paymentpage.mycompany.com/complete-redirect?id=decline"}}', 'VLLZzVNGevQNhr1b4TEhbC4qqHD17Kyn/M6FPNN93ttyk/amJgD/R6dayTKVvW6/QCRdq4hOf8R2w/xbUa8f2w=='],
];
foreach ($vectors as $i => [$key, $json, $signature]) {
    $data = json_decode($json, true);
    check(cupqr_sign($data, $key) === $signature, "vector $i signs as the SDKs do");
    $data[isset($data['general']) ? 'general' : 'signature'] = isset($data['general'])
        ? $data['general'] + ['signature' => $signature] : $signature;
    check(cupqr_verify($data, $key), "vector $i verifies");
}

$flat = json_decode('{"0":null,"a":{"b":1,"c":2},"d":false,"f":["g",{"h":7,"i":{"k":8}}],"e":[4,5],"l":{"m":[{"n":9}]}}', true);
check(cupqr_signature_string(cupqr_signature_leaves($flat, false)) === '0:;a:b:1;a:c:2;d:0;e:0:4;e:1:5;f:0:g;f:1:h:7;f:1:i:k:8;l:m:0:n:9', 'the flattening check');

/** The path of what signing `$data` refuses, or null. */
function refused(array $data): ?string
{
    try {
        cupqr_sign($data, 'k');
    } catch (SignatureRefused $e) {
        return $e->path;
    }
    return null;
}
check(refused(['customer_city' => '北京;payment:id:T;payment:status:success']) === 'customer_city', 'a value with ";" is never signed (rule invalid-character)');
check(refused(['a:b' => '1']) === 'a:b', 'a key with ":" is never signed');
check(refused(['' => ['a' => '1']]) === '', 'an empty key is never signed');
check(refused(['customer_city' => '北京；朝阳']) === null, 'the full-width "；" is an ordinary character');
$callback = ['payment' => ['id' => 'x', 'description' => 'a;b'], 'signature' => ''];
$callback['signature'] = base64_encode(hash_hmac('sha512', cupqr_signature_string(cupqr_signature_leaves($callback, false)), 'k', true));
check(cupqr_verify($callback, 'k'), 'a callback whose texts hold ";" still verifies (the platform signs them as they are)');
$padded = $callback;
$padded['payment']['signature'] = 'x';
check(!cupqr_verify($padded, 'k'), 'a signature key below the top level is signed data');
