# Builds each case's Payment Page URL with the Python SDK's own PaymentPage.get_url.
# Usage: python3 run-python.py SDK_DIR < cases.json > results.json. No SDK code lives here: the
# SDK is imported from SDK_DIR.
import json
import sys

if len(sys.argv) < 2:
    sys.stderr.write('usage: python3 run-python.py PYTHON_SDK_DIR < cases.json\n')
    sys.exit(2)
sys.path.insert(0, sys.argv[1])
from payment_page_sdk.payment import Payment  # noqa: E402
from payment_page_sdk.payment_page import PaymentPage  # noqa: E402
from payment_page_sdk.signature_handler import SignatureHandler  # noqa: E402

job = json.load(sys.stdin)
results = []
for case in job['cases']:
    params = dict(case['params'])
    payment = Payment(str(job['projectId']), params.pop('payment_id') + '-python')
    for name, value in params.items():
        setattr(payment, name, value)
    page = PaymentPage(SignatureHandler(job['secret']), job['base'])
    results.append({'url': page.get_url(payment)})
print(json.dumps(results, ensure_ascii=False))
