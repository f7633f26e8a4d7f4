"""Signs each case with the Python SDK's own SignatureHandler (json.loads as its Callback does).

Usage: python3 run-python.py SDK_DIR < cases.json > results.json. No SDK code lives here: the
SDK is imported from SDK_DIR, and the string it hashes is caught on its way into hmac.new.
"""
import base64
import hashlib
import hmac
import json
import sys

if len(sys.argv) != 2:
    sys.exit('usage: python3 run-python.py PYTHON_SDK_DIR < cases.json')
sys.path.insert(0, sys.argv[1])
from payment_page_sdk.signature_handler import SignatureHandler  # noqa: E402

hashed = []
real_new = hmac.new


def catching_new(key, msg=None, digestmod=''):
    hashed.append(msg)
    return real_new(key, msg, digestmod)


hmac.new = catching_new
results = []
for case in json.load(sys.stdin):
    hashed.clear()
    try:
        signature = SignatureHandler(case['secret']).sign(json.loads(case['json']))
        string = hashed[-1].decode('utf-8')
        check = base64.b64encode(real_new(case['secret'].encode(), hashed[-1], hashlib.sha512).digest())
        if check.decode() != signature:
            raise RuntimeError('the string caught is not the one the SDK hashed')
        results.append({'string': string, 'signature': signature})
    except Exception as error:  # the SDK's failure is a result too
        results.append({'error': f'{type(error).__name__}: {error}'})
print(json.dumps(results, ensure_ascii=False))
