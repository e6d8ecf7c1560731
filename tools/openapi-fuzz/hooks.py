"""Schemathesis hooks of tools/openapi-fuzz.sh: how the run authenticates, and the few cases
that would take its own access away.

The run logs in once as the admin (ROLODEX_FUZZ_USER / ROLODEX_FUZZ_PASSWORD) and sends that
token everywhere but to `DELETE /v1/auth/token`, which gets an API key of its own each time,
so that a logout revokes a throwaway key. (Not a fresh login: the run sends the admin's
username with wrong passwords to the login, which soon refuses further logins for a while.) Changing or removing the admin's own membership
(`PATCH`/`DELETE /v1/users/{id}` with its id) could deactivate or demote it once another admin
exists, or change its password, so those cases are sent to an id no one has; every other member
may be changed.
"""

import os

import requests
import schemathesis

URL = os.environ["ROLODEX_FUZZ_URL"]
USER = os.environ["ROLODEX_FUZZ_USER"]
PASSWORD = os.environ["ROLODEX_FUZZ_PASSWORD"]
LOGOUT = {"method": "DELETE", "path": "/v1/auth/token"}


def login() -> str:
    response = requests.post(
        f"{URL}/v1/auth/token",
        json={"username": USER, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def own_user_id(token: str) -> int:
    response = requests.get(
        f"{URL}/v1/users", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    return next(u["id"] for u in response.json()["items"] if u["username"] == USER)


TOKEN = login()
OWN_ID = own_user_id(TOKEN)


def bearer(case, token: str) -> None:
    case.headers = case.headers or {}
    case.headers["Authorization"] = f"Bearer {token}"


def throwaway_key() -> str:
    response = requests.post(
        f"{URL}/v1/api-keys",
        json={"name": "logout"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["key"]


@schemathesis.auth(refresh_interval=None).apply_to(**LOGOUT)
class ThrowawayToken:
    def get(self, case, ctx):
        return throwaway_key()

    def set(self, case, data, ctx):
        bearer(case, data)


@schemathesis.auth().skip_for(**LOGOUT)
class RunToken:
    def get(self, case, ctx):
        return TOKEN

    def set(self, case, data, ctx):
        bearer(case, data)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """Sends a change or removal of the run's own membership to a user id no one has (404),
    and sends every header as text (the stateful phase may carry a linked integer, such as a
    tenant id for X-Tenant-Id, as a number, which the HTTP client refuses)."""
    for name, value in list((case.headers or {}).items()):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            case.headers[name] = str(value)
    own = case.operation.path == "/v1/users/{id}" and case.method.upper() in ("PATCH", "DELETE")
    if own and (case.path_parameters or {}).get("id") == OWN_ID:
        case.path_parameters["id"] = OWN_ID + 1_000_000_000
