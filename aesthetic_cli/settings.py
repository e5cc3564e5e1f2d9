"""aesops.toml, read and validated in one place. Every setting an analysis reads is a field here,
so the terminal, the reports and the demo cannot read different values of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from aesthetic_cli.errors import WorkspaceError

ONSITE_METRICS = ("sales", "repurchase_rate", "close_rate", "ticket")
ONLINE_METRICS = ("close_rate", "arrival_rate", "appointment_rate")
# SPEC §2: onsite 50% sales + 50% repurchase (selling without repurchase is over-promising);
# online exactly equal thirds. Weights are shares of their sum, so 1, 1, 1 is exactly 1/3 each.
DEFAULT_ONSITE = {"sales": 0.5, "repurchase_rate": 0.5}
DEFAULT_ONLINE = {"close_rate": 1.0, "arrival_rate": 1.0, "appointment_rate": 1.0}
DEFAULT_HORIZONS = (30, 90, 180, 365)


@dataclass(frozen=True)
class Settings:
    default_clinic: str | None = None
    db: str | None = None
    onsite_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ONSITE))
    online_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ONLINE))
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    mask_pii: bool = True
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def weights(self) -> dict[str, dict[str, float]]:
        return {"onsite": dict(self.onsite_weights), "online": dict(self.online_weights)}


def _weights(raw: dict, team: str, allowed: tuple[str, ...], default: dict[str, float]) -> dict[str, float]:
    given = raw.get("scorecard", {}).get(team)
    if given is None:
        return dict(default)
    ok = (
        isinstance(given, dict)
        and given
        and all(k in allowed for k in given)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in given.values())
        and sum(given.values()) > 0
    )
    if not ok:
        raise WorkspaceError(
            f"aesops.toml [scorecard.{team}] is not usable: {given}.",
            hint=f"Give non-negative weights, not all zero, for any of: {', '.join(allowed)}.",
        )
    return {k: float(v) for k, v in given.items()}


def _horizons(raw: dict) -> tuple[int, ...]:
    given = raw.get("channels", {}).get("horizons")
    if given is None:
        return DEFAULT_HORIZONS
    if not (
        isinstance(given, list)
        and given
        and all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in given)
    ):
        raise WorkspaceError(
            f"aesops.toml [channels] horizons = {given} is not usable.",
            hint="Give whole days after first_seen, e.g. horizons = [30, 90, 180, 365].",
        )
    return tuple(sorted(set(given)))


def parse(raw: dict) -> Settings:
    ws = raw.get("workspace", {})
    mask = raw.get("privacy", {}).get("mask_pii", True)
    if not isinstance(mask, bool):
        raise WorkspaceError(f"aesops.toml [privacy] mask_pii = {mask!r} must be true or false.")
    return Settings(
        default_clinic=ws.get("default_clinic"),
        db=ws.get("db"),
        onsite_weights=_weights(raw, "onsite", ONSITE_METRICS, DEFAULT_ONSITE),
        online_weights=_weights(raw, "online", ONLINE_METRICS, DEFAULT_ONLINE),
        horizons=_horizons(raw),
        mask_pii=mask,
        raw=raw,
    )
