"""Token buckets: the same behaviour in process and in a real Redis shared by workers."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

from copilot.ratelimit import (
    InProcessRateLimiter,
    Rate,
    RateLimiter,
    RedisRateLimiter,
    build_rate_limiter,
    room_key,
    viewer_key,
)

Factory = Callable[[], RateLimiter]


@pytest.fixture(scope="module")
def redis_url() -> str:
    """The test Redis database (make test starts it and sets the variable)."""
    url = os.environ.get("COPILOT_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("COPILOT_TEST_REDIS_URL is not set (run `make test`)")
    return url


@pytest.fixture
def room() -> Iterator[str]:
    """A fresh room id; its Redis keys, if any, are deleted afterwards."""
    room_id = f"t-{uuid.uuid4().hex[:8]}"
    yield room_id
    url = os.environ.get("COPILOT_TEST_REDIS_URL", "")
    if url:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"copilot:ratelimit:*{room_id}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def redis_factory(redis_url: str) -> Iterator[Factory]:
    """Makes RedisRateLimiters, one per simulated worker, closed afterwards."""
    made: list[RedisRateLimiter] = []

    def make() -> RateLimiter:
        limiter = RedisRateLimiter(redis_url)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.close()


@pytest.fixture(params=["in_process", pytest.param("redis", marks=pytest.mark.redis)])
def factory(request: pytest.FixtureRequest) -> Factory:
    """Runs a test once in process and once on Redis."""
    if request.param == "redis":
        redis_factory: Factory = request.getfixturevalue("redis_factory")
        return redis_factory
    return InProcessRateLimiter


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refused_with_retry_after(factory: Factory, room: str) -> None:
    limiter, rate = factory(), Rate(per_second=2, burst=3)
    key = viewer_key(room, "v1")
    assert [limiter.hit(key, rate).allowed for _ in range(3)] == [True, True, True]
    refused = limiter.hit(key, rate)
    assert not refused.allowed
    assert 0.4 < refused.retry_after_s <= 0.5 + 1e-6  # about 1 / rate
    assert refused.retry_after_header == "1"


def test_tokens_refill_with_time(factory: Factory, room: str) -> None:
    limiter, rate = factory(), Rate(per_second=20, burst=1)
    key = viewer_key(room, "v1")
    assert limiter.hit(key, rate).allowed
    refused = limiter.hit(key, rate)
    assert not refused.allowed
    time.sleep(refused.retry_after_s + 0.02)
    assert limiter.hit(key, rate).allowed
    assert not limiter.hit(key, rate).allowed


def test_keys_are_independent(factory: Factory, room: str) -> None:
    limiter, rate = factory(), Rate(per_second=0.5, burst=1)
    assert limiter.hit(viewer_key(room, "v1"), rate).allowed
    assert not limiter.hit(viewer_key(room, "v1"), rate).allowed
    assert limiter.hit(viewer_key(room, "v2"), rate).allowed
    assert limiter.hit(room_key(room), rate).allowed
    assert limiter.hit(viewer_key(f"{room}-other", "v1"), rate).allowed


def test_rate_zero_is_unlimited(factory: Factory, room: str) -> None:
    limiter = factory()
    assert all(limiter.hit(room_key(room), Rate(per_second=0, burst=0)).allowed for _ in range(500))


def test_cost_takes_several_tokens(factory: Factory, room: str) -> None:
    limiter, rate = factory(), Rate(per_second=1, burst=4)
    key = room_key(room)
    assert limiter.hit(key, rate, cost=3).allowed
    refused = limiter.hit(key, rate, cost=3)
    assert not refused.allowed and 1.9 < refused.retry_after_s <= 2.0 + 1e-6
    assert limiter.hit(key, rate, cost=1).allowed
    with pytest.raises(ValueError):
        limiter.hit(key, rate, cost=5)


def test_concurrent_hits_never_exceed_burst_plus_refill(factory: Factory, room: str) -> None:
    limiters = [factory(), factory()]  # on Redis: two workers sharing one bucket
    if isinstance(limiters[0], InProcessRateLimiter):
        limiters = limiters[:1]  # in process, the threads share one limiter
    rate, key = Rate(per_second=0.5, burst=5), viewer_key(room, "v1")
    threads_n, hits_n = 8, 25
    barrier = threading.Barrier(threads_n)
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        chosen = limiters[index % len(limiters)]
        barrier.wait()
        results = [chosen.hit(key, rate).allowed for _ in range(hits_n)]
        with lock:
            allowed.extend(results)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert len(allowed) == threads_n * hits_n
    assert 5 <= sum(allowed) <= 5 + int(elapsed * rate.per_second)


def test_in_process_refill_is_exact_with_a_clock() -> None:
    clock = FakeClock()
    limiter, rate = InProcessRateLimiter(clock=clock), Rate(per_second=4, burst=2)
    assert limiter.hit("k", rate).allowed and limiter.hit("k", rate).allowed
    assert limiter.hit("k", rate).retry_after_s == pytest.approx(0.25)
    clock.now += 0.2
    assert limiter.hit("k", rate).retry_after_s == pytest.approx(0.05)
    clock.now += 0.05
    assert limiter.hit("k", rate).allowed
    clock.now += 100  # refills only up to the burst
    assert [limiter.hit("k", rate).allowed for _ in range(3)] == [True, True, False]


def test_in_process_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = InProcessRateLimiter(clock=clock, max_buckets=50, sweep_every_s=10)
    rate = Rate(per_second=1, burst=2)
    for i in range(1000):
        limiter.hit(f"viewer-{i}", rate)
    assert len(limiter) == 50  # the least recently used went first
    assert limiter.hit("viewer-999", rate).allowed  # the newest buckets were kept
    assert not limiter.hit("viewer-999", rate).allowed
    clock.now += 10  # every bucket is full again by the next sweep
    limiter.hit("new", rate)
    assert len(limiter) == 1


@pytest.mark.redis
def test_two_redis_workers_share_one_bucket(redis_factory: Factory, room: str) -> None:
    first, second, rate = redis_factory(), redis_factory(), Rate(per_second=0.5, burst=2)
    key = viewer_key(room, "v1")
    assert first.hit(key, rate).allowed
    assert second.hit(key, rate).allowed
    assert not first.hit(key, rate).allowed
    assert not second.hit(key, rate).allowed


@pytest.mark.redis
def test_idle_redis_keys_expire(redis_url: str, redis_factory: Factory, room: str) -> None:
    limiter, rate, key = redis_factory(), Rate(per_second=10, burst=2), room_key(room)
    client = redis.Redis.from_url(redis_url)
    try:
        limiter.hit(key, rate)
        assert 0 < client.pttl(key) <= 101  # one token short: full again in 100 ms
        limiter.hit(key, rate)
        assert 101 < client.pttl(key) <= 201
        time.sleep(0.3)
        assert not client.exists(key)
        assert limiter.hit(key, rate).allowed  # a forgotten key starts full
    finally:
        client.close()


def test_redis_down_fails_open_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    rate = Rate(per_second=0.1, burst=1)
    with caplog.at_level(logging.WARNING, logger="copilot.ratelimit"):
        assert all(limiter.hit("copilot:ratelimit:room:x", rate).allowed for _ in range(3))
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    limiter.close()


def test_build_rate_limiter_picks_the_backend() -> None:
    assert isinstance(build_rate_limiter(""), InProcessRateLimiter)
    limiter = build_rate_limiter("redis://127.0.0.1:6379/14")
    assert isinstance(limiter, RedisRateLimiter)
    limiter.close()


def test_keys_are_prefixed_and_unambiguous() -> None:
    assert viewer_key("r1", "v1") == "copilot:ratelimit:viewer:r1:v1"
    assert room_key("r1") == "copilot:ratelimit:room:r1"
    assert viewer_key("a:b", "c") != viewer_key("a", "b:c")


def test_rate_is_validated() -> None:
    with pytest.raises(ValueError):
        Rate(per_second=-1, burst=1)
    with pytest.raises(ValueError):
        Rate(per_second=1, burst=0)
    assert Rate(per_second=0, burst=0).unlimited
