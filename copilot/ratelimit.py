"""Token-bucket rate limits per viewer and per room, in Redis or in process.

A bucket holds up to ``burst`` tokens and refills continuously at ``per_second``; a hit
takes ``cost`` tokens or is refused with the seconds until they are there (the caller's
``Retry-After``).

Why a Lua script and not a library: ``limits`` offers fixed, moving and sliding windows
but no token bucket; ``pyrate-limiter`` is a leaky bucket kept as a log of timestamps
(memory grows with the limit, time comes from the caller's clock) and reports a delay
only by raising or sleeping; ``redis-rate-limiters`` blocks the caller until a token is
free; ``limitlion`` refills in whole-second windows. A token bucket is twenty lines of
Lua, so ``RedisRateLimiter`` runs its own script through redis-py's ``register_script``
(EVALSHA, reloaded on NOSCRIPT). The script reads the clock with ``TIME`` so workers
with skewed clocks share one timeline, and it sets a TTL on each key for when the bucket
would be full again, so an idle key vanishes exactly when forgetting it changes nothing.
Redis 5 or later is needed (``TIME`` after a write relies on effects replication).

When Redis cannot be reached the limiter fails open: the hit is allowed and a warning is
logged once per outage. A rate limit guards against floods; refusing every viewer's
question because Redis blinked would stop the chat, which is worse than a short window
without limits.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import redis

from copilot.errors import TooManyRequests

logger = logging.getLogger(__name__)

KEY_PREFIX = "copilot:ratelimit:"
MAX_BUCKETS = 100_000  # in-process buckets kept before the least recently used goes
SWEEP_EVERY_S = 60.0  # how often the in-process limiter drops buckets that are full again
REDIS_TIMEOUT_S = 0.5  # connect and socket timeout: a slow Redis must not stall the chat


@dataclass(frozen=True)
class Rate:
    """Tokens added per second and the bucket's size; ``per_second == 0`` is unlimited."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second < 0 or self.burst < 0:
            raise ValueError(f"a rate cannot be negative: {self}")
        if self.per_second > 0 and self.burst < 1:
            raise ValueError(f"a limited rate needs a burst of at least 1: {self}")

    @property
    def unlimited(self) -> bool:
        """True when every hit is allowed."""
        return self.per_second == 0


UNLIMITED = Rate(per_second=0, burst=0)


@dataclass(frozen=True)
class Decision:
    """Whether a hit is allowed, and if not, the seconds until its tokens are there."""

    allowed: bool
    retry_after_s: float = 0.0

    @property
    def retry_after_header(self) -> str:
        """The ``Retry-After`` value: whole seconds, rounded up, at least 1."""
        return str(max(1, math.ceil(self.retry_after_s)))


ALLOWED = Decision(allowed=True)


class RateLimiter(Protocol):
    """Takes tokens from the bucket named by ``key``."""

    def hit(self, key: str, rate: Rate, cost: float = 1.0) -> Decision:
        """Take ``cost`` tokens, or refuse and say when to retry."""
        ...


def viewer_key(room_id: str, viewer_id: str) -> str:
    """The bucket of one viewer in one room."""
    return f"{KEY_PREFIX}viewer:{_part(room_id)}:{_part(viewer_id)}"


def room_key(room_id: str) -> str:
    """The bucket shared by every viewer of a room."""
    return f"{KEY_PREFIX}room:{_part(room_id)}"


def _part(value: str) -> str:
    # Quoting ":" keeps room "a:b" + viewer "c" apart from room "a" + viewer "b:c".
    return quote(value, safe="")


def _check_cost(rate: Rate, cost: float) -> None:
    if cost < 0:
        raise ValueError(f"cost cannot be negative: {cost}")
    if cost > rate.burst:
        raise ValueError(f"cost {cost} can never fit in a burst of {rate.burst}")


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float  # clock reading when ``tokens`` was right
    full_at: float  # clock reading when the bucket is full again and can be forgotten


class InProcessRateLimiter:
    """Buckets in this process's memory: right for one worker, or for tests.

    Memory is bounded twice: every ``SWEEP_EVERY_S`` the buckets that have refilled are
    dropped (a full bucket is the same as none), and past ``max_buckets`` the least
    recently used bucket goes even if not full, forgiving that one key's debt.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
        sweep_every_s: float = SWEEP_EVERY_S,
    ) -> None:
        self._clock = clock
        self._max_buckets = max_buckets
        self._sweep_every_s = sweep_every_s
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)

    def hit(self, key: str, rate: Rate, cost: float = 1.0) -> Decision:
        """Take ``cost`` tokens, or refuse and say when to retry."""
        if rate.unlimited:
            return ALLOWED
        _check_cost(rate, cost)
        with self._lock:
            now = self._clock()
            if now - self._last_sweep >= self._sweep_every_s:
                self._sweep(now)
            bucket = self._buckets.get(key)
            tokens = float(rate.burst)
            if bucket is not None:
                elapsed = max(0.0, now - bucket.updated)
                tokens = min(tokens, bucket.tokens + elapsed * rate.per_second)
            if tokens >= cost:
                tokens -= cost
                decision = ALLOWED
            else:
                decision = Decision(False, (cost - tokens) / rate.per_second)
            if tokens >= rate.burst:
                self._buckets.pop(key, None)
                return decision
            full_at = now + (rate.burst - tokens) / rate.per_second
            if bucket is None:
                self._buckets[key] = _Bucket(tokens, now, full_at)
                if len(self._buckets) > self._max_buckets:
                    self._buckets.popitem(last=False)
            else:
                bucket.tokens, bucket.updated, bucket.full_at = tokens, now, full_at
                self._buckets.move_to_end(key)
            return decision

    def _sweep(self, now: float) -> None:
        for key in [key for key, bucket in self._buckets.items() if bucket.full_at <= now]:
            del self._buckets[key]
        self._last_sweep = now


# KEYS[1] bucket; ARGV per_second, burst, cost. Returns {allowed, retry_after_s as text}.
# Numbers are written with string.format: Lua's own tostring keeps 14 digits, too few
# for a Unix time with microseconds.
_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = burst
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(burst, tonumber(state[1]) + elapsed * rate)
end
local allowed, retry = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = (cost - tokens) / rate
end
if tokens >= burst then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
             'ts', string.format('%.6f', now))
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1)
end
return {allowed, string.format('%.6f', retry)}
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every API worker; fails open when Redis is down."""

    def __init__(self, client: str | redis.Redis) -> None:
        if isinstance(client, str):
            client = redis.Redis.from_url(
                client, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
            )
        self._redis = client
        self._script = client.register_script(_TOKEN_BUCKET_LUA)
        self._down = False  # a warning is logged once per outage, not once per hit

    def hit(self, key: str, rate: Rate, cost: float = 1.0) -> Decision:
        """Take ``cost`` tokens, or refuse and say when to retry."""
        if rate.unlimited:
            return ALLOWED
        _check_cost(rate, cost)
        try:
            allowed, retry = self._script(keys=[key], args=[rate.per_second, rate.burst, cost])
        except (redis.ConnectionError, redis.TimeoutError) as error:
            if not self._down:
                self._down = True
                logger.warning("rate limits are off until Redis answers again: %s", error)
            return ALLOWED
        if self._down:
            self._down = False
            logger.info("Redis answers again; rate limits are back on")
        return ALLOWED if allowed == 1 else Decision(False, float(retry))

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


def build_rate_limiter(redis_url: str) -> RateLimiter:
    """Redis when configured, else buckets in this process."""
    return RedisRateLimiter(redis_url) if redis_url else InProcessRateLimiter()


def login_key(username: str) -> str:
    """The bucket of failed and successful logins for one user name."""
    return f"{KEY_PREFIX}login:{_part(username)}"


def enforce_question_rate(
    limiter: RateLimiter, *, viewer: Rate, room: Rate, room_id: str, viewer_id: str
) -> None:
    """Raise TooManyRequests when the viewer or the room is over its rate."""
    viewer_decision = limiter.hit(viewer_key(room_id, viewer_id), viewer)
    if not viewer_decision.allowed:
        raise TooManyRequests(
            "you are asking too fast; try again shortly",
            retry_after_s=viewer_decision.retry_after_s,
        )
    room_decision = limiter.hit(room_key(room_id), room)
    if not room_decision.allowed:
        raise TooManyRequests(
            "this room is receiving too many questions; try again shortly",
            retry_after_s=room_decision.retry_after_s,
        )
