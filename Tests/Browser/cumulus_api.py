"""The API calls the browser tests make directly: setting the scene (tenants, nodes, tasks)
that the dashboard then has to show. Standard library HTTP plus `cryptography` for the node keys,
following Tests/IntegrationTests/Orchestrator/FederationFixture.swift."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

# The test gateway's certificate is self-signed.
_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE

GiB = 1 << 30


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


class Gateway:
    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def call(self, method: str, path: str, token: str | None = None, body=None, expect: int | tuple | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, context=_TLS, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        answer = json.loads(raw) if raw else None
        if expect is not None:
            wanted = expect if isinstance(expect, tuple) else (expect,)
            assert status in wanted, f"{method} {path}: HTTP {status}, wanted {wanted}: {answer}"
        return status, answer

    def raw(self, method: str, path: str, token: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, context=_TLS, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def login(self, email: str, password: str) -> str:
        _, pair = self.call("POST", "/api/v1/auth/login", body={"email": email, "password": password}, expect=200)
        return pair["accessToken"]

    def make_tenant(self, admin_token: str, label: str) -> dict:
        """An organisation with its first administrator; answers ids, credentials and a token."""
        email = f"{unique(label)}@example.org"
        password = "correct-horse-" + uuid.uuid4().hex[:10]
        _, org = self.call("POST", "/api/v1/orgs", admin_token, {
            "name": unique(label), "admin": {"email": email, "password": password, "displayName": f"{label} admin"}}, expect=201)
        return {"id": org["id"].lower(), "name": org["name"], "email": email, "password": password, "token": self.login(email, password)}

    def make_federation(self, tenant: dict, label: str) -> dict:
        _, federation = self.call("POST", "/api/v1/federations", tenant["token"],
                                  {"name": unique(label), "ownerOrganisationId": tenant["id"]}, expect=201)
        federation["id"] = federation["id"].lower()
        return federation


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class Node:
    """A participant node whose keys the test holds: enrolled at governance, registered with the
    orchestrator, heartbeating from a background thread with telemetry the test can change."""

    def __init__(self, gateway: Gateway, federation_id: str, hostname: str, node_id: str, signing: Ed25519PrivateKey, agreement_public: str):
        self.gateway = gateway
        self.federation_id = federation_id
        self.hostname = hostname
        self.id = node_id
        self.signing = signing
        self.agreement_public = agreement_public
        self.cpu = 10.0
        self.memory_used = 2 * GiB
        self.token = self.fresh_token()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[str] = []

    @classmethod
    def enrol(cls, gateway: Gateway, tenant: dict, federation_id: str, hostname: str) -> "Node":
        _, created = gateway.call("POST", f"/api/v1/federations/{federation_id}/enrolment-tokens", tenant["token"],
                                  {"organisationId": tenant["id"], "expiresInMinutes": 10}, expect=201)
        signing = Ed25519PrivateKey.generate()
        agreement = X25519PrivateKey.generate()
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        signing_public = _b64(signing.public_key().public_bytes(*raw))
        agreement_public = _b64(agreement.public_key().public_bytes(*raw))
        _, enrolled = gateway.call("POST", "/api/v1/auth/enrol", body={
            "token": created["token"], "hostname": hostname, "signingPublicKey": signing_public, "agreementPublicKey": agreement_public}, expect=201)
        node = cls(gateway, federation_id, hostname, enrolled["nodeId"].lower(), signing, agreement_public)
        gateway.call("POST", "/api/v1/agent/register", node.token, {
            "federationId": federation_id, "hostname": hostname,
            "location": {"provider": "aws", "region": "eu-west-1"},
            "specs": {"vcpus": 4, "memoryBytes": 16 * GiB, "diskBytes": 100 * GiB, "gpus": []},
            "labels": {"test": "browser"},
            "signingPublicKey": signing_public, "agreementPublicKey": agreement_public, "agentVersion": "browser-test"}, expect=200)
        return node

    def fresh_token(self) -> str:
        timestamp = int(time.time() * 1000)
        message = f"cumulus-node-token:{self.id}:{timestamp}".encode()
        _, answer = self.gateway.call("POST", "/api/v1/auth/node-token", body={
            "nodeId": self.id, "timestamp": timestamp, "signature": _b64(self.signing.sign(message))}, expect=200)
        return answer["accessToken"]

    def heartbeat(self) -> dict:
        status, answer = self.gateway.call("POST", "/api/v1/agent/heartbeat", self.token, {
            "telemetry": {"cpuPercent": self.cpu, "memoryUsedBytes": self.memory_used, "memoryTotalBytes": 16 * GiB,
                          "diskUsedBytes": 10 * GiB, "diskFreeBytes": 90 * GiB, "load": [0.5, 0.4, 0.3], "gpus": []},
            "datasets": [{"name": "clinic", "rows": 1200, "schemaHash": "ab" * 32}]})
        if status != 200:
            self.errors.append(f"heartbeat: HTTP {status}: {answer}")
        return answer or {}

    def take_task(self, wait: int = 25) -> dict | None:
        status, task = self.gateway.call("GET", f"/api/v1/agent/tasks/next?waitSeconds={wait}", self.token)
        return task if status == 200 else None

    def train(self, task: dict, shift: float, train_loss: float) -> None:
        """Plays an agent's part in a training task: downloads the global model, moves every
        weight by `shift`, uploads it signed with the node's key, and reports success."""
        parameters = task["parameters"]
        status, model = self.gateway.raw("GET", f"/api/v1/models/blobs/{parameters['model']}", self.token)
        assert status == 200, f"model download: HTTP {status}"
        update = shifted_safetensors(model, shift)
        sha = hashlib.sha256(update).hexdigest()
        upload = parameters["upload"]
        job_id, round_number = re.match(r"^/api/v1/jobs/([0-9a-f-]+)/rounds/(\d+)/update$", upload).groups()
        task_id = task["taskId"].lower()
        signature = _b64(self.signing.sign(f"cumulus-update:{job_id}:{round_number}:{task_id}:{sha}".encode()))
        status, answer = self.gateway.raw("PUT", upload, self.token, update, {
            "Content-Type": "application/octet-stream", "X-Cumulus-Task": task_id, "X-Cumulus-Examples": "100",
            "X-Cumulus-Signature": signature, "X-Cumulus-Train-Loss": str(train_loss)})
        assert status == 201, f"update upload: HTTP {status}: {answer[:300]!r}"
        self.gateway.call("POST", f"/api/v1/agent/tasks/{task_id}/status", self.token,
                          {"attempt": task["attempt"], "sequence": 1, "outcome": "succeeded", "result": {"sha256": sha}}, expect=(200, 204))

    def start(self, every: float = 1.5) -> "Node":
        def beat():
            while not self._stop.is_set():
                try:
                    self.heartbeat()
                except Exception as error:  # keep beating; the test sees the errors
                    self.errors.append(repr(error))
                self._stop.wait(every)
        self.heartbeat()
        self._thread = threading.Thread(target=beat, name=f"heartbeat-{self.hostname}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)


def shifted_safetensors(data: bytes, shift: float) -> bytes:
    """The same safetensors file with every F32 value moved by `shift` (header unchanged)."""
    header_length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + header_length])
    body = bytearray(data[8 + header_length:])
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: {entry['dtype']}"
        start, end = entry["data_offsets"]
        count = (end - start) // 4
        values = struct.unpack(f"<{count}f", body[start:end])
        body[start:end] = struct.pack(f"<{count}f", *(v + shift for v in values))
    return data[:8 + header_length] + bytes(body)
