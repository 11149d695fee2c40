"""Synthetic test images and a small registry push client (python3 stdlib only).

An image here is real enough for any client: a valid image config, one small gzip'd tar layer
per platform, OCI or Docker v2 manifests, and an OCI index or Docker manifest list over them.
Content is a pure function of (kind, seed), so the same seed gives the same digests and a
different seed gives different ones (for moved-tag tests).

Pushing follows the distribution spec's monolithic upload: POST /v2/<name>/blobs/uploads/ then
PUT <Location>&digest=... (2.8.2 ignores the single-request POST ?digest= form). Children are
pushed by digest before the index that lists them; the registry refuses an index whose
children it does not have.
"""

import base64
import gzip
import hashlib
import http.client
import io
import json
import ssl
import tarfile
import urllib.parse

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
IN_TOTO = "application/vnd.in-toto+json"

KINDS = ("index", "index-amd64-only", "manifest-list", "single")


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, indent=2, sort_keys=False).encode()


class Image:
    """Blobs and manifests to push, in push order, and the top-level manifest."""

    def __init__(self):
        self.blobs = {}  # digest -> bytes
        self.children = []  # (digest, media_type, bytes), pushed by digest
        self.top = None  # (media_type, bytes), pushed by tag
        self.platforms = {}  # "linux/amd64" -> child digest

    def add_blob(self, data):
        digest = sha256(data)
        self.blobs[digest] = data
        return {"digest": digest, "size": len(data)}


def _layer(seed, arch):
    """A gzip'd tar holding one file; fixed mtimes make it reproducible."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        content = f"imagepin test image, seed {seed}, {arch}\n".encode()
        info = tarfile.TarInfo("etc/imagepin-test")
        info.size = len(content)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return tar_bytes, gzip.compress(tar_bytes, mtime=0)


def _platform_manifest(image, seed, os_name, arch, docker):
    tar_bytes, layer = _layer(seed, arch)
    config = {
        "architecture": arch,
        "os": os_name,
        "created": "2024-01-01T00:00:00Z",
        "config": {"Labels": {"org.imagepin.test.seed": str(seed)}},
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar_bytes)]},
    }
    config_desc = image.add_blob(canonical(config))
    layer_desc = image.add_blob(layer)
    media_type = DOCKER_MANIFEST if docker else OCI_MANIFEST
    manifest = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG, **config_desc},
        "layers": [{"mediaType": DOCKER_LAYER if docker else OCI_LAYER, **layer_desc}],
    }
    body = canonical(manifest)
    image.children.append((sha256(body), media_type, body))
    image.platforms[f"{os_name}/{arch}"] = sha256(body)
    return {"mediaType": media_type, "digest": sha256(body), "size": len(body),
            "platform": {"architecture": arch, "os": os_name}}


def _attestation(image, seed, subject_digest):
    """A BuildKit-style attestation manifest: listed in the index as unknown/unknown."""
    statement = canonical({"_type": "https://in-toto.io/Statement/v0.1",
                           "predicateType": "https://slsa.dev/provenance/v0.2",
                           "subject": [{"name": "test", "digest": {"sha256": subject_digest[7:]}}],
                           "predicate": {"seed": seed}})
    config_desc = image.add_blob(canonical({"architecture": "unknown", "os": "unknown",
                                            "config": {}, "rootfs": {"type": "layers",
                                                                     "diff_ids": []}}))
    layer_desc = image.add_blob(statement)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **config_desc},
        "layers": [{"mediaType": IN_TOTO, **layer_desc,
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}],
    }
    body = canonical(manifest)
    image.children.append((sha256(body), OCI_MANIFEST, body))
    return {"mediaType": OCI_MANIFEST, "digest": sha256(body), "size": len(body),
            "annotations": {"vnd.docker.reference.digest": subject_digest,
                            "vnd.docker.reference.type": "attestation-manifest"},
            "platform": {"architecture": "unknown", "os": "unknown"}}


REVISION_ANNOTATION = "org.opencontainers.image.revision"


def build_image(kind, seed, revision=None):
    """The image of `kind` (one of KINDS) for `seed`; with `revision`, the top-level manifest
    (the index, or the single manifest) carries it as org.opencontainers.image.revision, as
    BuildKit's --annotation index:... and docker/metadata-action write it."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    image = Image()
    docker = kind == "manifest-list"
    if kind == "single":
        _platform_manifest(image, seed, "linux", "amd64", docker=False)
        digest, media_type, body = image.children.pop()
        if revision is not None:
            manifest = json.loads(body)
            manifest["annotations"] = {REVISION_ANNOTATION: revision}
            body = canonical(manifest)
            image.platforms["linux/amd64"] = sha256(body)
        image.top = (media_type, body)
        return image
    arches = ["amd64"] if kind == "index-amd64-only" else ["amd64", "arm64"]
    entries = [_platform_manifest(image, seed, "linux", arch, docker) for arch in arches]
    if kind == "index":
        entries.append(_attestation(image, seed, entries[0]["digest"]))
    media_type = DOCKER_LIST if docker else OCI_INDEX
    index = {"schemaVersion": 2, "mediaType": media_type, "manifests": entries}
    if revision is not None:
        index["annotations"] = {REVISION_ANNOTATION: revision}
    image.top = (media_type, canonical(index))
    return image


class PushError(Exception):
    pass


def _parse_challenge(header):
    """'Bearer realm="x",service="y"' -> ("bearer", {"realm": "x", "service": "y"})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {}
    for part in _split_params(rest):
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return scheme.lower(), params


def _split_params(text):
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


class Client:
    """One kept-alive connection to a registry, with Basic or Bearer auth on demand."""

    def __init__(self, host, ca_file=None, insecure=False, user=None, password=None):
        self.host = host
        self.user, self.password = user, password
        self.tls = bool(ca_file) or insecure
        self.context = None
        if ca_file:
            self.context = ssl.create_default_context(cafile=ca_file)
        elif insecure:
            self.context = ssl._create_unverified_context()
        self.conn = None
        self.auth = {}  # repository -> Authorization header value
        self.mount_from = None  # the repository blobs are mounted from, during push()
        self.token_conns = {}

    def _connection(self):
        if self.conn is None:
            if self.tls:
                self.conn = http.client.HTTPSConnection(self.host, context=self.context, timeout=30)
            else:
                self.conn = http.client.HTTPConnection(self.host, timeout=30)
        return self.conn

    def _raw(self, method, path, body=None, headers=None):
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                resp = conn.getresponse()
                data = resp.read()
                return resp, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The registry closed an idle kept-alive connection: reconnect once.
                conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def request(self, method, path, repo, body=None, headers=None, expect=(200,)):
        headers = dict(headers or {})
        if repo in self.auth:
            headers["Authorization"] = self.auth[repo]
        resp, data = self._raw(method, path, body, headers)
        if resp.status == 401 and repo not in self.auth:
            self.auth[repo] = self._authorize(resp.getheader("WWW-Authenticate", ""), repo)
            headers["Authorization"] = self.auth[repo]
            resp, data = self._raw(method, path, body, headers)
        if resp.status not in expect:
            raise PushError(f"{method} {path}: HTTP {resp.status}: {data[:300].decode(errors='replace')}")
        return resp, data

    def _basic(self):
        if not self.user:
            raise PushError("the registry wants credentials: pass --user and --password")
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()

    def _authorize(self, challenge, repo):
        scheme, params = _parse_challenge(challenge)
        if scheme == "basic":
            return self._basic()
        if scheme != "bearer":
            raise PushError(f"unsupported challenge {challenge!r}")
        realm = urllib.parse.urlsplit(params["realm"])
        scopes = [f"repository:{repo}:pull,push"]
        if self.mount_from and self.mount_from != repo:
            scopes.append(f"repository:{self.mount_from}:pull")  # mounting reads the source
        query = urllib.parse.urlencode({"service": params.get("service", ""), "scope": scopes},
                                       doseq=True)
        conn_class = http.client.HTTPSConnection if realm.scheme == "https" else http.client.HTTPConnection
        conn = self.token_conns.get(realm.netloc)
        if conn is None:
            kwargs = {"context": self.context} if realm.scheme == "https" else {}
            conn = self.token_conns[realm.netloc] = conn_class(realm.netloc, timeout=30, **kwargs)
        headers = {"Authorization": self._basic()} if self.user else {}
        conn.request("GET", f"{realm.path}?{query}", headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise PushError(f"token request: HTTP {resp.status}: {data[:200].decode(errors='replace')}")
        body = json.loads(data)
        return "Bearer " + (body.get("token") or body["access_token"])

    def put_blob(self, repo, digest, data, mount_from=None):
        if not mount_from:
            resp, _ = self.request("HEAD", f"/v2/{repo}/blobs/{digest}", repo, expect=(200, 404))
            if resp.status == 200:
                return
        else:
            # Cross-repository mount (spec: "Mounting a blob from another repository"): 201 when
            # the registry could, 202 + an upload Location when it could not.
            query = urllib.parse.urlencode({"mount": digest, "from": mount_from})
            resp, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/?{query}", repo,
                                   expect=(201, 202))
            if resp.status == 201:
                return
        if resp.status != 202:
            resp, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/", repo, expect=(202,))
        location = resp.getheader("Location")
        # Location may be absolute or relative and usually carries a query (_state=...).
        url = urllib.parse.urlsplit(location)
        query = (url.query + "&" if url.query else "") + "digest=" + urllib.parse.quote(digest)
        target = f"{url.path}?{query}"
        self.request("PUT", target, repo, body=data, expect=(201,),
                     headers={"Content-Type": "application/octet-stream",
                              "Content-Length": str(len(data))})

    def put_manifest(self, repo, reference, media_type, body):
        resp, _ = self.request("PUT", f"/v2/{repo}/manifests/{reference}", repo, body=body,
                               expect=(201,), headers={"Content-Type": media_type})
        digest = resp.getheader("Docker-Content-Digest")
        if digest != sha256(body):
            raise PushError(f"registry named {digest} for a manifest whose sha256 is {sha256(body)}")
        return digest

    def push(self, repo, tag, image, mount_from=None):
        self.mount_from = mount_from
        for digest, data in image.blobs.items():
            self.put_blob(repo, digest, data, mount_from)
        for digest, media_type, body in image.children:
            self.put_manifest(repo, digest, media_type, body)
        media_type, body = image.top
        return self.put_manifest(repo, tag, media_type, body)
