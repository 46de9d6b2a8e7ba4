"""Accounts server: POST /oauth/v2/token (refresh-token grant) and access-token checks."""

import collections
import secrets
import time

from .util import json_response, zoho_error


class TokenRegistry:
    def __init__(self):
        # token -> monotonic expiry; insertion order doubles as age for max_active_tokens.
        self.tokens = collections.OrderedDict()
        self.grants = collections.deque()  # monotonic times of successful grants

    def clear(self):
        self.tokens.clear()
        self.grants.clear()

    def expire_all(self):
        self.tokens.clear()

    def active_count(self):
        now = time.monotonic()
        return sum(1 for exp in self.tokens.values() if exp > now)

    def throttled(self, limit, window):
        now = time.monotonic()
        while self.grants and self.grants[0] <= now - window:
            self.grants.popleft()
        return bool(limit) and len(self.grants) >= limit

    def issue(self, lifetime, max_active):
        now = time.monotonic()
        token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        self.tokens[token] = now + lifetime
        self.grants.append(now)
        # Zoho: past N live tokens per refresh token the oldest stops working.
        while max_active and len(self.tokens) > max_active:
            self.tokens.popitem(last=False)
        return token

    def valid(self, token):
        expiry = self.tokens.get(token)
        if expiry is None:
            return False
        if expiry <= time.monotonic():
            del self.tokens[token]
            return False
        return True


async def token_endpoint(request):
    state = request.app["state"]
    knobs = state.knobs
    params = dict(request.query)
    if request.body_exists:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    oauth = state.store.oauth
    err_status = knobs["token_error_status"]
    if params.get("grant_type") != "refresh_token":
        # Only the refresh grant is simulated; this error string is the OAuth standard one.
        return json_response({"error": "unsupported_grant_type"}, err_status)
    if params.get("client_id") != oauth["client_id"]:
        return json_response({"error": "invalid_client"}, err_status)
    if params.get("client_secret") != oauth["client_secret"]:
        return json_response({"error": "invalid_client_secret"}, err_status)
    # A revoked refresh token is answered like a wrong one (notes 1.2: invalid_code).
    if params.get("refresh_token") != oauth["refresh_token"] or knobs["refresh_token_revoked"]:
        return json_response({"error": "invalid_code"}, err_status)
    if state.tokens.throttled(knobs["token_throttle_limit"], knobs["token_throttle_window"]):
        state.counts.rejected["token_throttle"] += 1
        return json_response({
            "error": "Access Denied",
            "error_description": "You have made too many requests continuously. "
                                 "Please try again after some time."}, 400)
    token = state.tokens.issue(knobs["token_lifetime"], knobs["max_active_tokens"])
    return json_response({"access_token": token, "expires_in": knobs["token_lifetime"],
                          "api_domain": "https://www.zohoapis.com", "token_type": "Bearer"})


def check_api_auth(request, state, needs_org):
    """Return an error response or None. Order matches Zoho: token first, then org."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "zoho-oauthtoken" or not token.strip():
        return zoho_error(401, "UNAUTHORIZED",
                          "You are not authenticated to perform this operation.")
    if not state.tokens.valid(token.strip()):
        return zoho_error(401, "INVALID_OAUTH", "The OAuth Token you provided is invalid.")
    if not needs_org:
        return None
    org = request.headers.get("orgId")
    if not org:
        return zoho_error(422, "UNPROCESSABLE_ENTITY",
                          "The header 'orgId' is mandatory for this operation.")
    if not state.store.reaches(org.strip()):
        return zoho_error(403, "OAUTH_ORG_MISMATCH",
                          "The OAuthToken is not valid for specified organization")
    return None
