"""Signs requests as Twilio does, with Twilio's own Python helper library.

A long-lived helper for the Rust tests: reads one JSON request per line on stdin,
{"token": ..., "url": ..., "params": [[name, value], ...], "algorithm": null | "HMAC_SHA256"},
and writes {"signature": ...} per line on stdout.
"""

import json
import sys

try:
    from twilio.request_validator import RequestValidator
except ImportError:
    sys.stderr.write("Twilio's helper library is missing: pip install -r tests/requirements.txt\n")
    sys.exit(3)


class MultiDict(dict):
    """Repeated names, the way Flask hands them to the validator (name -> list of values)."""

    def getall(self, name):
        return self[name]


def main():
    for line in sys.stdin:
        request = json.loads(line)
        params = MultiDict()
        for name, value in request["params"]:
            params.setdefault(name, []).append(value)
        validator = RequestValidator(request["token"])
        signature = validator.compute_signature(request["url"], params, request.get("algorithm"))
        sys.stdout.write(json.dumps({"signature": signature}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
