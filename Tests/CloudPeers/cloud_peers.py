#!/usr/bin/env python3
"""Local, strict stand-ins for three cloud identity endpoints, for Cumulus's credential tests.

    python3 Tests/CloudPeers/cloud_peers.py --port 18080

Binds 127.0.0.1 only, prints "ready" once it accepts connections, makes no outbound
connection, and exits by itself after --lifetime seconds (default 4 hours) or on SIGTERM/SIGINT.
Needs the `cryptography` package (pip install cryptography) for RS256 verification.

They check what a real provider checks and answer with the provider's own status codes and
error documents:

  GCP token endpoint   POST /gcp/token
      grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>
      The JWT must be RS256, signed by the registered key of its `iss`, with kid matching the
      registered key id, aud = this endpoint's URL, a one-hour-at-most iat/exp window around
      now, and a scope.  200 {"access_token", "expires_in", "token_type"} or
      400 {"error": "invalid_grant", "error_description": "Invalid JWT Signature."} (etc.).
  Keystone v3          POST /keystone/v3/auth/tokens   (auth_url = http://HOST:PORT/keystone)
      Password method, user by name + domain name, scoped to a project by name + domain name
      on which the user has been given a role.  201 + X-Subject-Token + token document, or
      401 {"error": {"code": 401, "message": "The request you have made requires
      authentication.", "title": "Unauthorized"}}.
  Azure (Entra ID)     POST /azure/{tenant}/oauth2/v2.0/token   (authority = http://HOST:PORT/azure)
      client_credentials grant with client_id, client_secret and a ".default" scope.
      200 token, or 400/401 {"error", "error_description": "AADSTS…"}.

  Price APIs (replays of the documented response shapes, fixed fixture data below):
  GET  /pricing/azure/api/retail/prices?$filter=…[&$skip=N]   Azure Retail Prices: {"BillingCurrency",
                                 "Items": [...], "NextPageLink", "Count"}, two items per page
  GET  /pricing/aws/offers/v1.0/aws/AmazonEC2/current/{region}/index.json   AWS Price List bulk
                                 offer file (us-east-1 only; other regions 403 AccessDenied XML as S3 answers)
  GET  /pricing/gcp/v1/services/6F81-5844-456A/skus?key=K[&pageToken=T]   Cloud Billing Catalog
                                 SKUs, two pages; without a key 403 PERMISSION_DENIED as Google answers

Test-only endpoints (registrations are additive; use unique names per test):
  POST /__test/gcp/keys          {"client_email", "public_key_pem", "key_id"?}
  POST /__test/gcp/service-accounts  {"project_id", "name"}
                                 -> a new key file in Google's download format (PKCS#8 private
                                    key, token_uri = this peer), its public half registered
  POST /__test/keystone/users    {"name", "password", "domain"?, "projects": [{"name", "domain"?}]}
                                 -> {"user_id", "projects": {name: id}}
  POST /__test/azure/apps        {"tenant_id", "client_id", "client_secret"}
  GET  /__test/requests?path=P   -> {"count": requests received for path P (any method)}
  ANY  /__test/stall[/…]?seconds=S  answers 200 after S seconds (default 3, at most 10), for
                                 timeout tests
  ANY  /__test/redirect/REST     answers 307 to /REST, for redirect tests
  GET  /__test/health            -> 200
"""

import argparse
import base64
import hmac
import json
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_BODY = 64 * 1024          # token requests are a few KiB
MAX_REGISTRATIONS = 10_000    # per registry, so a runaway test cannot grow us without bound
MAX_CONCURRENT = 32           # requests handled at once; more get 503
MAX_STALL_SECONDS = 10
CLOCK_SKEW = 300              # seconds of iat/exp slack, as Google allows
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

KEYSTONE_UNAUTHORIZED = {
    "error": {
        "code": 401,
        "message": "The request you have made requires authentication.",
        "title": "Unauthorized",
    }
}


# ---- price API fixtures (shapes as documented by each provider; figures chosen for the tests) ----

AZURE_PAGE_SIZE = 2


def _azure(region, arm_sku, sku_name, product, price, unit="1 Hour", kind="Consumption", effective="2024-03-01T00:00:00Z"):
    return {"currencyCode": "USD", "tierMinimumUnits": 0.0, "retailPrice": price, "unitPrice": price, "armRegionName": region,
            "location": region, "effectiveStartDate": effective, "meterId": str(uuid.uuid5(uuid.NAMESPACE_URL, arm_sku + sku_name + region)),
            "meterName": sku_name, "productId": "DZH318Z0BQ4L", "skuId": "DZH318Z0BQ4L/00" + str(len(sku_name)), "productName": product,
            "skuName": sku_name, "serviceName": "Virtual Machines", "serviceId": "DZH313Z7MMC8", "serviceFamily": "Compute",
            "unitOfMeasure": unit, "type": kind, "isPrimaryMeterRegion": True, "armSkuName": arm_sku}


AZURE_ITEMS = [
    _azure("westeurope", "Standard_D2s_v5", "D2s v5", "Virtual Machines Dsv5 Series", 0.115),
    _azure("westeurope", "Standard_D2s_v5", "D2s v5", "Virtual Machines Dsv5 Series Windows", 0.207),
    _azure("westeurope", "Standard_D4s_v5", "D4s v5 Spot", "Virtual Machines Dsv5 Series", 0.05),
    _azure("eastus", "Standard_D4s_v5", "D4s v5", "Virtual Machines Dsv5 Series", 0.2, effective="2024-05-01T00:00:00Z"),
    _azure("eastus", "Standard_B2s", "B2s", "Virtual Machines BS Series", 0.0416),
    _azure("eastus", "Standard_X999", "X999", "Virtual Machines X Series", 9.99),
    _azure("eastus", "Standard_D2s_v5", "D2s v5 Low Priority", "Virtual Machines Dsv5 Series", 0.02),
]


def _aws_product(sku, instance_type, vcpu, memory, os_name="Linux", tenancy="Shared", family="Compute Instance", software="NA"):
    return {"sku": sku, "productFamily": family, "attributes": {
        "servicecode": "AmazonEC2", "location": "US East (N. Virginia)", "locationType": "AWS Region", "regionCode": "us-east-1",
        "instanceType": instance_type, "vcpu": str(vcpu), "memory": memory, "operatingSystem": os_name, "tenancy": tenancy,
        "preInstalledSw": software, "capacitystatus": "Used", "licenseModel": "No License required", "usagetype": "BoxUsage:" + instance_type}}


def _aws_term(sku, usd, effective="2025-08-01T00:00:00Z"):
    return {sku + ".JRTCKXETXF": {"offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": effective, "priceDimensions": {
        sku + ".JRTCKXETXF.6YS6EN2CT7": {"rateCode": sku + ".JRTCKXETXF.6YS6EN2CT7", "description": "$%s per On Demand Linux Instance Hour" % usd,
                                          "beginRange": "0", "endRange": "Inf", "unit": "Hrs", "pricePerUnit": {"USD": usd}, "appliesTo": []}},
        "termAttributes": {}}}


AWS_OFFER_FILES = {
    "us-east-1": {
        "formatVersion": "v1.0", "disclaimer": "This pricing list is for informational purposes only.", "offerCode": "AmazonEC2",
        "version": "20250801000000", "publicationDate": "2025-08-01T00:00:00Z",
        "products": {
            "AAAA1111": _aws_product("AAAA1111", "m5.large", 2, "8 GiB"),
            "AAAA2222": _aws_product("AAAA2222", "m5.large", 2, "8 GiB", os_name="Windows"),
            "AAAA3333": _aws_product("AAAA3333", "m5.xlarge", 4, "16 GiB"),
            "AAAA4444": _aws_product("AAAA4444", "m5.xlarge", 4, "16 GiB", tenancy="Dedicated"),
            "AAAA5555": _aws_product("AAAA5555", "m7i.large", 2, "8 GiB"),
            "AAAA6666": _aws_product("AAAA6666", "x2iedn.32xlarge", 128, "4,096 GiB"),
            "AAAA7777": {"sku": "AAAA7777", "productFamily": "Storage", "attributes": {"servicecode": "AmazonEC2", "volumeType": "General Purpose"}},
        },
        "terms": {"OnDemand": {
            "AAAA1111": _aws_term("AAAA1111", "0.0960000000"),
            "AAAA2222": _aws_term("AAAA2222", "0.1880000000"),
            "AAAA3333": _aws_term("AAAA3333", "0.2010000000"),
            "AAAA4444": _aws_term("AAAA4444", "0.2110000000"),
            "AAAA5555": _aws_term("AAAA5555", "0.1008000000"),
            "AAAA7777": _aws_term("AAAA7777", "0.1000000000"),
        }},
    },
}


def _gcp_sku(sku_id, description, group, usage_type, unit, nanos, regions, family="Compute"):
    return {"name": "services/6F81-5844-456A/skus/" + sku_id, "skuId": sku_id, "description": description,
            "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": family, "resourceGroup": group, "usageType": usage_type},
            "serviceRegions": regions,
            "pricingInfo": [{"summary": "", "effectiveTime": "2025-09-01T00:00:00.000Z", "currencyConversionRate": 1,
                             "pricingExpression": {"usageUnit": unit, "displayQuantity": 1, "baseUnit": "s" if unit == "h" else "By.s",
                                                   "baseUnitConversionFactor": 3600 if unit == "h" else 3865470566400,
                                                   "usageUnitDescription": "hour" if unit == "h" else "gibibyte hour",
                                                   "tieredRates": [{"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": "0", "nanos": nanos}}]},
                             "aggregationInfo": {"aggregationLevel": "ACCOUNT", "aggregationInterval": "DAILY", "aggregationCount": 1}}],
            "serviceProviderName": "Google", "geoTaxonomy": {"type": "REGIONAL", "regions": regions}}


GCP_SKUS = [
    _gcp_sku("N2C1-0001", "N2 Instance Core running in Frankfurt", "N2Standard", "OnDemand", "h", 37887000, ["europe-west3"]),
    _gcp_sku("N2C1-0002", "N2 Instance Core running in Frankfurt", "N2Standard", "Preemptible", "h", 9172000, ["europe-west3"]),
    _gcp_sku("N2R1-0001", "N2 Instance Ram running in Frankfurt", "N2Standard", "OnDemand", "GiBy.h", 5078000, ["europe-west3"]),
    _gcp_sku("E2C1-0001", "E2 Instance Core running in Frankfurt", "CPU", "OnDemand", "h", 21811000, ["europe-west3"]),
    _gcp_sku("E2R1-0001", "E2 Instance Ram running in Frankfurt", "RAM", "OnDemand", "GiBy.h", 2923000, ["europe-west3"]),
    _gcp_sku("LIC1-0001", "Licensing Fee for Windows Server on N2", "Windows", "OnDemand", "h", 46000000, ["europe-west3"], family="License"),
]


class Registry:
    """Everything tests registered, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.gcp_keys = {}        # client_email -> (public key, key_id or None)
        self.keystone_users = {}  # (domain, name) -> {"id", "password", "projects": {(domain, name): id}}
        self.azure_apps = {}      # (tenant, client_id) -> secret
        self.azure_tenants = set()
        self.hits = Counter()     # path -> count

    def full(self, table):
        return len(table) >= MAX_REGISTRATIONS


REGISTRY = Registry()
SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def now_iso(offset_seconds=0):
    moment = datetime.now(timezone.utc) + timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cumulus-cloud-peers/1"
    timeout = 15  # seconds a client may take to send its request

    # ---- plumbing -------------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 - keep request bodies (secrets) out of logs
        sys.stderr.write("cloud-peers: %s %s\n" % (self.command, urlsplit(self.path).path))

    def _send(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # One request per connection: nothing idles in a client's pool to be closed under it.
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked_body()
        if length is None:
            return b""
        try:
            length = int(length)
        except ValueError:
            raise BodyError(400, "bad Content-Length")
        if length < 0 or length > MAX_BODY:
            raise BodyError(413, "body too large")
        return self.rfile.read(length)

    def _chunked_body(self):
        data = b""
        while True:
            size_line = self.rfile.readline(100)
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyError(400, "bad chunk size")
            if size == 0:
                self.rfile.readline(100)
                return data
            if len(data) + size > MAX_BODY:
                raise BodyError(413, "body too large")
            data += self.rfile.read(size)
            self.rfile.readline(100)

    def _form(self, body):
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            return None
        return {name: values[0] for name, values in fields.items() if len(values) == 1}

    def _json(self, body):
        try:
            value = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _own_url(self, path):
        return "http://%s%s" % (self.headers.get("Host", ""), path)

    def _dispatch(self):
        if not SLOTS.acquire(blocking=False):
            self._send(503, {"error": "busy"})
            return
        try:
            path = urlsplit(self.path).path
            with REGISTRY.lock:
                REGISTRY.hits[path] += 1
            try:
                body = self._body()
            except BodyError as error:
                self._send(error.status, {"error": error.message})
                return
            self._route(path, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests do); nothing to answer
        finally:
            SLOTS.release()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = lambda self: self._dispatch()

    def _route(self, path, body):
        query = parse_qs(urlsplit(self.path).query)
        if path == "/__test/health":
            return self._send(200, {"status": "ok"})
        if path == "/__test/requests" and self.command == "GET":
            target = query.get("path", [""])[0]
            with REGISTRY.lock:
                count = REGISTRY.hits.get(target, 0)
            return self._send(200, {"path": target, "count": count})
        if path == "/__test/stall" or path.startswith("/__test/stall/"):
            try:
                seconds = min(float(query.get("seconds", ["3"])[0]), MAX_STALL_SECONDS)
            except ValueError:
                seconds = 3
            time.sleep(max(seconds, 0))
            return self._send(200, {"stalled": seconds})
        if path.startswith("/__test/redirect/"):
            return self._send(307, b"", headers={"Location": "/" + path[len("/__test/redirect/"):]})
        if self.command == "GET" and path.startswith("/pricing/"):
            return self._pricing(path, query)
        if self.command == "POST":
            if path == "/__test/gcp/keys":
                return self._register_gcp_key(body)
            if path == "/__test/gcp/service-accounts":
                return self._create_gcp_service_account(body)
            if path == "/__test/keystone/users":
                return self._register_keystone_user(body)
            if path == "/__test/azure/apps":
                return self._register_azure_app(body)
            if path == "/gcp/token":
                return self._gcp_token(path, body)
            if path == "/keystone/v3/auth/tokens":
                return self._keystone_tokens(body)
            match = re.fullmatch(r"/azure/([^/]+)/oauth2/v2\.0/token", path)
            if match:
                return self._azure_token(match.group(1), body)
        return self._send(404, {"error": "not_found", "path": path})

    # ---- registrations --------------------------------------------------------------------

    def _register_gcp_key(self, body):
        doc = self._json(body) or {}
        email, pem = doc.get("client_email"), doc.get("public_key_pem")
        if not isinstance(email, str) or not isinstance(pem, str):
            return self._send(400, {"error": "client_email and public_key_pem are required"})
        try:
            key = serialization.load_pem_public_key(pem.encode())
        except ValueError:
            return self._send(400, {"error": "public_key_pem is not a PEM public key"})
        if not isinstance(key, rsa.RSAPublicKey):
            return self._send(400, {"error": "public_key_pem is not an RSA key"})
        with REGISTRY.lock:
            if REGISTRY.full(REGISTRY.gcp_keys):
                return self._send(507, {"error": "too many registrations"})
            REGISTRY.gcp_keys[email] = (key, doc.get("key_id"))
        return self._send(201, {"client_email": email})

    def _create_gcp_service_account(self, body):
        doc = self._json(body) or {}
        project, name = doc.get("project_id"), doc.get("name")
        if not isinstance(project, str) or not isinstance(name, str):
            return self._send(400, {"error": "project_id and name are required"})
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        email = "%s@%s.iam.gserviceaccount.com" % (name, project)
        with REGISTRY.lock:
            if REGISTRY.full(REGISTRY.gcp_keys):
                return self._send(507, {"error": "too many registrations"})
            REGISTRY.gcp_keys[email] = (private_key.public_key(), key_id)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        client_id = str(secrets.randbelow(10**21)).rjust(21, "1")
        return self._send(201, {
            "type": "service_account",
            "project_id": project,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self._own_url("/gcp/token"),
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        })

    def _register_keystone_user(self, body):
        doc = self._json(body) or {}
        name, password = doc.get("name"), doc.get("password")
        domain = doc.get("domain", "Default")
        projects = doc.get("projects", [])
        if not all(isinstance(v, str) for v in (name, password, domain)) or not isinstance(projects, list):
            return self._send(400, {"error": "name, password (and domain, projects) are required"})
        project_ids = {}
        for project in projects:
            if not isinstance(project, dict) or not isinstance(project.get("name"), str):
                return self._send(400, {"error": "each project needs a name"})
            project_ids[(project.get("domain", "Default"), project["name"])] = uuid.uuid4().hex
        user_id = uuid.uuid4().hex
        with REGISTRY.lock:
            if REGISTRY.full(REGISTRY.keystone_users):
                return self._send(507, {"error": "too many registrations"})
            REGISTRY.keystone_users[(domain, name)] = {"id": user_id, "password": password, "projects": project_ids}
        return self._send(201, {"user_id": user_id, "projects": {n: i for (_, n), i in project_ids.items()}})

    def _register_azure_app(self, body):
        doc = self._json(body) or {}
        tenant, client, secret = doc.get("tenant_id"), doc.get("client_id"), doc.get("client_secret")
        if not all(isinstance(v, str) and v for v in (tenant, client, secret)):
            return self._send(400, {"error": "tenant_id, client_id and client_secret are required"})
        with REGISTRY.lock:
            if REGISTRY.full(REGISTRY.azure_apps):
                return self._send(507, {"error": "too many registrations"})
            REGISTRY.azure_apps[(tenant.lower(), client.lower())] = secret
            REGISTRY.azure_tenants.add(tenant.lower())
        return self._send(201, {"tenant_id": tenant, "client_id": client})

    # ---- GCP ------------------------------------------------------------------------------

    def _gcp_error(self, error, description, status=400):
        return self._send(status, {"error": error, "error_description": description})

    def _gcp_token(self, path, body):
        form = self._form(body)
        if form is None:
            return self._gcp_error("invalid_request", "Invalid request body.")
        grant_type = form.get("grant_type")
        if grant_type != JWT_BEARER:
            return self._gcp_error("unsupported_grant_type", "Invalid grant_type: %s" % (grant_type or ""))
        assertion = form.get("assertion", "")
        parts = assertion.split(".")
        if len(parts) != 3:
            return self._gcp_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, TypeError):
            return self._gcp_error("invalid_grant", "Invalid JWT: could not decode the assertion.")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            return self._gcp_error("invalid_grant", "Invalid JWT: could not decode the assertion.")
        # Only RS256: "none" or HS256 with the public key as secret must never pass.
        if header.get("alg") != "RS256":
            return self._gcp_error("invalid_grant", "Invalid JWT Signature.")
        with REGISTRY.lock:
            registered = REGISTRY.gcp_keys.get(claims.get("iss"))
        if registered is None:
            return self._gcp_error("invalid_grant", "Invalid grant: account not found")
        public_key, key_id = registered
        if key_id is not None and header.get("kid") != key_id:
            return self._gcp_error("invalid_grant", "Invalid JWT Signature.")
        try:
            public_key.verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return self._gcp_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("aud") != self._own_url(path):
            return self._gcp_error("invalid_grant", "Invalid JWT: Failed audience check. The right audience is %s" % self._own_url(path))
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if (not isinstance(iat, int) or not isinstance(exp, int) or exp <= iat or exp - iat > 3600
                or iat > now + CLOCK_SKEW or exp < now - CLOCK_SKEW):
            return self._gcp_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        if not isinstance(claims.get("scope"), str) or not claims["scope"].strip():
            return self._gcp_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        return self._send(200, {
            "access_token": "ya29.peer-" + secrets.token_urlsafe(32),
            "expires_in": 3599,
            "token_type": "Bearer",
        })

    # ---- Keystone -------------------------------------------------------------------------

    def _keystone_bad_request(self, message):
        return self._send(400, {"error": {"code": 400, "message": message, "title": "Bad Request"}})

    def _keystone_tokens(self, body):
        doc = self._json(body)
        auth = doc.get("auth") if doc else None
        if not isinstance(auth, dict):
            return self._keystone_bad_request("Invalid input for field 'auth': None is not of type 'object'")
        identity = auth.get("identity")
        if not isinstance(identity, dict) or "password" not in (identity.get("methods") or []):
            return self._keystone_bad_request("Invalid input for field 'identity': 'methods' is a required property")
        user = (identity.get("password") or {}).get("user")
        if not isinstance(user, dict) or not isinstance(user.get("name"), str) or not isinstance(user.get("password"), str):
            return self._keystone_bad_request("Invalid input for field 'identity/password/user': 'name' and 'password' are required")
        domain = (user.get("domain") or {}).get("name")
        if not isinstance(domain, str):
            return self._keystone_bad_request("Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.")
        with REGISTRY.lock:
            record = REGISTRY.keystone_users.get((domain, user["name"]))
        if record is None or not hmac.compare_digest(record["password"].encode(), user["password"].encode()):
            return self._send(401, KEYSTONE_UNAUTHORIZED)
        project = ((auth.get("scope") or {}).get("project")) or {}
        project_name = project.get("name")
        project_domain = (project.get("domain") or {}).get("name")
        if not isinstance(project_name, str) or not isinstance(project_domain, str):
            return self._keystone_bad_request("Expecting to find domain in project. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.")
        project_id = record["projects"].get((project_domain, project_name))
        if project_id is None:
            # Keystone does not say whether the project is missing or the user has no role on it.
            return self._send(401, KEYSTONE_UNAUTHORIZED)
        token = {
            "token": {
                "methods": ["password"],
                "user": {"id": record["id"], "name": user["name"], "domain": {"id": domain.lower(), "name": domain}, "password_expires_at": None},
                "project": {"id": project_id, "name": project_name, "domain": {"id": project_domain.lower(), "name": project_domain}},
                "roles": [{"id": uuid.uuid4().hex, "name": "member"}],
                "catalog": [],
                "audit_ids": [secrets.token_urlsafe(16)],
                "issued_at": now_iso(),
                "expires_at": now_iso(3600),
            }
        }
        return self._send(201, token, headers={"X-Subject-Token": "gAAAAAB" + secrets.token_urlsafe(48)})

    # ---- Azure ----------------------------------------------------------------------------

    def _azure_error(self, status, error, description, codes):
        return self._send(status, {
            "error": error,
            "error_description": description + "\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
                uuid.uuid4(), uuid.uuid4(), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")),
            "error_codes": codes,
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        })

    def _azure_token(self, tenant, body):
        form = self._form(body)
        if form is None:
            return self._azure_error(400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.", [900144])
        if form.get("grant_type") != "client_credentials":
            return self._azure_error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.", [70003])
        client_id, secret, scope = form.get("client_id", ""), form.get("client_secret"), form.get("scope", "")
        with REGISTRY.lock:
            tenant_known = tenant.lower() in REGISTRY.azure_tenants
            expected = REGISTRY.azure_apps.get((tenant.lower(), client_id.lower()))
        if not tenant_known:
            return self._azure_error(400, "invalid_request", "AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud." % tenant, [90002])
        if expected is None:
            return self._azure_error(400, "unauthorized_client", "AADSTS700016: Application with identifier '%s' was not found in the directory '%s'." % (client_id, tenant), [700016])
        if secret is None or not hmac.compare_digest(expected.encode(), secret.encode()):
            return self._azure_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'." % client_id, [7000215])
        if not scope.endswith("/.default"):
            return self._azure_error(400, "invalid_scope", "AADSTS1002012: The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)." % scope, [1002012])
        return self._send(200, {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": "eyJ0eXAiOiJKV1QifQ.peer-" + secrets.token_urlsafe(32),
        })


    # ---- price APIs (replays) -------------------------------------------------------------

    def _pricing(self, path, query):
        if path == "/pricing/azure/api/retail/prices":
            return self._azure_prices(path, query)
        match = re.fullmatch(r"/pricing/aws/offers/v1\.0/aws/AmazonEC2/current/([a-z0-9-]+)/index\.json", path)
        if match:
            region = match.group(1)
            if region not in AWS_OFFER_FILES:
                return self._send(403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                                  content_type="application/xml")
            return self._send(200, AWS_OFFER_FILES[region])
        if path == "/pricing/gcp/v1/services/6F81-5844-456A/skus":
            if not query.get("key", [""])[0]:
                return self._send(403, {"error": {"code": 403, "status": "PERMISSION_DENIED",
                                                  "message": "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."}})
            token = query.get("pageToken", [""])[0]
            if token == "":
                return self._send(200, {"skus": GCP_SKUS[:3], "nextPageToken": "page-2"})
            if token == "page-2":
                return self._send(200, {"skus": GCP_SKUS[3:], "nextPageToken": ""})
            return self._send(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "Invalid page token."}})
        return self._send(404, {"error": "not_found", "path": path})

    def _azure_prices(self, path, query):
        flt = query.get("$filter", [""])[0]
        if "serviceName eq 'Virtual Machines'" not in flt:
            return self._send(400, {"Error": {"Code": "BadRequest", "Message": "Invalid OData filter for this replay: %s" % flt}})
        regions = re.findall(r"armRegionName eq '([^']+)'", flt)
        items = [item for item in AZURE_ITEMS if not regions or item["armRegionName"] in regions]
        try:
            skip = int(query.get("$skip", ["0"])[0])
        except ValueError:
            return self._send(400, {"Error": {"Code": "BadRequest", "Message": "$skip must be an integer"}})
        page = items[skip:skip + AZURE_PAGE_SIZE]
        next_link = None
        if skip + AZURE_PAGE_SIZE < len(items):
            # Like the real API: absolute, with the port spelled out, the filter repeated.
            next_link = "http://%s%s?currencyCode='USD'&$filter=%s&$skip=%d" % (
                self.headers.get("Host", ""), path, flt.replace(" ", "%20"), skip + AZURE_PAGE_SIZE)
        return self._send(200, {"BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                                "Items": page, "NextPageLink": next_link, "Count": len(page)})


class BodyError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description="Local strict cloud identity endpoints for tests.")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--lifetime", type=float, default=4 * 3600, help="exit after this many seconds")
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    print("cloud peers listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    print("ready", flush=True)
    stop.wait(args.lifetime)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
