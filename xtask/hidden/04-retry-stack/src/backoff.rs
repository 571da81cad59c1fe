//! The backoff: `base_delay * 2^(k-1)` after failed attempt `k`, capped at `max_delay`, slept on
//! Tokio's clock (the paused test clock moves it, and every attempt's instant is exact).

use crate::support::*;

fn config(base_ms: u64, max_ms: u64) -> RetryConfig {
    RetryConfig {
        max_attempts: 5,
        base_delay: Duration::from_millis(base_ms),
        max_delay: Duration::from_millis(max_ms),
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_after_each_failed_attempt() {
    let config = config(100, 10_000);
    let waits: Vec<Duration> = (1..=5).map(|k| backoff(&config, k)).collect();
    let expected: Vec<Duration> = [100, 200, 400, 800, 1600]
        .map(Duration::from_millis)
        .to_vec();
    assert_eq!(
        waits, expected,
        "backoff(k) for k = 1..=5, with base_delay 100ms and max_delay 10s, must be base_delay * \
         2^(k-1)"
    );
    assert_eq!(
        backoff(&config, 0),
        Duration::from_millis(100),
        "backoff(0) is documented to be taken as backoff(1): base_delay"
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_is_capped_at_max_delay() {
    let config = config(100, 350);
    let waits: Vec<Duration> = (1..=5).map(|k| backoff(&config, k)).collect();
    let expected: Vec<Duration> = [100, 200, 350, 350, 350]
        .map(Duration::from_millis)
        .to_vec();
    assert_eq!(
        waits, expected,
        "backoff(k) for k = 1..=5, with base_delay 100ms and max_delay 350ms, must never exceed \
         max_delay"
    );
    for k in [33, 64, 1000, u32::MAX] {
        assert_eq!(
            backoff(&config, k),
            Duration::from_millis(350),
            "backoff({k}) must be max_delay (2^(k-1) overflows: too large means max_delay), \
             without a panic"
        );
    }
    let huge = RetryConfig {
        max_attempts: 5,
        base_delay: Duration::MAX / 2,
        max_delay: Duration::MAX,
    };
    assert_eq!(
        backoff(&huge, 3),
        Duration::MAX,
        "with base_delay Duration::MAX / 2, backoff(3) overflows a Duration: it must be max_delay, \
         without a panic"
    );
}

#[tokio::test(start_paused = true)]
async fn attempts_are_spaced_by_the_backoff_on_the_paused_clock() {
    let (backend, calls) = Backend::down();
    let mut svc = retrying(RetryPolicy::new(config(100, 350)), backend);
    let _ = request(&mut svc, "GET /", "a backend that is down, 5 attempts").await;
    let expected: Vec<Duration> = [0, 100, 300, 650, 1000].map(Duration::from_millis).to_vec();
    assert_eq!(
        calls.times(),
        expected,
        "with base_delay 100ms and max_delay 350ms, the 5 attempts must come at t0, then after \
         waits of 100, 200, 350 and 350 ms ([0ms, 100ms, 300ms, 650ms, 1000ms]): sleep \
         `backoff(k)` after failed attempt k with tokio::time::sleep; got {}",
        ms(&calls.times())
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_config_waits_100ms_then_200ms() {
    let (backend, calls) = Backend::down();
    let mut svc = retrying(RetryPolicy::new(RetryConfig::default()), backend);
    let start = Instant::now();
    let _ = request(
        &mut svc,
        "GET /",
        "the default policy, a backend that is down",
    )
    .await;
    let expected: Vec<Duration> = [0, 100, 300].map(Duration::from_millis).to_vec();
    assert_eq!(
        calls.times(),
        expected,
        "RetryConfig::default() is documented as 3 attempts, waiting 100 ms then 200 ms"
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(300),
        "no wait after the last attempt: the caller gets its error at once"
    );
    assert_eq!(
        RetryConfig::default().max_delay,
        Duration::from_secs(2),
        "RetryConfig::default() is documented with a max_delay of 2 s"
    );
}

#[tokio::test(start_paused = true)]
async fn no_wait_before_the_first_attempt_nor_after_a_final_error() {
    let (backend, calls) = Backend::always(Err(BadRequest));
    let mut svc = retrying(RetryPolicy::new(config(100, 350)), backend);
    let start = Instant::now();
    let _ = request(&mut svc, "POST /bad", "a bad request").await;
    assert_eq!(
        (calls.times(), start.elapsed()),
        (vec![Duration::ZERO], Duration::ZERO),
        "a request that is not retried is sent at once and answered at once (no backoff); got \
         attempts at {} and the answer after {:?}",
        ms(&calls.times()),
        start.elapsed()
    );
}
