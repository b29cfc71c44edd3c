"""A Slack/Teams-style incoming webhook for the notification tests.

    python3 tests/fakes/webhook.py --token TOKEN

POST /hooks/TOKEN with a JSON body {"text": ...} is kept (its body and its
Idempotency-Key) and answered 200 "ok"; any other path is 404, as a
webhook with a wrong token is. GET /_posts lists what was kept.
Faults (fakehttp.py) make it fail: {"path": "/hooks/", "status": 503}.
"""
import argparse
import json

import fakehttp


class Webhook(fakehttp.Fake):
    def __init__(self, token):
        super().__init__()
        self.token = token
        self.posts = []

    def route(self, method, path, q, headers, body):
        if method == "GET" and path == "/_posts":
            with self.lock:
                return 200, {"Content-Type": "application/json"}, \
                    json.dumps({"posts": self.posts}).encode()
        if method != "POST" or path != "/hooks/" + self.token:
            return 404, {}, b"no_such_hook"
        try:
            doc = json.loads(body or b"")
        except ValueError:
            return 400, {}, b"invalid_payload"
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            return 400, {}, b"missing_text"
        with self.lock:
            self.posts.append({"idempotency_key": headers.get("Idempotency-Key"),
                               "text": doc["text"]})
        return 200, {"Content-Type": "text/plain"}, b"ok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    fakehttp.serve(Webhook(a.token))


if __name__ == "__main__":
    main()
