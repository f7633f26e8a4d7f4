<?php
// Builds each case's Payment Page URL with the PHP SDK's own PaymentPage::getUrl, the values
// set through Payment's setters. Usage: php run-php.php SDK_DIR < cases.json > results.json.
// No SDK code lives here: the SDK is loaded from SDK_DIR.
$sdk = $argv[1] ?? '';
if (!is_file("$sdk/src/PaymentPage.php")) {
    fwrite(STDERR, "usage: php run-php.php PHP_SDK_DIR < cases.json\n");
    exit(2);
}
require "$sdk/src/SignatureHandler.php";
require "$sdk/src/Payment.php";
require "$sdk/src/PaymentPage.php";
$job = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
// PaymentPage appends '/payment' to its base URL.
$base = preg_replace('#/payment$#', '', $job['base']);
$results = [];
foreach ($job['cases'] as $case) {
    $params = $case['params'];
    $payment = new \ecommpay\Payment((string) $job['projectId'], $params['payment_id'] . '-php');
    unset($params['payment_id']);
    foreach ($params as $name => $value) {
        $setter = 'set' . str_replace('_', '', ucwords($name, '_'));
        $payment->$setter($value);
    }
    $page = new \ecommpay\PaymentPage(new \ecommpay\SignatureHandler($job['secret']), $base);
    $results[] = ['url' => $page->getUrl($payment)];
}
echo json_encode($results, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
