<?php
// Signs each case with the PHP SDK's own SignatureHandler (json_decode as its Callback does).
// Usage: php run-php.php SDK_DIR < cases.json > results.json. No SDK code lives here: the
// SDK is loaded from SDK_DIR; its private getParamsToSign gives the string it hashes.
$sdk = $argv[1] ?? '';
if (!is_file("$sdk/src/SignatureHandler.php")) {
    fwrite(STDERR, "usage: php run-php.php PHP_SDK_DIR < cases.json\n");
    exit(2);
}
require "$sdk/src/SignatureHandler.php";
$cases = json_decode(stream_get_contents(STDIN), true);
$results = [];
foreach ($cases as $case) {
    try {
        $params = json_decode($case['json'], true, 512, JSON_THROW_ON_ERROR);
        $handler = new \ecommpay\SignatureHandler($case['secret']);
        $signature = $handler->sign($params);
        $method = new ReflectionMethod($handler, 'getParamsToSign');
        $method->setAccessible(true);
        $lines = $method->invoke($handler, $params, \ecommpay\SignatureHandler::IGNORED_KEYS);
        $string = implode(';', $lines);
        if (base64_encode(hash_hmac('sha512', $string, $case['secret'], true)) !== $signature) {
            throw new RuntimeException('the string read back is not the one the SDK hashed');
        }
        $results[] = ['string' => $string, 'signature' => $signature];
    } catch (Throwable $e) {
        $results[] = ['error' => get_class($e) . ': ' . $e->getMessage()];
    }
}
echo json_encode($results, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
